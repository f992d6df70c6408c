//! SAM frame decoder (both directions): arbitrary bytes, pushed in arbitrary splits, must yield
//! frames or errors and never panic, loop for ever or grow without bound.
#![no_main]

use drivers::idcard::frame::{self, Decoder};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.first().map_or(0, |b| usize::from(*b)).min(data.len());
    let kinds: [fn() -> Decoder; 2] = [Decoder::responses, Decoder::requests];
    for kind in kinds {
        let mut decoder = kind();
        for part in [&data[..split], &data[split..]] {
            decoder.push(part);
            // Every call consumes or returns None; the bound only guards the fuzzer itself.
            for _ in 0..=data.len() {
                match decoder.next_body() {
                    Ok(Some(body)) => {
                        // A decoded body re-encodes to a frame that the same kind of decoder
                        // (the minimum length differs: requests 2, responses 3) decodes to it.
                        let again = frame::encode(&body).expect("decoded body fits a frame");
                        let mut d = kind();
                        d.push(&again);
                        assert_eq!(d.next_body().ok().flatten().as_deref(), Some(body.as_slice()));
                    }
                    Ok(None) => break,
                    Err(_) => {}
                }
            }
            assert!(decoder.buffered() <= data.len());
        }
    }
    let mut d = Decoder::responses();
    d.push(data);
    while let Ok(Some(_)) | Err(_) = d.next_response() {
        if d.buffered() == 0 {
            break;
        }
    }
});
