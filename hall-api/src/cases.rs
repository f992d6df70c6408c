//! Cases (办件) and their stages (`/cases…`).

use serde::{Deserialize, Serialize};

use domain::Millis;
use domain::case::CaseStage;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OpenCaseRequest {
    pub hall_id: String,
    pub item_id: String,
    /// The applicant's ID number: checked (GB 11643), kept only as a keyed digest.
    pub id_number: String,
    /// The ticket the matter was accepted under, if any.
    pub ticket_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StageRequest {
    pub stage: CaseStage,
    /// What is missing (需补正) or why it is refused (不予受理): required for those; at most 500 characters.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CaseLookupRequest {
    pub hall_id: String,
    /// Compared by its keyed digest only, never stored or logged. Or give `citizen_code` instead
    /// (exactly one of the two).
    pub id_number: Option<String>,
    /// The citizen's one-code-service code (一码通办, tender 2844–2862 "替代身份证读取登录") instead of
    /// `id_number`.
    pub citizen_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageView {
    pub stage: CaseStage,
    /// 已受理, 审查中 …
    pub label: String,
    /// When (ms).
    pub at: Millis,
    pub note: Option<String>,
}

/// A case as the citizen and the clerk see it: no personal data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseView {
    /// For `POST /cases/{id}/stages`.
    pub id: String,
    /// 受理回执号.
    pub receipt: String,
    pub hall_id: String,
    pub item_id: String,
    pub item_name: Option<String>,
    pub hall_name: Option<String>,
    pub opened_at: Millis,
    pub stage: CaseStage,
    pub stage_label: String,
    /// Oldest first.
    pub stages: Vec<StageView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CasesResponse {
    pub cases: Vec<CaseView>,
}
