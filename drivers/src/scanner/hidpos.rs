//! HID-POS scanners (USB usage page 0x8C): codes in 64-byte input reports.
//!
//! Report layout (Newland, VID 0x1EAB, research §6): byte 0 report ID 0x02, byte 1 data length,
//! bytes 2–57 data, byte 62 symbology (code ID), byte 63 continuation flag (non-zero: the code
//! goes on in the next report). [`parse_report`] reads one report, [`Assembler`] joins a code
//! split over several, [`HidPosScanner`] drives them from any [`ReportSource`], and [`HidSource`]
//! is the hidapi backend.

use std::ffi::CString;
use std::io;
use std::time::{Duration, Instant};

use thiserror::Error;
use tracing::warn;

use super::serial::decode_text;
use super::{DEFAULT_MAX_LEN, Scan, ScanSource, Scanner, ScannerError, Symbology, read_failure};

pub const REPORT_ID: u8 = 0x02;
pub const REPORT_LEN: usize = 64;
/// Data bytes one report can carry (bytes 2–57).
pub const MAX_DATA: usize = 56;
const DATA_START: usize = 2;
const SYMBOLOGY_AT: usize = 62;
const CONTINUATION_AT: usize = 63;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReportError {
    #[error("报告 ID 0x{0:02X} 不是 0x02 / report ID 0x{0:02X} is not the HID-POS input report 0x02")]
    WrongId(u8),
    #[error("报告只有 {0} 字节 / report of {0} bytes, expected 64")]
    Short(usize),
    #[error("数据长度 {0} 超过 56 / data length {0} exceeds the 56 bytes a report holds")]
    BadLength(u8),
}

/// One HID-POS input report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report<'a> {
    pub data: &'a [u8],
    pub symbology: u8,
    /// More of the same code follows in the next report.
    pub continues: bool,
}

/// Parses one input report (report ID included, as hidraw and hidapi return it). Longer buffers
/// are accepted and only their first 64 bytes read. Never panics.
pub fn parse_report(report: &[u8]) -> Result<Report<'_>, ReportError> {
    let Some(&id) = report.first() else {
        return Err(ReportError::Short(0));
    };
    if id != REPORT_ID {
        return Err(ReportError::WrongId(id));
    }
    let (Some(&len), Some(&symbology), Some(&flag)) =
        (report.get(1), report.get(SYMBOLOGY_AT), report.get(CONTINUATION_AT))
    else {
        return Err(ReportError::Short(report.len()));
    };
    let data = report
        .get(DATA_START..DATA_START + usize::from(len))
        .filter(|_| usize::from(len) <= MAX_DATA)
        .ok_or(ReportError::BadLength(len))?;
    Ok(Report {
        data,
        symbology,
        continues: flag != 0,
    })
}

/// Joins a code split over continuation reports.
#[derive(Debug, Clone)]
pub struct Assembler {
    buf: Vec<u8>,
    max_len: usize,
    too_long: bool,
}

/// What one report completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assembled {
    /// A whole code and the symbology byte of its last report.
    Code { data: Vec<u8>, symbology: u8 },
    /// A code longer than the limit, dropped.
    TooLong,
}

impl Assembler {
    pub fn new(max_len: usize) -> Self {
        Self {
            buf: Vec::new(),
            max_len: max_len.max(1),
            too_long: false,
        }
    }

    /// Feeds one report; `Ok(Some(_))` when it ended a code. A malformed report is an error and
    /// also throws away the code in progress, whose missing piece could be anywhere.
    pub fn push(&mut self, report: &[u8]) -> Result<Option<Assembled>, ReportError> {
        let r = match parse_report(report) {
            Ok(r) => r,
            Err(e) => {
                self.reset();
                return Err(e);
            }
        };
        if self.buf.len() + r.data.len() > self.max_len {
            self.too_long = true;
            self.buf = Vec::new();
        } else if !self.too_long {
            self.buf.extend_from_slice(r.data);
        }
        if r.continues {
            return Ok(None);
        }
        if std::mem::take(&mut self.too_long) {
            return Ok(Some(Assembled::TooLong));
        }
        if self.buf.is_empty() {
            return Ok(None);
        }
        Ok(Some(Assembled::Code {
            data: std::mem::take(&mut self.buf),
            symbology: r.symbology,
        }))
    }

    pub fn has_partial(&self) -> bool {
        !self.buf.is_empty() || self.too_long
    }

    /// Drops a code in progress (its continuation never came).
    pub fn reset(&mut self) {
        self.buf.clear();
        self.too_long = false;
    }
}

