//! A simulated ESC/POS printer: the far end of the driver, over a pty pair or a loopback socket.
//!
//! It parses the byte stream enough to record what a real printer would put on paper (GB18030
//! text, QR payloads, cuts), answers `DLE EOT` per its state and `GS r 1` in order, and has fault
//! modes for the conditions hall staff meet: paper near end, paper out mid-print, cover open,
//! offline, silent and a port that vanishes.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use serialport::SerialPort;

use super::commands::Cut;
use super::status::PaperState;

/// One parsed ESC/POS element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EscPos {
    /// Printable bytes (GB18030), without the terminating LF.
    Text(Vec<u8>),
    LineFeed,
    Init,
    ChineseMode(bool),
    Align(u8),
    Bold(bool),
    Size(u8),
    Feed(u8),
    Cut(Cut),
    QrStore(Vec<u8>),
    QrPrint,
    /// Other `GS ( k` functions (model, size, error level).
    QrSetting,
    /// `DLE EOT n` (real-time).
    StatusRequest(u8),
    /// `GS r n` (in order).
    TransmitStatus(u8),
    /// Bytes of a command the simulator does not model.
    Unknown(Vec<u8>),
}

/// Incremental parser: bytes may arrive split at any point.
#[derive(Debug, Default)]
pub struct EscPosParser {
    buf: Vec<u8>,
}

enum Step {
    Done(EscPos, usize),
    NeedMore,
}

fn need(b: &[u8], n: usize) -> Option<&[u8]> {
    b.get(..n)
}

fn parse_one(b: &[u8]) -> Step {
    use Step::{Done, NeedMore};
    let Some(&first) = b.first() else {
        return NeedMore;
    };
    let unknown = |n: usize| Done(EscPos::Unknown(b[..n].to_vec()), n);
    match first {
        0x0A => Done(EscPos::LineFeed, 1),
        0x10 => match need(b, 3) {
            None if b.get(1).is_none_or(|&x| x == 0x04) => NeedMore,
            Some(&[_, 0x04, n]) => Done(EscPos::StatusRequest(n), 3),
            _ => unknown(1),
        },
        0x1B => {
            let Some(&op) = b.get(1) else { return NeedMore };
            match op {
                b'@' => Done(EscPos::Init, 2),
                b'a' | b'E' | b'd' | b'!' | b'M' | b'-' | b'J' => match b.get(2) {
                    None => NeedMore,
                    Some(&n) => Done(
                        match op {
                            b'a' => EscPos::Align(n),
                            b'E' => EscPos::Bold(n & 1 == 1),
                            b'd' => EscPos::Feed(n),
                            _ => EscPos::Unknown(b[..3].to_vec()),
                        },
                        3,
                    ),
                },
                _ => unknown(2),
            }
        }
        0x1C => match b.get(1) {
            None => NeedMore,
            Some(b'&') => Done(EscPos::ChineseMode(true), 2),
            Some(b'.') => Done(EscPos::ChineseMode(false), 2),
            Some(_) => unknown(2),
        },
        0x1D => {
            let Some(&op) = b.get(1) else { return NeedMore };
            match op {
                b'!' | b'r' => match b.get(2) {
                    None => NeedMore,
                    Some(&n) if op == b'!' => Done(EscPos::Size(n), 3),
                    Some(&n) => Done(EscPos::TransmitStatus(n), 3),
                },
                b'V' => match b.get(2) {
                    None => NeedMore,
                    Some(0x00 | 0x30) => Done(EscPos::Cut(Cut::Full), 3),
                    Some(0x01 | 0x31) => Done(EscPos::Cut(Cut::Partial), 3),
                    Some(&m @ (0x41 | 0x42)) => match b.get(3) {
                        None => NeedMore,
                        Some(_) if m == 0x41 => Done(EscPos::Cut(Cut::Full), 4),
                        Some(_) => Done(EscPos::Cut(Cut::Partial), 4),
                    },
                    Some(_) => unknown(3),
                },
                b'(' => {
                    let Some(&[_, _, fn_class, pl, ph]) = need(b, 5) else {
                        return NeedMore;
                    };
                    let total = 5 + usize::from(pl) + 256 * usize::from(ph);
                    let Some(whole) = need(b, total) else {
                        return NeedMore;
                    };
                    if fn_class != b'k' {
                        return unknown(total);
                    }
                    let ev = match whole.get(5..8) {
                        Some(&[0x31, 0x50, 0x30]) => EscPos::QrStore(whole[8..].to_vec()),
                        Some(&[0x31, 0x51, _]) => EscPos::QrPrint,
                        _ => EscPos::QrSetting,
                    };
                    Done(ev, total)
                }
                _ => unknown(2),
            }
        }
        0x00..=0x1F | 0x7F => unknown(1),
        _ => {
            let len = b.iter().position(|&x| x < 0x20 || x == 0x7F).unwrap_or(b.len());
            Done(EscPos::Text(b[..len].to_vec()), len)
        }
    }
}

