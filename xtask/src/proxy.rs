//! A TCP fault proxy: listens on 127.0.0.1 and forwards to a target, misbehaving on demand. The mode
//! is shared state, switchable while connections are open, and applies per chunk — so connections a
//! client keeps alive in its pool are hit by faults too, not only new ones.
//!
//! Modes: pass; delay (latency added to every chunk); refuse (a new connection is accepted and closed
//! at once, an open one is closed at its next chunk); cut after N bytes client→server (mid-request) or
//! server→client (mid-response); blackhole (read everything, answer nothing, until the mode changes —
//! then the connection is closed, as a middlebox that lost its state would, so that clients with long
//! timeouts do not hang on after the network healed).
//!
//! The target can change at runtime too (a restarted node listens on a new port), and `None` means
//! "nothing there": connections are closed at once, as a gateway whose node is down does.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rand::Rng;
use rand::rngs::StdRng;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How long a connection to the target may take before the client's connection is dropped.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const CHUNK: usize = 16 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Pass,
    /// Every chunk, in either direction, waits this long before it is forwarded.
    Delay(Duration),
    Refuse,
    /// Close the connection once this many bytes went client→server (since the mode was set).
    CutRequest(usize),
    /// Close the connection once this many bytes went server→client (since the mode was set).
    CutResponse(usize),
    Blackhole,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mode::Pass => write!(f, "pass"),
            Mode::Delay(d) => write!(f, "delay {}ms", d.as_millis()),
            Mode::Refuse => write!(f, "refuse"),
            Mode::CutRequest(n) => write!(f, "cut request after {n}B"),
            Mode::CutResponse(n) => write!(f, "cut response after {n}B"),
            Mode::Blackhole => write!(f, "blackhole"),
        }
    }
}

/// The mode and a counter bumped by every `set_mode`, so a connection can tell "a new fault began"
/// from "the same fault goes on" (byte budgets restart with each new mode).
#[derive(Debug, Clone, Copy)]
struct ModeState {
    mode: Mode,
    epoch: u64,
}

/// What a proxy did so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProxyStats {
    pub connections: u64,
    /// New connections closed at once (refuse mode, or no target).
    pub refused: u64,
    /// Connections closed mid-stream (cut budgets, refuse on an open connection, blackhole ended).
    pub cut: u64,
    /// Connections that fell into a blackhole.
    pub blackholed: u64,
    /// Times the watched byte string was forwarded to a client (see [`Proxy::start`]).
    pub needle_hits: u64,
}

#[derive(Default)]
struct Counters {
    connections: AtomicU64,
    refused: AtomicU64,
    cut: AtomicU64,
    blackholed: AtomicU64,
    needle_hits: AtomicU64,
}

struct Shared {
    mode: watch::Sender<ModeState>,
    target: watch::Sender<Option<SocketAddr>>,
    /// Counted in server→client bytes as they are forwarded (e.g. `"status":"duplicate"` in push
    /// answers); empty: nothing is counted.
    needle: Vec<u8>,
    counters: Counters,
}

/// A running proxy; stops accepting when dropped.
pub struct Proxy {
    name: String,
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy")
            .field("name", &self.name)
            .field("addr", &self.addr)
            .field("mode", &self.mode())
            .finish_non_exhaustive()
    }
}

