//! SQLite queries of the sync tables (migration 2): producers' settled sequences, stored results,
//! device health and blob attachments.

use rusqlite::{Connection, OptionalExtension, params};

use super::{Attachment, ConfirmationRow, DeviceHealthRow, EvidenceBlob, EvidenceHold, Record};

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
            // A blob of a ticket under an evidence hold is kept with it; a recording completes it.
            let held = c
                .prepare_cached(
                    "INSERT OR IGNORE INTO evidence_blobs (ticket_id, digest, media, at)
                     SELECT ticket_id, ?2, ?3, ?4 FROM evidence_holds WHERE ticket_id = ?1",
                )?
                .execute(params![ticket_id, digest, media, at])?;
            if held > 0 && media == "recording" {
                c.prepare_cached("UPDATE evidence_holds SET status = 'recording_linked' WHERE ticket_id = ?1")?
                    .execute(params![ticket_id])?;
            }
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

pub fn hold_evidence(c: &Connection, h: &EvidenceHold, seq: i64) -> rusqlite::Result<()> {
    let opened = c
        .prepare_cached(
            "INSERT OR IGNORE INTO evidence_holds (ticket_id, hall_id, window_id, staff_id, service_started_at,
                service_finished_at, level, photo, status, requested_at, seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute(params![
            h.ticket_id,
            h.hall_id,
            h.window_id,
            h.staff_id,
            h.service_started_at,
            h.service_finished_at,
            h.level,
            h.photo,
            h.status,
            h.requested_at,
            seq
        ])?;
    if opened > 0 {
        c.prepare_cached(
            "INSERT OR IGNORE INTO evidence_blobs (ticket_id, digest, media, at)
             SELECT ticket_id, digest, media, at FROM attachments WHERE ticket_id = ?1",
        )?
        .execute(params![h.ticket_id])?;
        c.prepare_cached(
            "UPDATE evidence_holds SET status = 'recording_linked' WHERE ticket_id = ?1
             AND EXISTS (SELECT 1 FROM evidence_blobs WHERE ticket_id = ?1 AND media = 'recording')",
        )?
        .execute(params![h.ticket_id])?;
    }
    Ok(())
}

pub fn evidence(c: &Connection, ticket: &str) -> rusqlite::Result<Option<EvidenceHold>> {
    let hold = c
        .prepare_cached(
            "SELECT ticket_id, hall_id, window_id, staff_id, service_started_at, service_finished_at, level, photo,
                status, requested_at FROM evidence_holds WHERE ticket_id = ?1",
        )?
        .query_row(params![ticket], |r| {
            Ok(EvidenceHold {
                ticket_id: r.get(0)?,
                hall_id: r.get(1)?,
                window_id: r.get(2)?,
                staff_id: r.get(3)?,
                service_started_at: r.get(4)?,
                service_finished_at: r.get(5)?,
                level: r.get(6)?,
                photo: r.get(7)?,
                status: r.get(8)?,
                requested_at: r.get(9)?,
                blobs: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut hold) = hold else {
        return Ok(None);
    };
    hold.blobs = c
        .prepare_cached("SELECT digest, media, at FROM evidence_blobs WHERE ticket_id = ?1 ORDER BY at, digest")?
        .query_map(params![ticket], |r| {
            Ok(EvidenceBlob {
                digest: r.get(0)?,
                media: r.get(1)?,
                at: r.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(Some(hold))
}

pub fn confirmations(c: &Connection, ticket: &str) -> rusqlite::Result<Vec<ConfirmationRow>> {
    c.prepare_cached(
        "SELECT seq, body, at FROM events WHERE ticket_id = ?1 AND kind = 'confirmation_recorded' ORDER BY seq",
    )?
    .query_map(params![ticket], |r| {
        let (seq, body, recorded_at): (i64, String, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
        Ok(ConfirmationRow {
            seq,
            device_id: s("device_id"),
            fields: v["fields"].clone(),
            digest: s("digest"),
            outcome: s("outcome"),
            at: v["at"].as_i64().unwrap_or(recorded_at),
            recorded_at,
        })
    })?
    .collect()
}

pub fn transfers_by(c: &Connection, hall: &str, actor: &str, since: i64) -> rusqlite::Result<u32> {
    c.prepare_cached(
        "SELECT COUNT(*) FROM events WHERE kind = 'ticket_transferred' AND hall_id = ?1 AND actor = ?2 AND at >= ?3",
    )?
    .query_row(params![hall, actor, since], |r| r.get(0))
}

/// The hall's devices with their latest heartbeat (`device.heartbeat`), enrolment order.
pub fn hall_devices(c: &Connection, hall: &str) -> rusqlite::Result<Vec<DeviceHealthRow>> {
    c.prepare_cached(
        "SELECT d.id, d.kind, d.name, d.letter, d.revoked, d.enrolled_at, s.at, s.body
         FROM devices d LEFT JOIN device_status s ON s.device_id = d.id
         WHERE d.hall_id = ?1 ORDER BY d.enrolled_at, d.id",
    )?
    .query_map(params![hall], |r| {
        Ok(DeviceHealthRow {
            id: r.get(0)?,
            kind: r.get(1)?,
            name: r.get(2)?,
            letter: r.get(3)?,
            revoked: r.get::<_, i64>(4)? != 0,
            enrolled_at: r.get(5)?,
            heartbeat_at: r.get(6)?,
            status: r
                .get::<_, Option<String>>(7)?
                .and_then(|b| serde_json::from_str(&b).ok()),
        })
    })?
    .collect()
}
