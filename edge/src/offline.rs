//! Issuing a ticket at a kiosk while the hall node is unreachable: a number from the device's own
//! letter series (A-K001 …, which no other device or the hall can produce) and a `ticket.issue` event
//! for the hall to take in when it is back. Number and event commit in one transaction, before the
//! ticket is printed: a crash can waste a number but never print one twice.

use protocol::sync::kinds::{OfflineTicket, TICKET_ISSUE};

use crate::store::{EdgeStore, StoreError, append_in, next_offline_number_in};

/// Payload version of `ticket.issue`.
pub const TICKET_ISSUE_V: u32 = 1;

/// What the ticket is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfflineTarget<'a> {
    /// A whole queue.
    Queue { queue_id: &'a str },
    /// An item; `queue_id` is the queue that serves it (from the configuration replica), whose prefix
    /// and series number the ticket.
    Item { item_id: &'a str, queue_id: &'a str },
}

impl OfflineTarget<'_> {
    fn queue_id(&self) -> &str {
        match self {
            OfflineTarget::Queue { queue_id } | OfflineTarget::Item { queue_id, .. } => queue_id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfflineIssue<'a> {
    pub hall_id: &'a str,
    /// This kiosk's letter (A–Z), from enrollment.
    pub letter: char,
    pub target: OfflineTarget<'a>,
    /// The queue's number prefix, e.g. "A" → "A-K001".
    pub prefix: &'a str,
    /// Birth date from the ID card (`YYYY-MM-DD`), for the age priority. The ID number never enters
    /// the outbox.
    pub birth: Option<&'a str>,
    /// Declared priority groups (`pregnant`, `disabled`, `military` …).
    pub claims: &'a [String],
    /// The business day the series belongs to (`YYYY-MM-DD`); numbers restart every day.
    pub day: &'a str,
    pub now_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfflineTicketIssued {
    /// UUIDv7.
    pub ticket_id: String,
    /// The QR code: 32 hex characters, 6 bytes of issue time (ms) then 10 random bytes.
    pub token: String,
    pub number: u32,
    /// e.g. "A-K001".
    pub display_number: String,
    /// The outbox sequence of the `ticket.issue` event.
    pub seq: i64,
    pub event_id: String,
}

/// Allocates the next number of this device's series and appends the `ticket.issue` event, in one
/// transaction, then wakes the syncer.
pub fn issue_ticket(store: &EdgeStore, req: &OfflineIssue<'_>) -> Result<OfflineTicketIssued, StoreError> {
    if !req.letter.is_ascii_uppercase() {
        return Err(StoreError::Invalid(format!(
            "device letter {:?} must be one of A–Z",
            req.letter
        )));
    }
    if req.prefix.is_empty() || !req.prefix.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(StoreError::Invalid(format!(
            "queue prefix {:?} must be one or more letters A–Z",
            req.prefix
        )));
    }
    let queue_id = req.target.queue_id();
    if queue_id.is_empty() || req.hall_id.is_empty() || req.day.is_empty() {
        return Err(StoreError::Invalid("hall, queue and day are required".to_owned()));
    }
    let ticket_id = uuid::Uuid::now_v7().to_string();
    let token = ordered_token(req.now_ms, rand::random::<[u8; 10]>());
    let (number, event) = store.write(|tx| {
        // The series is per device letter implicitly: one store belongs to one device.
        let number = next_offline_number_in(tx, queue_id, req.day)?;
        let payload = OfflineTicket {
            ticket_id: ticket_id.clone(),
            token: token.clone(),
            hall_id: req.hall_id.to_owned(),
            item_id: match req.target {
                OfflineTarget::Item { item_id, .. } => Some(item_id.to_owned()),
                OfflineTarget::Queue { .. } => None,
            },
            queue_id: Some(queue_id.to_owned()),
            letter: req.letter,
            number,
            birth: req.birth.map(str::to_owned),
            claims: req.claims.to_vec(),
        };
        let payload = serde_json::to_value(&payload).map_err(|source| StoreError::Json {
            what: "ticket.issue payload",
            source,
        })?;
        let event = append_in(tx, TICKET_ISSUE, TICKET_ISSUE_V, req.now_ms, &payload)?;
        Ok((number, event))
    })?;
    store.wake_syncer();
    Ok(OfflineTicketIssued {
        ticket_id,
        token,
        number,
        display_number: format!("{}-{}{number:03}", req.prefix, req.letter),
        seq: event.seq,
        event_id: event.id,
    })
}

/// Same shape as the hall node's tokens: time first, so tokens issued together sort together in the
/// unique index they end up in; 80 random bits are far beyond guessing.
fn ordered_token(now_ms: i64, random: [u8; 10]) -> String {
    let ms = u64::try_from(now_ms).unwrap_or(0);
    let mut b = [0u8; 16];
    b[..6].copy_from_slice(&ms.to_be_bytes()[2..]);
    b[6..].copy_from_slice(&random);
    hex::encode(b)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, EdgeStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = EdgeStore::open(dir.path()).unwrap();
        (dir, store)
    }

    fn issue<'a>(target: OfflineTarget<'a>, claims: &'a [String], day: &'a str) -> OfflineIssue<'a> {
        OfflineIssue {
            hall_id: "hall-1",
            letter: 'K',
            target,
            prefix: "A",
            birth: Some("1950-03-01"),
            claims,
            day,
            now_ms: 1_735_693_920_000,
        }
    }

    #[test]
    fn numbers_and_events_are_committed_together() {
        let (_dir, store) = store();
        let claims = vec!["pregnant".to_owned()];
        let q = OfflineTarget::Queue { queue_id: "q-a" };
        let first = issue_ticket(&store, &issue(q, &claims, "2025-01-01")).unwrap();
        let second = issue_ticket(&store, &issue(q, &claims, "2025-01-01")).unwrap();
        assert_eq!(first.display_number, "A-K001");
        assert_eq!(second.display_number, "A-K002");
        assert_eq!((first.seq, second.seq), (1, 2));
        assert_ne!(first.ticket_id, second.ticket_id);
        assert_eq!(first.token.len(), 32);
        // The token starts with the issue time.
        assert_eq!(&first.token[..12], &format!("{:012x}", 1_735_693_920_000_i64));
        assert_ne!(first.token, second.token);

        let pending = store.pending(10).unwrap();
        assert_eq!(pending.len(), 2);
        assert_eq!(pending[0].kind, TICKET_ISSUE);
        assert_eq!(pending[0].id, first.event_id);
        let payload: OfflineTicket = serde_json::from_value(pending[0].payload.clone()).unwrap();
        assert_eq!(payload.ticket_id, first.ticket_id);
        assert_eq!(payload.token, first.token);
        assert_eq!((payload.letter, payload.number), ('K', 1));
        assert_eq!(payload.queue_id.as_deref(), Some("q-a"));
        assert_eq!(payload.item_id, None);
        assert_eq!(payload.birth.as_deref(), Some("1950-03-01"));
        assert_eq!(payload.claims, claims);

        // A new day starts a new series; an item ticket numbers in its queue's series.
        let item = OfflineTarget::Item {
            item_id: "item-7",
            queue_id: "q-a",
        };
        let next_day = issue_ticket(&store, &issue(item, &[], "2025-01-02")).unwrap();
        assert_eq!(next_day.display_number, "A-K001");
        let same_day = issue_ticket(&store, &issue(item, &[], "2025-01-01")).unwrap();
        assert_eq!(same_day.display_number, "A-K003");
    }

    #[test]
    fn bad_input_takes_no_number() {
        let (_dir, store) = store();
        let q = OfflineTarget::Queue { queue_id: "q-a" };
        let mut bad = issue(q, &[], "2025-01-01");
        bad.letter = 'k';
        assert!(matches!(issue_ticket(&store, &bad), Err(StoreError::Invalid(_))));
        bad.letter = 'K';
        bad.prefix = "";
        assert!(matches!(issue_ticket(&store, &bad), Err(StoreError::Invalid(_))));
        assert_eq!(store.last_outbox_seq().ok(), Some(0));
        assert_eq!(store.next_offline_number("q-a", "2025-01-01").ok(), Some(1));
    }
}
