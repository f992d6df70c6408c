//! Quality control: the QC queue, reviews, 表 1 alerts and figures (`/lawyer-quality/qc…`, `/lawyer-quality/alerts`, `/lawyer/qc`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QcView {
    pub consultation_id: String,
    pub lawyer_id: String,
    /// The verdict that counts: the reviewer's if reviewed, else the automatic one (`pass`,
    /// `non_fatal` 3.1, `fatal` 3.2).
    pub result: String,
    pub auto_result: String,
    pub findings: Vec<Finding>,
    pub checked_at: i64,
    /// Drawn by the random sample (7.2.4 a).
    pub sampled: bool,
    /// Waiting for a reviewer: sampled or automatically failed, not yet reviewed.
    pub in_queue: bool,
    pub review_result: Option<String>,
    pub review_reason: Option<String>,
    pub reviewer: Option<String>,
    pub reviewed_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    /// `pass`, `non_fatal` or `fatal`: confirms or overrides the automatic verdict.
    pub result: Option<String>,
    /// Why (required, 1–2000 characters).
    pub reason: Option<String>,
}

/// A rate with its parts; `percent` is `None` without data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RateView {
    pub num: u64,
    pub den: u64,
    pub percent: Option<f64>,
}

/// The counts of 7.1.4.2 and their rates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FiguresView {
    /// 咨询量.
    pub orders: u64,
    /// 7.1.4.2.1 a 好评率 (= 表 1 满意率).
    pub good_rate: RateView,
    /// 7.1.4.2.1 b 评价率 (= 表 1 参评率).
    pub rating_rate: RateView,
    /// 7.1.4.2.2 b 致命性错误率: fatal ÷ QC-checked.
    pub fatal_rate: RateView,
    /// 7.1.4.2.2 a 非致命性错误率: non-fatal ÷ QC-checked.
    pub non_fatal_rate: RateView,
    /// 表 1 接通率.
    pub connection_rate: RateView,
    /// 表 1 回访率: non-satisfied orders revisited within 1 working day.
    pub revisit_rate: RateView,
    /// 7.3.2.1 及时解答率.
    pub timely_rate: RateView,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertView {
    /// `platform` or `lawyer`.
    pub scope: String,
    pub lawyer_id: Option<String>,
    /// `revisit_rate`, `rating_rate`, `connection_rate`, `satisfaction_rate`, `fatal_error_rate`,
    /// `non_fatal_error_rate`.
    pub metric: String,
    pub label: String,
    pub value: RateView,
    /// The 表 1 line, e.g. `≥95%` or `≤2%`.
    pub limit: String,
    pub clause: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RangeQuery {
    /// First day, `YYYY-MM-DD` (China time); default today.
    pub from: Option<String>,
    /// Last day, inclusive; default `from`.
    pub to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LawyerFigures {
    pub lawyer_id: String,
    pub figures: FiguresView,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertsResponse {
    pub from: i64,
    pub to: i64,
    pub platform: FiguresView,
    pub lawyers: Vec<LawyerFigures>,
    /// 表 1 lines crossed (7.1.4.1), the platform's first, then each lawyer's.
    pub alerts: Vec<AlertView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyQcResponse {
    pub from: i64,
    pub to: i64,
    /// The lawyer's QC results checked in the range, newest first.
    pub results: Vec<QcView>,
    /// Their figures over the consultations asked in the range.
    pub figures: FiguresView,
    /// Their 表 1 lines crossed.
    pub alerts: Vec<AlertView>,
}

/// One finding as stored and shown: never the leaked data itself, only what kind it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    /// `fatal` (3.2) or `non_fatal` (3.1).
    pub severity: String,
    pub clause: String,
    /// `abusive`, `leak`, `mechanical` or `format`.
    pub kind: String,
    pub message: String,
}
