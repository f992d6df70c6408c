//! SQLite queries of the sync tables (migration 2): producers' settled sequences, stored results,
//! device health and blob attachments.

use rusqlite::{Connection, OptionalExtension, params};

use super::{Attachment, Record};

pub fn latest_config(c: &Connection) -> rusqlite::Result<Option<(i64, String)>> {
    c.prepare_cached("SELECT version, body FROM config_versions ORDER BY version DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

pub fn free_letter(c: &Connection, hall: &str) -> rusqlite::Result<Option<char>> {
    let taken: std::collections::HashSet<String> = c
        .prepare_cached("SELECT letter FROM devices WHERE hall_id = ?1 AND letter <> ''")?
        .query_map(params![hall], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(super::SERIES_LETTERS.chars().find(|l| !taken.contains(&l.to_string())))
}

pub fn producers(c: &Connection) -> rusqlite::Result<Vec<(String, i64)>> {
    c.prepare("SELECT producer_id, last_seq FROM producers")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
}

pub fn producer_last_seq(c: &Connection, producer: &str) -> rusqlite::Result<i64> {
    Ok(
        c.prepare_cached("SELECT last_seq FROM producers WHERE producer_id = ?1")?
            .query_row(params![producer], |r| r.get(0))
            .optional()?
            .unwrap_or(0),
    )
}

pub fn settled(c: &Connection, producer: &str, seq: i64) -> rusqlite::Result<Option<(String, String)>> {
    c.prepare_cached("SELECT event_id, result FROM sync_ops WHERE producer_id = ?1 AND seq = ?2")?
        .query_row(params![producer, seq], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

pub fn settle(c: &Connection, producer: &str, seq: i64, event_id: &str, result: &str, at: i64) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO sync_ops (producer_id, seq, event_id, result, settled_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![producer, seq, event_id, result, at])?;
    c.prepare_cached(
        "INSERT INTO producers (producer_id, last_seq) VALUES (?1, ?2)
         ON CONFLICT(producer_id) DO UPDATE SET last_seq = excluded.last_seq",
    )?
    .execute(params![producer, seq])?;
    Ok(())
}

pub fn apply_record(c: &Connection, r: &Record, at: i64) -> rusqlite::Result<()> {
    match r {
        Record::DeviceStatus { device_id, body } => {
            c.prepare_cached(
                "INSERT INTO device_status (device_id, at, body) VALUES (?1, ?2, ?3)
                 ON CONFLICT(device_id) DO UPDATE SET at = excluded.at, body = excluded.body",
            )?
            .execute(params![device_id, at, body])?;
        }
        Record::BlobAttached {
            ticket_id,
            digest,
            media,
            size,
            device_id,
        } => {
            c.prepare_cached(
                "INSERT OR IGNORE INTO attachments (ticket_id, digest, media, size, device_id, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![ticket_id, digest, media, size, device_id, at])?;
        }
        _ => {}
    }
    Ok(())
}

pub fn attachments(c: &Connection, ticket: &str) -> rusqlite::Result<Vec<Attachment>> {
    c.prepare_cached("SELECT digest, media, size, device_id, at FROM attachments WHERE ticket_id = ?1 ORDER BY at")?
        .query_map(params![ticket], |r| {
            Ok(Attachment {
                digest: r.get(0)?,
                media: r.get(1)?,
                size: r.get(2)?,
                device_id: r.get(3)?,
                at: r.get(4)?,
            })
        })?
        .collect()
}
