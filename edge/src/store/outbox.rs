//! The outbox: events this device made, numbered 1, 2, 3 … without holes, waiting until upstream
//! answers for each of them. A row is settled only by upstream's result, never by a guess.

use protocol::sync::{OutboxEvent, PushResponse, PushStatus};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{EdgeStore, KEY_OUTBOX_LAST_SEQ, StoreError, get_i64, now_ms, parse_json, set_value};

/// How much of an error message is kept per row (a proxy's HTML error page is not worth keeping).
const MAX_ERROR_LEN: usize = 500;
/// The largest event payload accepted (as JSON). Upstream takes request bodies up to 1 MiB, so an
/// event too big to push would wedge the outbox forever; large things go as blobs.
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;

/// How upstream settled an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    Applied,
    Rejected,
}

impl Settlement {
    fn as_str(self) -> &'static str {
        match self {
            Settlement::Applied => "applied",
            Settlement::Rejected => "rejected",
        }
    }

    fn parse(s: &str) -> Option<Settlement> {
        match s {
            "applied" => Some(Settlement::Applied),
            "rejected" => Some(Settlement::Rejected),
            _ => None,
        }
    }
}

/// One outbox row with its delivery state, for apps that show what became of an event (e.g. whether
/// an offline ticket was accepted).
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    pub event: OutboxEvent,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// `None` while waiting for upstream's answer.
    pub status: Option<Settlement>,
    pub server_seq: Option<i64>,
    pub reject_code: Option<String>,
    pub reject_reason: Option<String>,
    pub settled_at: Option<i64>,
}

/// What `settle` did with a push response.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SettleCounts {
    /// Rows settled by this response.
    pub settled: u64,
    /// Fresh results.
    pub applied: u64,
    pub rejected: u64,
    /// `duplicate` results (a response lost earlier); they settle with their original status.
    pub duplicates: u64,
    /// Results for rows that are unknown here or already settled (the first result is kept).
    pub ignored: u64,
}

impl EdgeStore {
    /// Appends an event to the outbox with the next sequence and a fresh UUIDv7 id, and wakes the
    /// syncer.
    pub fn append(&self, kind: &str, v: u32, at: i64, payload: &serde_json::Value) -> Result<OutboxEvent, StoreError> {
        let event = self.write(|tx| append_in(tx, kind, v, at, payload))?;
        self.wake_syncer();
        Ok(event)
    }

