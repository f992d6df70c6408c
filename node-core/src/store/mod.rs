//! Storage behind two traits: [`Store`] is the single writer's view (batches, append-only event log with
//! an SM3 chain, projections), [`Reader`] the node's queries. SQLite (WAL) is the one implementation.
//!
//! Features keep their own tables and SQL: their records implement [`ModuleRecord`] (written by the
//! same writer, in the same transaction, sequence and audit chain as the node's own records), their
//! migrations are [`schema::Migration`]s handed to [`sqlite::SqliteStore::open`], and their queries run
//! on the reader's connections through [`sqlite::SqliteReader::with`] behind a store trait of the
//! feature's own. The store names no feature.

pub mod cases;
pub mod citizen_codes;
pub mod schema;
pub mod sqlite;
mod sqlite_cases;
mod sqlite_citizen_codes;
mod sqlite_sync;

use std::sync::Arc;

pub use hall_api::devices::DeviceHealthRow;
pub use hall_api::halls::Counters;
pub use hall_api::tickets::{EvidenceBlob, EvidenceHold};
pub use hall_api::views::ConfirmationRow;
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Conflict(String),
    #[error("cannot start the store's background thread: {0}")]
    Thread(std::io::Error),
}

/// One row of the event log. `hash` = SM3 over the previous row's hash and this row's fields, so
/// changing, removing or reordering any row breaks the chain from that row on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRow {
    pub seq: i64,
    pub event_id: String,
    pub hall_id: String,
    pub kind: String,
    pub at: i64,
    pub actor: String,
    pub ticket_id: Option<String>,
    /// The event as JSON: a domain `Event`, or a record (device enrolled, session opened …).
    pub body: String,
    /// Personal data that came with the event, SM4-sealed (JSON of sealed fields).
    pub sealed: Option<String>,
    /// What the live feed shows (derived; not part of the hash).
    pub public: Option<String>,
    pub prev_hash: [u8; 32],
    pub hash: [u8; 32],
}

impl EventRow {
    pub fn compute_hash(&self) -> [u8; 32] {
        let mut buf = Vec::with_capacity(128 + self.body.len());
        buf.extend_from_slice(&self.prev_hash);
        buf.extend_from_slice(&self.seq.to_be_bytes());
        buf.extend_from_slice(&self.at.to_be_bytes());
        for field in [
            self.event_id.as_str(),
            &self.hall_id,
            &self.kind,
            &self.actor,
            self.ticket_id.as_deref().unwrap_or(""),
            &self.body,
            self.sealed.as_deref().unwrap_or(""),
        ] {
            buf.extend_from_slice(&(field.len() as u64).to_be_bytes());
            buf.extend_from_slice(field.as_bytes());
        }
        crate::crypto::sm3(&buf)
    }
}

/// Security and administration records written through the same single writer, so they share the
/// event log's sequence and audit chain.
#[derive(Debug, Clone)]
pub enum Record {
    EnrollmentCode {
        code_hash: String,
        hall_id: String,
        kind: String,
        expires_at: i64,
    },
    DeviceEnrolled {
        device_id: String,
        code_hash: String,
        hall_id: String,
        kind: String,
        name: String,
        letter: String,
        key_sealed: String,
    },
    SessionOpened {
        token_hash: String,
        staff_id: String,
        device_id: Option<String>,
        expires_at: i64,
    },
    SessionClosed {
        token_hash: String,
    },
    LoginFailed {
        login: String,
    },
    Password {
        staff_id: String,
        login: String,
        hash: String,
    },
    ConfigReplaced {
        version: i64,
        body: String,
    },
    /// A feature's record (its own tables; see [`ModuleRecord`]).
    Module(Arc<dyn ModuleRecord>),
    /// A device's latest health report (pushed as `device.heartbeat`).
    DeviceStatus {
        device_id: String,
        body: String,
    },
    /// The citizen's answer on the citizen-facing screen (pushed as `ticket.confirmed`): what was shown,
    /// as digests only.
    Confirmation {
        ticket_id: String,
        device_id: String,
        /// `[{label, value_digest}]` as JSON.
        fields: serde_json::Value,
        digest: String,
        outcome: String,
        /// The device's time of the answer.
        answered_at: i64,
    },
    /// A blob (scan, photo, recording) that belongs to a ticket (pushed as `blob.attached`).
    BlobAttached {
        ticket_id: String,
        digest: String,
        media: String,
        size: i64,
        device_id: String,
    },
    /// A case (办件) accepted at a window: its 受理回执号 and the keyed digest of the citizen's ID number.
    /// A `receipt` ending in `-` is a day's prefix: the writer appends the next free number.
    CaseOpened {
        case_id: String,
        hall_id: String,
        item_id: String,
        receipt: String,
        citizen_key: String,
        ticket_id: Option<String>,
        actor: String,
    },
    /// A case moved to another stage (checked against `domain::case::transition` in the writer).
    CaseStage {
        case_id: String,
        stage: String,
        note: Option<String>,
        actor: String,
    },
    /// A one-code-service citizen code (一码通办) issued: the code only as its SM3, the citizen as the
    /// keyed digest and the sealed number and name.
    CitizenCodeIssued(citizen_codes::CitizenCode),
}

