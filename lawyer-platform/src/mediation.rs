//! Remote mediation (standard 6.1 d, 6.2.4): a people's mediation committee books a session with a
//! lawyer at least 5 working days ahead; the operation centre phones to verify it within 1 working
//! day and has a lawyer assigned within 3 (6.2.4.1); the lawyer waits in the online room 10 min
//! before the start (6.2.4.2 a); the session is rated afterwards (6.2.4.2 e).
//!
//! Who books: committees have no account role of their own (`domain::config::Role` has none, and a
//! new role would add a caller to every row of the role matrix); an operator books on the
//! committee's behalf, after its phone call or form, naming the committee. The committee's rating
//! is entered the same way.
//!
//! Every deadline is the `lawyer` crate's (`lawyer::sla::tasks`) over the configured working-day
//! calendar (`[lawyer.calendar]`); the verify and assign deadlines are fixed at booking time, so a
//! later calendar edit does not move a promise already made.

use rusqlite::Connection;
use serde::Serialize;

use super::mediation_store as sql;
use node_core::store::StoreError;

pub use super::MediationStatus;

/// A change to a mediation, written through the writer as
/// [`super::store::LawyerRecord::Mediation`]. Names of the parties and the matter stay in the table;
/// the audit row gets their SM3 only.
#[derive(Debug, Clone)]
pub enum MediationRecord {
    Booked {
        id: String,
        committee: String,
        parties: Vec<String>,
        matter: String,
        specialty: String,
        starts_at: i64,
        duration_minutes: u32,
        booked_by: String,
        booked_at: i64,
        /// 6.2.4.1: verified within 1 working day.
        verify_due: i64,
        /// 6.2.4.1: a lawyer assigned within 3 working days.
        assign_due: i64,
    },
    /// The operator phoned the committee: confirmed, or rejected with the reason.
    Verified {
        id: String,
        by: String,
        approved: bool,
        reason: Option<String>,
    },
    /// `lawyer_id: None`: the writer picks the least-loaded lawyer of the specialty.
    Assigned {
        id: String,
        by: String,
        lawyer_id: Option<String>,
    },
    Accepted {
        id: String,
        staff_id: String,
    },
    /// The assigned lawyer cannot take it: back to the operators to assign another.
    Declined {
        id: String,
        staff_id: String,
        reason: String,
    },
    /// The lawyer entered the online room; `join_by` is the start minus 10 min (6.2.4.2 a).
    Joined {
        id: String,
        staff_id: String,
        join_by: i64,
    },
    Rated {
        id: String,
        level: u8,
        comment: Option<String>,
    },
}

fn digest(s: &str) -> String {
    node_core::crypto::sm3_hex(s.as_bytes())
}

impl MediationRecord {
    pub fn id(&self) -> &str {
        match self {
            MediationRecord::Booked { id, .. }
            | MediationRecord::Verified { id, .. }
            | MediationRecord::Assigned { id, .. }
            | MediationRecord::Accepted { id, .. }
            | MediationRecord::Declined { id, .. }
            | MediationRecord::Joined { id, .. }
            | MediationRecord::Rated { id, .. } => id,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            MediationRecord::Booked { .. } => "mediation_booked",
            MediationRecord::Verified { .. } => "mediation_verified",
            MediationRecord::Assigned { .. } => "mediation_assigned",
            MediationRecord::Accepted { .. } => "mediation_accepted",
            MediationRecord::Declined { .. } => "mediation_declined",
            MediationRecord::Joined { .. } => "mediation_joined",
            MediationRecord::Rated { .. } => "mediation_rated",
        }
    }

    pub fn audit_body(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            MediationRecord::Booked {
                id,
                committee,
                parties,
                matter,
                specialty,
                starts_at,
                duration_minutes,
                booked_by,
                verify_due,
                assign_due,
                ..
            } => json!({"mediation_id": id, "committee": committee, "parties_sm3": digest(&parties.join("\u{1f}")),
                "matter_sm3": digest(matter), "specialty": specialty, "starts_at": starts_at,
                "duration_minutes": duration_minutes, "booked_by": booked_by, "verify_due": verify_due,
                "assign_due": assign_due}),
            MediationRecord::Verified {
                id,
                by,
                approved,
                reason,
            } => json!({"mediation_id": id, "by": by, "approved": approved, "reason": reason}),
            MediationRecord::Assigned { id, by, lawyer_id } => {
                json!({"mediation_id": id, "by": by, "lawyer_id": lawyer_id})
            }
            MediationRecord::Accepted { id, staff_id } => json!({"mediation_id": id, "staff_id": staff_id}),
            MediationRecord::Declined { id, staff_id, reason } => {
                json!({"mediation_id": id, "staff_id": staff_id, "reason": reason})
            }
            MediationRecord::Joined { id, staff_id, join_by } => {
                json!({"mediation_id": id, "staff_id": staff_id, "join_by": join_by})
            }
            MediationRecord::Rated { id, level, comment } => {
                json!({"mediation_id": id, "level": level, "comment_sm3": comment.as_deref().map(digest)})
            }
        }
    }
}

