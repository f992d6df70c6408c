//! A simulated SAM ID card reader: the far end of the protocol, for tests and demos without
//! hardware. It runs over any `Read + Write` (typically the master side of `TTYPort::pair()`),
//! holds a configurable card and can misbehave on purpose ([`Fault`]).

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use tracing::debug;

use super::frame::{self, Decoder, FrameError, Request};
use super::status::{SW3_FOUND, SW3_OK};
use super::text::{CardInfo, CardType, TEXT_LEN, TextError};

/// Ways the simulator misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Replies with the checksum byte inverted.
    BadChecksum,
    /// Sends only the first half of the reply.
    Truncated,
    /// Sends garbage (including a partial preamble) before the reply.
    Noise,
    /// On a read command the card leaves the field: answer SW3=41 and hold no card afterwards.
    RemoveMidRead,
    /// On a read command the card leaves the field mid-transfer: send part of the reply, then
    /// nothing, and hold no card afterwards.
    RemoveMidReadStop,
    /// Answers nothing at all, as an unplugged reader.
    Silent,
    /// Answers correctly but only after this delay (a slow SAM, or a reply that outlives the
    /// host's deadline and then arrives while the host waits for its next answer).
    Late(Duration),
}

impl Fault {
    /// Faults tied to reading a card; they wait for a read command instead of hitting the next reply.
    fn on_read_only(self) -> bool {
        matches!(self, Self::RemoveMidRead | Self::RemoveMidReadStop)
    }
}

/// Bytes sent before a reply in [`Fault::Noise`]: a stray byte, a preamble cut short and more junk.
pub const NOISE: &[u8] = &[0x13, 0xAA, 0xAA, 0x96, 0x00, 0xAA, 0xAA, 0xAA, 0x96, 0x55, 0x69];

const MAX_LOGGED_REQUESTS: usize = 10_000;

/// What the simulated reader holds and how it behaves; shared with the serving thread.
#[derive(Debug, Clone)]
struct State {
    card: Option<(CardInfo, [u8; TEXT_LEN])>,
    fault: Option<Fault>,
    /// How many more replies the fault hits; `usize::MAX` means for ever.
    fault_times: usize,
    sam_id: [u8; 16],
    /// (CMD, PARA) of every request seen, for assertions.
    requests: Vec<(u8, u8)>,
    /// Baud rate of an emulated UART (8N1): bytes then take the time they take on a real line.
    line_rate: Option<u32>,
}

/// The simulator's logic, independent of any I/O: request in, bytes out.
#[derive(Debug, Clone)]
pub struct Simulator {
    state: State,
}

impl Simulator {
    /// A reader holding `card` (or none). Fails if the card's fields do not fit the text block.
    pub fn new(card: Option<CardInfo>) -> Result<Self, TextError> {
        let mut sim = Self {
            state: State {
                card: None,
                fault: None,
                fault_times: 0,
                // 05.01-20121011-…: shaped like what vendor tools print.
                sam_id: [
                    5, 0, 1, 0, 0x53, 0xD9, 0x32, 0x01, 0x15, 0xCD, 0x5B, 0x07, 0xB1, 0x68, 0xDE, 0x3A,
                ],
                requests: Vec::new(),
                line_rate: None,
            },
        };
        sim.set_card(card)?;
        Ok(sim)
    }

    /// Puts a card in the field (`Some`) or takes it away (`None`).
    pub fn set_card(&mut self, card: Option<CardInfo>) -> Result<(), TextError> {
        self.state.card = match card {
            Some(info) => {
                let block = info.to_block()?;
                Some((info, block))
            }
            None => None,
        };
        Ok(())
    }

    /// Emulates a UART at `baud` (8N1, 10 bits a byte): a request is answered only after its bytes
    /// would have crossed the line, and replies leave at line rate. A pty moves bytes as fast as
    /// memory, so without this a benchmark would not show how the host copes with a real line.
    pub fn with_line_rate(mut self, baud: u32) -> Self {
        self.state.line_rate = Some(baud.max(1));
        self
    }

    /// How long `bytes` take on the emulated line (zero when not emulating one).
    pub fn line_time(&self, bytes: usize) -> Duration {
        line_time(self.state.line_rate, bytes)
    }

    /// Misbehaves `times` times (`usize::MAX`: until cleared).
    pub fn set_fault(&mut self, fault: Fault, times: usize) {
        self.state.fault = Some(fault);
        self.state.fault_times = times;
    }

    pub fn clear_fault(&mut self) {
        self.state.fault = None;
    }

    /// (CMD, PARA) of every request answered so far.
    pub fn requests(&self) -> &[(u8, u8)] {
        &self.state.requests
    }

    /// Bytes to send for a decoded request (possibly none, or a broken frame, per the fault).
    pub fn answer(&mut self, req: &Request) -> Vec<u8> {
        self.answer_with_delay(req).1
    }

