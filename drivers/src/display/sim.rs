//! Simulated window screens: the far end of the RS-485 line (typically the master side of
//! `TTYPort::pair()`). Decodes frames with a [`FrameCodec`] and records what each address was told
//! to show and when the frame arrived. Screens never answer, as in the real protocol.

use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::codec::{FrameCodec, StreamDecoder, StreamItem};

/// One frame a screen accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub address: u8,
    pub text: String,
    /// When the frame's last byte was read.
    pub at: Instant,
}

/// Ways the line misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreenFault {
    /// Line noise: every `every`-th received byte has a bit flipped before decoding.
    Garble { every: usize },
}

#[derive(Debug, Default)]
struct State {
    shown: Vec<Shown>,
    /// (bytes dropped, reason) for every run of bytes that were not a valid frame.
    rejected: Vec<(usize, String)>,
    fault: Option<ScreenFault>,
    received: usize,
}

const MAX_RECORDS: usize = 10_000;
/// Read timeout of the serving loop: how soon it notices [`ScreenSimHandle::stop`].
const POLL: Duration = Duration::from_millis(20);

fn lock(s: &Mutex<State>) -> MutexGuard<'_, State> {
    s.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running simulator.
pub struct ScreenSim {
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ScreenSim {
    /// Serves `io` (give a serial port a short read timeout, e.g. 20 ms, so stop is prompt).
    pub fn spawn<R: Read + Send + 'static>(codec: Arc<dyn FrameCodec>, mut io: R) -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (state, stop) = (Arc::clone(&state), Arc::clone(&stop));
            thread::spawn(move || serve(codec.as_ref(), &mut io, &state, &stop))
        };
        Self {
            state,
            stop,
            thread: Some(thread),
        }
    }

    /// Spawns on the master side of a pty pair (made by the caller, who owns the pair lock).
    pub fn spawn_pty(codec: Arc<dyn FrameCodec>, mut master: serialport::TTYPort) -> io::Result<Self> {
        serialport::SerialPort::set_timeout(&mut master, POLL)?;
        Ok(Self::spawn(codec, master))
    }

    pub fn set_fault(&self, fault: Option<ScreenFault>) {
        lock(&self.state).fault = fault;
    }

    /// Every accepted frame, oldest first.
    pub fn shown(&self) -> Vec<Shown> {
        lock(&self.state).shown.clone()
    }

    /// The latest text of `address`, if it got any.
    pub fn text_of(&self, address: u8) -> Option<String> {
        lock(&self.state)
            .shown
            .iter()
            .rev()
            .find(|s| s.address == address)
            .map(|s| s.text.clone())
    }

    /// Runs of bytes refused as frames (garbled or garbage), with the reason.
    pub fn rejected(&self) -> Vec<(usize, String)> {
        lock(&self.state).rejected.clone()
    }

    /// Waits until `pred` holds for the accepted frames, or `timeout` passes; returns whether it held.
    pub fn wait_for(&self, timeout: Duration, pred: impl Fn(&[Shown]) -> bool) -> bool {
        crate::poll::poll_until(timeout, || pred(&lock(&self.state).shown).then_some(())).is_some()
    }

    /// Stops serving (within one read poll) and closes the line.
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

impl Drop for ScreenSim {
    fn drop(&mut self) {
        self.halt();
    }
}

fn serve(codec: &dyn FrameCodec, io: &mut dyn Read, state: &Mutex<State>, stop: &AtomicBool) {
    let mut decoder = StreamDecoder::new();
    let mut buf = [0u8; 512];
    while !stop.load(Ordering::Relaxed) {
        let n = match io.read(&mut buf) {
            Ok(0) => {
                thread::sleep(POLL);
                continue;
            }
            Ok(n) => n,
            Err(e) if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => continue,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            // A pty master reads EIO while no slave is open; wait for one.
            Err(_) => {
                thread::sleep(POLL);
                continue;
            }
        };
        let at = Instant::now();
        let mut st = lock(state);
        let bytes = buf.get_mut(..n).unwrap_or_default();
        if let Some(ScreenFault::Garble { every }) = st.fault {
            let every = every.max(1);
            for b in bytes.iter_mut() {
                st.received += 1;
                if st.received.is_multiple_of(every) {
                    *b ^= 0x10;
                }
            }
        } else {
            st.received += bytes.len();
        }
        for item in decoder.push(codec, bytes) {
            if st.shown.len() >= MAX_RECORDS {
                st.shown.drain(..MAX_RECORDS / 2);
            }
            if st.rejected.len() >= MAX_RECORDS {
                st.rejected.drain(..MAX_RECORDS / 2);
            }
            match item {
                StreamItem::Frame(f) => st.shown.push(Shown {
                    address: f.address,
                    text: f.text,
                    at,
                }),
                StreamItem::Rejected { bytes, reason } => st.rejected.push((bytes, reason)),
            }
        }
    }
}
