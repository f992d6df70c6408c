//! The status parser and the simulator's stream parser never panic, and a rendered ticket parses
//! back to its own fields.

use drivers::printer::commands::Cut;
use drivers::printer::sim::{EscPos, EscPosParser};
use drivers::printer::status::{PrinterStatus, RawStatus};
use drivers::printer::ticket::{HallTicket, render};
use proptest::prelude::*;

proptest! {
    #[test]
    fn status_parser_total(p: u8, o: u8, e: u8, r: u8) {
        let _ = PrinterStatus::from_raw(RawStatus { printer: p, offline_cause: o, error_cause: e, roll_paper: r });
    }

    #[test]
    fn stream_parser_total(bytes in proptest::collection::vec(any::<u8>(), 0..2048), split in 0usize..2048) {
        let mut p = EscPosParser::new();
        let at = split.min(bytes.len());
        let _ = p.push(&bytes[..at]);
        let _ = p.push(&bytes[at..]);
    }

    #[test]
    fn stream_parser_split_invariant(bytes in proptest::collection::vec(any::<u8>(), 0..512), split in 0usize..512) {
        let mut whole = EscPosParser::new();
        let a = whole.push(&bytes);
        let mut parts = EscPosParser::new();
        let at = split.min(bytes.len());
        let mut b = parts.push(&bytes[..at]);
        b.extend(parts.push(&bytes[at..]));
        // Text runs may be split in two; compare with adjacent text merged.
        prop_assert_eq!(merge_text(a), merge_text(b));
    }

    #[test]
    fn ticket_round_trips(
        hall in "\\PC{1,20}", number in "[A-Z][0-9]{3}", queue in "\\PC{0,20}",
        ahead: u32, wait: u32, token in "[ -~]{1,256}", notice in "\\PC{0,40}",
    ) {
        let t = HallTicket {
            hall_name: hall, number, queue, people_ahead: ahead, estimated_wait_minutes: wait,
            qr_token: token, issued_at: "2026-01-01 08:00".into(), notice,
        };
        let bytes = render(&t).expect("render");
        let events = EscPosParser::new().push(&bytes);
        prop_assert!(events.iter().all(|e| !matches!(e, EscPos::Unknown(_) | EscPos::StatusRequest(_))));
        prop_assert!(events.contains(&EscPos::QrStore(t.qr_token.as_bytes().to_vec())));
        prop_assert_eq!(events.last(), Some(&EscPos::Cut(Cut::Partial)));
        let mut text = Vec::new();
        for e in &events {
            match e {
                EscPos::Text(b) => text.extend_from_slice(b),
                EscPos::LineFeed => text.push(b'\n'),
                _ => {}
            }
        }
        let (decoded, _) = encoding_rs::GB18030.decode_without_bom_handling(&text);
        let clean = |s: &str| s.chars().filter(|c| !c.is_control()).collect::<String>();
        let lines: Vec<&str> = decoded.lines().collect();
        prop_assert!(lines.contains(&clean(&t.hall_name).as_str()));
        prop_assert!(lines.contains(&t.number.as_str()));
    }
}

fn merge_text(events: Vec<EscPos>) -> Vec<EscPos> {
    let mut out: Vec<EscPos> = Vec::new();
    for e in events {
        if let (EscPos::Text(b), Some(EscPos::Text(prev))) = (&e, out.last_mut()) {
            prev.extend_from_slice(b);
            continue;
        }
        out.push(e);
    }
    out
}
