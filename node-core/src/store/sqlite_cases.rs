//! SQL of cases (办件): opening, stage changes (checked against `domain::case::transition` inside the
//! writer's transaction, so two clerks cannot both move the same case), receipts and lookups.

use domain::case::CaseStage;
use rusqlite::{Connection, OptionalExtension, params};

use super::{Record, StoreError};

/// The effect of a case record, in the writer's transaction.
pub fn apply_record(c: &Connection, r: &Record, at: i64) -> Result<(), StoreError> {
    match r {
        Record::CaseOpened {
            case_id,
            hall_id,
            item_id,
            receipt,
            citizen_key,
            ticket_id,
            actor,
        } => open_case(
            c,
            case_id,
            hall_id,
            item_id,
            receipt,
            citizen_key,
            ticket_id.as_deref(),
            actor,
            at,
        ),
        Record::CaseStage {
            case_id,
            stage,
            note,
            actor,
        } => change_stage(c, case_id, stage, note.as_deref(), actor, at),
        _ => Ok(()),
    }
}
use super::cases::{CaseRow, CaseStageRow};

#[allow(clippy::too_many_arguments)]
pub fn open_case(
    c: &Connection,
    case_id: &str,
    hall_id: &str,
    item_id: &str,
    receipt: &str,
    citizen_key: &str,
    ticket_id: Option<&str>,
    actor: &str,
    at: i64,
) -> Result<(), StoreError> {
    let taken: Option<String> = c
        .prepare_cached("SELECT id FROM cases WHERE receipt = ?1")?
        .query_row(params![receipt], |r| r.get(0))
        .optional()?;
    if taken.is_some() {
        return Err(StoreError::Conflict(format!("receipt {receipt} is already used")));
    }
    c.prepare_cached(
        "INSERT INTO cases (id, hall_id, item_id, receipt, citizen_key, ticket_id, opened_at, stage)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        case_id,
        hall_id,
        item_id,
        receipt,
        citizen_key,
        ticket_id,
        at,
        CaseStage::Accepted.as_str()
    ])?;
    c.prepare_cached(
        "INSERT INTO case_stages (case_id, seq, stage, at, note, actor) VALUES (?1, 1, ?2, ?3, NULL, ?4)",
    )?
    .execute(params![case_id, CaseStage::Accepted.as_str(), at, actor])?;
    Ok(())
}

pub fn change_stage(
    c: &Connection,
    case_id: &str,
    stage: &str,
    note: Option<&str>,
    actor: &str,
    at: i64,
) -> Result<(), StoreError> {
    let current: Option<String> = c
        .prepare_cached("SELECT stage FROM cases WHERE id = ?1")?
        .query_row(params![case_id], |r| r.get(0))
        .optional()?;
    let current = current.ok_or_else(|| StoreError::Conflict(format!("no case {case_id}")))?;
    let from = CaseStage::parse(&current).ok_or_else(|| StoreError::Corrupt(format!("case stage {current}")))?;
    let to = CaseStage::parse(stage).ok_or_else(|| StoreError::Conflict(format!("unknown case stage {stage}")))?;
    domain::case::transition(from, to, note).map_err(|e| StoreError::Conflict(e.to_string()))?;
    let seq: i64 = c
        .prepare_cached("SELECT COALESCE(MAX(seq), 0) + 1 FROM case_stages WHERE case_id = ?1")?
        .query_row(params![case_id], |r| r.get(0))?;
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    c.prepare_cached("INSERT INTO case_stages (case_id, seq, stage, at, note, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
        .execute(params![case_id, seq, stage, at, note, actor])?;
    c.prepare_cached("UPDATE cases SET stage = ?2 WHERE id = ?1")?
        .execute(params![case_id, stage])?;
    Ok(())
}

/// The next receipt of a day: `prefix` + the number after the highest used, six digits.
pub fn next_receipt(c: &Connection, prefix: &str) -> rusqlite::Result<String> {
    let last: Option<String> = c
        .prepare_cached("SELECT MAX(receipt) FROM cases WHERE substr(receipt, 1, length(?1)) = ?1")?
        .query_row(params![prefix], |r| r.get(0))?;
    let n = last
        .as_deref()
        .and_then(|r| r.strip_prefix(prefix))
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or(0);
    Ok(format!("{prefix}{:06}", n + 1))
}

const CASE_COLUMNS: &str = "id, hall_id, item_id, receipt, ticket_id, opened_at, stage";

fn case_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CaseRow> {
    Ok(CaseRow {
        id: r.get(0)?,
        hall_id: r.get(1)?,
        item_id: r.get(2)?,
        receipt: r.get(3)?,
        ticket_id: r.get(4)?,
        opened_at: r.get(5)?,
        stage: r.get(6)?,
        stages: Vec::new(),
    })
}

fn with_stages(c: &Connection, mut case: CaseRow) -> rusqlite::Result<CaseRow> {
    case.stages = c
        .prepare_cached("SELECT seq, stage, at, note, actor FROM case_stages WHERE case_id = ?1 ORDER BY seq")?
        .query_map(params![case.id], |r| {
            Ok(CaseStageRow {
                seq: r.get(0)?,
                stage: r.get(1)?,
                at: r.get(2)?,
                note: r.get(3)?,
                actor: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(case)
}

/// One case by id or by receipt, with its stages.
pub fn case_by(c: &Connection, column: CaseKey, value: &str) -> rusqlite::Result<Option<CaseRow>> {
    let sql = match column {
        CaseKey::Id => format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = ?1"),
        CaseKey::Receipt => format!("SELECT {CASE_COLUMNS} FROM cases WHERE receipt = ?1"),
    };
    let row = c.prepare_cached(&sql)?.query_row(params![value], case_row).optional()?;
    row.map(|r| with_stages(c, r)).transpose()
}

#[derive(Debug, Clone, Copy)]
pub enum CaseKey {
    Id,
    Receipt,
}

/// A person's cases in a hall (by the keyed digest of the ID number), newest first.
pub fn cases_of_citizen(c: &Connection, hall: &str, citizen_key: &str, limit: usize) -> rusqlite::Result<Vec<CaseRow>> {
    let rows: Vec<CaseRow> = c
        .prepare_cached(&format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE hall_id = ?1 AND citizen_key = ?2 ORDER BY opened_at DESC, receipt DESC LIMIT ?3"
        ))?
        .query_map(params![hall, citizen_key, i64::try_from(limit).unwrap_or(i64::MAX)], case_row)?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter().map(|r| with_stages(c, r)).collect()
}
