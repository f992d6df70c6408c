//! Host side of the SAM protocol: [`IdCardReader`] over any [`Transport`].
//!
//! Every exchange has a deadline ([`ReaderConfig::timeout`]), so no call can hang on an unplugged
//! or silent reader; [`IdCardReader::read_card`] runs find → select → read with bounded retries.

use std::fmt;
use std::io::{self, Read as _, Write as _};
use std::thread;
use std::time::{Duration, Instant};

use thiserror::Error;
use tracing::{debug, warn};

use super::frame::{self, Decoder, FrameError, Response};
use super::status::{SW3_FOUND, SW3_OK, SamError};
use super::text::{CardInfo, TEXT_LEN, TextError};

/// Byte pipe to the reader. Implemented for serial ports by [`SerialTransport`]; tests and other
/// links (USB bulk pipes, sockets) can bring their own.
pub trait Transport: Send {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Reads what is available, waiting at most `timeout`. `Ok(0)` means nothing arrived in time;
    /// it must not block past `timeout`.
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize>;
}

/// Longest a request write may take; requests are a few bytes, so this only trips on a dead line.
const WRITE_TIMEOUT: Duration = Duration::from_millis(500);

/// A [`Transport`] over a `serialport` port (UART default 115200 8N1).
pub struct SerialTransport {
    port: Box<dyn serialport::SerialPort>,
}

impl SerialTransport {
    /// Opens `path` at 115200 8N1, the SAM default.
    pub fn open(path: &str) -> Result<Self, ReaderError> {
        let port = serialport::new(path, 115_200)
            .timeout(Duration::from_millis(100))
            .open()
            .map_err(|source| ReaderError::Open {
                path: path.to_owned(),
                source,
            })?;
        Ok(Self { port })
    }

    /// Wraps an already opened port (e.g. one end of `TTYPort::pair()` in tests).
    pub fn from_port(port: Box<dyn serialport::SerialPort>) -> Self {
        Self { port }
    }
}

impl Transport for SerialTransport {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        // The port timeout is whatever the last read left (possibly zero); writes get their own
        // bound so a stuck line (flow control, full USB buffer) cannot block for ever.
        self.port.set_timeout(WRITE_TIMEOUT).map_err(io::Error::from)?;
        self.port.write_all(bytes)?;
        self.port.flush()
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        self.port.set_timeout(timeout).map_err(io::Error::from)?;
        match self.port.read(buf) {
            Ok(n) => Ok(n),
            Err(e) if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => Ok(0),
            Err(e) => Err(e),
        }
    }
}

/// How a reader is attached over USB (see the module docs of [`crate::idcard`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsbReader {
    /// CDC-ACM or USB-serial: the device's tty path (`/dev/ttyACM0`, `COM5`).
    Serial { path: String },
    /// HID class, by vendor and product ID.
    Hid { vendor_id: u16, product_id: u16 },
}

/// Opens a USB reader: a serial-class one through its tty; HID-class ones are refused with
/// [`ReaderError::Unsupported`] because their report format is not public.
pub fn open_usb(reader: &UsbReader) -> Result<SerialTransport, ReaderError> {
    match reader {
        UsbReader::Serial { path } => SerialTransport::open(path),
        UsbReader::Hid { .. } => Err(ReaderError::Unsupported(
            "不支持 HID 模式的读卡器，请用厂商工具切换为串口/CDC 模式 / HID-class ID card readers are not \
             supported (their report format is not public): switch the reader to serial/CDC mode",
        )),
    }
}

/// Timing and retry policy.
#[derive(Debug, Clone)]
pub struct ReaderConfig {
    /// Deadline for one request/response exchange. 1100 ms is the longest seen in the wild and
    /// covers a full read (the SAM needs several hundred ms to talk to the card).
    pub timeout: Duration,
    /// Attempts of find → select → read in [`IdCardReader::read_card`] (at least one is made).
    pub attempts: u32,
    /// Pause between attempts, so a card being put down has a moment to settle.
    pub retry_pause: Duration,
    /// Whether [`IdCardReader::read_card`] also reads the fingerprint (`30 10`).
    pub fingerprint: bool,
}

impl Default for ReaderConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_millis(1100),
            attempts: 3,
            retry_pause: Duration::from_millis(50),
            fingerprint: false,
        }
    }
}