/// A feature's record, written through the single writer like the node's own: one audit row each
/// (`kind`, `audit_body`), applied to the feature's tables inside the writer's transaction, so a failed
/// batch leaves none of it.
pub trait ModuleRecord: std::fmt::Debug + Send + Sync {
    /// The audit log's `kind` (not `ticket_…`: that prefix marks domain events).
    fn kind(&self) -> &'static str;
    /// What the audit log keeps of the record: never a secret.
    fn audit_body(&self) -> serde_json::Value;
    /// Applies the record to the feature's tables (SQLite backend), inside the writer's transaction.
    fn apply_sqlite(&self, c: &rusqlite::Connection, at: i64) -> Result<(), StoreError>;
}

impl Record {
    /// A feature's record.
    pub fn module(r: impl ModuleRecord + 'static) -> Record {
        Record::Module(Arc::new(r))
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Record::EnrollmentCode { .. } => "enrollment_code_issued",
            Record::DeviceEnrolled { .. } => "device_enrolled",
            Record::SessionOpened { .. } => "session_opened",
            Record::SessionClosed { .. } => "session_closed",
            Record::LoginFailed { .. } => "login_failed",
            Record::Password { .. } => "password_set",
            Record::ConfigReplaced { .. } => "config_replaced",
            Record::Module(r) => r.kind(),
            Record::DeviceStatus { .. } => "device_status",
            Record::BlobAttached { .. } => "blob_attached",
            Record::CaseOpened { .. } => "case_opened",
            Record::CaseStage { .. } => "case_stage_changed",
            Record::CitizenCodeIssued(_) => "citizen_code_issued",
            // Not `ticket_…`: that prefix marks domain events (see `engine::is_domain_kind`).
            Record::Confirmation { .. } => "confirmation_recorded",
        }
    }

    /// The ticket a record is about, stored in the log row's `ticket_id` so it can be found by ticket.
    pub fn ticket_id(&self) -> Option<&str> {
        match self {
            Record::Confirmation { ticket_id, .. } | Record::BlobAttached { ticket_id, .. } => Some(ticket_id),
            Record::CaseOpened { ticket_id, .. } => ticket_id.as_deref(),
            _ => None,
        }
    }

    /// What the audit log keeps of the record: never a secret (key, password hash, token).
    pub fn audit_body(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Record::EnrollmentCode {
                hall_id,
                kind,
                expires_at,
                ..
            } => json!({"hall_id": hall_id, "device_kind": kind, "expires_at": expires_at}),
            Record::DeviceEnrolled {
                device_id,
                hall_id,
                kind,
                name,
                letter,
                ..
            } => {
                json!({"device_id": device_id, "hall_id": hall_id, "device_kind": kind, "name": name, "letter": letter})
            }
            Record::SessionOpened {
                staff_id,
                device_id,
                expires_at,
                ..
            } => json!({"staff_id": staff_id, "device_id": device_id, "expires_at": expires_at}),
            Record::SessionClosed { .. } => json!({}),
            Record::LoginFailed { login } => json!({"login": login}),
            Record::Password { staff_id, login, .. } => json!({"staff_id": staff_id, "login": login}),
            Record::ConfigReplaced { version, .. } => json!({"version": version}),
            Record::Module(r) => r.audit_body(),
            Record::DeviceStatus { device_id, .. } => json!({"device_id": device_id}),
            Record::BlobAttached {
                ticket_id,
                digest,
                media,
                size,
                device_id,
            } => {
                json!({"ticket_id": ticket_id, "digest": digest, "media": media, "size": size, "device_id": device_id})
            }
            Record::Confirmation {
                ticket_id,
                device_id,
                fields,
                digest,
                outcome,
                answered_at,
            } => json!({"ticket_id": ticket_id, "device_id": device_id, "fields": fields, "digest": digest,
                "outcome": outcome, "at": answered_at}),
            // The citizen's digest stays in the `cases` table; the audit row names the case.
            Record::CaseOpened {
                case_id,
                hall_id,
                item_id,
                receipt,
                ticket_id,
                ..
            } => json!({"case_id": case_id, "hall_id": hall_id, "item_id": item_id, "receipt": receipt,
                "ticket_id": ticket_id}),
            Record::CaseStage {
                case_id, stage, note, ..
            } => json!({"case_id": case_id, "stage": stage, "note": note}),
            // Neither the code's hash nor the citizen: only until when the code is valid.
            Record::CitizenCodeIssued(c) => json!({"expires_at": c.expires_at}),
        }
    }
}

