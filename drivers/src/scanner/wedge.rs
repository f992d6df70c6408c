//! Keyboard-wedge scanners: boot keyboard reports `[mods, 0, k1..k6]`, Enter ends a code.
//!
//! A wedge "types" the code on a US layout, so it only carries what a US keyboard can type: no
//! Chinese. Keys count on their down edge only (a usage that was not in the previous report),
//! so a held key or a rollover report listing several keys does not repeat characters.

use std::time::{Duration, Instant};

use super::hidpos::ReportSource;
use super::{DEFAULT_MAX_LEN, Scan, ScanSource, Scanner, ScannerError};

const LEFT_SHIFT: u8 = 0x02;
const RIGHT_SHIFT: u8 = 0x20;
/// Ctrl, Alt and GUI on either side: chords, not text.
const CHORD_MODS: u8 = 0x01 | 0x04 | 0x08 | 0x10 | 0x40 | 0x80;
const ENTER: u8 = 0x28;
const KEYPAD_ENTER: u8 = 0x58;
/// "ErrorRollOver": the keyboard could not tell which keys are down.
const ROLLOVER: u8 = 0x01;

/// The character a usage types on a US layout, if any.
pub fn usage_char(usage: u8, shift: bool) -> Option<char> {
    const SHIFTED_DIGITS: &[u8; 10] = b"!@#$%^&*()";
    let c = match usage {
        0x04..=0x1D => {
            let c = b'a' + (usage - 0x04);
            if shift { c.to_ascii_uppercase() } else { c }
        }
        0x1E..=0x27 => {
            let i = usize::from(usage - 0x1E);
            if shift {
                *SHIFTED_DIGITS.get(i)?
            } else {
                // 0x1E..0x26 are 1–9, 0x27 is 0.
                *b"1234567890".get(i)?
            }
        }
        0x2B => b'\t',
        0x2C => b' ',
        0x2D..=0x38 => {
            let (plain, shifted) = (b"-=[]\\#;'`,./", b"_+{}|~:\"~<>?");
            let i = usize::from(usage - 0x2D);
            *if shift { shifted.get(i)? } else { plain.get(i)? }
        }
        0x54 => b'/',
        0x55 => b'*',
        0x56 => b'-',
        0x57 => b'+',
        0x59..=0x61 => b'1' + (usage - 0x59),
        0x62 => b'0',
        0x63 => b'.',
        _ => return None,
    };
    Some(char::from(c))
}

/// Turns a stream of keyboard reports into codes. Never panics, whatever the reports hold.
#[derive(Debug, Clone)]
pub struct KeyboardDecoder {
    held: Vec<u8>,
    line: String,
    max_len: usize,
    too_long: bool,
}

/// What a report completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    Code(String),
    /// More than `max_len` characters before Enter: dropped.
    TooLong,
}

impl KeyboardDecoder {
    pub fn new(max_len: usize) -> Self {
        Self {
            held: Vec::new(),
            line: String::new(),
            max_len: max_len.max(1),
            too_long: false,
        }
    }

    /// Feeds one report `[mods, reserved, k1..k6]` (shorter reports: the keys present; bytes
    /// past the eighth are ignored). Returns the codes Enter completed.
    pub fn push_report(&mut self, report: &[u8]) -> Vec<Typed> {
        let mods = report.first().copied().unwrap_or(0);
        let keys: Vec<u8> = report
            .get(2..report.len().min(8))
            .unwrap_or(&[])
            .iter()
            .copied()
            .filter(|&k| k != 0)
            .collect();
        if keys.contains(&ROLLOVER) {
            // Phantom state: which keys are down is unknown, so keep the previous state.
            return Vec::new();
        }
        let shift = mods & (LEFT_SHIFT | RIGHT_SHIFT) != 0;
        let mut out = Vec::new();
        for &k in &keys {
            if self.held.contains(&k) {
                continue;
            }
            if k == ENTER || k == KEYPAD_ENTER {
                out.extend(self.finish());
            } else if mods & CHORD_MODS != 0 {
                // Ctrl/Alt chords are commands, not code content.
            } else if let Some(c) = usage_char(k, shift) {
                if self.line.len() >= self.max_len {
                    self.too_long = true;
                    self.line.clear();
                } else if !self.too_long {
                    self.line.push(c);
                }
            }
        }
        self.held = keys;
        out
    }

    fn finish(&mut self) -> Option<Typed> {
        if std::mem::take(&mut self.too_long) {
            self.line.clear();
            return Some(Typed::TooLong);
        }
        if self.line.is_empty() {
            return None;
        }
        Some(Typed::Code(std::mem::take(&mut self.line)))
    }

    /// Characters typed since the last Enter.
    pub fn pending(&self) -> &str {
        &self.line
    }

    pub fn reset(&mut self) {
        self.held.clear();
        self.line.clear();
        self.too_long = false;
    }
}

/// Decodes a capture of consecutive 8-byte keyboard reports into the codes ended by Enter. The
/// keyboard decoder's entry point for fuzzing: never panics.
pub fn decode_keyboard_reports(bytes: &[u8]) -> Vec<String> {
    let mut dec = KeyboardDecoder::new(DEFAULT_MAX_LEN);
    bytes
        .chunks(8)
        .flat_map(|r| dec.push_report(r))
        .filter_map(|t| match t {
            Typed::Code(s) => Some(s),
            Typed::TooLong => None,
        })
        .collect()
}

/// A keyboard-wedge scanner read through a [`ReportSource`] (a hidraw node on Linux).
pub struct WedgeScanner<S: ReportSource> {
    source: S,
    decoder: KeyboardDecoder,
    max_len: usize,
    ready: Vec<Typed>,
}

impl<S: ReportSource> WedgeScanner<S> {
    pub fn new(source: S) -> Self {
        Self {
            source,
            decoder: KeyboardDecoder::new(DEFAULT_MAX_LEN),
            max_len: DEFAULT_MAX_LEN,
            ready: Vec::new(),
        }
    }
}

impl<S: ReportSource> Scanner for WedgeScanner<S> {
    fn next_scan(&mut self, timeout: Duration) -> Result<Option<Scan>, ScannerError> {
        let deadline = Instant::now() + timeout;
        let mut buf = [0u8; 64];
        loop {
            if !self.ready.is_empty() {
                return match self.ready.remove(0) {
                    Typed::Code(text) => Ok(Some(Scan {
                        text,
                        symbology: None,
                        source: ScanSource::KeyboardWedge,
                    })),
                    Typed::TooLong => Err(ScannerError::TooLong { max: self.max_len }),
                };
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            let n = self
                .source
                .read_report(&mut buf, deadline - now)
                .map_err(super::read_failure)?;
            if n > 0 {
                let typed = self.decoder.push_report(buf.get(..n).unwrap_or(&buf));
                self.ready.extend(typed);
            }
        }
    }
}
