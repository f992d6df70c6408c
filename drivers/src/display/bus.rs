//! [`LedBus`]: many window screens on one RS-485 line, driven by one writer thread.
//!
//! Screens are slow and the bus is shared, so frames need a gap between them (100 ms in the
//! reference adapter, which simply slept after each write). A caller must never wait for that:
//! [`LedBus::show`] encodes the frame (so a bad text is refused at once, with the field named),
//! stores it as the latest frame for that address and returns. If the same address gets a newer
//! text before the writer reached it, the newer one replaces it: a screen only ever needs to show
//! the latest text, so there is no backlog however fast updates come.

use std::collections::{HashMap, VecDeque};
use std::io::{self, Write as _};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use thiserror::Error;
use tracing::{debug, warn};

use super::WindowDisplay;
use super::codec::{CodecError, FrameCodec};

/// Where frames go. Implementations must not block for ever (give writes a deadline).
pub trait BusTransport: Send {
    /// Writes one whole frame and waits until it has left (so the gap is measured on the line).
    fn write_frame(&mut self, frame: &[u8]) -> io::Result<()>;
}

/// A serial port (RS-485 adapter) as a bus.
pub struct SerialBus {
    port: Box<dyn serialport::SerialPort>,
}

impl SerialBus {
    /// Opens `path` at `baud` 8N1 (strip screens commonly use 9600).
    pub fn open(path: &str, baud: u32) -> Result<Self, DisplayError> {
        let port = serialport::new(path, baud)
            .timeout(Duration::from_millis(500))
            .open()
            .map_err(|e| DisplayError::Open {
                path: path.to_owned(),
                detail: e.to_string(),
            })?;
        Ok(Self { port })
    }

    pub fn from_port(port: Box<dyn serialport::SerialPort>) -> Self {
        Self { port }
    }
}

impl BusTransport for SerialBus {
    fn write_frame(&mut self, frame: &[u8]) -> io::Result<()> {
        // The port timeout (500 ms) bounds each write; flush() drains the output queue (tcdrain),
        // so the gap that follows starts when the last byte left, not when it was queued.
        self.port.write_all(frame)?;
        self.port.flush()
    }
}

/// Bus timing.
#[derive(Debug, Clone)]
pub struct BusConfig {
    /// Least time between the end of one frame and the start of the next.
    pub min_gap: Duration,
    /// Added to `min_gap`. A write returns when the driver has handed the bytes on, which for
    /// USB–RS-485 converters is before their own FIFO drained, and a receiver may notice a frame a
    /// little late; without slack the gap seen on the line can come out a few ms short.
    pub slack: Duration,
    /// A write taking longer than this marks the bus as stalled (see [`BusStatus::Stalled`]).
    pub stall_after: Duration,
}

impl Default for BusConfig {
    fn default() -> Self {
        Self {
            min_gap: Duration::from_millis(100),
            slack: Duration::from_millis(10),
            stall_after: Duration::from_secs(2),
        }
    }
}

/// Health of the line, for device status pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BusStatus {
    Running,
    /// A write has not returned for longer than [`BusConfig::stall_after`] (flow control stuck).
    Stalled {
        since: Duration,
    },
    /// A write failed (adapter unplugged, port gone); the writer stopped.
    Failed(String),
    Stopped,
}

#[derive(Debug, Error)]
pub enum DisplayError {
    #[error("无法打开串口 / cannot open serial port {path}: {detail}")]
    Open { path: String, detail: String },
    #[error("未配置的窗口 / window {0:?} has no screen address configured")]
    UnknownWindow(String),
    #[error(transparent)]
    Codec(#[from] CodecError),
    #[error("窗口屏总线故障 / LED bus down: {0}")]
    BusDown(String),
    #[error("等待发送超时 / frames still pending after {0:?}")]
    FlushTimeout(Duration),
}

/// Counters for tests and status pages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BusStats {
    pub frames_sent: u64,
    /// Frames replaced by a newer one for the same address before being sent.
    pub coalesced: u64,
}

#[derive(Default)]
struct State {
    /// Latest unsent frame per address.
    pending: HashMap<u8, Vec<u8>>,
    /// Addresses with a pending frame, oldest first, so one busy window cannot starve the others.
    order: VecDeque<u8>,
    writing_since: Option<Instant>,
    failed: Option<String>,
    stop: bool,
    stats: BusStats,
}

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
}

fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    shared.state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Window screens on one line.
pub struct LedBus {
    shared: Arc<Shared>,
    codec: Arc<dyn FrameCodec>,
    windows: HashMap<String, u8>,
    config: BusConfig,
    thread: Option<JoinHandle<()>>,
    /// Text sent by [`WindowDisplay::clear`].
    clear_text: String,
}

