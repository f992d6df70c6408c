//! ESC/POS byte builders.
//!
//! We build the bytes ourselves instead of using the `escpos` crate: its quirks (see the research
//! notes) hit exactly what a hall ticket needs. It sends `DLE EOT n` with an extra NUL byte (which a
//! strict printer takes as data), its `cut(true)` is a *full* cut (`GS V A`), it sends QR payloads as
//! UTF-8, and its `max_length` can split a GB18030 character. The command set we need is small and
//! fixed, so owning it keeps every byte visible and golden-testable.

use thiserror::Error;

pub const ESC: u8 = 0x1B;
pub const GS: u8 = 0x1D;
pub const FS: u8 = 0x1C;
pub const DLE: u8 = 0x10;
pub const EOT: u8 = 0x04;
pub const LF: u8 = 0x0A;

/// Largest payload a QR code (model 2, level L, version 40) can hold in byte mode; anything longer
/// would be accepted by `GS ( k` but silently not printed by the printer.
pub const QR_MAX_BYTES: usize = 2953;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum CommandError {
    #[error("QR payload is {len} bytes; a QR code holds at most {max}")]
    QrTooLong { len: usize, max: usize },
    #[error("QR payload is empty")]
    QrEmpty,
}

/// `ESC @`: resets modes (size, bold, alignment) left over from a previous job.
pub fn init() -> [u8; 2] {
    [ESC, b'@']
}

/// `FS &`: Chinese (2-byte GB) mode. Chinese-market printers power on in it, but an `ESC @` from
/// another application may not restore it on every model, so each ticket enters it explicitly.
pub fn chinese_on() -> [u8; 2] {
    [FS, b'&']
}