    /// Like [`Simulator::answer`], plus how long to wait before sending ([`Fault::Late`]).
    pub fn answer_with_delay(&mut self, req: &Request) -> (Duration, Vec<u8>) {
        // Bounded so a simulator left running in a demo does not grow without end.
        if self.state.requests.len() >= MAX_LOGGED_REQUESTS {
            self.state.requests.drain(..MAX_LOGGED_REQUESTS / 2);
        }
        self.state.requests.push((req.cmd, req.para));
        let is_read = req.cmd == 0x30 && matches!(req.para, 0x01 | 0x10);
        let fault = match self.state.fault {
            Some(f) if self.state.fault_times > 0 && (!f.on_read_only() || is_read) => {
                if self.state.fault_times != usize::MAX {
                    self.state.fault_times -= 1;
                }
                Some(f)
            }
            _ => None,
        };
        match fault {
            Some(Fault::Silent) => return (Duration::ZERO, Vec::new()),
            Some(Fault::RemoveMidRead) => {
                self.state.card = None;
                return (Duration::ZERO, reply(0, 0, 0x41, &[]));
            }
            Some(Fault::Late(delay)) => return (delay, self.normal_answer(req)),
            _ => {}
        }
        let mut out = self.normal_answer(req);
        match fault {
            Some(Fault::BadChecksum) => {
                if let Some(last) = out.last_mut() {
                    *last ^= 0xFF;
                }
            }
            Some(Fault::Truncated) => out.truncate(out.len() / 2),
            Some(Fault::Noise) => {
                let mut noisy = NOISE.to_vec();
                noisy.extend_from_slice(&out);
                out = noisy;
            }
            Some(Fault::RemoveMidReadStop) => {
                self.state.card = None;
                out.truncate(out.len() / 3);
            }
            Some(Fault::Silent | Fault::RemoveMidRead | Fault::Late(_)) | None => {}
        }
        (Duration::ZERO, out)
    }

    /// Answer for a request that failed to decode (the SAM reports its own SW3 10/11).
    pub fn answer_bad_request(&mut self, error: &FrameError) -> Vec<u8> {
        match error {
            FrameError::BadChecksum { .. } => reply(0, 0, 0x10, &[]),
            FrameError::BadLength(_) => reply(0, 0, 0x11, &[]),
        }
    }

    fn normal_answer(&self, req: &Request) -> Vec<u8> {
        let card = self.state.card.as_ref();
        match (req.cmd, req.para) {
            (0x10, 0xFF) | (0x11, 0xFF) => reply(0, 0, SW3_OK, &[]),
            (0x12, 0xFF) => reply(0, 0, SW3_OK, &self.state.sam_id),
            (0x20, 0x01) if card.is_some() => reply(0, 0, SW3_FOUND, &[0; 4]),
            (0x20, 0x01) => reply(0, 0, 0x80, &[]),
            (0x20, 0x02) if card.is_some() => reply(0, 0, SW3_OK, &[0; 8]),
            (0x20, 0x02) => reply(0, 0, 0x81, &[]),
            (0x30, para @ (0x01 | 0x10)) => match card {
                Some((info, block)) => read_reply(info, block, para == 0x10),
                None => reply(0, 0, 0x41, &[]),
            },
            (0x30, 0x03) => reply(0, 0, 0x91, &[]),
            // Baud-rate change and max RF bytes: acknowledged, nothing to simulate.
            (0x60, 0x00..=0x04) | (0x61, 0xFF) => reply(0, 0, SW3_OK, &[]),
            _ => reply(0, 0, 0x21, &[]),
        }
    }

    /// Serves requests from `io` until `stop` is set, the stream ends or fails for real.
    ///
    /// `io` should have a read timeout (TTYPort has 100 ms by default) so `stop` is noticed.
    pub fn serve<S: Read + Write>(shared: &Mutex<Self>, io: &mut S, stop: &AtomicBool) -> io::Result<()> {
        let mut decoder = Decoder::requests();
        let mut buf = [0u8; 512];
        while !stop.load(Ordering::Relaxed) {
            let n = match io.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                    ) =>
                {
                    continue;
                }
                Err(e) => return Err(e),
            };
            decoder.push(&buf[..n]);
            loop {
                let (delay, out, line_rate) = match decoder.next_request() {
                    // The lock is released before sleeping so the test can change the card
                    // while a late reply is pending.
                    Ok(Some(req)) => {
                        let mut sim = lock(shared);
                        let request_len = frame::encode_request(req.cmd, req.para, &req.data).map_or(0, |f| f.len());
                        let (delay, out) = sim.answer_with_delay(&req);
                        (delay + sim.line_time(request_len), out, sim.state.line_rate)
                    }
                    Ok(None) => break,
                    Err(e) => {
                        debug!(error = %e, "simulator got a bad request");
                        let mut sim = lock(shared);
                        (Duration::ZERO, sim.answer_bad_request(&e), sim.state.line_rate)
                    }
                };
                thread::sleep(delay);
                write_paced(io, &out, line_rate)?;
            }
        }
        Ok(())
    }

    /// Runs the simulator on a thread over `io`; control it through the returned handle.
    pub fn spawn<S: Read + Write + Send + 'static>(self, mut io: S) -> SimHandle {
        let shared = Arc::new(Mutex::new(self));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (shared, stop) = (Arc::clone(&shared), Arc::clone(&stop));
            thread::spawn(move || Self::serve(&shared, &mut io, &stop))
        };
        SimHandle {
            shared,
            stop,
            thread: Some(thread),
        }
    }
}

