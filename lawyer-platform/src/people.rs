//! Lawyers as people of the platform: online sessions (附录 A counts online hours), admission and the
//! one-week probation (6.3.1), training records (6.3.2) and the figures a grade is computed from
//! (7.1.1.4: hours, people served, satisfaction). The rules are `lawyer::admission` and
//! `lawyer::tiers`; this module keeps the rows.
//!
//! The probation reads QC results from the quality module (`crate::quality::counts`).

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use node_core::store::StoreError;

fn conflict(m: impl Into<String>) -> StoreError {
    StoreError::Conflict(m.into())
}

/// Opens or closes the lawyer's online session (called from the status record, same transaction).
/// Going online twice keeps the first session; going offline while offline changes nothing.
pub fn session(c: &Connection, staff: &str, online: bool, at: i64) -> Result<(), StoreError> {
    if online {
        c.prepare_cached(
            "INSERT INTO lw_sessions (staff_id, started_at) SELECT ?1, ?2
             WHERE NOT EXISTS (SELECT 1 FROM lw_sessions WHERE staff_id = ?1 AND ended_at IS NULL)",
        )?
        .execute(params![staff, at])?;
    } else {
        c.prepare_cached("UPDATE lw_sessions SET ended_at = ?2 WHERE staff_id = ?1 AND ended_at IS NULL")?
            .execute(params![staff, at])?;
    }
    Ok(())
}

/// Online seconds of `staff` within `[from, to)`; an open session counts up to `now`.
pub fn online_secs(c: &Connection, staff: &str, from: i64, to: i64, now: i64) -> rusqlite::Result<i64> {
    let ms: i64 = c
        .prepare_cached(
            "SELECT COALESCE(SUM(MAX(0, MIN(COALESCE(ended_at, ?4), ?3) - MAX(started_at, ?2))), 0)
             FROM lw_sessions WHERE staff_id = ?1",
        )?
        .query_row(params![staff, from, to, now], |r| r.get(0))?;
    Ok(ms / 1000)
}

/// People served: consultations the lawyer picked up or answered.
pub fn served(c: &Connection, staff: &str) -> rusqlite::Result<u64> {
    c.prepare_cached(
        "SELECT COUNT(*) FROM consultations WHERE lawyer_id = ?1 AND (picked_at IS NOT NULL OR answered_at IS NOT NULL)",
    )?
    .query_row(params![staff], |r| r.get(0))
}

/// (rated, good) of the lawyer's consultations created in `[from, to)`; 4 满意 and 5 非常满意 are good.
pub fn ratings(c: &Connection, staff: &str, from: i64, to: i64) -> rusqlite::Result<(u64, u64)> {
    c.prepare_cached(
        "SELECT COUNT(*), COALESCE(SUM(r.level >= 4), 0) FROM consultation_ratings r
         JOIN consultations k ON k.id = r.consultation_id
         WHERE k.lawyer_id = ?1 AND k.created_at >= ?2 AND k.created_at < ?3",
    )?
    .query_row(params![staff, from, to], |r| Ok((r.get(0)?, r.get(1)?)))
}

pub fn apply_admitted(
    c: &Connection,
    staff: &str,
    applicant: &Value,
    opened_on: &str,
    at: i64,
) -> Result<(), StoreError> {
    let n = c
        .prepare_cached(
            "INSERT INTO lw_admissions (staff_id, applicant, admitted_at, opened_on) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(staff_id) DO NOTHING",
        )?
        .execute(params![staff, applicant.to_string(), at, opened_on])?;
    if n == 0 {
        return Err(conflict("该律师已准入 (the lawyer was already admitted)"));
    }
    Ok(())
}

pub fn apply_probation(c: &Connection, staff: &str, passed: bool, detail: &Value, at: i64) -> Result<(), StoreError> {
    let n = c
        .prepare_cached(
            "UPDATE lw_admissions SET probation = ?2, probation_detail = ?3, decided_at = ?4
             WHERE staff_id = ?1 AND probation = 'running'",
        )?
        .execute(params![
            staff,
            if passed { "passed" } else { "failed" },
            detail.to_string(),
            at
        ])?;
    if n == 0 {
        return Err(conflict("没有进行中的试用期 (no running probation for this lawyer)"));
    }
    Ok(())
}

pub fn apply_training(c: &Connection, id: &str, held_on: &str, body: &Value, at: i64) -> Result<(), StoreError> {
    c.prepare_cached("INSERT INTO lw_trainings (id, held_on, body, at) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![id, held_on, body.to_string(), at])?;
    Ok(())
}

/// An admission as stored.
#[derive(Debug, Clone)]
pub struct AdmissionRow {
    pub staff_id: String,
    pub applicant: Value,
    pub admitted_at: i64,
    pub opened_on: String,
    /// `running`, `passed`, `failed`.
    pub probation: String,
    pub probation_detail: Option<Value>,
    pub decided_at: Option<i64>,
}

pub fn admission(c: &Connection, staff: &str) -> rusqlite::Result<Option<AdmissionRow>> {
    c.prepare_cached(
        "SELECT staff_id, applicant, admitted_at, opened_on, probation, probation_detail, decided_at
         FROM lw_admissions WHERE staff_id = ?1",
    )?
    .query_row(params![staff], |r| {
        let applicant: String = r.get(1)?;
        let detail: Option<String> = r.get(5)?;
        Ok(AdmissionRow {
            staff_id: r.get(0)?,
            applicant: serde_json::from_str(&applicant).unwrap_or(Value::Null),
            admitted_at: r.get(2)?,
            opened_on: r.get(3)?,
            probation: r.get(4)?,
            probation_detail: detail.and_then(|d| serde_json::from_str(&d).ok()),
            decided_at: r.get(6)?,
        })
    })
    .optional()
}

/// Training records held in `year` (all years with `None`), oldest first.
pub fn trainings(c: &Connection, year: Option<i32>) -> rusqlite::Result<Vec<lawyer::admission::TrainingRecord>> {
    let rows = c
        .prepare_cached(
            "SELECT body FROM lw_trainings WHERE (?1 IS NULL OR held_on LIKE ?1 || '-%') ORDER BY held_on, id",
        )?
        .query_map(params![year.map(|y| format!("{y:04}"))], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows.iter().filter_map(|b| serde_json::from_str(b).ok()).collect())
}
