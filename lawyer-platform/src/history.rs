//! The lawyer's own consultations for the desk's history (any status, newest first, with the
//! citizen's rating), kept apart from `store` so that file stays the writer's.

use rusqlite::{Connection, params};

use super::store::{COLUMNS, ConsultationRow, consultation_row};

/// Most rows one history request returns.
pub const MAX_LIMIT: u32 = 200;

pub fn history(c: &Connection, staff: &str, limit: u32) -> rusqlite::Result<Vec<ConsultationRow>> {
    c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM consultations k LEFT JOIN consultation_ratings r ON r.consultation_id = k.id
         WHERE k.lawyer_id = ?1 ORDER BY k.created_at DESC, k.id DESC LIMIT ?2"
    ))?
    .query_map(params![staff, limit.min(MAX_LIMIT)], consultation_row)?
    .collect()
}
