//! The hall queue ticket layout.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::commands::{self as cmd, Align, Cut, QrErrorLevel};

/// QR tokens are short opaque ASCII strings; the cap keeps the `GS ( k` length bytes from ever
/// containing `10 04` (which a printer would execute as a real-time status request) and the symbol
/// small enough to scan from a phone.
pub const QR_TOKEN_MAX: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HallTicket {
    pub hall_name: String,
    /// Ticket number as called out, e.g. "A023".
    pub number: String,
    /// Queue / service item name.
    pub queue: String,
    pub people_ahead: u32,
    pub estimated_wait_minutes: u32,
    /// Token the citizen scans to follow the queue on a phone.
    pub qr_token: String,
    /// Issue time, already formatted in the hall's local time (the printer has no clock we trust).
    pub issued_at: String,
    pub notice: String,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TicketError {
    #[error("QR token must be printable ASCII")]
    QrTokenNotAscii,
    #[error("QR token is {len} bytes; at most {max}")]
    QrTokenTooLong { len: usize, max: usize },
    #[error(transparent)]
    Command(#[from] cmd::CommandError),
}

/// Renders the ticket to ESC/POS bytes.
pub fn render(t: &HallTicket) -> Result<Vec<u8>, TicketError> {
    // Only printable ASCII: control bytes in the payload could be read as commands by printers
    // that scan for real-time sequences inside data.
    if !t.qr_token.bytes().all(|b| (0x20..0x7F).contains(&b)) {
        return Err(TicketError::QrTokenNotAscii);
    }
    if t.qr_token.len() > QR_TOKEN_MAX {
        return Err(TicketError::QrTokenTooLong {
            len: t.qr_token.len(),
            max: QR_TOKEN_MAX,
        });
    }
    let qr = cmd::qr_code(t.qr_token.as_bytes(), 6, QrErrorLevel::M)?;

    let mut b = Vec::with_capacity(512);
    let line = |b: &mut Vec<u8>, s: &str| {
        b.extend(cmd::text(s));
        b.push(cmd::LF);
    };
    b.extend(cmd::init());
    b.extend(cmd::chinese_on());

    b.extend(cmd::align(Align::Center));
    b.extend(cmd::bold(true));
    b.extend(cmd::double_size(true));
    line(&mut b, &t.hall_name);
    b.extend(cmd::double_size(false));
    b.extend(cmd::bold(false));
    line(&mut b, &t.queue);

    // The number is what people read from across the hall: largest size the ticket width allows.
    b.extend(cmd::size(4, 4));
    b.extend(cmd::bold(true));
    line(&mut b, &t.number);
    b.extend(cmd::bold(false));
    b.extend(cmd::size(1, 1));

    b.extend(cmd::align(Align::Left));
    line(&mut b, &format!("前面等候：{} 人", t.people_ahead));
    line(&mut b, &format!("预计等待：约 {} 分钟", t.estimated_wait_minutes));

    b.extend(cmd::align(Align::Center));
    b.extend(qr);
    b.push(cmd::LF);
    line(&mut b, "扫码查看排队进度");

    b.extend(cmd::align(Align::Left));
    line(&mut b, &format!("取号时间：{}", t.issued_at));
    if !t.notice.is_empty() {
        line(&mut b, &t.notice);
    }
    // Feed so the notice clears the cutter, then a partial cut: the ticket stays hanging for the
    // citizen to tear off instead of dropping to the floor.
    b.extend(cmd::feed_lines(4));
    b.extend(cmd::cut(Cut::Partial));
    Ok(b)
}

/// A plain text document: a bold centred title, then lines (wrapped by the printer at its width).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub title: String,
    pub lines: Vec<String>,
}

/// Renders a document to ESC/POS bytes. Control characters in the text are dropped: the printer
/// would execute them.
pub fn render_document(d: &Document) -> Vec<u8> {
    let clean = |s: &str| -> String { s.chars().filter(|c| !c.is_control()).collect() };
    let mut b = Vec::with_capacity(256 + d.lines.iter().map(String::len).sum::<usize>());
    b.extend(cmd::init());
    b.extend(cmd::chinese_on());
    b.extend(cmd::align(Align::Center));
    b.extend(cmd::bold(true));
    b.extend(cmd::double_size(true));
    b.extend(cmd::text(&clean(&d.title)));
    b.push(cmd::LF);
    b.extend(cmd::double_size(false));
    b.extend(cmd::bold(false));
    b.extend(cmd::align(Align::Left));
    for l in &d.lines {
        b.extend(cmd::text(&clean(l)));
        b.push(cmd::LF);
    }
    b.extend(cmd::feed_lines(4));
    b.extend(cmd::cut(Cut::Partial));
    b
}

#[cfg(test)]
mod document_tests {
    use super::*;

    #[test]
    fn documents_drop_control_characters_and_end_with_a_cut() {
        let d = Document {
            title: "办事指南".into(),
            lines: vec!["所需材料：\u{10}\u{4}居民身份证".into()],
        };
        let b = render_document(&d);
        // DLE EOT inside the text would be a real-time status request; it must not reach the printer.
        assert!(!b.windows(2).any(|w| w == [0x10, 0x04]));
        assert!(b.ends_with(&cmd::cut(Cut::Partial)));
    }
}
