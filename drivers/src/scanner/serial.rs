//! Serial / USB CDC-ACM scanners: codes as bytes on a line, ended by a suffix or by a pause.
//!
//! [`Framer`] (and the one-shot [`split_codes`]) turns the byte stream into codes without doing
//! any I/O; [`SerialScanner`] drives it from a [`ByteSource`] with deadlines, so an unplugged
//! scanner ends in [`ScannerError::Disconnected`] and a silent one in `Ok(None)`.

use std::collections::VecDeque;
use std::io::{self, Read as _};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tracing::warn;

use super::{DEFAULT_MAX_LEN, Scan, ScanSource, Scanner, ScannerError, read_failure};

/// What the scanner sends after each code (set with its configuration barcodes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Suffix {
    /// Carriage return, the factory default of most scanners.
    #[default]
    Cr,
    Lf,
    CrLf,
    /// Nothing: a pause on the line ([`SerialConfig::gap`]) ends the code.
    None,
}

impl Suffix {
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Self::Cr => b"\r",
            Self::Lf => b"\n",
            Self::CrLf => b"\r\n",
            Self::None => b"",
        }
    }

    /// Parses `cr`, `lf`, `crlf` or `none` (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "cr" => Some(Self::Cr),
            "lf" => Some(Self::Lf),
            "crlf" => Some(Self::CrLf),
            "none" => Some(Self::None),
            _ => None,
        }
    }
}

/// One item out of the byte stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Framed {
    /// A complete code's bytes (noise removed, suffix stripped).
    Code(Vec<u8>),
    /// A code longer than the limit; its bytes were dropped up to its end.
    TooLong { len: usize },
    /// Bytes cut off without a suffix (line mode only): the scanner lost power or the cable
    /// was pulled mid-code. Dropped, so they cannot glue onto the front of the next code.
    Incomplete(Vec<u8>),
}

/// Control bytes that are line noise rather than code content. TAB, EOT and FS/GS/RS/US stay:
/// GS1 and ISO/IEC 15434 codes carry them as separators. 0xFF is neither UTF-8 nor GB18030.
fn is_noise(b: u8) -> bool {
    matches!(b, 0x00..=0x03 | 0x05..=0x08 | 0x0B | 0x0C | 0x0E..=0x1B | 0x7F | 0xFF)
}

/// Incremental splitter of a scanner's byte stream. Never panics, whatever the input.
///
/// In line mode (any suffix but [`Suffix::None`]) both CR and LF end a code, whichever suffix
/// is configured, and empty codes are skipped: a scanner re-configured to CRLF by someone scanning
/// the wrong setup barcode must not break the desk. The configured suffix only tells line mode
/// from gap mode (and what the simulator sends). In gap mode CR and LF are content (a QR code may
/// hold several lines) and only [`Framer::gap`] ends a code.
#[derive(Debug, Clone)]
pub struct Framer {
    line_mode: bool,
    max_len: usize,
    buf: Vec<u8>,
    /// Bytes of an over-long code dropped so far (0: not dropping).
    dropped: usize,
}

impl Framer {
    pub fn new(suffix: Suffix, max_len: usize) -> Self {
        Self {
            line_mode: suffix != Suffix::None,
            max_len: max_len.max(1),
            buf: Vec::new(),
            dropped: 0,
        }
    }

    /// Feeds bytes; returns the items they complete.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Framed> {
        let mut out = Vec::new();
        for &b in bytes {
            if self.line_mode && (b == b'\r' || b == b'\n') {
                out.extend(self.end(true));
            } else if is_noise(b) {
                // skipped
            } else if self.dropped > 0 {
                self.dropped = self.dropped.saturating_add(1);
            } else if self.buf.len() >= self.max_len {
                self.dropped = self.buf.len() + 1;
                self.buf = Vec::new();
            } else {
                self.buf.push(b);
            }
        }
        out
    }

    /// The line was quiet for the inter-character gap: ends what is buffered.
    pub fn gap(&mut self) -> Option<Framed> {
        self.end(!self.line_mode)
    }

    /// Whether bytes of an unfinished code are buffered (or being dropped).
    pub fn has_partial(&self) -> bool {
        !self.buf.is_empty() || self.dropped > 0
    }

    fn end(&mut self, complete: bool) -> Option<Framed> {
        if self.dropped > 0 {
            let len = std::mem::take(&mut self.dropped);
            return Some(Framed::TooLong { len });
        }
        if self.buf.is_empty() {
            return None;
        }
        let bytes = std::mem::take(&mut self.buf);
        Some(if complete {
            Framed::Code(bytes)
        } else {
            Framed::Incomplete(bytes)
        })
    }
}

/// Splits a complete capture of a scanner's output into codes, as if the line went quiet at the
/// end. The serial parser's entry point for fuzzing: never panics.
pub fn split_codes(bytes: &[u8], suffix: Suffix, max_len: usize) -> Vec<Framed> {
    let mut framer = Framer::new(suffix, max_len);
    let mut out = framer.push(bytes);
    out.extend(framer.gap());
    out
}

/// Decodes a code's bytes: UTF-8 when valid (a UTF-8 BOM is dropped), otherwise GB18030, which
/// scanners set to the Chinese code page send and which covers GBK and GB2312. Never fails: an
/// invalid GB18030 sequence becomes U+FFFD.
pub fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::GB18030.decode_without_bom_handling(bytes).0.into_owned(),
    }
}

