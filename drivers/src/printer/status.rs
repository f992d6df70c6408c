//! Real-time status (`DLE EOT 1..4` answers) and the alarm events derived from status changes.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::commands::StatusRequest;

/// Every `DLE EOT` reply byte has the fixed pattern `0xx1xx10`; anything else is line noise, a
/// stale answer to something else (e.g. `GS r`), or a different device on the port.
const PATTERN_MASK: u8 = 0b1001_0011;
const PATTERN_BITS: u8 = 0b0001_0010;

#[derive(Debug, Error, PartialEq, Eq)]
#[error("byte {byte:#04x} is not a DLE EOT {request} reply (expected pattern 0xx1xx10)")]
pub struct StatusError {
    pub request: u8,
    pub byte: u8,
}

/// Whether `byte` has the `DLE EOT` reply pattern.
pub fn is_status_byte(byte: u8) -> bool {
    byte & PATTERN_MASK == PATTERN_BITS
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaperState {
    Ok,
    NearEnd,
    Out,
}

/// Decoded real-time status. JSON names (`online`, `paper`, `cover_open`) are part of the device
/// alarm payload apps send upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrinterStatus {
    pub online: bool,
    pub paper: PaperState,
    pub cover_open: bool,
    /// The paper feed button is held (n=1 bit 6); printing is paused while it is.
    pub feed_button: bool,
    /// Printer waits for an online recovery (n=1 bit 5).
    pub waiting_for_recovery: bool,
    pub cutter_error: bool,
    pub unrecoverable_error: bool,
    pub auto_recoverable_error: bool,
}

/// The four raw reply bytes, kept for logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawStatus {
    pub printer: u8,
    pub offline_cause: u8,
    pub error_cause: u8,
    pub roll_paper: u8,
}

fn bit(b: u8, n: u8) -> bool {
    b & (1 << n) != 0
}

/// Validates one reply byte for request `req`.
pub fn check_reply(req: StatusRequest, byte: u8) -> Result<u8, StatusError> {
    if is_status_byte(byte) {
        Ok(byte)
    } else {
        Err(StatusError {
            request: req as u8,
            byte,
        })
    }
}

impl PrinterStatus {
    pub fn from_raw(raw: RawStatus) -> Result<Self, StatusError> {
        let p = check_reply(StatusRequest::Printer, raw.printer)?;
        let o = check_reply(StatusRequest::OfflineCause, raw.offline_cause)?;
        let e = check_reply(StatusRequest::ErrorCause, raw.error_cause)?;
        let r = check_reply(StatusRequest::RollPaper, raw.roll_paper)?;
        // n=2 bit 5 ("stopped at paper end") also means out: some printers only set it there.
        let paper = if r & 0x60 != 0 || bit(o, 5) {
            PaperState::Out
        } else if r & 0x0C != 0 {
            PaperState::NearEnd
        } else {
            PaperState::Ok
        };
        Ok(PrinterStatus {
            online: !bit(p, 3),
            paper,
            cover_open: bit(o, 2),
            feed_button: bit(p, 6) || bit(o, 3),
            waiting_for_recovery: bit(p, 5),
            cutter_error: bit(e, 3),
            unrecoverable_error: bit(e, 5),
            auto_recoverable_error: bit(e, 6),
        })
    }

    /// The condition that stops a ticket from printing, most specific first (a printer with its
    /// cover open is also offline; the cover is what staff must fix).
    pub fn blocking_fault(&self) -> Option<Fault> {
        if self.cover_open {
            Some(Fault::CoverOpen)
        } else if self.paper == PaperState::Out {
            Some(Fault::PaperOut)
        } else if self.cutter_error || self.unrecoverable_error {
            Some(Fault::DeviceError)
        } else if !self.online {
            Some(Fault::Offline)
        } else {
            None
        }
    }

    /// Conditions staff should be alarmed about (near end included: it is time to load paper).
    pub fn alarms(&self) -> Vec<PrinterEvent> {
        let mut out = Vec::new();
        if !self.online {
            out.push(PrinterEvent::Offline);
        }
        match self.paper {
            PaperState::Out => out.push(PrinterEvent::PaperOut),
            PaperState::NearEnd => out.push(PrinterEvent::PaperNearEnd),
            PaperState::Ok => {}
        }
        if self.cover_open {
            out.push(PrinterEvent::CoverOpen);
        }
        out
    }
}

/// Why a printer cannot (or could not finish) printing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    Offline,
    PaperOut,
    CoverOpen,
    DeviceError,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Fault::Offline => "printer is offline",
            Fault::PaperOut => "printer is out of paper",
            Fault::CoverOpen => "printer cover is open",
            Fault::DeviceError => "printer reports a cutter or unrecoverable error",
        })
    }
}

/// Status changes apps raise as device alarms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrinterEvent {
    PaperNearEnd,
    PaperOut,
    CoverOpen,
    Offline,
    /// Every alarm condition has cleared.
    Recovered,
}

/// Events for the transition `prev` → `next`: each alarm that newly appears, and `Recovered` once
/// all alarms have cleared. With no previous status (first poll) every present alarm is raised, so
/// a printer that starts out of paper is reported.
pub fn status_events(prev: Option<&PrinterStatus>, next: &PrinterStatus) -> Vec<PrinterEvent> {
    let before = prev.map(PrinterStatus::alarms).unwrap_or_default();
    let after = next.alarms();
    let mut out: Vec<PrinterEvent> = after.iter().copied().filter(|a| !before.contains(a)).collect();
    if !before.is_empty() && after.is_empty() {
        out.push(PrinterEvent::Recovered);
    }
    out
}

/// Remembers the last status so repeated polls only yield changes.
#[derive(Debug, Default, Clone)]
pub struct StatusWatcher {
    last: Option<PrinterStatus>,
}

impl StatusWatcher {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn observe(&mut self, status: PrinterStatus) -> Vec<PrinterEvent> {
        let events = status_events(self.last.as_ref(), &status);
        self.last = Some(status);
        events
    }

    pub fn last(&self) -> Option<&PrinterStatus> {
        self.last.as_ref()
    }
}
