//! Window LED frames as the screen simulator reads them off the RS-485 line: one-shot and streamed
//! decoding never panic; a decoded frame re-encodes to the same bytes.
#![no_main]

use drivers::display::codec::{FrameCodec, Imm90022Codec, StreamDecoder, TextEncoding, decode_imm90022};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for encoding in [TextEncoding::Gb2312, TextEncoding::Gb18030, TextEncoding::Utf8] {
        if let Ok((frame, used)) = decode_imm90022(data, encoding) {
            assert!(used <= data.len());
            let codec = Imm90022Codec {
                encoding,
                ..Imm90022Codec::default()
            };
            if let Ok(again) = codec.encode(frame.address, &frame.text) {
                let (back, _) = decode_imm90022(&again, encoding).expect("an encoded frame decodes");
                assert_eq!(back, frame);
            }
        }
    }
    let codec = Imm90022Codec::default();
    let split = data.first().map_or(0, |b| usize::from(*b)).min(data.len());
    let mut stream = StreamDecoder::new();
    let _ = stream.push(&codec, &data[..split]);
    let _ = stream.push(&codec, &data[split..]);
});
