//! The simulated printer's ESC/POS parser (what a host may send): never panics, whatever arrives.
#![no_main]

use drivers::printer::sim::EscPosParser;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.first().map_or(0, |b| usize::from(*b)).min(data.len());
    let mut parser = EscPosParser::new();
    let _ = parser.push(&data[..split]);
    let _ = parser.push(&data[split..]);
});