/// Decodes a capture of consecutive 64-byte reports into codes (text, symbology byte); malformed
/// reports are skipped. The HID-POS parser's entry point for fuzzing: never panics.
pub fn decode_reports(bytes: &[u8]) -> Vec<(String, u8)> {
    let mut asm = Assembler::new(DEFAULT_MAX_LEN);
    bytes
        .chunks(REPORT_LEN)
        .filter_map(|r| match asm.push(r) {
            Ok(Some(Assembled::Code { data, symbology })) => Some((decode_text(&data), symbology)),
            _ => None,
        })
        .collect()
}

/// Input reports from a HID device.
pub trait ReportSource: Send {
    /// Reads one input report into `buf`, waiting at most `timeout`. `Ok(0)`: none in time.
    fn read_report(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize>;
}

/// A HID device through hidapi (on Linux the pure-Rust hidraw backend).
pub struct HidSource {
    device: hidapi::HidDevice,
}

/// Parses `VID:PID` in hex (`1eab:0d10`, `0x1EAB:0x0D10`).
pub fn parse_vid_pid(s: &str) -> Option<(u16, u16)> {
    let (v, p) = s.split_once(':')?;
    let hex = |x: &str| {
        let x = x.trim();
        let x = x.strip_prefix("0x").or_else(|| x.strip_prefix("0X")).unwrap_or(x);
        (!x.is_empty() && x.len() <= 4)
            .then(|| u16::from_str_radix(x, 16).ok())
            .flatten()
    };
    Some((hex(v)?, hex(p)?))
}

fn hid_err(e: hidapi::HidError) -> io::Error {
    io::Error::other(e.to_string())
}

impl HidSource {
    /// Opens `VID:PID` (hex) or a device path (`/dev/hidraw3` on Linux).
    pub fn open(device: &str) -> Result<Self, ScannerError> {
        let open_err = |source: io::Error| ScannerError::Open {
            device: device.to_owned(),
            source,
        };
        let api = hidapi::HidApi::new().map_err(|e| open_err(hid_err(e)))?;
        let dev = match parse_vid_pid(device) {
            Some((vid, pid)) => api.open(vid, pid),
            None => {
                let path = CString::new(device)
                    .map_err(|_| open_err(io::Error::new(io::ErrorKind::InvalidInput, "NUL in device path")))?;
                api.open_path(&path)
            }
        }
        .map_err(|e| open_err(hid_err(e)))?;
        Ok(Self { device: dev })
    }
}

impl ReportSource for HidSource {
    fn read_report(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        // hidapi takes milliseconds as i32; -1 would mean "block for ever", so clamp to >= 0.
        let ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
        self.device.read_timeout(buf, ms.max(0)).map_err(hid_err)
    }
}

/// How long a code may wait for its continuation report before it is dropped: reports of one code
/// follow each other within a few USB polling intervals (1–10 ms).
const CONTINUATION_WAIT: Duration = Duration::from_millis(500);

/// A HID-POS scanner over any [`ReportSource`].
pub struct HidPosScanner<S: ReportSource> {
    source: S,
    assembler: Assembler,
    max_len: usize,
    last_report: Instant,
}

impl<S: ReportSource> HidPosScanner<S> {
    pub fn new(source: S) -> Self {
        Self::with_max_len(source, DEFAULT_MAX_LEN)
    }

    pub fn with_max_len(source: S, max_len: usize) -> Self {
        Self {
            source,
            assembler: Assembler::new(max_len),
            max_len,
            last_report: Instant::now(),
        }
    }
}

impl<S: ReportSource> Scanner for HidPosScanner<S> {
    fn next_scan(&mut self, timeout: Duration) -> Result<Option<Scan>, ScannerError> {
        let deadline = Instant::now() + timeout;
        let mut buf = [0u8; REPORT_LEN];
        loop {
            let now = Instant::now();
            if self.assembler.has_partial() && now >= self.last_report + CONTINUATION_WAIT {
                warn!("HID-POS code without its continuation report dropped");
                self.assembler.reset();
            }
            if now >= deadline {
                return Ok(None);
            }
            let n = self
                .source
                .read_report(&mut buf, deadline - now)
                .map_err(read_failure)?;
            if n == 0 {
                continue;
            }
            self.last_report = Instant::now();
            match self.assembler.push(buf.get(..n).unwrap_or(&buf))? {
                Some(Assembled::Code { data, symbology }) => {
                    return Ok(Some(Scan {
                        text: decode_text(&data),
                        symbology: (symbology != 0).then_some(Symbology::CodeId(symbology)),
                        source: ScanSource::HidPos,
                    }));
                }
                Some(Assembled::TooLong) => return Err(ScannerError::TooLong { max: self.max_len }),
                None => {}
            }
        }
    }
}
