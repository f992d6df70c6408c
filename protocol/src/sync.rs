//! The sync protocol, one at every level: a producer (a device, or a hall node towards its city node)
//! appends events to its outbox with a per-producer sequence (1, 2, 3 … without holes) and a UUIDv7
//! event id, and pushes them in order; upstream applies each exactly once and answers per event.
//! Downstream pulls configuration and state changes with a cursor that only moves forward.
//!
//! Push rules, per producer (upstream keeps `last_seq`, the highest sequence it has settled):
//! - `seq <= last_seq` → the stored result again, as `duplicate` (a lost response costs nothing);
//! - `seq == last_seq + 1` → applied or rejected; either way settled and `last_seq` moves on;
//! - `seq > last_seq + 1` → HTTP 409 [`SequenceGap`] naming the sequence expected, nothing applied.
//!
//! A rejection is a result, not a reason to retry: the producer records it and moves on.

use serde::{Deserialize, Serialize};

/// The protocol version this build speaks, sent in [`PROTOCOL_HEADER`] on every sync request.
pub const PROTOCOL_VERSION: u32 = 1;
/// The oldest version the server still accepts; older clients get HTTP 426 "upgrade needed".
pub const MIN_PROTOCOL_VERSION: u32 = 1;
pub const PROTOCOL_HEADER: &str = "x-sync-protocol";
/// At most this many events in one push (bodies are limited to 1 MiB).
pub const MAX_PUSH_EVENTS: usize = 500;
/// At most this many changes in one pull page.
pub const MAX_PULL_CHANGES: usize = 5000;
/// Blob chunks are at most this large (request bodies are limited to 1 MiB).
pub const BLOB_CHUNK: usize = 512 * 1024;

/// One event of a producer's outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxEvent {
    /// Per-producer sequence, from 1, without holes.
    pub seq: i64,
    /// UUIDv7, unique across all producers.
    pub id: String,
    /// One of [`kinds`].
    pub kind: String,
    /// Version of this kind's payload.
    pub v: u32,
    /// When the producer made it (ms since 1970, the producer's clock).
    pub at: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    /// The producer: a device id, or a hall node's id towards the city. Must be the signing device.
    pub producer: String,
    pub events: Vec<OutboxEvent>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PushStatus {
    Applied,
    Rejected,
    Duplicate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResult {
    pub seq: i64,
    pub id: String,
    pub status: PushStatus,
    /// For `duplicate`: what happened the first time (`applied` or `rejected`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<PushStatus>,
    /// Upstream's log position of the applied event, when it made one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_seq: Option<i64>,
    /// For rejections: a stable code and a sentence for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    pub producer: String,
    /// The highest sequence upstream has settled for this producer (after this push).
    pub last_seq: i64,
    pub results: Vec<PushResult>,
}

/// Body of the HTTP 409 answer to a push that skips ahead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SequenceGap {
    pub code: String,
    pub message: String,
    /// The sequence upstream expects next (`last_seq + 1`).
    pub expected: i64,
}

/// A configuration version, sent down when the puller's is older.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfigDoc {
    pub version: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub body: serde_json::Value,
}

/// One change of state in the puller's scope: a public (no personal data) view of a log event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub seq: i64,
    pub hall_id: String,
    pub kind: String,
    pub at: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    /// Present when upstream's configuration is newer than the `config_version` asked with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<ConfigDoc>,
    /// Changes with `after < seq <= next`, ascending.
    pub changes: Vec<Change>,
    /// The cursor to ask with next time. Never less than `after`.
    pub next: i64,
    /// Upstream's log head when this page was read; `next < head` means more pages are waiting.
    pub head: i64,
    /// The highest sequence upstream has settled for the puller as a producer (0 if none), so a
    /// producer learns what was acknowledged even when a push response was lost.
    pub producer_last_seq: i64,
}

/// Progress of a resumable blob upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlobStatus {
    /// Hex SM3 digest of the whole blob.
    pub digest: String,
    /// Bytes received so far; the next chunk starts here.
    pub received: u64,
    /// Whether the whole blob arrived and its digest matched.
    pub complete: bool,
}

/// Event kinds a producer may push, with their payloads (`v` = 1 for all of them today).
pub mod kinds {
    use serde::{Deserialize, Serialize};

