//! DLE EOT replies: any four bytes are a status or a clear error; a printer that cannot print is
//! never reported fit to print, and every blocking condition raises an alarm.
#![no_main]

use drivers::printer::status::{PaperState, PrinterEvent, PrinterStatus, RawStatus};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: [u8; 4]| {
    let raw = RawStatus {
        printer: data[0],
        offline_cause: data[1],
        error_cause: data[2],
        roll_paper: data[3],
    };
    if let Ok(status) = PrinterStatus::from_raw(raw) {
        let cannot_print = status.cover_open || status.paper == PaperState::Out || !status.online;
        assert!(!cannot_print || status.blocking_fault().is_some());
        let alarms = status.alarms();
        assert_eq!(status.paper == PaperState::Out, alarms.contains(&PrinterEvent::PaperOut));
        assert_eq!(status.cover_open, alarms.contains(&PrinterEvent::CoverOpen));
    }
});
