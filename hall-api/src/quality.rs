//! Complaints and call-back tasks (`/lawyer-quality/…`, `/lawyer/tasks`); QC in [`qc`].

pub mod qc;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskView {
    pub id: String,
    /// `revisit` (回访, 7.1.3.2), `legal_callback` (律师回拨, 7.1.3.2 b), `complaint_callback` (7.1.2.2).
    pub kind: String,
    pub label: String,
    pub clause: String,
    pub consultation_id: Option<String>,
    /// The lawyer who owes a call-back; none for the operators' tasks.
    pub lawyer_id: Option<String>,
    pub complaint_id: Option<String>,
    pub created_at: i64,
    pub due_at: i64,
    /// Seconds left (negative once overdue), while open.
    pub remaining_secs: Option<i64>,
    /// Open past its deadline, or done after it.
    pub overdue: bool,
    pub done_at: Option<i64>,
    pub done_by: Option<String>,
    pub outcome: Option<String>,
    pub needs_legal_answer: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ComplaintRequest {
    /// The consultation complained about; required with a consultation token.
    pub consultation_id: Option<String>,
    /// What the complaint is, 1–2000 characters.
    pub text: Option<String>,
    /// 涉敏/需上报 (operators only): listed for reporting to the authorities (7.1.2.2, 7.1.2.4).
    pub sensitive: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComplaintView {
    pub id: String,
    pub consultation_id: Option<String>,
    /// `citizen` or `staff:<id>`.
    pub filed_by: String,
    pub text: String,
    pub sensitive: bool,
    pub created_at: i64,
    /// The call-back owed to the complainant (7.1.2.2: within 1 working day).
    pub task: Option<TaskView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComplaintsQuery {
    /// `true`: only the complaints flagged 涉敏/需上报, for reporting.
    pub sensitive: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FlagRequest {
    pub sensitive: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TasksQuery {
    /// `revisit`, `legal_callback` or `complaint_callback`; default all.
    pub kind: Option<String>,
    /// `open` (default), `all`.
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CompleteRequest {
    /// What was done and found (required, 1–2000 characters).
    pub outcome: Option<String>,
    /// On a revisit or complaint call-back: the citizen still needs a legal answer, so the
    /// consultation's lawyer is asked to call back within 1 hour (7.1.3.2 b).
    pub needs_legal_answer: Option<bool>,
}