fn conflict(m: impl Into<String>) -> StoreError {
    StoreError::Conflict(m.into())
}

fn wrong_state(s: MediationStatus, what: &str) -> StoreError {
    conflict(format!(
        "调解当前{}，不能{what} (the mediation is {})",
        s.label_zh(),
        s.as_str()
    ))
}

/// The effect of a record, in the writer's transaction: every precondition is checked here, so two
/// operators cannot both verify, nor two lawyers both accept.
pub fn apply(c: &Connection, r: &MediationRecord, at: i64) -> Result<(), StoreError> {
    use MediationStatus as S;
    let row = |id: &str| sql::mediation(c, id)?.ok_or_else(|| conflict("没有这个调解预约 (no such mediation)"));
    match r {
        MediationRecord::Booked { .. } => sql::insert(c, r),
        MediationRecord::Verified {
            id,
            by,
            approved,
            reason,
        } => {
            let m = row(id)?;
            if m.status != S::Applied {
                return Err(wrong_state(m.status, "核实"));
            }
            let status = if *approved { S::Verified } else { S::Rejected };
            sql::set_verified(c, id, by, status, reason.as_deref(), at)
        }
        MediationRecord::Assigned { id, by, lawyer_id } => {
            let m = row(id)?;
            // Reassigning before the lawyer accepts is how a declined or unreachable lawyer is replaced.
            if !matches!(m.status, S::Verified | S::Assigned) {
                return Err(wrong_state(m.status, "指派律师"));
            }
            let who = match lawyer_id {
                Some(l) => l.clone(),
                None => sql::least_loaded(c, &m.specialty, at)?.ok_or_else(|| {
                    conflict(format!(
                        "没有擅长“{}”的律师可指派 (no lawyer lists this specialty)",
                        m.specialty
                    ))
                })?,
            };
            sql::set_assigned(c, id, by, &who, at)
        }
        MediationRecord::Accepted { id, staff_id } => {
            let m = row(id)?;
            if m.lawyer_id.as_deref() != Some(staff_id) {
                return Err(conflict("该调解未指派给您 (not assigned to you)"));
            }
            if m.status != S::Assigned {
                return Err(wrong_state(m.status, "确认接受"));
            }
            sql::set_accepted(c, id, at)
        }
        MediationRecord::Declined { id, staff_id, .. } => {
            let m = row(id)?;
            if m.lawyer_id.as_deref() != Some(staff_id) {
                return Err(conflict("该调解未指派给您 (not assigned to you)"));
            }
            if m.status != S::Assigned {
                return Err(wrong_state(m.status, "拒绝"));
            }
            sql::set_declined(c, id)
        }
        MediationRecord::Joined { id, staff_id, join_by } => {
            let m = row(id)?;
            if m.lawyer_id.as_deref() != Some(staff_id) {
                return Err(conflict("该调解未指派给您 (not assigned to you)"));
            }
            if m.status != S::Accepted {
                return Err(wrong_state(m.status, "进入调解室"));
            }
            if m.joined_at.is_some() {
                return Err(conflict("已进入调解室 (already joined)"));
            }
            sql::set_joined(c, id, at, at > *join_by)
        }
        MediationRecord::Rated { id, level, comment } => {
            let m = row(id)?;
            if m.status != S::Accepted || at < m.starts_at {
                return Err(conflict(
                    "调解开始后才能评价 (a mediation can be rated once its session has taken place)",
                ));
            }
            sql::set_rated(c, id, *level, comment.as_deref(), at)
        }
    }
}

/// A mediation as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MediationRow {
    pub id: String,
    pub committee: String,
    pub parties: Vec<String>,
    pub matter: String,
    pub specialty: String,
    pub starts_at: i64,
    pub duration_minutes: u32,
    pub status: MediationStatus,
    pub booked_by: String,
    pub booked_at: i64,
    pub verify_due: i64,
    pub assign_due: i64,
    pub verified_by: Option<String>,
    pub verified_at: Option<i64>,
    pub reject_reason: Option<String>,
    pub lawyer_id: Option<String>,
    pub assigned_by: Option<String>,
    pub assigned_at: Option<i64>,
    pub accepted_at: Option<i64>,
    pub joined_at: Option<i64>,
    pub join_late: Option<bool>,
    pub rating_level: Option<u8>,
    pub rating_comment: Option<String>,
    pub rated_at: Option<i64>,
}
