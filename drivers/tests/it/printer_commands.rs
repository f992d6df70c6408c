//! Golden bytes for the ESC/POS builders, against the sequences in the research notes
//! (shared/research/peripherals.md §2) and the Epson command reference.

use crate::common::hall_ticket;
use drivers::printer::commands::{self as cmd, Align, Cut, QrErrorLevel, QrModel, StatusRequest};
use drivers::printer::ticket::render;

#[test]
fn basic_commands() {
    assert_eq!(cmd::init(), [0x1B, 0x40]);
    assert_eq!(cmd::chinese_on(), [0x1C, 0x26]);
    assert_eq!(cmd::chinese_off(), [0x1C, 0x2E]);
    assert_eq!(cmd::align(Align::Left), [0x1B, 0x61, 0]);
    assert_eq!(cmd::align(Align::Center), [0x1B, 0x61, 1]);
    assert_eq!(cmd::align(Align::Right), [0x1B, 0x61, 2]);
    assert_eq!(cmd::bold(true), [0x1B, 0x45, 1]);
    assert_eq!(cmd::bold(false), [0x1B, 0x45, 0]);
    assert_eq!(cmd::double_size(true), [0x1D, 0x21, 0x11]);
    assert_eq!(cmd::double_size(false), [0x1D, 0x21, 0x00]);
    assert_eq!(cmd::size(4, 4), [0x1D, 0x21, 0x33]);
    assert_eq!(cmd::size(0, 99), [0x1D, 0x21, 0x07]);
    assert_eq!(cmd::feed_lines(3), [0x1B, 0x64, 3]);
}

#[test]
fn cuts() {
    assert_eq!(cmd::cut(Cut::Full), [0x1D, 0x56, 0x00]);
    assert_eq!(cmd::cut(Cut::Partial), [0x1D, 0x56, 0x01]);
    // The escpos crate's cut(true) sends 1D 56 41 01, which is a full cut; ours is a real partial.
    assert_eq!(cmd::feed_and_cut(Cut::Full, 1), [0x1D, 0x56, 0x41, 1]);
    assert_eq!(cmd::feed_and_cut(Cut::Partial, 0), [0x1D, 0x56, 0x42, 0]);
}

#[test]
fn status_requests_have_no_trailing_nul() {
    assert_eq!(cmd::status_request(StatusRequest::Printer), [0x10, 0x04, 1]);
    assert_eq!(cmd::status_request(StatusRequest::OfflineCause), [0x10, 0x04, 2]);
    assert_eq!(cmd::status_request(StatusRequest::ErrorCause), [0x10, 0x04, 3]);
    assert_eq!(cmd::status_request(StatusRequest::RollPaper), [0x10, 0x04, 4]);
    assert_eq!(cmd::transmit_paper_status(), [0x1D, 0x72, 0x01]);
}

#[test]
fn qr_sequences() {
    assert_eq!(
        cmd::qr_model(QrModel::Model2),
        [0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]
    );
    assert_eq!(
        cmd::qr_model(QrModel::Model1),
        [0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x31, 0x00]
    );
    assert_eq!(cmd::qr_size(6), [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 6]);
    assert_eq!(cmd::qr_size(40)[7], 16);
    for (level, n) in [
        (QrErrorLevel::L, 0x30),
        (QrErrorLevel::M, 0x31),
        (QrErrorLevel::Q, 0x32),
        (QrErrorLevel::H, 0x33),
    ] {
        assert_eq!(
            cmd::qr_error_level(level),
            [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, n]
        );
    }
    assert_eq!(
        cmd::qr_store(b"AB").expect("store"),
        [0x1D, 0x28, 0x6B, 0x05, 0x00, 0x31, 0x50, 0x30, b'A', b'B']
    );
    // pL + 256·pH = k + 3 across the byte boundary.
    let big = vec![b'x'; 300];
    let stored = cmd::qr_store(&big).expect("store");
    assert_eq!(&stored[3..5], &[0x2F, 0x01]);
    assert_eq!(stored.len(), 8 + 300);
    assert_eq!(cmd::qr_print(), [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]);
    assert_eq!(cmd::qr_store(b""), Err(cmd::CommandError::QrEmpty));
    assert!(cmd::qr_store(&vec![b'x'; cmd::QR_MAX_BYTES + 1]).is_err());
}

#[test]
fn gb18030_text() {
    // 中 = D6 D0, 文 = CE C4 in GB2312/GB18030.
    assert_eq!(cmd::text("中文A"), [0xD6, 0xD0, 0xCE, 0xC4, b'A']);
    // A character outside GB2312 takes the 4-byte form.
    assert_eq!(cmd::text("€"), [0xA2, 0xE3]);
    assert_eq!(cmd::text("😀").len(), 4);
    // Control characters from data must not reach the printer as commands.
    assert_eq!(cmd::text("a\x1B@\x10\x04b\n"), [b'a', b'@', b'b', b'\n']);
}

fn hex(bytes: &[u8]) -> String {
    // 16 bytes a line so a layout change shows as a readable diff.
    bytes
        .chunks(16)
        .map(|c| c.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn sample_ticket_golden_bytes() {
    let bytes = render(&hall_ticket()).expect("render");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/printer_fixtures/sample_ticket.hex");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, hex(&bytes)).expect("write fixture");
    }
    let golden = std::fs::read_to_string(path).expect("fixture present");
    assert_eq!(
        hex(&bytes),
        golden,
        "ticket layout changed; rerun with UPDATE_GOLDEN=1 if intended"
    );
    // Spot checks that do not depend on the fixture.
    assert!(bytes.starts_with(&[0x1B, 0x40, 0x1C, 0x26]));
    assert!(bytes.ends_with(&[0x1B, 0x64, 4, 0x1D, 0x56, 0x01]));
}

#[test]
fn bad_tokens_are_rejected() {
    let mut t = hall_ticket();
    t.qr_token = "票".into();
    assert!(render(&t).is_err());
    t.qr_token = "x".repeat(257);
    assert!(render(&t).is_err());
}
