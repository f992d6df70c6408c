//! DLE EOT reply decoding and alarm events.

use drivers::printer::status::{
    Fault, PaperState, PrinterEvent, PrinterStatus, RawStatus, StatusWatcher, is_status_byte,
};

fn raw(printer: u8, offline_cause: u8, error_cause: u8, roll_paper: u8) -> RawStatus {
    RawStatus {
        printer,
        offline_cause,
        error_cause,
        roll_paper,
    }
}

fn parse(r: RawStatus) -> PrinterStatus {
    PrinterStatus::from_raw(r).expect("valid status bytes")
}

#[test]
fn idle_printer() {
    let s = parse(raw(0x12, 0x12, 0x12, 0x12));
    assert!(s.online && !s.cover_open);
    assert_eq!(s.paper, PaperState::Ok);
    assert_eq!(s.blocking_fault(), None);
    assert!(s.alarms().is_empty());
}

#[test]
fn paper_bits() {
    assert_eq!(parse(raw(0x12, 0x12, 0x12, 0x1E)).paper, PaperState::NearEnd);
    assert_eq!(parse(raw(0x1A, 0x12, 0x12, 0x72)).paper, PaperState::Out);
    // Near end and out together: out wins.
    assert_eq!(parse(raw(0x1A, 0x12, 0x12, 0x7E)).paper, PaperState::Out);
    // "Stopped at paper end" in the offline cause alone also means out.
    assert_eq!(parse(raw(0x1A, 0x32, 0x12, 0x12)).paper, PaperState::Out);
}

#[test]
fn offline_cover_and_errors() {
    let s = parse(raw(0x1A, 0x16, 0x12, 0x12));
    assert!(!s.online && s.cover_open);
    assert_eq!(s.blocking_fault(), Some(Fault::CoverOpen));
    let s = parse(raw(0x1A, 0x12, 0x1A, 0x12));
    assert!(s.cutter_error);
    assert_eq!(s.blocking_fault(), Some(Fault::DeviceError));
    let s = parse(raw(0x1A, 0x12, 0x12, 0x12));
    assert_eq!(s.blocking_fault(), Some(Fault::Offline));
}

#[test]
fn rejects_bytes_without_the_pattern() {
    assert!(!is_status_byte(0x00));
    assert!(!is_status_byte(0x0F));
    assert!(is_status_byte(0x12));
    let err = PrinterStatus::from_raw(raw(0x12, 0x12, 0x12, 0x00)).expect_err("bad byte");
    assert_eq!((err.request, err.byte), (4, 0x00));
}

#[test]
fn json_field_names() {
    let s = parse(raw(0x12, 0x12, 0x12, 0x1E));
    let v = serde_json::to_value(s).expect("json");
    assert_eq!(v["online"], true);
    assert_eq!(v["paper"], "near_end");
    assert_eq!(v["cover_open"], false);
    let out = parse(raw(0x1A, 0x12, 0x12, 0x72));
    assert_eq!(serde_json::to_value(out).expect("json")["paper"], "out");
    let ok = parse(raw(0x12, 0x12, 0x12, 0x12));
    assert_eq!(serde_json::to_value(ok).expect("json")["paper"], "ok");
    assert_eq!(
        serde_json::to_value(PrinterEvent::PaperNearEnd).expect("json"),
        "paper_near_end"
    );
}

#[test]
fn events_follow_changes() {
    let ok = parse(raw(0x12, 0x12, 0x12, 0x12));
    let near = parse(raw(0x12, 0x12, 0x12, 0x1E));
    let out = parse(raw(0x1A, 0x32, 0x12, 0x72));
    let cover = parse(raw(0x1A, 0x16, 0x12, 0x12));
    let mut w = StatusWatcher::new();
    assert!(w.observe(ok).is_empty());
    assert_eq!(w.observe(near), vec![PrinterEvent::PaperNearEnd]);
    assert!(w.observe(near).is_empty(), "no repeat while unchanged");
    assert_eq!(w.observe(out), vec![PrinterEvent::Offline, PrinterEvent::PaperOut]);
    assert_eq!(w.observe(ok), vec![PrinterEvent::Recovered]);
    assert_eq!(w.observe(cover), vec![PrinterEvent::Offline, PrinterEvent::CoverOpen]);
    assert_eq!(w.observe(ok), vec![PrinterEvent::Recovered]);
    // First poll of a printer that starts faulty raises its alarms.
    let mut fresh = StatusWatcher::new();
    assert_eq!(fresh.observe(near), vec![PrinterEvent::PaperNearEnd]);
}