fn line_time(line_rate: Option<u32>, bytes: usize) -> Duration {
    match line_rate {
        Some(baud) => Duration::from_secs_f64(bytes as f64 * 10.0 / f64::from(baud)),
        None => Duration::ZERO,
    }
}

/// Writes `out` at once, or at line rate: in small chunks, each sent when the line would have
/// carried the bytes before it (sleeping to absolute instants so rounding does not add up).
fn write_paced<S: Write>(io: &mut S, out: &[u8], line_rate: Option<u32>) -> io::Result<()> {
    if out.is_empty() {
        return Ok(());
    }
    if line_rate.is_none() {
        io.write_all(out)?;
        return io.flush();
    }
    const CHUNK: usize = 32;
    let start = Instant::now();
    for (i, chunk) in out.chunks(CHUNK).enumerate() {
        // A chunk is written once its last byte would have arrived.
        let arrived = start + line_time(line_rate, i * CHUNK + chunk.len());
        thread::sleep(arrived.saturating_duration_since(Instant::now()));
        io.write_all(chunk)?;
        io.flush()?;
    }
    Ok(())
}

fn reply(sw1: u8, sw2: u8, sw3: u8, data: &[u8]) -> Vec<u8> {
    // Every reply built here is far below MAX_LEN; an empty vec (silence) is the safe fallback.
    frame::encode_response(sw1, sw2, sw3, data).unwrap_or_default()
}

fn read_reply(info: &CardInfo, block: &[u8; TEXT_LEN], fingerprint: bool) -> Vec<u8> {
    let be = |n: usize| u16::try_from(n).unwrap_or(u16::MAX).to_be_bytes();
    let mut data = Vec::with_capacity(6 + TEXT_LEN + info.photo_wlt.len() + info.fingerprint.len());
    data.extend_from_slice(&be(TEXT_LEN));
    data.extend_from_slice(&be(info.photo_wlt.len()));
    if fingerprint {
        data.extend_from_slice(&be(info.fingerprint.len()));
    }
    data.extend_from_slice(block);
    data.extend_from_slice(&info.photo_wlt);
    if fingerprint {
        data.extend_from_slice(&info.fingerprint);
    }
    reply(0, 0, SW3_OK, &data)
}

fn lock(m: &Mutex<Simulator>) -> MutexGuard<'_, Simulator> {
    // A panic on the serving thread must not take the test's control handle down with it.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Control of a simulator running on its own thread.
pub struct SimHandle {
    shared: Arc<Mutex<Simulator>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl SimHandle {
    pub fn set_card(&self, card: Option<CardInfo>) -> Result<(), TextError> {
        lock(&self.shared).set_card(card)
    }

    pub fn set_fault(&self, fault: Fault, times: usize) {
        lock(&self.shared).set_fault(fault, times);
    }

    pub fn clear_fault(&self) {
        lock(&self.shared).clear_fault();
    }

    /// (CMD, PARA) of every request answered so far.
    pub fn requests(&self) -> Vec<(u8, u8)> {
        lock(&self.shared).requests().to_vec()
    }

    /// Stops the serving thread and waits for it (at most one read timeout of the stream).
    pub fn stop(mut self) -> io::Result<()> {
        self.stop.store(true, Ordering::Relaxed);
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("simulator thread panicked")),
            None => Ok(()),
        }
    }
}

impl Drop for SimHandle {
    /// Signals the thread to stop but does not join: a stream without a read timeout would block
    /// the drop for ever.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The sample resident card simulated readers hold (`devicectl --sim`, the apps' `sim` readers): a
/// fictitious person with a valid GB 11643 check character.
pub fn sample_card() -> CardInfo {
    let mut c = CardInfo::empty(CardType::Resident);
    c.name = "张三".into();
    c.sex = "男".into();
    c.nation = "汉".into();
    c.birth = "19900101".into();
    c.address = "黑龙江省哈尔滨市南岗区示例路1号".into();
    c.id_number = "230102199001011230".into();
    c.authority = "哈尔滨市公安局南岗分局".into();
    c.valid_from = "20200101".into();
    c.valid_to = "20400101".into();
    c
}
