//! QR / barcode scanner (扫码枪): appointment codes, e-licence QR codes, ticket barcodes.
//!
//! Scanners reach the host in one of three modes, chosen with the scanner's own configuration
//! barcodes; each has a decoder here and the first two a [`Scanner`] backend:
//!
//! - [`serial`]: serial or USB CDC-ACM (`/dev/ttyACM*`). Each code ends with a configured suffix
//!   (CR, LF, CRLF) or, with no suffix, with a pause. Bytes are UTF-8, or GB18030 from scanners
//!   set to the Chinese code page: the only mode besides HID-POS that carries Chinese text.
//! - [`hidpos`]: HID-POS (usage page 0x8C), Newland-style 64-byte reports reassembled across
//!   continuation reports, read through hidapi (`VID:PID` or a hidraw path).
//! - [`wedge`]: keyboard wedge, boot keyboard reports `[mods, 0, k1..k6]`. A wedge types only
//!   US-keyboard characters (no Chinese); on Windows hidapi cannot open keyboards at all, so
//!   deployments should switch scanners to serial or HID-POS. The decoder is here for Linux
//!   hidraw and for tests.
//! - [`qr`]: QR codes in camera frames (a document camera standing in for a scanner).
//! - [`sim`]: a serial scanner on the far end of a pty, with fault modes.
//!
//! ```
//! # #[cfg(unix)]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use drivers::scanner::{Scanner, SerialConfig, SerialScanner, SerialSource, Suffix};
//! use drivers::scanner::sim::{ScannerSim, SimStep};
//!
//! let (sim, port) = ScannerSim::pty(Suffix::Cr, vec![SimStep::Code("APPT:20261123-A023".into())])?;
//! let mut scanner = SerialScanner::new(SerialSource::from_port(Box::new(port)), SerialConfig::default());
//! let scan = scanner.next_scan(Duration::from_secs(2))?.ok_or("no scan")?;
//! assert_eq!(scan.text, "APPT:20261123-A023");
//! drop(sim);
//! # Ok(())
//! # }
//! # #[cfg(not(unix))]
//! # fn main() {}
//! ```

pub mod hidpos;
pub mod qr;
pub mod serial;
pub mod sim;
pub mod wedge;

use std::fmt;
use std::io;
use std::time::Duration;

use serde::Serialize;
use thiserror::Error;

pub use hidpos::{HidPosScanner, HidSource, ReportError, ReportSource};
pub use qr::decode_qr;
pub use serial::{ByteSource, SerialConfig, SerialScanner, SerialSource, Suffix, decode_text};
pub use wedge::WedgeScanner;

/// Which symbology a code was read from, as far as the mode tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Symbology {
    /// Decoded by [`decode_qr`] from a camera frame.
    Qr,
    /// The code-ID byte a HID-POS scanner put in its report (byte 62). Its meaning is the
    /// vendor's (Newland, Honeywell and others use different tables, and the research has none),
    /// so it is passed on as sent rather than guessed into a name.
    CodeId(u8),
}

impl fmt::Display for Symbology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Qr => f.write_str("QR"),
            Self::CodeId(b) if b.is_ascii_graphic() => write!(f, "code id '{}' (0x{b:02X})", char::from(*b)),
            Self::CodeId(b) => write!(f, "code id 0x{b:02X}"),
        }
    }
}

/// The connection mode a scan came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanSource {
    Serial,
    HidPos,
    KeyboardWedge,
    Camera,
}

/// One scanned code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scan {
    pub text: String,
    pub symbology: Option<Symbology>,
    pub source: ScanSource,
}

/// A scanner: yields codes as they are scanned.
pub trait Scanner: Send {
    /// Waits at most about `timeout` for the next code. `Ok(None)`: nothing was scanned in time.
    /// A scanner that was unplugged is an error ([`ScannerError::Disconnected`]), never a hang.
    fn next_scan(&mut self, timeout: Duration) -> Result<Option<Scan>, ScannerError>;
}

impl Scanner for Box<dyn Scanner> {
    fn next_scan(&mut self, timeout: Duration) -> Result<Option<Scan>, ScannerError> {
        (**self).next_scan(timeout)
    }
}

/// Longest code accepted by default: a version-40 QR code holds at most 7089 digits, so anything
/// longer is a runaway stream (wrong baud rate, missing suffix), not a code.
pub const DEFAULT_MAX_LEN: usize = 8 * 1024;

#[derive(Debug, Error)]
pub enum ScannerError {
    #[error("无法打开扫码枪 {device} / cannot open scanner {device}: {source}")]
    Open {
        device: String,
        #[source]
        source: io::Error,
    },
    #[error("扫码枪连接断开（已拔出？）/ scanner disconnected (unplugged?): {0}")]
    Disconnected(#[source] io::Error),
    #[error("扫码枪读取错误 / scanner I/O error: {0}")]
    Io(#[source] io::Error),
    #[error("条码超过 {max} 字节，已丢弃 / code longer than {max} bytes, discarded (wrong suffix or baud rate?)")]
    TooLong { max: usize },
    #[error("HID-POS 报告格式错误 / malformed HID-POS report: {0}")]
    Report(#[from] ReportError),
}

impl ScannerError {
    /// Errors after which the scanner can keep being read (one bad code); the others mean the
    /// device must be reopened.
    pub fn is_recoverable(&self) -> bool {
        matches!(self, Self::TooLong { .. } | Self::Report(_))
    }
}

/// Serial ports and hidraw report an unplugged device as EIO, a hang-up (`BrokenPipe`) or end of
/// file; on an open device every failure other than a timeout is taken as the device being gone.
pub(crate) fn read_failure(e: io::Error) -> ScannerError {
    match e.kind() {
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => ScannerError::Io(e),
        _ => ScannerError::Disconnected(e),
    }
}
