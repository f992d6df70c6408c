//! [`PadServer`]: the WebSocket server on the window terminal that evaluator pads connect to.
//!
//! One thread accepts, one thread serves each connection (pads per terminal are few). A connection
//! thread owns its socket: it reads with a short timeout and, between reads, sends whatever other
//! threads queued for its pad, so pushes never wait for the pad to speak.

use std::collections::HashMap;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use thiserror::Error;
use tracing::{debug, info, warn};
use tungstenite::{Message, WebSocket};

use super::message::{self as msg, Envelope, Evaluation, PadMessage, RawRating, parse_pad_message};
use super::rating::RatingResult;

/// Pads allowed to log in and the timing of the protocol.
#[derive(Debug, Clone)]
pub struct PadServerConfig {
    /// `work_no` → `key`.
    pub pads: HashMap<String, String>,
    /// Heartbeat interval pads use (60 s in the protocol); a pad silent for two intervals is offline.
    pub heartbeat_interval: Duration,
    /// How long [`PadServer::evaluate`] waits for the citizen.
    pub rating_timeout: Duration,
}

impl Default for PadServerConfig {
    fn default() -> Self {
        Self {
            pads: HashMap::new(),
            heartbeat_interval: Duration::from_secs(60),
            rating_timeout: Duration::from_secs(60),
        }
    }
}

#[derive(Debug, Error)]
pub enum PadError {
    #[error("无法监听 / cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        #[source]
        source: io::Error,
    },
    #[error("评价器不在线 / evaluator pad {0:?} is offline")]
    Offline(String),
    #[error("评价器 {0:?} 已有进行中的评价 / pad {0:?} is already showing an evaluation")]
    Busy(String),
    #[error("评价过程中评价器断线 / pad {0:?} went offline during the evaluation")]
    Disconnected(String),
}

/// How an evaluation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Rated(RatingResult),
    /// No (valid) rating within the timeout. Never replaced by a default rating.
    NoRating,
}

/// Pad presence changes, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PadEvent {
    Online(String),
    Offline { work_no: String, reason: String },
    LoginRefused { work_no: String },
}

struct Slot {
    conn: u64,
    outbox: Sender<String>,
}

#[derive(Default)]
struct State {
    /// Online pads by work_no.
    online: HashMap<String, Slot>,
    /// Open evaluation per pad: (evaluation id, result once rated).
    pending: HashMap<String, (String, Option<RatingResult>)>,
    events: Vec<PadEvent>,
    next_id: u64,
}

struct Shared {
    config: PadServerConfig,
    state: Mutex<State>,
    changed: Condvar,
    stop: AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn event(&self, st: &mut State, e: PadEvent) {
        info!(?e, "evaluator pad");
        if st.events.len() >= 1000 {
            st.events.drain(..500);
        }
        st.events.push(e);
        self.changed.notify_all();
    }
}

/// How often connection threads look at their outbox and the stop flag.
const POLL: Duration = Duration::from_millis(20);

pub struct PadServer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    accept: Option<JoinHandle<()>>,
}

