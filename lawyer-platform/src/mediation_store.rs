//! The SQL of remote mediation (table `lm_mediations`, migration 9). Writes are called only from
//! [`super::mediation::apply`], inside the writer's transaction; reads back the API.

use rusqlite::{Connection, OptionalExtension, params};

use super::mediation::{MediationRecord, MediationRow};
use super::{MediationStatus, routing};
use node_core::store::StoreError;

pub(crate) fn insert(c: &Connection, r: &MediationRecord) -> Result<(), StoreError> {
    let MediationRecord::Booked {
        id,
        committee,
        parties,
        matter,
        specialty,
        starts_at,
        duration_minutes,
        booked_by,
        booked_at,
        verify_due,
        assign_due,
    } = r
    else {
        return Err(StoreError::Conflict("not a booking".into()));
    };
    let parties = serde_json::to_string(parties).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    c.prepare_cached(
        "INSERT INTO lm_mediations (id, committee, parties, matter, specialty, starts_at, duration_minutes, status,
         booked_by, booked_at, verify_due, assign_due) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        id,
        committee,
        parties,
        matter,
        specialty,
        starts_at,
        duration_minutes,
        MediationStatus::Applied.as_str(),
        booked_by,
        booked_at,
        verify_due,
        assign_due
    ])?;
    Ok(())
}

pub(crate) fn set_verified(
    c: &Connection,
    id: &str,
    by: &str,
    status: MediationStatus,
    reason: Option<&str>,
    at: i64,
) -> Result<(), StoreError> {
    c.prepare_cached(
        "UPDATE lm_mediations SET status = ?2, verified_by = ?3, verified_at = ?4, reject_reason = ?5 WHERE id = ?1",
    )?
    .execute(params![id, status.as_str(), by, at, reason])?;
    Ok(())
}

pub(crate) fn set_assigned(c: &Connection, id: &str, by: &str, lawyer: &str, at: i64) -> Result<(), StoreError> {
    c.prepare_cached(
        "UPDATE lm_mediations SET status = 'assigned', lawyer_id = ?2, assigned_by = ?3, assigned_at = ?4 WHERE id = ?1",
    )?
    .execute(params![id, lawyer, by, at])?;
    Ok(())
}

pub(crate) fn set_accepted(c: &Connection, id: &str, at: i64) -> Result<(), StoreError> {
    c.prepare_cached("UPDATE lm_mediations SET status = 'accepted', accepted_at = ?2 WHERE id = ?1")?
        .execute(params![id, at])?;
    Ok(())
}

pub(crate) fn set_declined(c: &Connection, id: &str) -> Result<(), StoreError> {
    c.prepare_cached(
        "UPDATE lm_mediations SET status = 'verified', lawyer_id = NULL, assigned_by = NULL, assigned_at = NULL
         WHERE id = ?1",
    )?
    .execute(params![id])?;
    Ok(())
}

pub(crate) fn set_joined(c: &Connection, id: &str, at: i64, late: bool) -> Result<(), StoreError> {
    c.prepare_cached("UPDATE lm_mediations SET joined_at = ?2, join_late = ?3 WHERE id = ?1")?
        .execute(params![id, at, late])?;
    Ok(())
}

pub(crate) fn set_rated(c: &Connection, id: &str, level: u8, comment: Option<&str>, at: i64) -> Result<(), StoreError> {
    c.prepare_cached(
        "UPDATE lm_mediations SET status = 'rated', rating_level = ?2, rating_comment = ?3, rated_at = ?4 WHERE id = ?1",
    )?
    .execute(params![id, level, comment, at])?;
    Ok(())
}