#[derive(Debug, Error)]
pub enum ReaderError {
    #[error("无法打开串口 / cannot open serial port {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: serialport::Error,
    },
    #[error("读卡器无应答 / no answer to {op} within {waited:?} (reader unplugged, powered off or wrong port?)")]
    Timeout { op: &'static str, waited: Duration },
    #[error("串口读写错误 / serial I/O error during {op}: {source}")]
    Io {
        op: &'static str,
        #[source]
        source: io::Error,
    },
    #[error("{op}: {source}")]
    Frame {
        op: &'static str,
        #[source]
        source: FrameError,
    },
    #[error("{op}: {error} (SW1 SW2 = {sw1:02X} {sw2:02X})")]
    Sam {
        op: &'static str,
        error: SamError,
        sw1: u8,
        sw2: u8,
    },
    #[error("{op}: 应答格式错误 / malformed reply: {detail}")]
    Malformed { op: &'static str, detail: String },
    #[error(transparent)]
    Text(#[from] TextError),
    #[error("{0}")]
    Unsupported(&'static str),
}

impl ReaderError {
    /// Worth another find → select → read: a garbled or lost exchange, or a card that moved.
    /// A timeout counts because one lost byte looks the same as a silent reader; retries are
    /// bounded, so an unplugged reader still ends in [`ReaderError::Timeout`].
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Timeout { .. } | Self::Frame { .. } | Self::Malformed { .. } => true,
            Self::Sam { error, .. } => error.is_transient(),
            Self::Open { .. } | Self::Io { .. } | Self::Text(_) | Self::Unsupported(_) => false,
        }
    }
}

/// The SAM's identity (16 data bytes of the `12 FF` reply).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamId {
    pub raw: Vec<u8>,
}

impl fmt::Display for SamId {
    /// `d[0].d[2]-u32-u32-u32` (little-endian u32s at 4, 8, 12), the layout vendor tools print.
    /// Only one source describes it; `raw` is kept for anything that needs certainty.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.raw;
        let le = |i: usize| {
            d.get(i..i + 4)
                .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        };
        write!(
            f,
            "{:02}.{:02}-{}-{:010}-{:010}",
            d.first().copied().unwrap_or(0),
            d.get(2).copied().unwrap_or(0),
            le(4),
            le(8),
            le(12)
        )
    }
}

/// An ID card reader speaking the SAM protocol.
///
/// "The card must leave the field": after [`IdCardReader::read_card`] returns a card, further calls
/// return `Ok(None)` while "find" still reports a card, and the next card is only read after a find
/// has reported "no card" (SW3=80) at least once. A desk app polling once a second thus reports
/// each presentation of a card exactly once, however long it lies on the reader.
pub struct IdCardReader<T: Transport> {
    transport: T,
    decoder: Decoder,
    config: ReaderConfig,
    awaiting_removal: bool,
}

impl<T: Transport> IdCardReader<T> {
    pub fn new(transport: T) -> Self {
        Self::with_config(transport, ReaderConfig::default())
    }

    pub fn with_config(transport: T, config: ReaderConfig) -> Self {
        Self {
            transport,
            decoder: Decoder::responses(),
            config,
            awaiting_removal: false,
        }
    }

    pub fn config(&self) -> &ReaderConfig {
        &self.config
    }

    /// True after a card was read and no "no card" has been seen since.
    pub fn awaiting_removal(&self) -> bool {
        self.awaiting_removal
    }

    pub fn into_inner(self) -> T {
        self.transport
    }

    /// Resets the SAM (`10 FF`).
    pub fn reset(&mut self) -> Result<(), ReaderError> {
        let r = self.transact("reset", 0x10, 0xFF, Expect::Empty)?;
        ok(&r, "reset")
    }

    /// SAM self-check (`11 FF`); `Ok` means the SAM is ready.
    pub fn sam_status(&mut self) -> Result<(), ReaderError> {
        let r = self.transact("sam_status", 0x11, 0xFF, Expect::Empty)?;
        ok(&r, "sam_status")
    }