impl PadServer {
    /// Listens on `addr` (e.g. "0.0.0.0:8899", or "127.0.0.1:0" in tests).
    pub fn bind(addr: &str, config: PadServerConfig) -> Result<Self, PadError> {
        let bind_err = |source| PadError::Bind {
            addr: addr.to_owned(),
            source,
        };
        let listener = TcpListener::bind(addr).map_err(bind_err)?;
        let local = listener.local_addr().map_err(bind_err)?;
        // Non-blocking accept so the thread notices stop().
        listener.set_nonblocking(true).map_err(bind_err)?;
        let shared = Arc::new(Shared {
            config,
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            stop: AtomicBool::new(false),
        });
        let accept = {
            let shared = Arc::clone(&shared);
            thread::spawn(move || accept_loop(&listener, &shared))
        };
        Ok(Self {
            shared,
            addr: local,
            accept: Some(accept),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn is_online(&self, work_no: &str) -> bool {
        self.shared.lock().online.contains_key(work_no)
    }

    pub fn online_pads(&self) -> Vec<String> {
        let mut v: Vec<String> = self.shared.lock().online.keys().cloned().collect();
        v.sort();
        v
    }

    pub fn events(&self) -> Vec<PadEvent> {
        self.shared.lock().events.clone()
    }

    /// Waits until some pad is online (the first, by work_no order) or `timeout` passes.
    pub fn wait_for_pad(&self, timeout: Duration) -> Option<String> {
        self.wait(timeout, |st| {
            let mut v: Vec<&String> = st.online.keys().collect();
            v.sort();
            v.first().map(|s| (*s).clone())
        })
    }

    /// Waits until `work_no` is offline; returns whether it is.
    pub fn wait_offline(&self, work_no: &str, timeout: Duration) -> bool {
        self.wait(timeout, |st| (!st.online.contains_key(work_no)).then_some(()))
            .is_some()
    }

    fn wait<T>(&self, timeout: Duration, mut f: impl FnMut(&State) -> Option<T>) -> Option<T> {
        let deadline = Instant::now() + timeout;
        let mut st = self.shared.lock();
        loop {
            if let Some(v) = f(&st) {
                return Some(v);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            st = self
                .shared
                .changed
                .wait_timeout(st, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    fn push(&self, work_no: &str, env: &Envelope) -> Result<(), PadError> {
        let st = self.shared.lock();
        let slot = st
            .online
            .get(work_no)
            .ok_or_else(|| PadError::Offline(work_no.to_owned()))?;
        slot.outbox
            .send(env.to_json())
            .map_err(|_| PadError::Offline(work_no.to_owned()))
    }

    /// Opens `url` in the pad's WebView (50100).
    pub fn open_url(&self, work_no: &str, url: &str) -> Result<(), PadError> {
        self.push(work_no, &Envelope::reply(msg::OPEN_URL, true, "打开网址", json!(url)))
    }

    /// Shows `evaluation` on pad `work_no` and waits for the rating, at most the configured
    /// rating timeout. A rejected rating (e.g. negative without a reason) keeps the evaluation
    /// open so the citizen can correct it.
    pub fn evaluate(&self, work_no: &str, evaluation: &Evaluation) -> Result<Outcome, PadError> {
        let timeout = self.shared.config.rating_timeout;
        let id = {
            let mut st = self.shared.lock();
            if !st.online.contains_key(work_no) {
                return Err(PadError::Offline(work_no.to_owned()));
            }
            if st.pending.contains_key(work_no) {
                return Err(PadError::Busy(work_no.to_owned()));
            }
            st.next_id += 1;
            let id = format!("E{}-{}", unix_ms(), st.next_id);
            st.pending.insert(work_no.to_owned(), (id.clone(), None));
            id
        };
        let show = msg::show_evaluation(&id, evaluation, timeout.as_secs());
        if let Err(e) = self.push(work_no, &show) {
            self.shared.lock().pending.remove(work_no);
            return Err(e);
        }
        let waited = self.wait(timeout, |st| {
            if !st.online.contains_key(work_no) {
                return Some(Err(PadError::Disconnected(work_no.to_owned())));
            }
            match st.pending.get(work_no) {
                Some((_, Some(result))) => Some(Ok(result.clone())),
                _ => None,
            }
        });
        self.shared.lock().pending.remove(work_no);
        match waited {
            Some(Ok(result)) => Ok(Outcome::Rated(result)),
            Some(Err(e)) => Err(e),
            None => {
                // Tell the pad to go back to idle; it may already be gone, which changes nothing.
                let close = Envelope::reply(msg::EVALUATION_CLOSED, true, "评价超时", json!({"evaluation_id": id}));
                let _ = self.push(work_no, &close);
                Ok(Outcome::NoRating)
            }
        }
    }

    /// Stops accepting, closes all connections and waits for the threads.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}

impl Drop for PadServer {
    fn drop(&mut self) {
        self.halt();
    }
}

pub(crate) fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    let mut conns: Vec<JoinHandle<()>> = Vec::new();
    let mut next_conn = 0u64;
    while !shared.stop.load(Ordering::Relaxed) {
        match listener.accept() {
            Ok((stream, peer)) => {
                next_conn += 1;
                let (shared, id) = (Arc::clone(shared), next_conn);
                conns.retain(|t| !t.is_finished());
                conns.push(thread::spawn(move || {
                    if let Err(e) = serve(stream, &shared, id) {
                        debug!(%peer, "pad connection ended: {e}");
                    }
                }));
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => thread::sleep(POLL),
            Err(e) => {
                warn!("accept failed: {e}");
                thread::sleep(POLL);
            }
        }
    }
    for t in conns {
        let _ = t.join();
    }
}

/// One pad connection.
struct Conn<'a> {
    shared: &'a Shared,
    id: u64,
    ws: WebSocket<TcpStream>,
    outbox: Sender<String>,
    inbox: Receiver<String>,
    work_no: Option<String>,
    last_seen: Instant,
}

fn serve(stream: TcpStream, shared: &Shared, id: u64) -> Result<(), tungstenite::Error> {
    stream.set_nonblocking(false)?;
    // The handshake gets a few seconds; afterwards reads poll so pushes go out promptly.
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    let ws = tungstenite::accept(stream).map_err(|e| match e {
        tungstenite::HandshakeError::Failure(e) => e,
        tungstenite::HandshakeError::Interrupted(_) => tungstenite::Error::Io(io::ErrorKind::TimedOut.into()),
    })?;
    ws.get_ref().set_read_timeout(Some(POLL))?;
    let (outbox, inbox) = mpsc::channel();
    let mut conn = Conn {
        shared,
        id,
        ws,
        outbox,
        inbox,
        work_no: None,
        last_seen: Instant::now(),
    };
    let result = conn.run();
    conn.offline(match &result {
        Ok(reason) => reason.clone(),
        Err(e) => e.to_string(),
    });
    result.map(|_| ())
}

impl Conn<'_> {
    fn send(&mut self, env: &Envelope) -> Result<(), tungstenite::Error> {
        self.ws.send(Message::text(env.to_json()))
    }

    /// Serves until the pad leaves; returns why.
    fn run(&mut self) -> Result<String, tungstenite::Error> {
        self.send(&Envelope::reply(msg::LOGIN, false, "请发送工号", Value::Null))?;
        let silence = self.shared.config.heartbeat_interval * 2;
        loop {
            if self.shared.stop.load(Ordering::Relaxed) {
                let _ = self.ws.close(None);
                let _ = self.ws.flush();
                return Ok("server stopped".into());
            }
            match self.ws.read() {
                Ok(Message::Text(t)) => self.handle(t.as_bytes())?,
                Ok(Message::Binary(b)) => self.handle(&b)?,
                Ok(Message::Close(_)) => return Ok("pad closed the connection".into()),
                Ok(_) => {}
                Err(tungstenite::Error::Io(e))
                    if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {}
                Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                    return Ok("connection closed".into());
                }
                Err(e) => return Err(e),
            }
            while let Ok(text) = self.inbox.try_recv() {
                self.ws.send(Message::text(text))?;
            }
            if self.last_seen.elapsed() > silence {
                let _ = self.ws.close(None);
                let _ = self.ws.flush();
                return Ok(format!("no heartbeat for {silence:?}"));
            }
        }
    }

    fn handle(&mut self, bytes: &[u8]) -> Result<(), tungstenite::Error> {
        let parsed = match parse_pad_message(bytes) {
            Ok(m) => m,
            Err(e) => {
                debug!("malformed pad packet: {e}");
                return self.send(&Envelope::reply(msg::MALFORMED, false, "数据包格式错误", Value::Null));
            }
        };
        match (parsed, self.work_no.clone()) {
            (PadMessage::Login { work_no, key }, _) => self.login(work_no, &key),
            (PadMessage::Unknown { code }, _) => self.send(&Envelope::reply(
                msg::UNKNOWN,
                false,
                "未知指令",
                json!({ "code": code }),
            )),
            (_, None) => self.send(&Envelope::reply(
                msg::LOGIN,
                false,
                "请先登录 / please log in first",
                Value::Null,
            )),
            (PadMessage::Heartbeat { .. }, Some(_)) => {
                self.last_seen = Instant::now();
                self.send(&Envelope::reply(msg::HEARTBEAT, true, "收到", json!(unix_ms())))
            }
            (PadMessage::Rating(raw), Some(work_no)) => {
                self.last_seen = Instant::now();
                let reply = self.rating(&work_no, raw);
                self.send(&reply)
            }
        }
    }

    fn login(&mut self, work_no: String, key: &str) -> Result<(), tungstenite::Error> {
        let known = self.shared.config.pads.get(&work_no);
        if known.map(String::as_str) != Some(key) {
            let mut st = self.shared.lock();
            self.shared.event(&mut st, PadEvent::LoginRefused { work_no });
            drop(st);
            let why = if known.is_some() {
                "通讯密钥错误"
            } else {
                "工号未登记 / unknown work_no"
            };
            return self.send(&Envelope::reply(msg::LOGIN, false, why, Value::Null));
        }
        self.last_seen = Instant::now();
        {
            let mut st = self.shared.lock();
            // A pad that reconnects takes over its slot; the old connection no longer owns it.
            st.online.insert(
                work_no.clone(),
                Slot {
                    conn: self.id,
                    outbox: self.outbox.clone(),
                },
            );
            self.shared.event(&mut st, PadEvent::Online(work_no.clone()));
        }
        self.work_no = Some(work_no);
        self.send(&Envelope::reply(msg::LOGIN, true, "登录成功", Value::Null))
    }

    fn rating(&self, work_no: &str, raw: RawRating) -> Envelope {
        let fail = |m: String| {
            Envelope::reply(
                msg::RATING_RESULT,
                false,
                &m,
                json!({"evaluation_id": raw.evaluation_id}),
            )
        };
        let mut st = self.shared.lock();
        match st.pending.get(work_no) {
            Some((id, None)) if *id == raw.evaluation_id => {}
            _ => return fail("没有待评价的业务 / no evaluation open under this id".into()),
        }
        match RatingResult::validate(raw.level, raw.reasons.clone(), raw.text.clone()) {
            Ok(result) => {
                if let Some(p) = st.pending.get_mut(work_no) {
                    p.1 = Some(result);
                }
                self.shared.changed.notify_all();
                Envelope::reply(
                    msg::RATING_RESULT,
                    true,
                    "评价成功",
                    json!({"evaluation_id": raw.evaluation_id}),
                )
            }
            Err(e) => fail(e.to_string()),
        }
    }

    fn offline(&self, reason: String) {
        let Some(work_no) = &self.work_no else { return };
        let mut st = self.shared.lock();
        if st.online.get(work_no).is_some_and(|s| s.conn == self.id) {
            st.online.remove(work_no);
            self.shared.event(
                &mut st,
                PadEvent::Offline {
                    work_no: work_no.clone(),
                    reason,
                },
            );
        }
    }
}