/// Kiosks' offline series letters, in the order they are handed out; I and O are left out (they read
/// as 1 and 0 on a printed ticket).
pub const SERIES_LETTERS: &str = "KLMNPQRSTUVWXYZABCDEFGHJ";

/// A blob that belongs to a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub digest: String,
    pub media: String,
    pub size: i64,
    pub device_id: String,
    pub at: i64,
}

#[derive(Debug, Clone)]
pub struct TicketRow {
    pub id: String,
    pub token: String,
    pub hall_id: String,
    pub queue_id: String,
    pub day: i32,
    pub display: String,
    pub status: String,
    pub body: String,
}

#[derive(Debug, Clone)]
pub struct DeviceRow {
    pub id: String,
    pub hall_id: String,
    pub kind: String,
    pub name: String,
    pub letter: String,
    pub key_sealed: String,
    pub revoked: bool,
}

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub staff_id: String,
    pub device_id: Option<String>,
    pub expires_at: i64,
    pub revoked: bool,
}

/// The single writer's operations. All calls between `begin` and `commit` are one transaction (one
/// fsync); `savepoint`/`rollback_to` isolate one command inside it.
pub trait Store: Send {
    fn begin(&mut self) -> Result<(), StoreError>;
    fn savepoint(&mut self) -> Result<(), StoreError>;
    fn release(&mut self) -> Result<(), StoreError>;
    fn rollback_to(&mut self) -> Result<(), StoreError>;
    fn commit(&mut self) -> Result<(), StoreError>;
    fn rollback(&mut self) -> Result<(), StoreError>;