    /// Reads the SAM's identity (`12 FF`).
    pub fn sam_id(&mut self) -> Result<SamId, ReaderError> {
        let r = self.transact("sam_id", 0x12, 0xFF, Expect::SamId)?;
        ok(&r, "sam_id")?;
        if r.data.len() != 16 {
            return Err(ReaderError::Malformed {
                op: "sam_id",
                detail: format!("{} data bytes, expected 16", r.data.len()),
            });
        }
        Ok(SamId { raw: r.data })
    }

    /// Reads whatever card lies on the field now, even one already reported — for a button press or
    /// a screen that asks again (`read_card` reports each presentation once, which suits polling).
    /// `Ok(None)`: no card.
    pub fn read_present(&mut self) -> Result<Option<CardInfo>, ReaderError> {
        if !self.find()? {
            return Ok(None);
        }
        self.select()?;
        self.read().map(Some)
    }

    /// Looks for a card (`20 01`): `true` if one is in the field.
    pub fn find(&mut self) -> Result<bool, ReaderError> {
        let r = self.transact("find", 0x20, 0x01, Expect::Find)?;
        match r.sw3 {
            SW3_FOUND | SW3_OK => Ok(true),
            0x80 => Ok(false),
            _ => ok(&r, "find").map(|()| false),
        }
    }

    /// Selects the card found by [`IdCardReader::find`] (`20 02`).
    pub fn select(&mut self) -> Result<(), ReaderError> {
        let r = self.transact("select", 0x20, 0x02, Expect::Select)?;
        ok(&r, "select")
    }

    /// Reads text and photo (`30 01`) of the selected card.
    pub fn read(&mut self) -> Result<CardInfo, ReaderError> {
        let r = self.transact("read", 0x30, 0x01, Expect::Read { header: 4 })?;
        ok(&r, "read")?;
        parse_read("read", &r.data, false)
    }

    /// Reads text, photo and fingerprint (`30 10`) of the selected card.
    pub fn read_with_fingerprint(&mut self) -> Result<CardInfo, ReaderError> {
        let r = self.transact("read_with_fingerprint", 0x30, 0x10, Expect::Read { header: 6 })?;
        ok(&r, "read_with_fingerprint")?;
        parse_read("read_with_fingerprint", &r.data, true)
    }

