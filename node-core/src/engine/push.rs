//! Pushed events (the sync protocol's upstream side), applied by the writer so that an event's effect,
//! its stored result and the producer's settled sequence commit in one transaction: an event is
//! applied exactly once however often it is pushed, and a crash between "applied" and "answered"
//! costs only a duplicate answer later.

use domain::config::{PriorityReason, is_sm3_hex};
use domain::decide::{IdCardFacts, IssueTicket};
use domain::event::Event;
use domain::ids::{DeviceId, HallId, ItemId, QueueId, TicketId};
use domain::ticket::{Channel, TicketNumber};
use domain::{Actor, Command};
use protocol::sync::{Admission, OutboxEvent, PushResponse, PushResult, PushStatus, admit, kinds};
use serde::de::DeserializeOwned;

use super::{EngineError, Writer, is_domain_kind, offset_of};
use crate::feed::FeedItem;
use crate::store::{EventRow, Record, StoreError};

/// Who pushes: the signing device, as the auth layer established it.
#[derive(Debug, Clone)]
pub struct Producer {
    pub id: String,
    pub hall: HallId,
    pub kind: ProducerKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProducerKind {
    /// A hall device; kiosks carry their offline series letter.
    Device { device_kind: String, letter: Option<char> },
    /// A hall node forwarding its log to the city node.
    HallNode,
}

#[derive(Debug)]
pub enum PushAnswer {
    Settled(PushResponse),
    /// The first event skips ahead of what was settled: nothing was applied.
    Gap {
        expected: i64,
    },
}

/// Why one pushed event is not applied (a result, not a failure) — or a storage failure that fails
/// the whole batch.
enum Outcome {
    Rejected { code: String, reason: String },
    Store(StoreError),
}

impl From<StoreError> for Outcome {
    fn from(e: StoreError) -> Self {
        Outcome::Store(e)
    }
}

impl From<EngineError> for Outcome {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Store(s) => Outcome::Store(s),
            EngineError::Domain(d) => reject(d.code(), d.to_string()),
            EngineError::Refused(m) => reject("refused", m),
            EngineError::Unavailable => reject("unavailable", "the hall is not loaded on this node"),
            EngineError::NotQueueOwner => reject("hall_owns_queue", EngineError::NotQueueOwner.to_string()),
        }
    }
}

fn reject(code: &str, reason: impl Into<String>) -> Outcome {
    Outcome::Rejected {
        code: code.to_owned(),
        reason: reason.into(),
    }
}

fn payload<T: DeserializeOwned>(ev: &OutboxEvent) -> Result<T, Outcome> {
    serde_path_to_error::deserialize(&ev.payload).map_err(|e| {
        reject(
            "invalid_payload",
            format!("{} v{}: payload.{}: {}", ev.kind, ev.v, e.path(), e.inner()),
        )
    })
}

fn parse_birth(s: &str) -> Option<domain::time::Date> {
    let mut it = s.splitn(3, '-');
    let (y, m, d) = (
        it.next()?.parse().ok()?,
        it.next()?.parse().ok()?,
        it.next()?.parse().ok()?,
    );
    domain::time::Date::new(y, m, d)
}

fn parse_claim(s: &str) -> Result<PriorityReason, Outcome> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|_| reject("invalid_payload", format!("unknown priority claim {s:?}")))
}

