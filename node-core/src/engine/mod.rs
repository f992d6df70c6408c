//! The single writer. Every state change — queue commands of every hall and the security records — goes
//! through one thread, in order: contended actions (call next, transfer, void) are decided in one place,
//! against the state all earlier commands left. Commands that arrive together share one transaction
//! and one fsync (group commit); nobody gets an answer before their events are durable.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use domain::event::Event;
use domain::ids::HallId;
use domain::{Actor, CityState, Command, Config, DomainError, EventBody};
use parking_lot::RwLock;
use tokio::sync::{mpsc, oneshot};

use crate::feed::{Feed, FeedItem};
use crate::metrics::{CommandLabels, Metrics};
use crate::store::{CounterColumn, EventRow, Record, Store, StoreError, TicketRow};

mod push;
pub use push::{Producer, ProducerKind, PushAnswer};

/// Everything readers share with the writer.
pub struct Shared {
    pub cfg: RwLock<Arc<Config>>,
    pub cfg_version: AtomicI64,
    pub state: RwLock<CityState>,
    pub feed: Arc<Feed>,
    pub metrics: Arc<Metrics>,
    pub head_seq: AtomicI64,
    /// False on a city node: only hall nodes decide queue commands; the city records what they decided.
    pub owns_queues: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("storage failed, nothing was saved: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Refused(String),
    /// On a city node: only hall nodes decide queue commands.
    #[error(
        "this is a city node: queue actions go to the hall node, which owns its hall's queue (the city only records what halls decide)"
    )]
    NotQueueOwner,
    #[error("the server is shutting down")]
    Unavailable,
}

pub struct Committed {
    pub events: Vec<(i64, Event)>,
}

enum Job {
    Domain {
        hall: HallId,
        actor: Actor,
        cmd: Command,
        sealed: Option<String>,
        reply: oneshot::Sender<Result<Committed, EngineError>>,
    },
    Record {
        hall: String,
        actor: String,
        record: Record,
        reply: oneshot::Sender<Result<i64, EngineError>>,
    },
    Snapshot {
        reply: oneshot::Sender<Result<i64, EngineError>>,
    },
    Push {
        producer: Producer,
        events: Vec<protocol::sync::OutboxEvent>,
        reply: oneshot::Sender<Result<PushAnswer, EngineError>>,
    },
    Shutdown,
}

#[derive(Clone)]
pub struct Engine {
    tx: mpsc::Sender<Job>,
    pub shared: Arc<Shared>,
}

pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    })
}

const MAX_BATCH: usize = 512;
const SNAPSHOT_EVERY: i64 = 100_000;

impl Engine {
    /// Loads state (snapshot + replay) and starts the writer thread.
    pub fn start(
        mut store: Box<dyn Store>,
        shared: Arc<Shared>,
        clock: Clock,
    ) -> Result<(Engine, std::thread::JoinHandle<()>), StoreError> {
        let state = load_state(store.as_mut(), &shared.cfg.read())?;
        let producers = store.producers()?.into_iter().collect();
        *shared.state.write() = state;
        let (seq, head) = store.head()?;
        shared.head_seq.store(seq, Ordering::SeqCst);
        let (tx, rx) = mpsc::channel(8192);
        let sh = shared.clone();
        let handle = std::thread::Builder::new()
            .name("writer".into())
            .spawn(move || {
                Writer {
                    store,
                    shared: sh,
                    clock,
                    seq,
                    head,
                    last_at: 0,
                    since_snapshot: 0,
                    counts: std::collections::HashMap::new(),
                    producers,
                }
                .run(rx)
            })
            .map_err(StoreError::Thread)?;
        Ok((Engine { tx, shared }, handle))
    }