    /// The last row of the log (seq, hash), or (0, zeros) for an empty log.
    fn head(&mut self) -> Result<(i64, [u8; 32]), StoreError>;
    fn append(&mut self, row: &EventRow) -> Result<(), StoreError>;
    fn upsert_ticket(&mut self, t: &TicketRow, seq: i64) -> Result<(), StoreError>;
    fn upsert_window(
        &mut self,
        window_id: &str,
        hall_id: &str,
        status: &str,
        body: &str,
        seq: i64,
    ) -> Result<(), StoreError>;
    fn upsert_appointment(
        &mut self,
        id: &str,
        code: &str,
        hall_id: &str,
        day: i32,
        status: &str,
        body: &str,
        seq: i64,
    ) -> Result<(), StoreError>;
    fn bump_counter(
        &mut self,
        hall_id: &str,
        day: i32,
        queue_id: &str,
        column: CounterColumn,
        by: i64,
    ) -> Result<(), StoreError>;
    fn apply_record(&mut self, r: &Record, at: i64) -> Result<(), StoreError>;
    /// Opens an evidence hold (once per ticket) and links the blobs already attached to the ticket.
    fn hold_evidence(&mut self, hold: &EvidenceHold, seq: i64) -> Result<(), StoreError>;
    fn save_snapshot(&mut self, seq: i64, body: &str) -> Result<(), StoreError>;
    /// All events after `seq`, oldest first (for rebuilding state at start-up).
    fn load_events_after(
        &mut self,
        seq: i64,
        f: &mut dyn FnMut(EventRow) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
    fn latest_snapshot(&mut self) -> Result<Option<(i64, String)>, StoreError>;
    fn latest_config(&mut self) -> Result<Option<(i64, String)>, StoreError>;
    /// The first offline series letter no kiosk of `hall` holds (`None`: all are taken).
    fn free_letter(&mut self, hall: &str) -> Result<Option<char>, StoreError>;
    /// The next unused case receipt starting with `prefix` (`HRB-20261124-` → `HRB-20261124-000001`).
    fn next_receipt(&mut self, prefix: &str) -> Result<String, StoreError>;
    /// Every producer's settled sequence (loaded once at start; the writer keeps it after that).
    fn producers(&mut self) -> Result<Vec<(String, i64)>, StoreError>;
    /// The stored `(event_id, result JSON)` of a settled event.
    fn settled(&mut self, producer: &str, seq: i64) -> Result<Option<(String, String)>, StoreError>;
    /// Settles one event: its result, and the producer's sequence, in the open transaction.
    fn settle(&mut self, producer: &str, seq: i64, event_id: &str, result: &str, at: i64) -> Result<(), StoreError>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CounterColumn {
    Issued,
    Called,
    Done,
    NoShow,
    Voided,
}

/// Queries for handlers; any number run at once, beside the writer.
pub trait Reader: Send + Sync {
    fn ticket_by_token(&self, token: &str) -> Result<Option<TicketRow>, StoreError>;
    fn ticket(&self, id: &str) -> Result<Option<TicketRow>, StoreError>;
    fn sealed_of_ticket(&self, id: &str) -> Result<Option<String>, StoreError>;
    fn events_after(&self, seq: i64, hall: Option<&str>, limit: usize) -> Result<Vec<EventRow>, StoreError>;
    fn device(&self, id: &str) -> Result<Option<DeviceRow>, StoreError>;
    fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, StoreError>;
    fn enrollment_code(&self, code_hash: &str) -> Result<Option<(String, String, i64, bool)>, StoreError>;
    fn credentials(&self, login: &str) -> Result<Option<(String, String)>, StoreError>;
    fn counters(&self, hall: &str, day: i32) -> Result<Vec<(String, Counters)>, StoreError>;
    /// The highest sequence settled for `producer` (0 if none).
    fn producer_last_seq(&self, producer: &str) -> Result<i64, StoreError>;
    /// The latest configuration version and body.
    fn config_version(&self) -> Result<Option<(i64, String)>, StoreError>;
    /// Blobs attached to a ticket, oldest first.
    fn attachments(&self, ticket: &str) -> Result<Vec<Attachment>, StoreError>;
    /// The evidence hold of a ticket, with its blobs.
    fn evidence(&self, ticket: &str) -> Result<Option<EvidenceHold>, StoreError>;
    /// The confirmations recorded for a ticket, oldest first.
    fn confirmations(&self, ticket: &str) -> Result<Vec<ConfirmationRow>, StoreError>;
    /// How many transfers `actor` (e.g. `staff:S1`) made in `hall` at or after `since` (ms).
    fn transfers_by(&self, hall: &str, actor: &str, since: i64) -> Result<u32, StoreError>;
    /// The hall's enrolled devices with their latest heartbeat.
    fn hall_devices(&self, hall: &str) -> Result<Vec<DeviceHealthRow>, StoreError>;
    /// One case with its stages, by id.
    fn case(&self, id: &str) -> Result<Option<cases::CaseRow>, StoreError>;
    /// One case with its stages, by its receipt number.
    fn case_by_receipt(&self, receipt: &str) -> Result<Option<cases::CaseRow>, StoreError>;
    /// A person's cases in a hall, by the keyed digest of the ID number, newest first (at most `limit`).
    fn cases_of_citizen(&self, hall: &str, citizen_key: &str, limit: usize) -> Result<Vec<cases::CaseRow>, StoreError>;
    /// A citizen code (一码通办) by the SM3 of the code.
    fn citizen_code(&self, code_hash: &str) -> Result<Option<citizen_codes::CitizenCodeRow>, StoreError>;
}