    /// Unsettled events in sequence order, at most `limit`.
    pub fn pending(&self, limit: usize) -> Result<Vec<OutboxEvent>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT seq, event_id, kind, v, at, payload FROM outbox WHERE status IS NULL ORDER BY seq LIMIT ?1",
            )?;
            let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, u32>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (seq, id, kind, v, at, payload) = row?;
                out.push(OutboxEvent {
                    seq,
                    id,
                    kind,
                    v,
                    at,
                    payload: parse_json("outbox.payload", &payload)?,
                });
            }
            Ok(out)
        })
    }

    /// How many events wait for upstream's answer.
    pub fn waiting_events(&self) -> Result<u64, StoreError> {
        self.read(|c| {
            let n: i64 = c.query_row("SELECT COUNT(*) FROM outbox WHERE status IS NULL", [], |r| r.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }

    /// The highest sequence ever assigned (0 before the first event).
    pub fn last_outbox_seq(&self) -> Result<i64, StoreError> {
        self.read(last_seq_in)
    }

    /// Every sequence up to this one is settled (rows may since have been pruned).
    pub fn settled_through(&self) -> Result<i64, StoreError> {
        self.read(settled_through_in)
    }

    pub fn outbox_entry(&self, seq: i64) -> Result<Option<OutboxEntry>, StoreError> {
        self.read(|c| {
            let raw = c
                .query_row(
                    "SELECT seq, event_id, kind, v, at, payload, attempts, last_error, status, server_seq,
                            reject_code, reject_reason, settled_at
                     FROM outbox WHERE seq = ?1",
                    [seq],
                    |r| {
                        Ok(RawEntry {
                            seq: r.get(0)?,
                            id: r.get(1)?,
                            kind: r.get(2)?,
                            v: r.get(3)?,
                            at: r.get(4)?,
                            payload: r.get(5)?,
                            attempts: r.get(6)?,
                            last_error: r.get(7)?,
                            status: r.get(8)?,
                            server_seq: r.get(9)?,
                            reject_code: r.get(10)?,
                            reject_reason: r.get(11)?,
                            settled_at: r.get(12)?,
                        })
                    },
                )
                .optional()?;
            raw.map(|raw| {
                Ok(OutboxEntry {
                    event: OutboxEvent {
                        seq: raw.seq,
                        id: raw.id,
                        kind: raw.kind,
                        v: raw.v,
                        at: raw.at,
                        payload: parse_json("outbox.payload", &raw.payload)?,
                    },
                    attempts: raw.attempts,
                    last_error: raw.last_error,
                    status: raw.status.as_deref().and_then(Settlement::parse),
                    server_seq: raw.server_seq,
                    reject_code: raw.reject_code,
                    reject_reason: raw.reject_reason,
                    settled_at: raw.settled_at,
                })
            })
            .transpose()
        })
    }

    /// Records upstream's answer to a push, in one transaction. A `duplicate` settles with its
    /// `original` status. Results for unknown or already settled rows are ignored (the first answer
    /// stands). A result naming another event id for one of our sequences means the store was
    /// replaced; nothing is recorded then.
    pub fn settle(&self, response: &PushResponse) -> Result<SettleCounts, StoreError> {
        let now = now_ms();
        self.write(|tx| {
            let mut counts = SettleCounts::default();
            for r in &response.results {
                let row: Option<(String, Option<String>)> = tx
                    .query_row("SELECT event_id, status FROM outbox WHERE seq = ?1", [r.seq], |row| {
                        Ok((row.get(0)?, row.get(1)?))
                    })
                    .optional()?;
                let Some((ours, settled)) = row else {
                    tracing::warn!(seq = r.seq, "push result for an event not in the outbox; ignored");
                    counts.ignored += 1;
                    continue;
                };
                if ours != r.id {
                    return Err(StoreError::IdMismatch {
                        seq: r.seq,
                        ours,
                        theirs: r.id.clone(),
                    });
                }
                if settled.is_some() {
                    counts.ignored += 1;
                    continue;
                }
                let status = match r.status {
                    PushStatus::Applied => {
                        counts.applied += 1;
                        Settlement::Applied
                    }
                    PushStatus::Rejected => {
                        counts.rejected += 1;
                        Settlement::Rejected
                    }
                    PushStatus::Duplicate => {
                        counts.duplicates += 1;
                        match r.original {
                            Some(PushStatus::Rejected) => Settlement::Rejected,
                            Some(PushStatus::Applied) => Settlement::Applied,
                            // Upstream always names the original; if one ever does not, it did accept
                            // the sequence (that is what `duplicate` means), so `applied` is the
                            // reading that does not lose the event from view.
                            Some(PushStatus::Duplicate) | None => {
                                tracing::warn!(seq = r.seq, "duplicate result without its original status");
                                Settlement::Applied
                            }
                        }
                    }
                };
                tx.execute(
                    "UPDATE outbox SET status = ?2, server_seq = ?3, reject_code = ?4, reject_reason = ?5,
                                       settled_at = ?6, last_error = NULL
                     WHERE seq = ?1",
                    params![r.seq, status.as_str(), r.server_seq, r.code, r.reason, now],
                )?;
                counts.settled += 1;
            }
            Ok(counts)
        })
    }

    /// Notes a failed push on the `limit` first waiting rows (the batch that failed): one more attempt,
    /// and the error people will see.
    pub fn note_failure(&self, error: &str, limit: usize) -> Result<(), StoreError> {
        let error: String = error.chars().take(MAX_ERROR_LEN).collect();
        self.write(|tx| {
            tx.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?1
                 WHERE seq IN (SELECT seq FROM outbox WHERE status IS NULL ORDER BY seq LIMIT ?2)",
                params![error, i64::try_from(limit).unwrap_or(i64::MAX)],
            )?;
            Ok(())
        })
    }

    /// Marks every row from `seq` on as waiting again, for an upstream that lost what it had settled
    /// (restored from a backup) and now expects `seq`. Fails with [`StoreError::GapCannotHeal`] when
    /// some of those rows were already pruned, and with [`StoreError::StoreReplaced`] when upstream
    /// expects a sequence this store never made. Returns how many rows were unsettled.
    pub fn unsettle_from(&self, seq: i64) -> Result<u64, StoreError> {
        let n = self.write(|tx| unsettle_from_in(tx, seq))?;
        if n > 0 {
            self.wake_syncer();
        }
        Ok(n)
    }

    /// Squares our outbox with the highest sequence upstream says it settled for us: behind what we
    /// hold settled → re-send from there (heal); ahead of anything we made → the store was replaced.
    /// Waiting rows upstream already settled stay waiting: the next push gets their stored results as
    /// `duplicate` (a row is never settled without a result). Returns how many rows were unsettled.
    pub fn reconcile_upstream(&self, upstream_last_seq: i64) -> Result<u64, StoreError> {
        let n = self.write(|tx| {
            let local = last_seq_in(tx)?;
            if upstream_last_seq > local {
                return Err(StoreError::StoreReplaced {
                    upstream: upstream_last_seq,
                    local,
                });
            }
            if upstream_last_seq < settled_through_in(tx)? {
                tracing::warn!(
                    upstream_last_seq,
                    "upstream has fewer of our events settled than we do (restored from a backup?); re-sending"
                );
                return unsettle_from_in(tx, upstream_last_seq.max(0) + 1);
            }
            Ok(0)
        })?;
        if n > 0 {
            self.wake_syncer();
        }
        Ok(n)
    }
}

/// An outbox row as stored, before its payload is parsed.
struct RawEntry {
    seq: i64,
    id: String,
    kind: String,
    v: u32,
    at: i64,
    payload: String,
    attempts: u32,
    last_error: Option<String>,
    status: Option<String>,
    server_seq: Option<i64>,
    reject_code: Option<String>,
    reject_reason: Option<String>,
    settled_at: Option<i64>,
}

pub(crate) fn last_seq_in(c: &Connection) -> Result<i64, StoreError> {
    let rows: i64 = c.query_row("SELECT COALESCE(MAX(seq), 0) FROM outbox", [], |r| r.get(0))?;
    let mark = get_i64(c, KEY_OUTBOX_LAST_SEQ)?.unwrap_or(0);
    Ok(rows.max(mark))
}

fn settled_through_in(c: &Connection) -> Result<i64, StoreError> {
    let first_waiting: Option<i64> =
        c.query_row("SELECT MIN(seq) FROM outbox WHERE status IS NULL", [], |r| r.get(0))?;
    match first_waiting {
        Some(seq) => Ok(seq - 1),
        None => last_seq_in(c),
    }
}

/// Appends inside the caller's transaction (so an offline ticket's number and its event commit
/// together). The caller wakes the syncer after committing.
pub(crate) fn append_in(
    tx: &Transaction<'_>,
    kind: &str,
    v: u32,
    at: i64,
    payload: &serde_json::Value,
) -> Result<OutboxEvent, StoreError> {
    if kind.is_empty() || kind.len() > 64 {
        return Err(StoreError::Invalid(format!(
            "event kind {kind:?} must have 1 to 64 characters"
        )));
    }
    let text = serde_json::to_string(payload).map_err(|source| StoreError::Json {
        what: "outbox.payload",
        source,
    })?;
    if text.len() > MAX_PAYLOAD_BYTES {
        return Err(StoreError::Invalid(format!(
            "event payload of {} bytes is larger than {MAX_PAYLOAD_BYTES}; send large data as a blob",
            text.len()
        )));
    }
    let seq = last_seq_in(tx)? + 1;
    let id = uuid::Uuid::now_v7().to_string();
    tx.execute(
        "INSERT INTO outbox (seq, event_id, kind, v, at, payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![seq, id, kind, v, at, text],
    )?;
    set_value(tx, KEY_OUTBOX_LAST_SEQ, &seq)?;
    Ok(OutboxEvent {
        seq,
        id,
        kind: kind.to_owned(),
        v,
        at,
        payload: payload.clone(),
    })
}

fn unsettle_from_in(tx: &Transaction<'_>, from: i64) -> Result<u64, StoreError> {
    if from < 1 {
        return Err(StoreError::Invalid(format!(
            "sequence {from} does not exist (they start at 1)"
        )));
    }
    let last = last_seq_in(tx)?;
    if from > last + 1 {
        return Err(StoreError::StoreReplaced {
            upstream: from - 1,
            local: last,
        });
    }
    if from == last + 1 {
        return Ok(0);
    }
    let present: i64 = tx.query_row("SELECT COUNT(*) FROM outbox WHERE seq >= ?1", [from], |r| r.get(0))?;
    if present != last - from + 1 {
        let oldest_kept: i64 = tx.query_row("SELECT COALESCE(MIN(seq), ?1) FROM outbox", [last + 1], |r| r.get(0))?;
        return Err(StoreError::GapCannotHeal {
            expected: from,
            oldest_kept,
        });
    }
    let n = tx.execute(
        "UPDATE outbox SET status = NULL, server_seq = NULL, reject_code = NULL, reject_reason = NULL,
                           settled_at = NULL
         WHERE seq >= ?1 AND status IS NOT NULL",
        [from],
    )?;
    Ok(u64::try_from(n).unwrap_or(0))
}