    pub async fn execute(
        &self,
        hall: HallId,
        actor: Actor,
        cmd: Command,
        sealed: Option<String>,
    ) -> Result<Committed, EngineError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Job::Domain {
                hall,
                actor,
                cmd,
                sealed,
                reply,
            })
            .await
            .map_err(|_| EngineError::Unavailable)?;
        rx.await.map_err(|_| EngineError::Unavailable)?
    }

    pub async fn record(
        &self,
        hall: impl Into<String>,
        actor: impl Into<String>,
        record: Record,
    ) -> Result<i64, EngineError> {
        let (reply, rx) = oneshot::channel();
        let job = Job::Record {
            hall: hall.into(),
            actor: actor.into(),
            record,
            reply,
        };
        self.tx.send(job).await.map_err(|_| EngineError::Unavailable)?;
        rx.await.map_err(|_| EngineError::Unavailable)?
    }

    /// Applies a producer's pushed events in order, exactly once each (see `protocol::sync`).
    pub async fn push(
        &self,
        producer: Producer,
        events: Vec<protocol::sync::OutboxEvent>,
    ) -> Result<PushAnswer, EngineError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Job::Push {
                producer,
                events,
                reply,
            })
            .await
            .map_err(|_| EngineError::Unavailable)?;
        rx.await.map_err(|_| EngineError::Unavailable)?
    }

    /// Stops the writer after the commands already queued (it leaves a snapshot behind).
    pub async fn close(&self) {
        let _ = self.tx.send(Job::Shutdown).await;
    }

    /// Writes a state snapshot now (also done every 20,000 events), so the next start replays little.
    pub async fn snapshot(&self) -> Result<i64, EngineError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Job::Snapshot { reply })
            .await
            .map_err(|_| EngineError::Unavailable)?;
        rx.await.map_err(|_| EngineError::Unavailable)?
    }
}

pub fn actor_str(a: &Actor) -> String {
    match a {
        Actor::Staff(s) => format!("staff:{s}"),
        Actor::Device(d) => format!("device:{d}"),
        Actor::Citizen => "citizen".into(),
        Actor::System => "system".into(),
    }
}

fn is_domain_kind(kind: &str) -> bool {
    kind.starts_with("ticket_")
        || kind.starts_with("window_")
        || kind.starts_with("staff_signed")
        || kind.starts_with("service_")
        || kind.starts_with("appointment_")
}

fn offset_of(cfg: &Config, hall: &HallId) -> i32 {
    cfg.hall(hall).map_or(480, |h| h.utc_offset_minutes)
}

/// Rebuilds the in-memory state: the latest snapshot, then every domain event after it.
pub fn load_state(store: &mut dyn Store, cfg: &Config) -> Result<CityState, StoreError> {
    let mut state = CityState::default();
    let mut after = 0;
    if let Some((seq, body)) = store.latest_snapshot()? {
        let halls: Vec<domain::hall::HallSnapshot> =
            serde_json::from_str(&body).map_err(|e| StoreError::Corrupt(format!("snapshot {seq}: {e}")))?;
        for h in halls {
            let hs = domain::HallState::restore(h);
            state.halls.insert(hs.hall_id.clone(), hs);
        }
        after = seq;
    }
    store.load_events_after(after, &mut |row| {
        if is_domain_kind(&row.kind) {
            let ev: Event =
                serde_json::from_str(&row.body).map_err(|e| StoreError::Corrupt(format!("event {}: {e}", row.seq)))?;
            let offset = offset_of(cfg, &ev.hall_id);
            state.apply(&ev, offset);
        }
        Ok(())
    })?;
    Ok(state)
}

struct Writer {
    store: Box<dyn Store>,
    shared: Arc<Shared>,
    clock: Clock,
    seq: i64,
    head: [u8; 32],
    last_at: i64,
    since_snapshot: i64,
    /// Each producer's settled sequence, as committed (reloaded when a batch fails).
    producers: std::collections::HashMap<String, i64>,
    /// Daily counter increments of the open batch, written once per counter at commit: a batch of
    /// 500 issues in one queue costs one counter row update, not 500.
    counts: std::collections::HashMap<(String, i32, String, CounterColumn), i64>,
}

enum Reply {
    Domain(
        oneshot::Sender<Result<Committed, EngineError>>,
        Result<Committed, EngineError>,
    ),
    Record(oneshot::Sender<Result<i64, EngineError>>, Result<i64, EngineError>),
    Push(
        oneshot::Sender<Result<PushAnswer, EngineError>>,
        Result<PushAnswer, EngineError>,
    ),
}

