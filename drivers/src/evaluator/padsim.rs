//! A simulated evaluator pad: a WebSocket client thread that logs in, sends heartbeats and answers
//! "show evaluation" pushes with configured ratings.

use std::collections::VecDeque;
use std::io;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

use super::message::{self as msg, Envelope, parse_envelope};

/// One answer the simulated citizen gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PadAnswer {
    pub level: i64,
    pub reasons: Vec<String>,
    pub text: Option<String>,
}

impl PadAnswer {
    pub fn level(level: i64) -> Self {
        Self {
            level,
            reasons: Vec::new(),
            text: None,
        }
    }

    pub fn with_reason(mut self, reason: &str) -> Self {
        self.reasons.push(reason.to_owned());
        self
    }
}

#[derive(Debug, Clone)]
pub struct PadSimConfig {
    /// Server address, e.g. "127.0.0.1:8899" (the URL is `ws://{server}/`).
    pub server: String,
    pub work_no: String,
    pub key: String,
    pub heartbeat_interval: Duration,
    /// Answers, in order: the first answers a show-evaluation, the next a rejection of it, …
    pub answers: Vec<PadAnswer>,
    /// Time the simulated citizen takes to press.
    pub answer_delay: Duration,
    /// How long to keep retrying the connection (the server may still be starting).
    pub connect_within: Duration,
}

impl PadSimConfig {
    pub fn new(server: &str, work_no: &str, key: &str) -> Self {
        Self {
            server: server.to_owned(),
            work_no: work_no.to_owned(),
            key: key.to_owned(),
            heartbeat_interval: Duration::from_secs(60),
            answers: Vec::new(),
            answer_delay: Duration::from_millis(50),
            connect_within: Duration::from_secs(5),
        }
    }
}

#[derive(Default)]
struct State {
    received: Vec<Envelope>,
    heartbeats: bool,
    connected: bool,
    error: Option<String>,
}

fn lock(s: &Mutex<State>) -> MutexGuard<'_, State> {
    s.lock().unwrap_or_else(PoisonError::into_inner)
}

pub struct PadSim {
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    raw: Sender<String>,
    thread: Option<JoinHandle<()>>,
}

const POLL: Duration = Duration::from_millis(20);

impl PadSim {
    pub fn start(config: PadSimConfig) -> Self {
        let state = Arc::new(Mutex::new(State {
            heartbeats: true,
            ..State::default()
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (raw, raw_rx) = mpsc::channel();
        let thread = {
            let (state, stop) = (Arc::clone(&state), Arc::clone(&stop));
            thread::spawn(move || {
                if let Err(e) = run(&config, &state, &stop, &raw_rx) {
                    lock(&state).error = Some(e.to_string());
                }
                lock(&state).connected = false;
            })
        };
        Self {
            state,
            stop,
            raw,
            thread: Some(thread),
        }
    }

    /// Stops (or resumes) heartbeats, to play a pad that hangs.
    pub fn set_heartbeats(&self, on: bool) {
        lock(&self.state).heartbeats = on;
    }

    /// Sends `text` as it is (malformed packets, unknown codes).
    pub fn send_raw(&self, text: &str) {
        let _ = self.raw.send(text.to_owned());
    }

    /// Everything the server sent, oldest first.
    pub fn received(&self) -> Vec<Envelope> {
        lock(&self.state).received.clone()
    }

    pub fn error(&self) -> Option<String> {
        lock(&self.state).error.clone()
    }

    pub fn is_connected(&self) -> bool {
        lock(&self.state).connected
    }

    /// Waits for a message from the server matching `pred`; returns it.
    pub fn wait_for(&self, timeout: Duration, pred: impl Fn(&Envelope) -> bool) -> Option<Envelope> {
        crate::poll::poll_until(timeout, || lock(&self.state).received.iter().find(|e| pred(e)).cloned())
    }

    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for PadSim {
    fn drop(&mut self) {
        self.halt();
    }
}

fn connect(config: &PadSimConfig) -> Result<WebSocket<TcpStream>, tungstenite::Error> {
    let deadline = Instant::now() + config.connect_within;
    loop {
        let attempt = TcpStream::connect(&config.server)
            .map_err(tungstenite::Error::Io)
            .and_then(|stream| {
                stream.set_read_timeout(Some(Duration::from_secs(5)))?;
                tungstenite::client(format!("ws://{}/", config.server), stream).map_err(|e| match e {
                    tungstenite::HandshakeError::Failure(e) => e,
                    tungstenite::HandshakeError::Interrupted(_) => {
                        tungstenite::Error::Io(io::ErrorKind::TimedOut.into())
                    }
                })
            });
        match attempt {
            Ok((ws, _)) => return Ok(ws),
            Err(e) if Instant::now() >= deadline => return Err(e),
            Err(_) => thread::sleep(Duration::from_millis(50)),
        }
    }
}

fn run(
    config: &PadSimConfig,
    state: &Mutex<State>,
    stop: &AtomicBool,
    raw: &Receiver<String>,
) -> Result<(), tungstenite::Error> {
    let mut ws = connect(config)?;
    ws.get_ref().set_read_timeout(Some(POLL))?;
    lock(state).connected = true;
    let login = json!({"code": msg::LOGIN, "data": {"work_no": config.work_no, "key": config.key}});
    ws.send(Message::text(login.to_string()))?;
    let mut answers: VecDeque<PadAnswer> = config.answers.iter().cloned().collect();
    let mut next_beat = Instant::now() + config.heartbeat_interval;
    // (evaluation id, when to answer)
    let mut to_answer: Option<(String, Instant)> = None;
    while !stop.load(Ordering::Relaxed) {
        match ws.read() {
            Ok(Message::Text(t)) => {
                if let Ok(env) = parse_envelope(t.as_bytes()) {
                    let id = env.data.get("evaluation_id").and_then(Value::as_str).map(str::to_owned);
                    match (env.code, env.ok(), id) {
                        (msg::SHOW_EVALUATION, _, Some(id)) => {
                            to_answer = Some((id, Instant::now() + config.answer_delay));
                        }
                        // Rejected: the citizen corrects the rating (next answer, if any).
                        (msg::RATING_RESULT, false, Some(id)) => {
                            to_answer = Some((id, Instant::now() + config.answer_delay));
                        }
                        (msg::EVALUATION_CLOSED, _, _) => to_answer = None,
                        _ => {}
                    }
                    lock(state).received.push(env);
                }
            }
            Ok(Message::Close(_)) => return Ok(()),
            Ok(_) => {}
            Err(tungstenite::Error::Io(e))
                if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {}
            Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => return Ok(()),
            Err(e) => return Err(e),
        }
        while let Ok(text) = raw.try_recv() {
            ws.send(Message::text(text))?;
        }
        if let Some((id, at)) = &to_answer
            && Instant::now() >= *at
        {
            if let Some(a) = answers.pop_front() {
                let m = json!({"code": msg::RATING_RESULT, "data": {
                    "evaluation_id": id, "level": a.level, "reasons": a.reasons, "text": a.text,
                }});
                ws.send(Message::text(m.to_string()))?;
            }
            to_answer = None;
        }
        if Instant::now() >= next_beat {
            next_beat = Instant::now() + config.heartbeat_interval;
            if lock(state).heartbeats {
                let beat = json!({"code": msg::HEARTBEAT, "data": super::server::unix_ms()});
                ws.send(Message::text(beat.to_string()))?;
            }
        }
    }
    let _ = ws.close(None);
    let _ = ws.flush();
    Ok(())
}
