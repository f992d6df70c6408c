//! The platform's period reports and their archive (`/lawyer-reports…`).

use serde::{Deserialize, Serialize};

use crate::quality::qc::{AlertView, FiguresView, LawyerFigures};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArchivedReport {
    /// `daily-2026-11-23.xlsx`: kind, first day of the period, format.
    pub name: String,
    pub bytes: u64,
    /// When it was generated (ms).
    pub generated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArchiveResponse {
    /// Newest first.
    pub reports: Vec<ArchivedReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportQuery {
    /// `daily`, `weekly`, `monthly`, `quarterly`, `half_yearly` or `yearly`.
    pub kind: Option<String>,
    /// A day inside the period, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// `json` (default), `csv` or `xlsx`.
    pub format: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KindCount {
    /// `real_time`, `message`, `video`, `mediation`.
    pub kind: String,
    pub label: String,
    pub orders: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuestionType {
    pub question_type: String,
    pub orders: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportView {
    pub kind: String,
    /// 日报, 周报, 月报, 季报, 半年报, 年报.
    pub label: String,
    pub clause: String,
    /// First day of the period.
    pub start: String,
    /// Last day of the period (inclusive).
    pub end: String,
    /// The day the report is due by (7.3.2); none where the standard sets none.
    pub due: Option<String>,
    /// 咨询量 per service.
    pub orders_by_kind: Vec<KindCount>,
    pub platform: FiguresView,
    pub lawyers: Vec<LawyerFigures>,
    /// 表 1 lines crossed (7.1.4.1), platform first.
    pub alerts: Vec<AlertView>,
    /// Weekly and longer (7.3.2.2): lawyers with a fatal error or a 表 1 alert.
    pub violating_lawyers: Option<Vec<String>>,
    /// Monthly and longer (7.3.2.3): question types, most frequent first.
    pub question_types: Option<Vec<QuestionType>>,
}
