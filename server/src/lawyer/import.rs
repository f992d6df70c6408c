//! 附录 B rows (users 表 B.1, lawyers 表 B.2, certification files 表 B.3, service orders 表 B.5) as
//! stored: the whole record sealed (it is personal data — names, phones, ID numbers, addresses), with
//! keyed digests of the phone and ID number for lookups (as citizen codes and appointments keep ID
//! numbers), the region and sex the word statistics group by, and the lawyer's staff id when the
//! import links one. A batch is one writer record, so it is written whole or not at all.

use rusqlite::{Connection, params};
use serde_json::{Value, json};

use crate::store::StoreError;

#[derive(Debug, Clone)]
pub struct ImportRow {
    pub id: String,
    /// 1-based row of the upload.
    pub row_no: u32,
    pub staff_id: Option<String>,
    pub phone_key: Option<String>,
    pub id_key: Option<String>,
    pub region: Option<String>,
    pub sex: Option<String>,
    pub sealed: String,
}

#[derive(Debug, Clone)]
pub struct ImportBatch {
    /// `user`, `lawyer`, `certification`, `order`.
    pub kind: String,
    pub batch: String,
    pub rows: Vec<ImportRow>,
}

impl ImportBatch {
    pub fn audit_body(&self) -> Value {
        json!({"kind": self.kind, "batch": self.batch, "rows": self.rows.len()})
    }
}

pub fn apply(c: &Connection, b: &ImportBatch, at: i64) -> Result<(), StoreError> {
    let mut st = c.prepare_cached(
        "INSERT INTO lw_records (id, kind, batch, row_no, staff_id, phone_key, id_key, region, sex, sealed, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for r in &b.rows {
        st.execute(params![
            r.id, b.kind, b.batch, r.row_no, r.staff_id, r.phone_key, r.id_key, r.region, r.sex, r.sealed, at
        ])?;
    }
    Ok(())
}

/// Rows of one kind stored so far.
pub fn count(c: &Connection, kind: &str) -> rusqlite::Result<u64> {
    c.prepare_cached("SELECT COUNT(*) FROM lw_records WHERE kind = ?1")?
        .query_row(params![kind], |r| r.get(0))
}
