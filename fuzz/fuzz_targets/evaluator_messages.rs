//! What evaluators send: HID keypad reports and network pad JSON messages never panic the parser.
#![no_main]

use drivers::evaluator::keypad::decode_boot_report;
use drivers::evaluator::{parse_envelope, parse_pad_message};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = decode_boot_report(data);
    let _ = parse_pad_message(data);
    let _ = parse_envelope(data);
});