/// The lawyer of `specialty` (specialists before generalists, as realtime routing) with the fewest
/// mediations still ahead of them. Online state does not matter: the session is days away.
pub(crate) fn least_loaded(c: &Connection, specialty: &str, now: i64) -> Result<Option<String>, StoreError> {
    let candidates: Vec<routing::Candidate> = c
        .prepare_cached(
            "SELECT p.staff_id, p.specialties, p.last_assigned_at,
               (SELECT COUNT(*) FROM lm_mediations m WHERE m.lawyer_id = p.staff_id
                  AND m.status IN ('assigned', 'accepted') AND m.starts_at >= ?1)
             FROM lawyer_profiles p",
        )?
        .query_map(params![now], |r| {
            let specialties: String = r.get(1)?;
            Ok(routing::Candidate {
                staff_id: r.get(0)?,
                specialties: serde_json::from_str(&specialties).unwrap_or_default(),
                last_assigned_at: r.get(2)?,
                load: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(routing::choose(&candidates, specialty, u32::MAX).map(|c| c.staff_id.clone()))
}

const COLUMNS: &str =
    "id, committee, parties, matter, specialty, starts_at, duration_minutes, status, booked_by, booked_at,
    verify_due, assign_due, verified_by, verified_at, reject_reason, lawyer_id, assigned_by, assigned_at, accepted_at,
    joined_at, join_late, rating_level, rating_comment, rated_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MediationRow> {
    let parties: String = r.get(2)?;
    let status: String = r.get(7)?;
    let bad = |col: usize, what: &str| {
        rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, format!("stored {what}").into())
    };
    Ok(MediationRow {
        id: r.get(0)?,
        committee: r.get(1)?,
        parties: serde_json::from_str(&parties).map_err(|_| bad(2, "parties"))?,
        matter: r.get(3)?,
        specialty: r.get(4)?,
        starts_at: r.get(5)?,
        duration_minutes: r.get(6)?,
        status: MediationStatus::parse(&status).ok_or_else(|| bad(7, "mediation status"))?,
        booked_by: r.get(8)?,
        booked_at: r.get(9)?,
        verify_due: r.get(10)?,
        assign_due: r.get(11)?,
        verified_by: r.get(12)?,
        verified_at: r.get(13)?,
        reject_reason: r.get(14)?,
        lawyer_id: r.get(15)?,
        assigned_by: r.get(16)?,
        assigned_at: r.get(17)?,
        accepted_at: r.get(18)?,
        joined_at: r.get(19)?,
        join_late: r.get(20)?,
        rating_level: r.get(21)?,
        rating_comment: r.get(22)?,
        rated_at: r.get(23)?,
    })
}

pub fn mediation(c: &Connection, id: &str) -> rusqlite::Result<Option<MediationRow>> {
    c.prepare_cached(&format!("SELECT {COLUMNS} FROM lm_mediations WHERE id = ?1"))?
        .query_row(params![id], row)
        .optional()
}

/// Every mediation whose session has not ended by `since` (plus any still unrated), soonest first:
/// the operators' list.
pub fn open(c: &Connection, since: i64) -> rusqlite::Result<Vec<MediationRow>> {
    c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM lm_mediations
         WHERE status IN ('applied', 'verified', 'assigned', 'accepted') OR starts_at >= ?1 ORDER BY starts_at, id"
    ))?
    .query_map(params![since], row)?
    .collect()
}

/// A lawyer's mediations still to be held (assigned or accepted), soonest first.
pub fn of_lawyer(c: &Connection, staff: &str) -> rusqlite::Result<Vec<MediationRow>> {
    c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM lm_mediations WHERE lawyer_id = ?1 AND status IN ('assigned', 'accepted')
         ORDER BY starts_at, id"
    ))?
    .query_map(params![staff], row)?
    .collect()
}

/// Queries of remote mediation, beside the writer.
pub trait MediationReader: Send + Sync {
    fn mediation(&self, id: &str) -> Result<Option<MediationRow>, StoreError>;
    fn open_mediations(&self, since: i64) -> Result<Vec<MediationRow>, StoreError>;
    fn lawyer_mediations(&self, staff: &str) -> Result<Vec<MediationRow>, StoreError>;
}

impl MediationReader for node_core::store::sqlite::SqliteReader {
    fn mediation(&self, id: &str) -> Result<Option<MediationRow>, StoreError> {
        self.with(|c| mediation(c, id))
    }
    fn open_mediations(&self, since: i64) -> Result<Vec<MediationRow>, StoreError> {
        self.with(|c| open(c, since))
    }
    fn lawyer_mediations(&self, staff: &str) -> Result<Vec<MediationRow>, StoreError> {
        self.with(|c| of_lawyer(c, staff))
    }
}