impl Writer {
    pub(super) fn push(
        &mut self,
        p: &Producer,
        events: Vec<OutboxEvent>,
        feed: &mut Vec<FeedItem>,
    ) -> Result<PushAnswer, EngineError> {
        let mut last = self.producers.get(&p.id).copied().unwrap_or(0);
        let mut results = Vec::with_capacity(events.len());
        for ev in events {
            match admit(last, ev.seq) {
                Admission::Gap { expected } => {
                    if results.is_empty() {
                        return Ok(PushAnswer::Gap { expected });
                    }
                    break;
                }
                Admission::Settled => results.push(self.stored_result(p, &ev)?),
                Admission::Next => {
                    let now = self.now();
                    let mut result = PushResult {
                        seq: ev.seq,
                        id: ev.id.clone(),
                        status: PushStatus::Applied,
                        original: None,
                        server_seq: None,
                        code: None,
                        reason: None,
                    };
                    match self.apply_pushed(p, &ev, feed) {
                        Ok(server_seq) => result.server_seq = server_seq,
                        Err(Outcome::Store(e)) if !is_constraint(&e) => return Err(e.into()),
                        Err(outcome) => {
                            // A rejected event wrote nothing: domain refusals decide before writing,
                            // records roll back their own savepoint, and a failed INSERT leaves no
                            // row. (A close-of-day that ran first stays: it is true either way.)
                            let (code, reason) = match outcome {
                                Outcome::Rejected { code, reason } => (code, reason),
                                Outcome::Store(e) => (
                                    "duplicate_event".to_owned(),
                                    format!("event id already in the log: {e}"),
                                ),
                            };
                            result.status = PushStatus::Rejected;
                            result.code = Some(code);
                            result.reason = Some(reason);
                        }
                    }
                    let stored = serde_json::to_string(&result).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    self.store.settle(&p.id, ev.seq, &ev.id, &stored, now)?;
                    last = ev.seq;
                    results.push(result);
                }
            }
        }
        self.producers.insert(p.id.clone(), last);
        Ok(PushAnswer::Settled(PushResponse {
            producer: p.id.clone(),
            last_seq: last,
            results,
        }))
    }