    /// A ticket a kiosk issued from its own letter series while the hall node was unreachable.
    pub const TICKET_ISSUE: &str = "ticket.issue";
    /// A citizen's rating at the end of a service (evaluator).
    pub const TICKET_RATED: &str = "ticket.rated";
    /// Device health (printer, reader, scanner, disk, uptime).
    pub const DEVICE_HEARTBEAT: &str = "device.heartbeat";
    /// A blob (scan, evaluation photo, recording) that belongs to a ticket.
    pub const BLOB_ATTACHED: &str = "blob.attached";
    /// An event of a hall node's log, forwarded to its city node.
    pub const HALL_EVENT: &str = "hall.event";
    /// The citizen confirmed (or rejected) the key fields pushed to the citizen-facing screen (双屏确认,
    /// tender 13(6) "需要确认的关键要件双屏推送与信息确认").
    pub const TICKET_CONFIRMED: &str = "ticket.confirmed";

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct OfflineTicket {
        pub ticket_id: String,
        /// The token printed as the QR code (32 hex characters).
        pub token: String,
        pub hall_id: String,
        #[serde(default)]
        pub item_id: Option<String>,
        #[serde(default)]
        pub queue_id: Option<String>,
        /// The device's letter (A–Z) and its own sequence in that queue and day.
        pub letter: char,
        pub number: u32,
        /// Birth date from the ID card (`YYYY-MM-DD`), for the age priority; the ID number itself never
        /// enters the outbox.
        #[serde(default)]
        pub birth: Option<String>,
        /// Declared priority groups (`pregnant`, `disabled`, `military` …).
        #[serde(default)]
        pub claims: Vec<String>,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Rating {
        pub ticket_id: String,
        /// 1 = 非常不满意 … 5 = 非常满意 (as the domain and the rating API).
        pub level: u8,
        /// Reasons chosen from the hall's list (`rating_reasons` of the hall in the configuration); a
        /// level of 1 or 2 needs at least one reason or a non-blank comment.
        #[serde(default)]
        pub reasons: Vec<String>,
        #[serde(default)]
        pub comment: Option<String>,
        /// SM3 hex digest of the photo taken at the moment of rating (uploaded with the blob API).
        #[serde(default)]
        pub photo: Option<String>,
    }

    /// One field shown on the citizen-facing screen: its label and the SM3 hex digest of its value (the
    /// value itself stays on the terminal).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ConfirmedField {
        pub label: String,
        pub value_digest: String,
    }

    /// Payload of [`TICKET_CONFIRMED`].
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Confirmation {
        pub ticket_id: String,
        pub fields: Vec<ConfirmedField>,
        /// SM3 hex digest of the whole text shown to the citizen.
        pub digest: String,
        /// `confirmed` or `rejected`.
        pub outcome: String,
        /// When the citizen answered (ms since 1970, the device's clock).
        pub at: i64,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Heartbeat {
        /// Free-form device status, e.g. `{"printer":"ok","reader":"ok","disk_free_mb":1200,"uptime_s":3600}`.
        pub status: serde_json::Value,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct BlobAttached {
        pub ticket_id: String,
        /// Hex SM3 digest of the blob (uploaded separately, resumably).
        pub digest: String,
        /// `scan`, `photo` or `recording`.
        pub media: String,
        pub size: u64,
    }

    /// One row of a hall node's event log, without the sealed personal data (which never leaves the
    /// hall).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct HallEvent {
        pub event_id: String,
        pub hall_id: String,
        pub kind: String,
        pub at: i64,
        pub actor: String,
        #[serde(default)]
        pub ticket_id: Option<String>,
        /// The domain event as JSON.
        pub body: String,
        #[serde(default)]
        pub public: Option<String>,
    }
}

/// What an upstream does with an incoming sequence, given the highest it has settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Already settled: answer with the stored result.
    Settled,
    /// The next one: apply it.
    Next,
    /// Skips ahead: refuse the push, expecting this sequence.
    Gap { expected: i64 },
}

/// The push rule, in one place (server and the property-test model both use it).
pub fn admit(last_seq: i64, seq: i64) -> Admission {
    if seq <= last_seq {
        Admission::Settled
    } else if seq == last_seq + 1 {
        Admission::Next
    } else {
        Admission::Gap { expected: last_seq + 1 }
    }
}

/// Whether a client speaking `version` is served.
pub fn supported(version: u32) -> bool {
    (MIN_PROTOCOL_VERSION..=PROTOCOL_VERSION).contains(&version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admission_follows_the_push_rules() {
        assert_eq!(admit(0, 1), Admission::Next);
        assert_eq!(admit(5, 5), Admission::Settled);
        assert_eq!(admit(5, 1), Admission::Settled);
        assert_eq!(admit(5, 6), Admission::Next);
        assert_eq!(admit(5, 9), Admission::Gap { expected: 6 });
    }

    #[test]
    fn results_serialise_without_empty_fields() {
        let r = PushResult {
            seq: 3,
            id: "e".into(),
            status: PushStatus::Duplicate,
            original: Some(PushStatus::Applied),
            server_seq: Some(10),
            code: None,
            reason: None,
        };
        let v = serde_json::to_value(&r).unwrap_or_default();
        assert_eq!(v["status"], "duplicate");
        assert_eq!(v["original"], "applied");
        assert!(v.get("code").is_none());
    }
}