/// `FS .`: leaves Chinese mode.
pub fn chinese_off() -> [u8; 2] {
    [FS, b'.']
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// `ESC a n`.
pub fn align(a: Align) -> [u8; 3] {
    let n = match a {
        Align::Left => 0,
        Align::Center => 1,
        Align::Right => 2,
    };
    [ESC, b'a', n]
}

/// `ESC E n`: emphasised (bold) on/off.
pub fn bold(on: bool) -> [u8; 3] {
    [ESC, b'E', u8::from(on)]
}

/// `GS ! n`: character size as width and height multipliers (1–8 each; out-of-range values are
/// clamped so a layout typo can never become a different command byte).
pub fn size(width: u8, height: u8) -> [u8; 3] {
    let w = width.clamp(1, 8) - 1;
    let h = height.clamp(1, 8) - 1;
    [GS, b'!', (w << 4) | h]
}

/// Double width and height (`GS ! 0x11`), or back to normal (`GS ! 0x00`).
pub fn double_size(on: bool) -> [u8; 3] {
    if on { size(2, 2) } else { size(1, 1) }
}

/// Text encoded as GB18030. Control characters other than LF are dropped: the text comes from
/// configuration and queue data, and a stray ESC/GS/DLE byte in it would be executed as a command.
/// GB18030 multi-byte sequences never contain bytes below 0x30, so encoded characters cannot
/// themselves form a command.
pub fn text(s: &str) -> Vec<u8> {
    let clean: String = s.chars().filter(|c| *c == '\n' || !c.is_control()).collect();
    // GB18030 can encode every Unicode scalar value, so the lossy flag is never set.
    let (bytes, _, _) = encoding_rs::GB18030.encode(&clean);
    bytes.into_owned()
}

/// `ESC d n`: print the buffer and feed `n` lines.
pub fn feed_lines(n: u8) -> [u8; 3] {
    [ESC, b'd', n]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    Full,
    Partial,
}

/// `GS V m`: cut without feeding (only valid at the start of a line).
pub fn cut(kind: Cut) -> [u8; 3] {
    match kind {
        Cut::Full => [GS, b'V', 0x00],
        Cut::Partial => [GS, b'V', 0x01],
    }
}

/// `GS V 'A'/'B' n`: feed `n` units so the last line clears the cutter, then cut.
pub fn feed_and_cut(kind: Cut, n: u8) -> [u8; 4] {
    match kind {
        Cut::Full => [GS, b'V', 0x41, n],
        Cut::Partial => [GS, b'V', 0x42, n],
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QrModel {
    Model1,
    Model2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QrErrorLevel {
    L,
    M,
    Q,
    H,
}

const QR_PREFIX: [u8; 3] = [GS, b'(', b'k'];

/// `GS ( k` fn 165: QR model.
pub fn qr_model(model: QrModel) -> [u8; 9] {
    let m = match model {
        QrModel::Model1 => 0x31,
        QrModel::Model2 => 0x32,
    };
    [GS, b'(', b'k', 0x04, 0x00, 0x31, 0x41, m, 0x00]
}

/// `GS ( k` fn 167: module size in dots (1–16, clamped).
pub fn qr_size(n: u8) -> [u8; 8] {
    [GS, b'(', b'k', 0x03, 0x00, 0x31, 0x43, n.clamp(1, 16)]
}

/// `GS ( k` fn 169: error correction level.
pub fn qr_error_level(level: QrErrorLevel) -> [u8; 8] {
    let n = match level {
        QrErrorLevel::L => 0x30,
        QrErrorLevel::M => 0x31,
        QrErrorLevel::Q => 0x32,
        QrErrorLevel::H => 0x33,
    };
    [GS, b'(', b'k', 0x03, 0x00, 0x31, 0x45, n]
}

/// `GS ( k` fn 180: store the payload; pL + 256·pH = len + 3. The payload goes as raw bytes (not
/// re-encoded) so what the scanner reads back is exactly what the app put in.
pub fn qr_store(data: &[u8]) -> Result<Vec<u8>, CommandError> {
    if data.is_empty() {
        return Err(CommandError::QrEmpty);
    }
    if data.len() > QR_MAX_BYTES {
        return Err(CommandError::QrTooLong {
            len: data.len(),
            max: QR_MAX_BYTES,
        });
    }
    let k = data.len() + 3;
    let mut out = Vec::with_capacity(8 + data.len());
    out.extend_from_slice(&QR_PREFIX);
    out.push((k & 0xFF) as u8);
    out.push((k >> 8) as u8);
    out.extend_from_slice(&[0x31, 0x50, 0x30]);
    out.extend_from_slice(data);
    Ok(out)
}

/// `GS ( k` fn 181: print the stored symbol.
pub fn qr_print() -> [u8; 8] {
    [GS, b'(', b'k', 0x03, 0x00, 0x31, 0x51, 0x30]
}

/// The whole QR sequence: model 2, size, error level, store, print.
pub fn qr_code(data: &[u8], module: u8, level: QrErrorLevel) -> Result<Vec<u8>, CommandError> {
    let mut out = Vec::new();
    out.extend_from_slice(&qr_model(QrModel::Model2));
    out.extend_from_slice(&qr_size(module));
    out.extend_from_slice(&qr_error_level(level));
    out.extend_from_slice(&qr_store(data)?);
    out.extend_from_slice(&qr_print());
    Ok(out)
}

/// Which real-time status `DLE EOT n` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusRequest {
    Printer = 1,
    OfflineCause = 2,
    ErrorCause = 3,
    RollPaper = 4,
}

impl StatusRequest {
    pub const ALL: [StatusRequest; 4] = [
        StatusRequest::Printer,
        StatusRequest::OfflineCause,
        StatusRequest::ErrorCause,
        StatusRequest::RollPaper,
    ];
}

/// `DLE EOT n`: exactly three bytes (no trailing NUL, unlike the `escpos` crate).
pub fn status_request(req: StatusRequest) -> [u8; 3] {
    [DLE, EOT, req as u8]
}

/// `GS r 1`: transmit paper status. Unlike `DLE EOT` it is processed in order with the print data,
/// so its answer tells us the printer has worked through everything sent before it.
pub fn transmit_paper_status() -> [u8; 3] {
    [GS, b'r', 0x01]
}