impl Writer {
    fn run(mut self, mut rx: mpsc::Receiver<Job>) {
        let mut stopping = false;
        while let Some(first) = rx.blocking_recv() {
            let mut jobs = vec![first];
            while jobs.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(j) => jobs.push(j),
                    Err(_) => break,
                }
            }
            if let Some(i) = jobs.iter().position(|j| matches!(j, Job::Shutdown)) {
                // Finish what came before the shutdown; refuse nothing silently after it.
                jobs.truncate(i);
                stopping = true;
            }
            self.batch(jobs);
            if stopping {
                break;
            }
        }
        // Channel closed: every sender is gone. Leave a snapshot for a fast next start.
        if let Err(e) = self.write_snapshot() {
            tracing::warn!(error = %e, "no snapshot at shutdown");
        }
    }

    fn now(&mut self) -> i64 {
        // Event times never go backwards, even if the wall clock does.
        self.last_at = (self.clock)().max(self.last_at);
        self.last_at
    }

    fn batch(&mut self, jobs: Vec<Job>) {
        if jobs.is_empty() {
            return;
        }
        let started = Instant::now();
        let (seq0, head0) = (self.seq, self.head);
        let mut replies = Vec::with_capacity(jobs.len());
        let mut feed = Vec::new();
        let mut failure: Option<String> = None;
        let mut snapshot_replies = Vec::new();
        if let Err(e) = self.store.begin() {
            failure = Some(e.to_string());
        }
        let n = jobs.len();
        for job in jobs {
            match job {
                Job::Snapshot { reply } => snapshot_replies.push(reply),
                Job::Shutdown => {}
                _ if failure.is_some() => replies.push(fail(job, failure.as_deref().unwrap_or_default())),
                Job::Domain {
                    hall,
                    actor,
                    cmd,
                    sealed,
                    reply,
                } => {
                    let r = self.domain(&hall, &actor, &cmd, sealed, &mut feed);
                    if let Err(EngineError::Store(e)) = &r {
                        failure = Some(e.to_string());
                    }
                    replies.push(Reply::Domain(reply, r));
                }
                Job::Record {
                    hall,
                    actor,
                    record,
                    reply,
                } => {
                    let r = self.record(&hall, &actor, &record);
                    if let Err(EngineError::Store(e)) = &r {
                        failure = Some(e.to_string());
                    }
                    replies.push(Reply::Record(reply, r));
                }
                Job::Push {
                    producer,
                    events,
                    reply,
                } => {
                    let r = self.push(&producer, events, &mut feed);
                    if let Err(EngineError::Store(e)) = &r {
                        failure = Some(e.to_string());
                    }
                    replies.push(Reply::Push(reply, r));
                }
            }
        }
        if failure.is_none() {
            for ((hall, day, queue, col), by) in std::mem::take(&mut self.counts) {
                if let Err(e) = self.store.bump_counter(&hall, day, &queue, col, by) {
                    failure = Some(e.to_string());
                    break;
                }
            }
        }
        self.counts.clear();
        if failure.is_none()
            && let Err(e) = self.store.commit()
        {
            failure = Some(e.to_string());
        }
        let m = &self.shared.metrics;
        if let Some(reason) = failure {
            // Nothing of this batch is durable: undo it everywhere and tell everyone.
            tracing::error!(%reason, "batch failed; rolled back");
            let _ = self.store.rollback();
            self.seq = seq0;
            self.head = head0;
            match load_state(self.store.as_mut(), &self.shared.cfg.read()) {
                Ok(s) => *self.shared.state.write() = s,
                Err(e) => tracing::error!(error = %e, "state reload failed"),
            }
            match self.store.producers() {
                Ok(p) => self.producers = p.into_iter().collect(),
                Err(e) => tracing::error!(error = %e, "producer sequences reload failed"),
            }
            for r in replies {
                let err = || EngineError::Store(StoreError::Corrupt(format!("batch rolled back: {reason}")));
                match r {
                    Reply::Domain(tx, _) => drop(tx.send(Err(err()))),
                    Reply::Record(tx, _) => drop(tx.send(Err(err()))),
                    Reply::Push(tx, _) => drop(tx.send(Err(err()))),
                }
            }
            m.commands
                .get_or_create(&CommandLabels { outcome: "failed" })
                .inc_by(n as u64);
        } else {
            self.shared.head_seq.store(self.seq, Ordering::SeqCst);
            m.events.inc_by(u64::try_from(self.seq - seq0).unwrap_or(0));
            m.batch_size.observe(n as f64);
            m.commit_seconds.observe(started.elapsed().as_secs_f64());
            self.shared.feed.publish(feed);
            for r in replies {
                match r {
                    Reply::Domain(tx, res) => {
                        let outcome = if res.is_ok() { "applied" } else { "refused" };
                        m.commands.get_or_create(&CommandLabels { outcome }).inc();
                        let _ = tx.send(res);
                    }
                    Reply::Record(tx, res) => drop(tx.send(res)),
                    Reply::Push(tx, res) => drop(tx.send(res)),
                }
            }
            self.since_snapshot += self.seq - seq0;
        }
        if self.since_snapshot >= SNAPSHOT_EVERY || !snapshot_replies.is_empty() {
            let r = self.write_snapshot().map_err(EngineError::from);
            for tx in snapshot_replies {
                let _ = tx.send(
                    r.as_ref()
                        .map(|s| *s)
                        .map_err(|e| EngineError::Store(StoreError::Corrupt(e.to_string()))),
                );
            }
        }
    }

    fn write_snapshot(&mut self) -> Result<i64, StoreError> {
        let body = {
            let st = self.shared.state.read();
            let mut halls: Vec<_> = st.halls.values().map(domain::HallState::snapshot).collect();
            halls.sort_by(|a, b| a.hall_id.cmp(&b.hall_id));
            serde_json::to_string(&halls).map_err(|e| StoreError::Corrupt(e.to_string()))?
        };
        self.store.save_snapshot(self.seq, &body)?;
        self.since_snapshot = 0;
        Ok(self.seq)
    }

    fn append(
        &mut self,
        hall: &str,
        kind: &str,
        at: i64,
        actor: &str,
        ticket: Option<String>,
        body: String,
        sealed: Option<String>,
        public: Option<String>,
    ) -> Result<i64, StoreError> {
        self.append_row(EventRow {
            seq: 0,
            event_id: uuid::Uuid::now_v7().to_string(),
            hall_id: hall.to_owned(),
            kind: kind.to_owned(),
            at,
            actor: actor.to_owned(),
            ticket_id: ticket,
            body,
            sealed,
            public,
            prev_hash: [0; 32],
            hash: [0; 32],
        })
    }

    /// Appends `row` at the head of the log: sets its sequence and chains its hash.
    fn append_row(&mut self, mut row: EventRow) -> Result<i64, StoreError> {
        row.seq = self.seq + 1;
        row.prev_hash = self.head;
        row.hash = row.compute_hash();
        self.store.append(&row)?;
        self.seq = row.seq;
        self.head = row.hash;
        Ok(row.seq)
    }

    fn record(&mut self, hall: &str, actor: &str, record: &Record) -> Result<i64, EngineError> {
        let at = self.now();
        // A kiosk's offline series letter is chosen here, in the writer, so that kiosks enrolling at
        // the same moment can never be handed the same letter.
        let with_letter;
        let record = match record {
            Record::DeviceEnrolled {
                kind, letter, hall_id, ..
            } if kind == "kiosk" && letter.is_empty() => {
                let free = self.store.free_letter(hall_id)?.ok_or_else(|| {
                    EngineError::Refused(format!(
                        "hall {hall_id} has used all {} offline series letters; revoke a kiosk first",
                        crate::store::SERIES_LETTERS.len()
                    ))
                })?;
                let mut r = record.clone();
                if let Record::DeviceEnrolled { letter, .. } = &mut r {
                    *letter = free.to_string();
                }
                with_letter = r;
                &with_letter
            }
            // A case's receipt is numbered here, in the writer, so two clerks opening cases at the same
            // moment never get the same number.
            Record::CaseOpened { receipt, .. } if receipt.ends_with('-') => {
                let next = self.store.next_receipt(receipt)?;
                let mut r = record.clone();
                if let Record::CaseOpened { receipt, .. } = &mut r {
                    *receipt = next;
                }
                with_letter = r;
                &with_letter
            }
            _ => record,
        };
        let body = record.audit_body().to_string();
        // A record can be refused by its own preconditions (a code used once, a letter taken): that
        // refusal is rolled back alone and leaves no log row; the rest of the batch goes on.
        self.store.savepoint()?;
        if let Err(e) = self.store.apply_record(record, at) {
            self.store.rollback_to()?;
            let message = match e {
                StoreError::Conflict(m) => m,
                other => format!("{} refused: {other}", record.kind()),
            };
            return Err(EngineError::Refused(message));
        }
        let ticket = record.ticket_id().map(str::to_owned);
        let seq = self.append(hall, record.kind(), at, actor, ticket, body, None, None)?;
        self.store.release()?;
        Ok(seq)
    }

    fn domain(
        &mut self,
        hall: &HallId,
        actor: &Actor,
        cmd: &Command,
        sealed: Option<String>,
        feed: &mut Vec<FeedItem>,
    ) -> Result<Committed, EngineError> {
        // Every queue decision, whether from the API or a device's push, comes through here.
        if !self.shared.owns_queues {
            return Err(EngineError::NotQueueOwner);
        }
        let cfg = self.shared.cfg.read().clone();
        let hall_cfg = cfg.hall(hall).ok_or_else(|| DomainError::Unknown {
            what: "hall",
            field: "hall_id",
            id: hall.to_string(),
        })?;
        let offset = hall_cfg.utc_offset_minutes;
        let now = domain::Millis(self.now());
        let today = now.business_day(offset);
        let needs_close = {
            let mut st = self.shared.state.write();
            let h = st.hall_mut(hall, offset);
            h.day < today && h.tickets.values().any(|t| t.day < today && !t.status.is_terminal())
        };
        let mut out = Vec::new();
        if needs_close {
            // A new business day: close what yesterday left open before anything else happens today.
            self.decide_apply(
                &cfg,
                hall,
                &Actor::System,
                &Command::CloseDay,
                now,
                None,
                feed,
                &mut out,
            )?;
        }
        let mut mine = Vec::new();
        self.decide_apply(&cfg, hall, actor, cmd, now, sealed, feed, &mut mine)?;
        Ok(Committed { events: mine })
    }

    #[allow(clippy::too_many_arguments)]
    fn decide_apply(
        &mut self,
        cfg: &Config,
        hall: &HallId,
        actor: &Actor,
        cmd: &Command,
        now: domain::Millis,
        mut sealed: Option<String>,
        feed: &mut Vec<FeedItem>,
        out: &mut Vec<(i64, Event)>,
    ) -> Result<(), EngineError> {
        let events = {
            let st = self.shared.state.read();
            let h = st.halls.get(hall).ok_or(EngineError::Unavailable)?;
            domain::decide(cfg, h, actor, cmd, now)?
        };
        let actor_s = actor_str(actor);
        for ev in events {
            let body = serde_json::to_string(&ev).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let kind = ev.body.kind();
            let ticket = ev.body.ticket_id().map(ToString::to_string);
            let sealed_here = if matches!(
                ev.body,
                EventBody::TicketIssued { .. } | EventBody::TicketIdentified { .. }
            ) {
                sealed.take()
            } else {
                None
            };
            // Apply first so the public view and projections show the state after this event.
            let offset = offset_of(cfg, hall);
            self.shared.state.write().apply(&ev, offset);
            let public = crate::projection::public_view(cfg, &self.shared.state.read(), &ev);
            let seq = self.append(
                hall.as_str(),
                kind,
                ev.at.0,
                &actor_s,
                ticket,
                body,
                sealed_here,
                Some(public.clone()),
            )?;
            self.project(cfg, &ev, seq)?;
            feed.push(FeedItem {
                seq,
                hall_id: hall.to_string(),
                kind: kind.to_owned(),
                data: public,
            });
            out.push((seq, ev));
        }
        Ok(())
    }

    /// Keeps the projection tables in step with the state, in the same transaction as the events.
    fn project(&mut self, _cfg: &Config, ev: &Event, seq: i64) -> Result<(), StoreError> {
        let hall = ev.hall_id.as_str();
        let (ticket_row, window_row, appt_row, hold) = {
            let st = self.shared.state.read();
            let h = st.halls.get(&ev.hall_id);
            let ticket = ev.body.ticket_id().and_then(|id| h.and_then(|h| h.ticket(id)));
            let ticket_row = ticket.map(|t| TicketRow {
                id: t.id.to_string(),
                token: t.token.clone(),
                hall_id: t.hall_id.to_string(),
                queue_id: t.queue_id.to_string(),
                day: t.day.0,
                display: t.display.clone(),
                status: t.status.as_str().to_owned(),
                body: serde_json::to_string(t).unwrap_or_default(),
            });
            let mut windows: Vec<(String, String, String)> = Vec::new();
            let touched = ev
                .body
                .window_id()
                .cloned()
                .or_else(|| ticket.and_then(|t| t.window_id.clone()));
            if let (Some(w), Some(h)) = (touched, h) {
                let ws = h.window(&w);
                windows.push((
                    w.to_string(),
                    ws.status.as_str().to_owned(),
                    serde_json::to_string(&ws).unwrap_or_default(),
                ));
            }
            let appt = match &ev.body {
                EventBody::AppointmentBooked { appointment } => Some(appointment.id.clone()),
                EventBody::AppointmentCancelled { appointment }
                | EventBody::AppointmentRescheduled { appointment, .. }
                | EventBody::AppointmentCheckedIn { appointment, .. } => Some(appointment.clone()),
                _ => None,
            }
            .and_then(|id| h.and_then(|h| h.appointments.get(&id)).cloned());
            // Tender 13(9) "一旦出现差评办理过程视频全部上传": a negative rating holds the service's evidence.
            let hold = match &ev.body {
                EventBody::TicketRated { level, photo, .. } if *level <= 2 => {
                    ticket.map(|t| crate::store::EvidenceHold {
                        ticket_id: t.id.to_string(),
                        hall_id: hall.to_owned(),
                        window_id: t.window_id.as_ref().map(ToString::to_string),
                        staff_id: t.staff_id.as_ref().map(ToString::to_string),
                        service_started_at: t.started_at.or(t.called_at).map(|m| m.0),
                        service_finished_at: t.finished_at.map(|m| m.0),
                        level: *level,
                        photo: photo.clone(),
                        status: "requested".into(),
                        requested_at: ev.at.0,
                        blobs: Vec::new(),
                    })
                }
                _ => None,
            };
            (ticket_row, windows, appt, hold)
        };
        if let Some(hold) = &hold {
            self.store.hold_evidence(hold, seq)?;
        }
        if let Some(t) = &ticket_row {
            self.store.upsert_ticket(t, seq)?;
            let col = match &ev.body {
                EventBody::TicketIssued { .. } => Some(CounterColumn::Issued),
                EventBody::TicketCalled { .. } => Some(CounterColumn::Called),
                EventBody::ServiceFinished { .. } => Some(CounterColumn::Done),
                EventBody::TicketNoShow { .. } => Some(CounterColumn::NoShow),
                EventBody::TicketVoided { .. } => Some(CounterColumn::Voided),
                _ => None,
            };
            if let Some(col) = col {
                *self
                    .counts
                    .entry((hall.to_owned(), t.day, t.queue_id.clone(), col))
                    .or_default() += 1;
            }
        }
        for (w, status, body) in window_row {
            self.store.upsert_window(&w, hall, &status, &body, seq)?;
        }
        if let Some(a) = appt_row {
            let status = serde_json::to_value(a.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            self.store.upsert_appointment(
                a.id.as_str(),
                &a.code,
                hall,
                a.day.0,
                &status,
                &serde_json::to_string(&a).unwrap_or_default(),
                seq,
            )?;
        }
        Ok(())
    }
}

fn fail(job: Job, reason: &str) -> Reply {
    let err = || EngineError::Store(StoreError::Corrupt(format!("storage unavailable: {reason}")));
    match job {
        Job::Domain { reply, .. } => Reply::Domain(reply, Err(err())),
        Job::Record { reply, .. } => Reply::Record(reply, Err(err())),
        Job::Push { reply, .. } => Reply::Push(reply, Err(err())),
        Job::Snapshot { .. } | Job::Shutdown => {
            unreachable!("snapshot and shutdown jobs never reach here")
        }
    }
}
