//! What scanners send: serial/CDC byte streams under every suffix, HID-POS reports and
//! keyboard-wedge reports never panic, and no code comes out longer than the limit.
#![no_main]

use drivers::scanner::serial::{Framed, split_codes};
use drivers::scanner::{Suffix, decode_text, hidpos, wedge};
use libfuzzer_sys::fuzz_target;

const MAX: usize = 256;

fuzz_target!(|data: &[u8]| {
    for suffix in [Suffix::Cr, Suffix::Lf, Suffix::CrLf, Suffix::None] {
        for framed in split_codes(data, suffix, MAX) {
            if let Framed::Code(code) = framed {
                assert!(code.len() <= MAX);
                let _ = decode_text(&code);
            }
        }
    }
    let _ = hidpos::decode_reports(data);
    let _ = wedge::decode_keyboard_reports(data);
});