impl EscPosParser {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, bytes: &[u8]) -> Vec<EscPos> {
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        let mut at = 0;
        while at < self.buf.len() {
            match parse_one(&self.buf[at..]) {
                Step::Done(ev, n) => {
                    out.push(ev);
                    at += n.max(1);
                }
                Step::NeedMore => break,
            }
        }
        self.buf.drain(..at.min(self.buf.len()));
        out
    }
}

/// Fault the simulated printer is put in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimFault {
    None,
    PaperNearEnd,
    /// Paper runs out after this many printed lines; the rest of the job is lost.
    PaperOutAfterLines(usize),
    CoverOpen,
    Offline,
    /// Reads everything, answers nothing.
    Silent,
}

/// What the simulated printer put on paper.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimRecord {
    /// Printed lines, decoded from GB18030.
    pub lines: Vec<String>,
    pub qr_payloads: Vec<Vec<u8>>,
    pub qr_printed: usize,
    pub cuts: Vec<Cut>,
    pub status_requests: usize,
}

impl SimRecord {
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }
}

#[derive(Debug)]
struct State {
    fault: SimFault,
    paper: PaperState,
    pending_text: Vec<u8>,
    record: SimRecord,
}

impl State {
    fn stopped(&self) -> bool {
        self.paper == PaperState::Out || matches!(self.fault, SimFault::CoverOpen | SimFault::Offline)
    }

    fn status_byte(&self, n: u8) -> u8 {
        let cover = self.fault == SimFault::CoverOpen;
        let out = self.paper == PaperState::Out;
        let mut b = 0x12;
        match n {
            1 if self.stopped() => b |= 0x08 | 0x20,
            2 => {
                if cover {
                    b |= 0x04;
                }
                if out {
                    b |= 0x20;
                }
            }
            4 => match self.paper {
                PaperState::Ok => {}
                PaperState::NearEnd => b |= 0x0C,
                PaperState::Out => b |= 0x6C,
            },
            _ => {}
        }
        b
    }

    fn flush_line(&mut self) {
        let (text, _) = encoding_rs::GB18030.decode_without_bom_handling(&self.pending_text);
        self.record.lines.push(text.into_owned());
        self.pending_text.clear();
        if let SimFault::PaperOutAfterLines(n) = self.fault
            && self.record.lines.len() >= n
        {
            self.paper = PaperState::Out;
        }
    }

    /// Applies one element; returns the bytes to answer.
    fn apply(&mut self, ev: EscPos) -> Option<u8> {
        if self.fault == SimFault::Silent {
            return None;
        }
        if let EscPos::StatusRequest(n) = ev {
            self.record.status_requests += 1;
            return (1..=4).contains(&n).then(|| self.status_byte(n));
        }
        // In-order data is lost while the printer is stopped, as on a printer whose buffer was
        // cleared by an error recovery.
        if self.stopped() {
            return None;
        }
        match ev {
            EscPos::Text(t) => self.pending_text.extend(t),
            EscPos::LineFeed => self.flush_line(),
            EscPos::Feed(_) if !self.pending_text.is_empty() => self.flush_line(),
            EscPos::QrStore(d) => self.record.qr_payloads.push(d),
            EscPos::QrPrint => self.record.qr_printed += 1,
            EscPos::Cut(c) => self.record.cuts.push(c),
            EscPos::TransmitStatus(_) => {
                return Some(match self.paper {
                    PaperState::Ok => 0x00,
                    PaperState::NearEnd => 0x03,
                    PaperState::Out => 0x0F,
                });
            }
            _ => {}
        }
        None
    }
}

