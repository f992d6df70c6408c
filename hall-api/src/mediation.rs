//! Remote mediation (`/mediations…`).

use serde::{Deserialize, Serialize};

use crate::consultations::Due;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BookRequest {
    /// The people's mediation committee (人民调解委员会) that asks.
    pub committee: String,
    /// The parties' names, 1–20.
    pub parties: Vec<String>,
    /// What the dispute is about (调解基本信息, 6.1 d), 1–4000 characters.
    pub matter: String,
    /// The field of law, matched against the lawyers' specialties.
    pub specialty: String,
    /// Start of the session (ms); at least 5 working days after today (6.2.4.1).
    pub starts_at: i64,
    /// 15–480; default 60.
    pub duration_minutes: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// `true`: the call confirmed matter, time and parties; `false`: rejected, `reason` required.
    pub approved: bool,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// A lawyer's staff id; left out: the least-loaded lawyer of the specialty.
    pub lawyer_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MediationRatingRequest {
    /// 1 非常不满意 … 5 非常满意.
    pub level: u8,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListQuery {
    /// Only mediations with an open task past its deadline.
    pub overdue: Option<bool>,
}

/// One step of 6.2.4 with its deadline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskView {
    /// `verify` (1 working day), `assign` (3 working days; done when the lawyer accepts), `join`
    /// (10 min before the start).
    pub task: String,
    pub label: String,
    pub clause: String,
    pub due: i64,
    /// Seconds left; negative once past.
    pub remaining_secs: i64,
    pub done_at: Option<i64>,
    /// Still open and past its deadline.
    pub overdue: bool,
    /// Done, but after its deadline.
    pub late: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MediationView {
    pub id: String,
    pub committee: String,
    pub parties: Vec<String>,
    pub matter: String,
    pub specialty: String,
    pub starts_at: i64,
    pub duration_minutes: u32,
    pub status: MediationStatus,
    pub status_label: String,
    pub booked_by: String,
    pub booked_at: i64,
    pub reject_reason: Option<String>,
    pub lawyer_id: Option<String>,
    pub accepted_at: Option<i64>,
    pub joined_at: Option<i64>,
    /// Joined later than 10 min before the start (6.2.4.2 a).
    pub join_late: Option<bool>,
    pub rating_level: Option<u8>,
    pub tasks: Vec<TaskView>,
    /// Some task is open past its deadline.
    pub overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MediationList {
    pub items: Vec<MediationView>,
}

/// An upcoming mediation in the lawyer's inbox, with the countdown to the join-by time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LawyerMediation {
    pub id: String,
    pub committee: String,
    pub parties: Vec<String>,
    pub matter: String,
    pub specialty: String,
    pub starts_at: i64,
    pub duration_minutes: u32,
    /// `assigned`: accept it; `accepted`: join 10 min early.
    pub status: MediationStatus,
    pub status_label: String,
    /// 6.2.4.2 a: in the online room by the start minus 10 min.
    pub join_by: Due,
    pub joined_at: Option<i64>,
    pub join_late: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeclineRequest {
    /// Why (e.g. a conflict of interest with a party), 1–500 characters.
    pub reason: String,
}

str_enum!(
    /// A remote mediation's progress (6.2.4).
    MediationStatus {
        /// Booked, waiting for the operator's verification call (6.2.4.1: 1 working day).
        Applied = "applied" / "待核实",
        /// Verified, waiting for a lawyer (6.2.4.1: 3 working days).
        Verified = "verified" / "待指派",
        Rejected = "rejected" / "已退回",
        /// A lawyer is named and has not confirmed yet.
        Assigned = "assigned" / "待律师确认",
        /// The lawyer confirmed; the session is on.
        Accepted = "accepted" / "已确认",
        /// Held and rated by the committee (6.2.4.2 e).
        Rated = "rated" / "已评价",
    }
);