    /// The answer to a resent event: what happened the first time.
    fn stored_result(&mut self, p: &Producer, ev: &OutboxEvent) -> Result<PushResult, EngineError> {
        let stored = self.store.settled(&p.id, ev.seq)?;
        let mut r = PushResult {
            seq: ev.seq,
            id: ev.id.clone(),
            status: PushStatus::Duplicate,
            original: None,
            server_seq: None,
            code: None,
            reason: None,
        };
        match stored {
            Some((event_id, json)) => {
                let first: PushResult =
                    serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("stored push result: {e}")))?;
                r.original = Some(first.status);
                r.server_seq = first.server_seq;
                if event_id == ev.id {
                    r.code = first.code;
                    r.reason = first.reason;
                } else {
                    // The producer reused a sequence for a different event (e.g. its store was
                    // restored from an old backup): the first one stands; say so plainly.
                    r.code = Some("sequence_reused".into());
                    r.reason = Some(format!(
                        "sequence {} was already settled for event {event_id}, not {}",
                        ev.seq, ev.id
                    ));
                }
            }
            None => {
                // Only sequences below 1 get here (the API refuses them); never fail the batch.
                r.code = Some("not_found".into());
                r.reason = Some(format!("no result is stored for sequence {}", ev.seq));
            }
        }
        Ok(r)
    }

    /// Applies one event; `Ok(Some(seq))` names the log row it made.
    fn apply_pushed(
        &mut self,
        p: &Producer,
        ev: &OutboxEvent,
        feed: &mut Vec<FeedItem>,
    ) -> Result<Option<i64>, Outcome> {
        if ev.v != 1 {
            return Err(reject(
                "unsupported_version",
                format!(
                    "this server knows {} version 1, not {}; upgrade the server",
                    ev.kind, ev.v
                ),
            ));
        }
        let device_actor = || Actor::Device(DeviceId::new(p.id.clone()));
        let last_of = |c: super::Committed| c.events.last().map(|(s, _)| *s);
        match (ev.kind.as_str(), &p.kind) {
            (kinds::TICKET_ISSUE, ProducerKind::Device { letter, .. }) => {
                let t: kinds::OfflineTicket = payload(ev)?;
                let Some(own) = letter else {
                    return Err(reject("not_a_kiosk", "only kiosks issue tickets from a device series"));
                };
                if t.letter != *own {
                    return Err(reject(
                        "wrong_letter",
                        format!("this device's series letter is {own}, not {}", t.letter),
                    ));
                }
                if t.hall_id != p.hall.as_str() {
                    return Err(reject("wrong_hall", format!("this device belongs to hall {}", p.hall)));
                }
                let birth = match &t.birth {
                    None => None,
                    Some(b) => Some(parse_birth(b).ok_or_else(|| {
                        reject(
                            "invalid_payload",
                            format!("payload.birth: expected YYYY-MM-DD, got {b:?}"),
                        )
                    })?),
                };
                let claims = t.claims.iter().map(|c| parse_claim(c)).collect::<Result<Vec<_>, _>>()?;
                let cmd = Command::Issue(IssueTicket {
                    ticket_id: TicketId::new(t.ticket_id),
                    token: t.token,
                    hall_id: p.hall.clone(),
                    item_id: t.item_id.map(ItemId::new),
                    queue_id: t.queue_id.map(QueueId::new),
                    channel: Channel::Kiosk,
                    id_card: birth.map(|birth| IdCardFacts { birth }),
                    claims,
                    number: Some(TicketNumber::Device {
                        letter: t.letter,
                        seq: t.number,
                    }),
                });
                Ok(last_of(self.domain(&p.hall, &device_actor(), &cmd, None, feed)?))
            }
            (kinds::TICKET_RATED, ProducerKind::Device { .. }) => {
                let r: kinds::Rating = payload(ev)?;
                let cmd = Command::Rate {
                    ticket: TicketId::new(r.ticket_id),
                    level: r.level,
                    reasons: r.reasons,
                    comment: r.comment,
                    photo: r.photo,
                };
                Ok(last_of(self.domain(&p.hall, &device_actor(), &cmd, None, feed)?))
            }
            (kinds::DEVICE_HEARTBEAT, ProducerKind::Device { .. }) => {
                let h: kinds::Heartbeat = payload(ev)?;
                if !h.status.is_object() {
                    return Err(reject("invalid_payload", "payload.status: expected an object"));
                }
                let rec = Record::DeviceStatus {
                    device_id: p.id.clone(),
                    body: h.status.to_string(),
                };
                Ok(Some(self.record(p.hall.as_str(), &format!("device:{}", p.id), &rec)?))
            }
            (kinds::BLOB_ATTACHED, ProducerKind::Device { .. }) => {
                let b: kinds::BlobAttached = payload(ev)?;
                if !is_sm3_hex(&b.digest) {
                    return Err(reject(
                        "invalid_payload",
                        "payload.digest: expected 64 lowercase hex characters (SM3)",
                    ));
                }
                if !["scan", "photo", "recording"].contains(&b.media.as_str()) {
                    return Err(reject(
                        "invalid_payload",
                        "payload.media: expected scan, photo or recording",
                    ));
                }
                let rec = Record::BlobAttached {
                    ticket_id: b.ticket_id,
                    digest: b.digest,
                    media: b.media,
                    size: i64::try_from(b.size).unwrap_or(i64::MAX),
                    device_id: p.id.clone(),
                };
                Ok(Some(self.record(p.hall.as_str(), &format!("device:{}", p.id), &rec)?))
            }
            (kinds::TICKET_CONFIRMED, ProducerKind::Device { .. }) => {
                let c: kinds::Confirmation = payload(ev)?;
                let rec = self.confirmation(p, c)?;
                Ok(Some(self.record(p.hall.as_str(), &format!("device:{}", p.id), &rec)?))
            }
            (kinds::HALL_EVENT, ProducerKind::HallNode) => {
                let he: kinds::HallEvent = payload(ev)?;
                self.replicate(p, he, feed).map(Some)
            }
            (kinds::HALL_EVENT, _) => Err(reject("forbidden", "only hall nodes forward hall events")),
            (k, ProducerKind::HallNode) => Err(reject(
                "unsupported_kind",
                format!("a hall node forwards hall.event, not {k}"),
            )),
            (k, _) => Err(reject(
                "unsupported_kind",
                format!("this server does not know event kind {k:?}"),
            )),
        }
    }

    /// Checks a `ticket.confirmed` payload (tender 13(6) 双屏推送与信息确认): a live ticket of the device's
    /// hall, digests only (no personal values), a known outcome.
    fn confirmation(&self, p: &Producer, c: kinds::Confirmation) -> Result<Record, Outcome> {
        let invalid = |field: &str, m: &str| reject("invalid_payload", format!("payload.{field}: {m}"));
        let known = self
            .shared
            .state
            .read()
            .halls
            .get(&p.hall)
            .is_some_and(|h| h.ticket(&TicketId::new(c.ticket_id.clone())).is_some());
        if !known {
            return Err(reject(
                "not_found",
                format!("payload.ticket_id: no open ticket {} in hall {}", c.ticket_id, p.hall),
            ));
        }
        if !["confirmed", "rejected"].contains(&c.outcome.as_str()) {
            return Err(invalid("outcome", "expected confirmed or rejected"));
        }
        if !is_sm3_hex(&c.digest) {
            return Err(invalid(
                "digest",
                "expected 64 lowercase hex characters (SM3 of the text shown)",
            ));
        }
        if c.fields.is_empty() || c.fields.len() > 32 {
            return Err(invalid("fields", "expected 1–32 fields"));
        }
        for (i, f) in c.fields.iter().enumerate() {
            let n = f.label.trim().chars().count();
            if n == 0 || n > 64 {
                return Err(invalid(&format!("fields[{i}].label"), "expected 1–64 characters"));
            }
            if !is_sm3_hex(&f.value_digest) {
                return Err(invalid(
                    &format!("fields[{i}].value_digest"),
                    "expected 64 lowercase hex characters (SM3 of the value)",
                ));
            }
        }
        let fields = serde_json::to_value(&c.fields).map_err(|e| reject("invalid_payload", e.to_string()))?;
        Ok(Record::Confirmation {
            ticket_id: c.ticket_id,
            device_id: p.id.clone(),
            fields,
            digest: c.digest,
            outcome: c.outcome,
            answered_at: c.at,
        })
    }

    /// A hall node's event, appended to this (city) node's log with its original id and applied to
    /// the hall's state here — decided by the hall, only recorded and shown by the city.
    fn replicate(&mut self, p: &Producer, he: kinds::HallEvent, feed: &mut Vec<FeedItem>) -> Result<i64, Outcome> {
        if !he.hall_id.is_empty() && he.hall_id != p.hall.as_str() {
            return Err(reject(
                "wrong_hall",
                format!("this hall node forwards hall {}, not {}", p.hall, he.hall_id),
            ));
        }
        let domain_event = if is_domain_kind(&he.kind) {
            let ev: Event = serde_json::from_str(&he.body)
                .map_err(|e| reject("invalid_payload", format!("payload.body: not a {} event: {e}", he.kind)))?;
            Some(ev)
        } else {
            None
        };
        let seq = self.append_row(EventRow {
            seq: 0,
            event_id: he.event_id,
            hall_id: he.hall_id.clone(),
            kind: he.kind.clone(),
            at: he.at,
            actor: he.actor,
            ticket_id: he.ticket_id,
            body: he.body,
            sealed: None,
            public: he.public.clone(),
            prev_hash: [0; 32],
            hash: [0; 32],
        })?;
        if let Some(ev) = domain_event {
            let cfg = self.shared.cfg.read().clone();
            let offset = offset_of(&cfg, &ev.hall_id);
            self.shared.state.write().apply(&ev, offset);
            self.project(&cfg, &ev, seq)?;
        }
        if let Some(public) = he.public {
            feed.push(FeedItem {
                seq,
                hall_id: he.hall_id,
                kind: he.kind,
                data: public,
            });
        }
        Ok(seq)
    }
}

/// A unique-constraint failure (a replicated event id already in the log) is the event's problem,
/// not the store's.
fn is_constraint(e: &StoreError) -> bool {
    matches!(e, StoreError::Db(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::ConstraintViolation)
}