/// Bytes from a scanner's port.
pub trait ByteSource: Send {
    /// Reads what is available, waiting at most `timeout`. `Ok(0)`: nothing arrived in time.
    /// A device that is gone must be an error, not `Ok(0)` for ever.
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize>;
}

/// A [`ByteSource`] over a `serialport` port: a UART, a USB CDC-ACM scanner (`/dev/ttyACM0`,
/// `COM5`) or a pty.
pub struct SerialSource {
    port: Box<dyn serialport::SerialPort>,
}

impl SerialSource {
    /// Opens `path` at `baud` (8N1; CDC-ACM devices ignore the rate).
    pub fn open(path: &str, baud: u32) -> Result<Self, ScannerError> {
        let port = serialport::new(path, baud)
            .timeout(Duration::from_millis(100))
            .open()
            .map_err(|e| ScannerError::Open {
                device: path.to_owned(),
                source: e.into(),
            })?;
        Ok(Self { port })
    }

    /// Wraps an already opened port (e.g. the slave end of `TTYPort::pair()`).
    pub fn from_port(port: Box<dyn serialport::SerialPort>) -> Self {
        Self { port }
    }
}

impl ByteSource for SerialSource {
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        self.port.set_timeout(timeout).map_err(io::Error::from)?;
        match self.port.read(buf) {
            // A tty read of 0 bytes is end of file: the device hung up.
            Ok(0) => Err(io::Error::new(io::ErrorKind::UnexpectedEof, "serial port closed")),
            Ok(n) => Ok(n),
            Err(e) if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => Ok(0),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(0),
            Err(e) => Err(e),
        }
    }
}

/// Framing and timing of a serial scanner.
#[derive(Debug, Clone)]
pub struct SerialConfig {
    pub suffix: Suffix,
    /// With [`Suffix::None`]: a pause this long ends a code. Scanners send a code in one burst
    /// (at 9600 baud a byte takes about 1 ms), so 50 ms is far longer than any gap inside a code
    /// and far shorter than the time between two scans.
    pub gap: Duration,
    /// With a suffix: bytes left this long without their suffix are a cut-off code and dropped.
    pub stale_after: Duration,
    pub max_len: usize,
}

impl Default for SerialConfig {
    fn default() -> Self {
        Self {
            suffix: Suffix::Cr,
            gap: Duration::from_millis(50),
            stale_after: Duration::from_millis(500),
            max_len: DEFAULT_MAX_LEN,
        }
    }
}

/// A serial / CDC-ACM scanner.
pub struct SerialScanner<S: ByteSource> {
    source: S,
    config: SerialConfig,
    framer: Framer,
    ready: VecDeque<Framed>,
    last_byte: Instant,
    dropped_partials: usize,
}

impl<S: ByteSource> SerialScanner<S> {
    pub fn new(source: S, config: SerialConfig) -> Self {
        Self {
            framer: Framer::new(config.suffix, config.max_len),
            source,
            config,
            ready: VecDeque::new(),
            last_byte: Instant::now(),
            dropped_partials: 0,
        }
    }

    /// Cut-off codes dropped so far (for diagnostics).
    pub fn dropped_partials(&self) -> usize {
        self.dropped_partials
    }

    fn quiet_limit(&self) -> Duration {
        if self.config.suffix == Suffix::None {
            self.config.gap
        } else {
            self.config.stale_after
        }
    }
}

impl<S: ByteSource> Scanner for SerialScanner<S> {
    fn next_scan(&mut self, timeout: Duration) -> Result<Option<Scan>, ScannerError> {
        let deadline = Instant::now() + timeout;
        let mut buf = [0u8; 512];
        loop {
            while let Some(item) = self.ready.pop_front() {
                match item {
                    Framed::Code(bytes) => {
                        let text = decode_text(&bytes);
                        if text.trim().is_empty() {
                            continue;
                        }
                        return Ok(Some(Scan {
                            text,
                            symbology: None,
                            source: ScanSource::Serial,
                        }));
                    }
                    Framed::TooLong { .. } => {
                        return Err(ScannerError::TooLong {
                            max: self.config.max_len,
                        });
                    }
                    Framed::Incomplete(bytes) => {
                        self.dropped_partials += 1;
                        warn!(len = bytes.len(), "scanner code without suffix dropped");
                    }
                }
            }
            let now = Instant::now();
            let quiet_end = self.framer.has_partial().then(|| self.last_byte + self.quiet_limit());
            if let Some(end) = quiet_end
                && now >= end
            {
                self.ready.extend(self.framer.gap());
                continue;
            }
            if now >= deadline {
                return Ok(None);
            }
            let wait_until = quiet_end.map_or(deadline, |end| end.min(deadline));
            let n = self
                .source
                .read(&mut buf, wait_until.saturating_duration_since(now))
                .map_err(read_failure)?;
            if n > 0 {
                self.last_byte = Instant::now();
                // A source claiming more than the buffer holds is clamped rather than trusted.
                let items = self.framer.push(buf.get(..n).unwrap_or(&buf));
                self.ready.extend(items);
            }
        }
    }
}