fn lock(s: &Mutex<State>) -> MutexGuard<'_, State> {
    // A panic elsewhere must not take the simulator down with a second panic.
    s.lock().unwrap_or_else(|p| p.into_inner())
}

const IDLE: Duration = Duration::from_millis(20);

/// Handle to a running simulator; stops it on drop.
pub struct PrinterSim {
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

fn serve<P: Read + Write>(port: &mut P, state: &Mutex<State>, stop: &AtomicBool) -> io::Result<()> {
    let mut parser = EscPosParser::new();
    let mut buf = [0u8; 1024];
    while !stop.load(Ordering::Relaxed) {
        let n = match port.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => {
                continue;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let replies: Vec<u8> = {
            let mut st = lock(state);
            parser
                .push(&buf[..n])
                .into_iter()
                .filter_map(|ev| st.apply(ev))
                .collect()
        };
        if !replies.is_empty() {
            port.write_all(&replies)?;
            port.flush()?;
        }
    }
    Ok(())
}

impl PrinterSim {
    fn new_state() -> Arc<Mutex<State>> {
        Arc::new(Mutex::new(State {
            fault: SimFault::None,
            paper: PaperState::Ok,
            pending_text: Vec::new(),
            record: SimRecord::default(),
        }))
    }

    /// Starts a simulator on the master side of a fresh pty pair; returns the slave side, which
    /// behaves like the printer's serial port.
    pub fn pty() -> io::Result<(PrinterSim, serialport::TTYPort)> {
        let (mut master, slave) = crate::pty_pair()?;
        master.set_timeout(IDLE)?;
        let state = Self::new_state();
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp) = (state.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !sp.load(Ordering::Relaxed) {
                // A master read fails with EIO while no slave is open; keep waiting for one.
                if serve(&mut master, &st, &sp).is_err() {
                    std::thread::sleep(IDLE);
                }
            }
        });
        Ok((
            PrinterSim {
                state,
                stop,
                thread: Some(thread),
            },
            slave,
        ))
    }

    /// Starts a simulator listening on `addr` (e.g. "127.0.0.1:0" or "127.0.0.1:9100"), serving
    /// one connection at a time like a printer's raw port.
    pub fn tcp(addr: &str) -> io::Result<(PrinterSim, SocketAddr)> {
        let listener = TcpListener::bind(addr)?;
        let local = listener.local_addr()?;
        listener.set_nonblocking(true)?;
        let state = Self::new_state();
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp) = (state.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !sp.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        let ok = stream.set_nonblocking(false).is_ok()
                            && stream.set_read_timeout(Some(IDLE)).is_ok()
                            && stream.set_nodelay(true).is_ok();
                        if ok {
                            let _ = serve(&mut stream, &st, &sp);
                        }
                    }
                    Err(_) => std::thread::sleep(IDLE),
                }
            }
        });
        Ok((
            PrinterSim {
                state,
                stop,
                thread: Some(thread),
            },
            local,
        ))
    }

    pub fn set_fault(&self, fault: SimFault) {
        let mut st = lock(&self.state);
        st.fault = fault;
        st.paper = match fault {
            SimFault::PaperNearEnd => PaperState::NearEnd,
            // Already past the limit (e.g. `PaperOutAfterLines(0)`): out of paper now.
            SimFault::PaperOutAfterLines(n) if st.record.lines.len() >= n => PaperState::Out,
            _ => PaperState::Ok,
        };
    }

    pub fn record(&self) -> SimRecord {
        lock(&self.state).record.clone()
    }

    /// The port disappears (cable pulled, printer powered off): the simulator stops and closes its
    /// end. Returns once the port is closed.
    pub fn vanish(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for PrinterSim {
    fn drop(&mut self) {
        self.vanish();
    }
}
