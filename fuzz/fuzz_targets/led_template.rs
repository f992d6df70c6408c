//! Vendor frame templates are operator config: any text parses to a template or an error with a
//! position; a parsed template's frames decode back to what was encoded.
#![no_main]

use drivers::display::codec::FrameCodec;
use drivers::display::{TemplateCodec, parse_template};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(template) = parse_template(data) else {
        return;
    };
    let codec = TemplateCodec::new(template);
    for (address, text) in [(1u8, "A023"), (7, "请 A023 号到 5 号窗口"), (255, "")] {
        if let Ok(frame) = codec.encode(address, text) {
            let _ = codec.decode(&frame);
        }
    }
    let _ = codec.decode(data);
});