impl Proxy {
    /// Listens on 127.0.0.1 (a free port) and forwards to `target`, in pass mode. Occurrences of
    /// `needle` in what the target answers are counted (pass `b""` to count nothing).
    pub async fn start(name: &str, target: Option<SocketAddr>, needle: &[u8]) -> io::Result<Proxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            mode: watch::Sender::new(ModeState {
                mode: Mode::Pass,
                epoch: 0,
            }),
            target: watch::Sender::new(target),
            needle: needle.to_vec(),
            counters: Counters::default(),
        });
        let accept = tokio::spawn(accept_loop(listener, Arc::clone(&shared)));
        Ok(Proxy {
            name: name.to_owned(),
            addr,
            shared,
            accept,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn mode(&self) -> Mode {
        self.shared.mode.borrow().mode
    }

    pub fn set_mode(&self, mode: Mode) {
        self.shared.mode.send_modify(|s| {
            s.mode = mode;
            s.epoch += 1;
        });
    }

    /// Where new connections go; `None` closes them at once.
    pub fn set_target(&self, target: Option<SocketAddr>) {
        self.shared.target.send_replace(target);
    }

    pub fn stats(&self) -> ProxyStats {
        let c = &self.shared.counters;
        ProxyStats {
            connections: c.connections.load(Ordering::Relaxed),
            refused: c.refused.load(Ordering::Relaxed),
            cut: c.cut.load(Ordering::Relaxed),
            blackholed: c.blackholed.load(Ordering::Relaxed),
            needle_hits: c.needle_hits.load(Ordering::Relaxed),
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
        // Open connections end too: a blackholed one at this epoch change, the others at their next
        // chunk.
        self.set_mode(Mode::Refuse);
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        match listener.accept().await {
            Ok((client, _)) => {
                shared.counters.connections.fetch_add(1, Ordering::Relaxed);
                tokio::spawn(handle(client, Arc::clone(&shared)));
            }
            // Out of file descriptors and the like: keep serving once it passes.
            Err(e) => {
                tracing::warn!(error = %e, "proxy accept failed");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
}

async fn handle(client: TcpStream, shared: Arc<Shared>) {
    let state = *shared.mode.borrow();
    match state.mode {
        Mode::Refuse => {
            shared.counters.refused.fetch_add(1, Ordering::Relaxed);
            return;
        }
        Mode::Blackhole => {
            shared.counters.blackholed.fetch_add(1, Ordering::Relaxed);
            let (reader, _writer) = client.into_split();
            swallow_until_mode_changes(&reader, shared.mode.subscribe(), state.epoch).await;
            shared.counters.cut.fetch_add(1, Ordering::Relaxed);
            return;
        }
        _ => {}
    }
    let target = *shared.target.borrow();
    let Some(target) = target else {
        shared.counters.refused.fetch_add(1, Ordering::Relaxed);
        return;
    };
    let server = match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(target)).await {
        Ok(Ok(s)) => s,
        // The node is down: the client sees its connection closed, as behind a real gateway.
        _ => {
            shared.counters.refused.fetch_add(1, Ordering::Relaxed);
            return;
        }
    };
    // Small HTTP messages must not wait for Nagle; latency here is only what the mode adds.
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (client_r, client_w) = client.into_split();
    let (server_r, server_w) = server.into_split();
    let up = pump(Direction::Request, client_r, server_w, Arc::clone(&shared));
    let down = pump(Direction::Response, server_r, client_w, Arc::clone(&shared));
    tokio::pin!(up, down);
    // A direction that ends normally (EOF) leaves the other running (half-close); a cut or an error in
    // either ends the whole connection (dropping the futures closes all four halves).
    let rest = tokio::select! {
        end = &mut up => (end, true),
        end = &mut down => (end, false),
    };
    match rest {
        (PumpEnd::Eof, true) => {
            let _ = down.await;
        }
        (PumpEnd::Eof, false) => {
            let _ = up.await;
        }
        (PumpEnd::Cut, _) => {
            shared.counters.cut.fetch_add(1, Ordering::Relaxed);
        }
        (PumpEnd::Error, _) => {}
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// Client → server.
    Request,
    /// Server → client.
    Response,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PumpEnd {
    Eof,
    Cut,
    Error,
}

/// Forwards one direction chunk by chunk, applying the mode current at each chunk.
async fn pump(dir: Direction, reader: OwnedReadHalf, writer: OwnedWriteHalf, shared: Arc<Shared>) -> PumpEnd {
    let mut modes = shared.mode.subscribe();
    let mut buf = vec![0u8; CHUNK];
    let mut budget_epoch = u64::MAX;
    let mut sent_this_epoch = 0usize;
    let mut tail: Vec<u8> = Vec::new();
    loop {
        let n = match read_some(&reader, &mut buf).await {
            Ok(0) => return PumpEnd::Eof,
            Ok(n) => n,
            Err(_) => return PumpEnd::Error,
        };
        let state = *modes.borrow_and_update();
        if state.epoch != budget_epoch {
            budget_epoch = state.epoch;
            sent_this_epoch = 0;
        }
        let limit = match (state.mode, dir) {
            (Mode::Pass, _)
            | (Mode::Delay(_), _)
            | (Mode::CutRequest(_), Direction::Response)
            | (Mode::CutResponse(_), Direction::Request) => None,
            (Mode::CutRequest(n), Direction::Request) | (Mode::CutResponse(n), Direction::Response) => Some(n),
            (Mode::Refuse, _) => return PumpEnd::Cut,
            (Mode::Blackhole, _) => {
                shared.counters.blackholed.fetch_add(1, Ordering::Relaxed);
                swallow_until_mode_changes(&reader, modes, state.epoch).await;
                return PumpEnd::Cut;
            }
        };
        if let Mode::Delay(d) = state.mode {
            tokio::time::sleep(d).await;
        }
        let allowed = limit.map_or(n, |l| l.saturating_sub(sent_this_epoch).min(n));
        let chunk = &buf[..allowed];
        if write_all(&writer, chunk).await.is_err() {
            return PumpEnd::Error;
        }
        sent_this_epoch += allowed;
        if dir == Direction::Response && !shared.needle.is_empty() {
            let hits = count_needle(&shared.needle, &mut tail, chunk);
            shared.counters.needle_hits.fetch_add(hits, Ordering::Relaxed);
        }
        if limit.is_some_and(|l| sent_this_epoch >= l) {
            return PumpEnd::Cut;
        }
    }
}

/// Reads and drops whatever arrives until the mode changes (or the peer goes away).
async fn swallow_until_mode_changes(reader: &OwnedReadHalf, mut modes: watch::Receiver<ModeState>, epoch: u64) {
    let mut buf = vec![0u8; CHUNK];
    loop {
        if modes.borrow_and_update().epoch != epoch {
            return;
        }
        tokio::select! {
            changed = modes.changed() => if changed.is_err() { return },
            read = read_some(reader, &mut buf) => match read {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            },
        }
    }
}

/// Counts occurrences of `needle` in `chunk`, also those that straddle the previous chunk (whose last
/// `needle.len() - 1` bytes are kept in `tail`).
fn count_needle(needle: &[u8], tail: &mut Vec<u8>, chunk: &[u8]) -> u64 {
    tail.extend_from_slice(chunk);
    // `tail` held fewer bytes than the needle, so every match found now ends in the new chunk.
    let hits = tail.windows(needle.len()).filter(|w| *w == needle).count();
    let keep = needle.len().saturating_sub(1).min(tail.len());
    tail.drain(..tail.len() - keep);
    u64::try_from(hits).unwrap_or(u64::MAX)
}

/// Some bytes (0 at EOF). Uses readiness + `try_read`, which the workspace's tokio features offer
/// without the `io-util` extension traits.
pub(crate) async fn read_some(reader: &OwnedReadHalf, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        reader.readable().await?;
        match reader.try_read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
}

pub(crate) async fn write_all(writer: &OwnedWriteHalf, mut data: &[u8]) -> io::Result<()> {
    while !data.is_empty() {
        writer.writable().await?;
        match writer.try_write(data) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// How often each fault is picked, and for how long a mode holds.
#[derive(Debug, Clone)]
pub struct FaultPlan {
    /// Relative weights of pass, delay, refuse, cut request, cut response, blackhole.
    pub weights: [u32; 6],
    pub hold_ms: (u64, u64),
    pub delay_ms: (u64, u64),
    /// Cut budgets in bytes: small ones land in headers, larger ones in bodies.
    pub cut_bytes: (usize, usize),
}

impl Default for FaultPlan {
    fn default() -> Self {
        FaultPlan {
            weights: [40, 15, 10, 10, 15, 10],
            hold_ms: (100, 900),
            delay_ms: (20, 400),
            cut_bytes: (1, 1500),
        }
    }
}

impl FaultPlan {
    pub fn pick(&self, rng: &mut StdRng) -> Mode {
        let total: u32 = self.weights.iter().sum();
        let mut x = rng.gen_range(0..total.max(1));
        let mut which = 0;
        for (i, w) in self.weights.iter().enumerate() {
            if x < *w {
                which = i;
                break;
            }
            x -= w;
        }
        match which {
            1 => Mode::Delay(Duration::from_millis(rng.gen_range(self.delay_ms.0..=self.delay_ms.1))),
            2 => Mode::Refuse,
            3 => Mode::CutRequest(rng.gen_range(self.cut_bytes.0..=self.cut_bytes.1)),
            4 => Mode::CutResponse(rng.gen_range(self.cut_bytes.0..=self.cut_bytes.1)),
            5 => Mode::Blackhole,
            _ => Mode::Pass,
        }
    }

    pub fn hold(&self, rng: &mut StdRng) -> Duration {
        Duration::from_millis(rng.gen_range(self.hold_ms.0..=self.hold_ms.1))
    }
}

/// Switches a proxy between random modes until `stop` turns true, then leaves it in pass mode.
/// Returns how many faults (modes other than pass) it set.
pub fn spawn_scheduler(
    proxy: Arc<Proxy>,
    plan: FaultPlan,
    mut rng: StdRng,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<u64> {
    tokio::spawn(async move {
        let mut faults = 0u64;
        while !*stop.borrow_and_update() {
            let mode = plan.pick(&mut rng);
            if mode != Mode::Pass {
                faults += 1;
            }
            tracing::debug!(proxy = proxy.name(), %mode, "fault");
            proxy.set_mode(mode);
            tokio::select! {
                () = tokio::time::sleep(plan.hold(&mut rng)) => {}
                _ = stop.changed() => {}
            }
        }
        proxy.set_mode(Mode::Pass);
        faults
    })
}

#[cfg(test)]
#[path = "proxy_tests.rs"]
mod tests;
