//! USB keypad evaluators that enumerate as HID keyboards.
//!
//! No public report format exists for these keypads; the ones seen present a boot keyboard, so
//! reports are `[modifiers, reserved, k1..k6]` (key usages currently held). A press is the moment a
//! usage appears in a report; a held key repeats in every report, so only these key-down edges
//! count. A report of all `0x01` (ErrorRollOver: too many keys) says nothing about which keys are
//! held and is ignored.
//!
//! The key → rating map is configuration ([`KeyMap`]). The default is the common labelling of these
//! keypads, key 1 (leftmost, green) = 非常满意 down to key 5 = 非常不满意, on both the main-row digits
//! (usages 0x1E–0x22) and the numeric keypad (0x59–0x5D). A keypad gives a level only: for the two
//! negative levels the window terminal must still collect a reason ([`Rating::needs_reason`]).

use std::collections::BTreeMap;
use std::ffi::CString;
use std::time::{Duration, Instant};

use thiserror::Error;

use super::rating::Rating;

/// Length of a boot keyboard report.
pub const BOOT_REPORT_LEN: usize = 8;
/// Usage a keyboard puts in every key slot when more keys are down than it can report.
const ERROR_ROLL_OVER: u8 = 0x01;

/// A decoded boot keyboard report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootReport {
    pub modifiers: u8,
    /// Usages held (no zeros).
    pub keys: Vec<u8>,
    /// The keyboard reported ErrorRollOver instead of keys.
    pub rollover: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReportError {
    #[error("HID 报告长度错误 / HID report of {0} bytes; a boot keyboard report has 8 (or 9 with a report ID)")]
    Length(usize),
}

/// Decodes a boot keyboard report (fuzz target; never panics). A 9-byte report is taken as a
/// report ID followed by the 8 boot bytes (hidraw delivers the ID when the descriptor uses IDs).
pub fn decode_boot_report(bytes: &[u8]) -> Result<BootReport, ReportError> {
    let body = match bytes.len() {
        BOOT_REPORT_LEN => bytes,
        9 => bytes.get(1..).unwrap_or_default(),
        n => return Err(ReportError::Length(n)),
    };
    let (modifiers, slots) = match body {
        [m, _reserved, rest @ ..] => (*m, rest),
        _ => return Err(ReportError::Length(bytes.len())),
    };
    let rollover = slots.iter().all(|k| *k == ERROR_ROLL_OVER);
    let mut keys: Vec<u8> = Vec::with_capacity(6);
    if !rollover {
        for k in slots.iter().copied().filter(|k| *k > ERROR_ROLL_OVER + 2) {
            // 0x01–0x03 are error codes, not keys; a key listed twice is one key.
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    Ok(BootReport {
        modifiers,
        keys,
        rollover,
    })
}

/// Turns successive reports into key-down edges.
#[derive(Debug, Default, Clone)]
pub struct KeyEdges {
    held: Vec<u8>,
}

impl KeyEdges {
    pub fn new() -> Self {
        Self::default()
    }

    /// Usages newly pressed in `report`, in report order. Rollover reports change nothing.
    pub fn update(&mut self, report: &BootReport) -> Vec<u8> {
        if report.rollover {
            return Vec::new();
        }
        let pressed = report.keys.iter().copied().filter(|k| !self.held.contains(k)).collect();
        self.held.clone_from(&report.keys);
        pressed
    }
}

/// Key usage → rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMap {
    map: BTreeMap<u8, Rating>,
}

impl Default for KeyMap {
    /// Key 1 = 非常满意 (5), 2 = 满意 (4), 3 = 基本满意 (3), 4 = 不满意 (2), 5 = 非常不满意 (1), on the
    /// main row (0x1E–0x22) and the keypad (0x59–0x5D).
    fn default() -> Self {
        let mut map = BTreeMap::new();
        for (i, rating) in Rating::ALL.into_iter().rev().enumerate() {
            let i = u8::try_from(i).unwrap_or(0);
            map.insert(0x1E + i, rating);
            map.insert(0x59 + i, rating);
        }
        Self { map }
    }
}

impl KeyMap {
    /// An empty map (no key rates anything).
    pub fn empty() -> Self {
        Self { map: BTreeMap::new() }
    }

    pub fn with(mut self, usage: u8, rating: Rating) -> Self {
        self.map.insert(usage, rating);
        self
    }

    pub fn rating(&self, usage: u8) -> Option<Rating> {
        self.map.get(&usage).copied()
    }
}

/// Where reports come from (the HID device, or a test's script).
pub trait ReportSource: Send {
    /// Reads one input report into `buf`, waiting at most `timeout`; `Ok(0)`: nothing in time.
    fn read_report(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, KeypadError>;
}

#[derive(Debug, Error)]
pub enum KeypadError {
    #[error("设备标识无效 / bad device {0:?}: use VID:PID in hex (e.g. 1a2c:0e24) or a hidraw path")]
    BadSpec(String),
    #[error("无法打开评价器 / cannot open HID device {device}: {detail}")]
    Open { device: String, detail: String },
    #[error("评价器读取失败（已拔出？）/ HID read failed (unplugged?): {0}")]
    Read(String),
}

/// Which HID device to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceSpec {
    VidPid(u16, u16),
    Path(String),
}

impl DeviceSpec {
    /// `VID:PID` (hex, optional 0x) or anything with a `/` as a path.
    pub fn parse(spec: &str) -> Result<Self, KeypadError> {
        let bad = || KeypadError::BadSpec(spec.to_owned());
        if spec.contains('/') {
            return Ok(Self::Path(spec.to_owned()));
        }
        let (vid, pid) = spec.split_once(':').ok_or_else(bad)?;
        let hex = |s: &str| {
            let s = s.trim();
            let s = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).unwrap_or(s);
            u16::from_str_radix(s, 16).map_err(|_| bad())
        };
        Ok(Self::VidPid(hex(vid)?, hex(pid)?))
    }
}

