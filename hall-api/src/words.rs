//! Sensitive-word actions, appeals and statistics (`/lawyer-words/…`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionsQuery {
    /// `pending`, `confirmed`, `lifted`.
    pub status: Option<String>,
    /// `pending`, `granted`, `rejected`.
    pub appeal: Option<String>,
    /// Default 100, at most 1000.
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    /// true: confirm the automatic action; false: lift it (the ban ends now).
    pub confirm: bool,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AppealRequest {
    /// Why the action is wrong, 1–500 characters (required).
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// true: the appeal is granted and the action lifted; false: rejected, the action stands.
    pub grant: bool,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatsQuery {
    /// First month, `YYYY-MM`; default the current month.
    pub from: Option<String>,
    /// Last month, `YYYY-MM` (inclusive); default `from`.
    pub to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WordStatsResponse {
    pub from: String,
    pub to: String,
    /// `{total, by_month, by_region, by_sex, by_word, by_category}` (wordfilter::Stats). Regions and
    /// sexes the records do not hold count as `未知` / `unknown`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub stats: wordfilter::Stats,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReloadResponse {
    pub path: String,
    pub words: usize,
}
