//! SQL of citizen codes (一码通办): issuing one (in the writer's transaction) and finding one by the SM3
//! of the code.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use super::citizen_codes::{CitizenCode, CitizenCodeRow};

/// The effect of [`super::Record::CitizenCodeIssued`]; `at` is the writer's time of the record.
pub fn insert(c: &Connection, code: &CitizenCode, at: i64) -> Result<(), StoreError> {
    let n = c.execute(
        "INSERT INTO citizen_codes (code_hash, citizen_key, sealed, birth, issued_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(code_hash) DO NOTHING",
        params![
            code.code_hash,
            code.citizen_key,
            code.sealed,
            code.birth,
            at,
            code.expires_at
        ],
    )?;
    if n != 1 {
        return Err(StoreError::Conflict("this citizen code was issued before".into()));
    }
    Ok(())
}

pub fn by_hash(c: &Connection, code_hash: &str) -> rusqlite::Result<Option<CitizenCodeRow>> {
    c.prepare_cached(
        "SELECT citizen_key, sealed, birth, issued_at, expires_at, revoked FROM citizen_codes WHERE code_hash = ?1",
    )?
    .query_row(params![code_hash], |r| {
        Ok(CitizenCodeRow {
            citizen_key: r.get(0)?,
            sealed: r.get(1)?,
            birth: r.get(2)?,
            issued_at: r.get(3)?,
            expires_at: r.get(4)?,
            revoked: r.get::<_, i64>(5)? != 0,
        })
    })
    .optional()
}