/// A keypad opened through hidapi (hidraw on Linux).
pub struct HidReportSource {
    device: hidapi::HidDevice,
}

impl HidReportSource {
    pub fn open(spec: &str) -> Result<Self, KeypadError> {
        let parsed = DeviceSpec::parse(spec)?;
        let open_err = |detail: String| KeypadError::Open {
            device: spec.to_owned(),
            detail,
        };
        let api = hidapi::HidApi::new().map_err(|e| open_err(format!("HID subsystem unavailable: {e}")))?;
        let device = match parsed {
            DeviceSpec::VidPid(vid, pid) => api.open(vid, pid).map_err(|e| {
                open_err(format!(
                    "no such device or no permission ({e}); check `devicectl list` and udev rules"
                ))
            })?,
            DeviceSpec::Path(path) => {
                let c = CString::new(path).map_err(|_| open_err("path contains a NUL byte".into()))?;
                api.open_path(&c).map_err(|e| open_err(e.to_string()))?
            }
        };
        Ok(Self { device })
    }
}

impl ReportSource for HidReportSource {
    fn read_report(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, KeypadError> {
        let ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
        self.device
            .read_timeout(buf, ms)
            .map_err(|e| KeypadError::Read(e.to_string()))
    }
}

/// A keypad evaluator over any [`ReportSource`].
pub struct Keypad<S: ReportSource> {
    source: S,
    edges: KeyEdges,
    map: KeyMap,
}

impl<S: ReportSource> Keypad<S> {
    pub fn new(source: S, map: KeyMap) -> Self {
        Self {
            source,
            edges: KeyEdges::new(),
            map,
        }
    }

    /// Waits up to `timeout` for a key press that maps to a rating; `Ok(None)` when none came
    /// (never a default rating). Unmapped keys and malformed reports are skipped.
    pub fn next_rating(&mut self, timeout: Duration) -> Result<Option<Rating>, KeypadError> {
        let deadline = Instant::now() + timeout;
        let mut buf = [0u8; 64];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            let n = self.source.read_report(&mut buf, left)?;
            if n == 0 {
                continue;
            }
            let Ok(report) = decode_boot_report(buf.get(..n).unwrap_or_default()) else {
                tracing::debug!(len = n, "skipping a non-boot HID report");
                continue;
            };
            if let Some(rating) = self.edges.update(&report).into_iter().find_map(|k| self.map.rating(k)) {
                return Ok(Some(rating));
            }
        }
    }
}