impl LedBus {
    /// Starts the writer thread on `transport`. `windows` maps window ids to screen addresses.
    pub fn start<T: BusTransport + 'static>(
        transport: T,
        codec: Arc<dyn FrameCodec>,
        windows: impl IntoIterator<Item = (String, u8)>,
        config: BusConfig,
    ) -> Self {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
        });
        let thread = {
            let (shared, gap) = (Arc::clone(&shared), config.min_gap + config.slack);
            thread::Builder::new()
                .name("led-bus".into())
                .spawn(move || writer(&shared, transport, gap))
                .map_err(|e| warn!("cannot start LED bus writer: {e}"))
                .ok()
        };
        if thread.is_none() {
            lock(&shared).failed = Some("writer thread could not start".into());
        }
        Self {
            shared,
            codec,
            windows: windows.into_iter().collect(),
            config,
            thread,
            clear_text: String::new(),
        }
    }

    /// Text that [`WindowDisplay::clear`] sends (default: empty, a blank screen).
    pub fn set_clear_text(&mut self, text: impl Into<String>) {
        self.clear_text = text.into();
    }

    /// Queues `text` for the screen at `address` (no window mapping needed). Never blocks on the line.
    pub fn show_address(&self, address: u8, text: &str) -> Result<(), DisplayError> {
        let frame = self.codec.encode(address, text)?;
        let mut st = lock(&self.shared);
        if let Some(why) = &st.failed {
            return Err(DisplayError::BusDown(why.clone()));
        }
        if st.stop {
            return Err(DisplayError::BusDown("bus stopped".into()));
        }
        if st.pending.insert(address, frame).is_some() {
            st.stats.coalesced += 1;
        } else {
            st.order.push_back(address);
        }
        drop(st);
        self.shared.wake.notify_all();
        Ok(())
    }

    fn address(&self, window: &str) -> Result<u8, DisplayError> {
        self.windows
            .get(window)
            .copied()
            .ok_or_else(|| DisplayError::UnknownWindow(window.to_owned()))
    }

    pub fn status(&self) -> BusStatus {
        let st = lock(&self.shared);
        if let Some(why) = &st.failed {
            return BusStatus::Failed(why.clone());
        }
        if st.stop {
            return BusStatus::Stopped;
        }
        match st.writing_since.map(|t| t.elapsed()) {
            Some(since) if since > self.config.stall_after => BusStatus::Stalled { since },
            _ => BusStatus::Running,
        }
    }

    pub fn stats(&self) -> BusStats {
        lock(&self.shared).stats
    }

    /// Waits until everything queued has been written (for tools and tests; the hall app never
    /// needs to). Fails at once when the bus is down, or after `timeout`.
    pub fn flush(&self, timeout: Duration) -> Result<(), DisplayError> {
        let deadline = Instant::now() + timeout;
        let mut st = lock(&self.shared);
        loop {
            if let Some(why) = &st.failed {
                return Err(DisplayError::BusDown(why.clone()));
            }
            if st.pending.is_empty() && st.writing_since.is_none() {
                return Ok(());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(DisplayError::FlushTimeout(timeout));
            }
            st = self
                .shared
                .wake
                .wait_timeout(st, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Stops the writer (unsent frames are dropped) and waits for it.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        lock(&self.shared).stop = true;
        self.shared.wake.notify_all();
        if let Some(t) = self.thread.take()
            && t.join().is_err()
        {
            warn!("LED bus writer panicked");
        }
    }
}

impl Drop for LedBus {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl WindowDisplay for LedBus {
    fn show(&self, window: &str, text: &str) -> Result<(), DisplayError> {
        self.show_address(self.address(window)?, text)
    }

    fn clear(&self, window: &str) -> Result<(), DisplayError> {
        self.show_address(self.address(window)?, &self.clear_text)
    }
}

fn writer<T: BusTransport>(shared: &Shared, mut transport: T, gap: Duration) {
    // Before the first frame there is no previous one to keep a gap from.
    let mut next_allowed = Instant::now();
    let mut st = lock(shared);
    loop {
        if st.stop {
            return;
        }
        let now = Instant::now();
        if st.order.is_empty() || now < next_allowed {
            let wait = if st.order.is_empty() {
                Duration::from_secs(3600)
            } else {
                next_allowed - now
            };
            st = shared
                .wake
                .wait_timeout(st, wait)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            continue;
        }
        let Some(address) = st.order.pop_front() else { continue };
        let Some(frame) = st.pending.remove(&address) else {
            continue;
        };
        st.writing_since = Some(now);
        drop(st);
        let result = transport.write_frame(&frame);
        next_allowed = Instant::now() + gap;
        st = lock(shared);
        st.writing_since = None;
        match result {
            Ok(()) => {
                st.stats.frames_sent += 1;
                debug!(address, bytes = frame.len(), "LED frame sent");
            }
            Err(e) => {
                warn!(address, "LED bus write failed: {e}");
                st.failed = Some(format!("write to screen {address} failed: {e}"));
                st.pending.clear();
                st.order.clear();
                shared.wake.notify_all();
                return;
            }
        }
        shared.wake.notify_all();
    }
}