    /// find → select → read, retrying transient failures up to [`ReaderConfig::attempts`] times.
    ///
    /// `Ok(None)`: no card, or the card already reported is still in the field (see the type docs).
    /// Worst case duration is about `attempts × 3 × timeout`.
    pub fn read_card(&mut self) -> Result<Option<CardInfo>, ReaderError> {
        let attempts = self.config.attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.read_card_once() {
                Ok(card) => return Ok(card),
                Err(e) if e.is_transient() && attempt < attempts => {
                    warn!(attempt, error = %e, "id card read failed, retrying");
                    thread::sleep(self.config.retry_pause);
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn read_card_once(&mut self) -> Result<Option<CardInfo>, ReaderError> {
        if !self.find()? {
            self.awaiting_removal = false;
            return Ok(None);
        }
        if self.awaiting_removal {
            return Ok(None);
        }
        self.select()?;
        let info = if self.config.fingerprint {
            self.read_with_fingerprint()?
        } else {
            self.read()?
        };
        self.awaiting_removal = true;
        Ok(Some(info))
    }

    /// Sends one request and waits, until the deadline, for one response.
    fn transact(&mut self, op: &'static str, cmd: u8, para: u8, expect: Expect) -> Result<Response, ReaderError> {
        self.drain_stale(op)?;
        let request = frame::encode_request(cmd, para, &[]).map_err(|source| ReaderError::Frame { op, source })?;
        self.transport
            .write_all(&request)
            .map_err(|source| ReaderError::Io { op, source })?;
        let deadline = Instant::now() + self.config.timeout;
        let mut buf = [0u8; 1024];
        // A bad length usually means noise that happened to contain a preamble, so keep listening
        // for the real reply; it is reported only if nothing better arrives before the deadline.
        let mut bad_length = None;
        loop {
            match self.decoder.next_response() {
                Ok(Some(r)) if expect.fits(&r) => return Ok(r),
                Ok(Some(r)) => {
                    debug!(
                        op,
                        sw3 = r.sw3,
                        len = r.data.len(),
                        "ignoring a reply of another command"
                    );
                    continue;
                }
                Ok(None) => {}
                Err(source @ FrameError::BadLength(_)) => {
                    debug!(op, error = %source, "skipping frame");
                    bad_length = Some(source);
                    continue;
                }
                // A whole frame with a plausible length arrived but is corrupt: that was the reply.
                Err(source) => return Err(ReaderError::Frame { op, source }),
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(match bad_length {
                    Some(source) => ReaderError::Frame { op, source },
                    None => ReaderError::Timeout {
                        op,
                        waited: self.config.timeout,
                    },
                });
            }
            let n = self
                .transport
                .read(&mut buf, deadline - now)
                .map_err(|source| ReaderError::Io { op, source })?;
            if n == 0 {
                // A transport at EOF may return 0 at once; do not spin on it until the deadline.
                thread::sleep(Duration::from_millis(2).min(deadline.saturating_duration_since(now)));
            }
            self.decoder.push(&buf[..n]);
        }
    }

    /// Throws away whatever arrived since the last exchange (the tail of a reply that came after
    /// its deadline), so it cannot be taken for the answer to the next request.
    fn drain_stale(&mut self, op: &'static str) -> Result<(), ReaderError> {
        self.decoder.clear();
        let mut buf = [0u8; 1024];
        // Bounded: a babbling line must not keep us here forever.
        for _ in 0..64 {
            let n = self
                .transport
                .read(&mut buf, Duration::ZERO)
                .map_err(|source| ReaderError::Io { op, source })?;
            if n == 0 {
                break;
            }
            debug!(op, bytes = n, "dropping stale bytes");
        }
        Ok(())
    }
}

/// The shape of a success reply to each command. The protocol has no sequence numbers, so a reply
/// that missed its deadline arrives while the host waits for the next answer; checking the shape
/// keeps a late "read OK" from being taken as "card found" or "select OK". Error replies always
/// fit: at worst a stale one causes a retry, never a false success.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// `90`, no data (reset, SAM status).
    Empty,
    /// `90` + 16 bytes.
    SamId,
    /// `9F` + 4 bytes (some readers answer `90` + 4).
    Find,
    /// `90` + up to 8 bytes.
    Select,
    /// `90` + length header + at least the text block.
    Read { header: usize },
}

impl Expect {
    fn fits(self, r: &Response) -> bool {
        let n = r.data.len();
        match (r.sw3, self) {
            (SW3_OK, Self::Empty) => n == 0,
            (SW3_OK, Self::SamId) => n == 16,
            (SW3_FOUND, Self::Find) => n <= 8,
            (SW3_OK, Self::Find) => n == 4,
            (SW3_OK, Self::Select) => n <= 8,
            (SW3_OK, Self::Read { header }) => n >= header + TEXT_LEN,
            (SW3_FOUND, _) => false,
            _ => true,
        }
    }
}

fn ok(r: &Response, op: &'static str) -> Result<(), ReaderError> {
    SamError::check(r.sw3).map_err(|error| ReaderError::Sam {
        op,
        error,
        sw1: r.sw1,
        sw2: r.sw2,
    })
}

/// Read reply data: big-endian lengths (text, photo[, fingerprint]) then the blocks themselves.
fn parse_read(op: &'static str, data: &[u8], fingerprint: bool) -> Result<CardInfo, ReaderError> {
    let header = if fingerprint { 6 } else { 4 };
    let malformed = |detail: String| ReaderError::Malformed { op, detail };
    if data.len() < header {
        return Err(malformed(format!("{} data bytes, no length header", data.len())));
    }
    let len_at = |i: usize| usize::from(u16::from_be_bytes([data[i], data[i + 1]]));
    let text_len = len_at(0);
    let photo_len = len_at(2);
    let fp_len = if fingerprint { len_at(4) } else { 0 };
    if header + text_len + photo_len + fp_len != data.len() {
        return Err(malformed(format!(
            "lengths {text_len}+{photo_len}+{fp_len} do not match {} data bytes",
            data.len() - header
        )));
    }
    let text_end = header + text_len;
    let photo_end = text_end + photo_len;
    let mut info = CardInfo::parse(&data[header..text_end])?;
    info.photo_wlt = data[text_end..photo_end].to_vec();
    info.fingerprint = data[photo_end..].to_vec();
    Ok(info)
}
