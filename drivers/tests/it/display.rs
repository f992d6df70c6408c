//! Window LED screens: codec golden bytes, the template language, and the bus against the simulated
//! screens over real pty pairs.

use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

use drivers::display::{
    BusConfig, BusStatus, CodecError, DisplayError, FrameCodec, FrameError, IMM90022_TEMPLATE, Imm90022Codec, LedBus,
    ScreenFault, ScreenSim, SerialBus, StreamDecoder, StreamItem, TemplateCodec, TextEncoding, WindowDisplay,
    crc16_modbus, decode_imm90022, parse_template,
};
use proptest::prelude::*;

// ---------------------------------------------------------------- IMM90022 codec

#[test]
fn imm90022_golden_ascii() {
    // sum(01 00 99 00 63 41 30 32 33 FF) = 0x2D2 → D2
    let frame = Imm90022Codec::default().encode(1, "A023").unwrap();
    assert_eq!(
        frame,
        [
            0xAA, 0x01, 0xBB, 0x51, 0x54, 0xD2, 0x01, 0x00, 0x99, 0x00, 0x63, 0x41, 0x30, 0x32, 0x33, 0xFF
        ]
    );
}

#[test]
fn imm90022_golden_chinese() {
    // 测 = B2 E2, 试 = CA D4 in GB2312; sum(01 00 99 00 63 B2 E2 CA D4 FF) = 0x52E → 2E
    let frame = Imm90022Codec::default().encode(3, "测试").unwrap();
    assert_eq!(
        frame,
        [
            0xAA, 0x03, 0xBB, 0x51, 0x54, 0x2E, 0x01, 0x00, 0x99, 0x00, 0x63, 0xB2, 0xE2, 0xCA, 0xD4, 0xFF
        ]
    );
    let (decoded, used) = decode_imm90022(&frame, TextEncoding::Gb2312).unwrap();
    assert_eq!((decoded.address, decoded.text.as_str(), used), (3, "测试", frame.len()));
}

#[test]
fn imm90022_empty_text_blanks() {
    // sum(01 00 99 00 63 FF) = 0x1FC → FC
    let frame = Imm90022Codec::default().encode(0x20, "").unwrap();
    assert_eq!(
        frame,
        [0xAA, 0x20, 0xBB, 0x51, 0x54, 0xFC, 0x01, 0x00, 0x99, 0x00, 0x63, 0xFF]
    );
}

#[test]
fn unencodable_text_names_the_field() {
    let codec = Imm90022Codec::default();
    // 镕 is in GBK but not in GB2312; an emoji is in neither.
    for text in ["朱镕基", "A😀"] {
        let err = codec.encode(1, text).unwrap_err();
        assert!(matches!(err, CodecError::Unencodable { field: "text", .. }), "{err:?}");
        let msg = err.to_string();
        assert!(msg.starts_with("text:") && msg.contains("gb2312"), "{msg}");
    }
    // GB18030 holds all of Unicode.
    let wide = Imm90022Codec {
        encoding: TextEncoding::Gb18030,
        ..Imm90022Codec::default()
    };
    let frame = wide.encode(1, "朱镕基😀").unwrap();
    assert_eq!(wide.decode(&frame).unwrap().0.text, "朱镕基😀");
    assert!(matches!(
        codec.encode(1, "a\0b"),
        Err(CodecError::Unencodable { ch: '\0', .. })
    ));
}

#[test]
fn too_long_text_is_refused() {
    let codec = Imm90022Codec {
        max_text_bytes: 8,
        ..Imm90022Codec::default()
    };
    assert!(codec.encode(1, "请A023号").is_ok()); // 2 + 4 + 2 = 8 bytes
    let err = codec.encode(1, "请A023号办理").unwrap_err();
    assert_eq!(
        err,
        CodecError::TooLong {
            field: "text",
            len: 12,
            max: 8
        }
    );
}

#[test]
fn decoder_refuses_bad_frames() {
    let good = Imm90022Codec::default().encode(1, "A023").unwrap();
    assert_eq!(
        decode_imm90022(&good[..7], TextEncoding::Gb2312),
        Err(FrameError::Incomplete)
    );
    assert_eq!(
        decode_imm90022(&good[..15], TextEncoding::Gb2312),
        Err(FrameError::Incomplete)
    );
    let mut bad = good.clone();
    bad[12] ^= 1;
    assert!(matches!(
        decode_imm90022(&bad, TextEncoding::Gb2312),
        Err(FrameError::Checksum { .. })
    ));
    let mut bad = good;
    bad[3] = 0x52;
    assert!(matches!(
        decode_imm90022(&bad, TextEncoding::Gb2312),
        Err(FrameError::Malformed(_))
    ));
}

#[test]
fn stream_decoder_resyncs_after_garbage() {
    let codec = Imm90022Codec::default();
    let mut bytes = vec![0x00, 0xAA, 0x13, 0xAA, 0xAA];
    bytes.extend(codec.encode(5, "窗口5").unwrap());
    bytes.extend([0xFF, 0x42]);
    let second = codec.encode(6, "暂停服务").unwrap();
    bytes.extend(&second[..4]);
    let mut dec = StreamDecoder::new();
    let items = dec.push(&codec, &bytes);
    let frames: Vec<_> = items
        .iter()
        .filter_map(|i| {
            if let StreamItem::Frame(f) = i {
                Some(f.text.clone())
            } else {
                None
            }
        })
        .collect();
    assert_eq!(frames, ["窗口5"]);
    assert!(items.iter().any(|i| matches!(i, StreamItem::Rejected { .. })));
    let items = dec.push(&codec, &second[4..]);
    assert!(
        matches!(&items[..], [StreamItem::Frame(f)] if f.address == 6 && f.text == "暂停服务"),
        "{items:?}"
    );
}

// ---------------------------------------------------------------- template codec

#[test]
fn template_imm90022_matches_builtin_codec() {
    let t = TemplateCodec::parse(IMM90022_TEMPLATE).unwrap();
    let builtin = Imm90022Codec::default();
    for (addr, text) in [(1, "A023"), (3, "测试"), (255, ""), (0xAA, "请A023号到8号窗口")] {
        assert_eq!(t.encode(addr, text).unwrap(), builtin.encode(addr, text).unwrap());
    }
}

#[test]
fn template_golden_crc16_modbus() {
    // CRC-16/MODBUS("123456789") = 0x4B37, sent low byte first.
    assert_eq!(crc16_modbus(b"123456789"), 0x4B37);
    let t = TemplateCodec::parse("02 {len} [{text:ascii}] {crc16_modbus} 03").unwrap();
    let frame = t.encode(9, "123456789").unwrap();
    assert_eq!(
        frame,
        [
            0x02, 0x09, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x37, 0x4B, 0x03
        ]
    );
    let (f, used) = t.decode(&frame).unwrap();
    assert_eq!((f.text.as_str(), used), ("123456789", frame.len()));
}

#[test]
fn template_golden_xor8_len16_and_comments() {
    let src = "# vendor X\n55 [{addr} {text:ascii} 00] {xor8}  # xor of addr..00\n";
    let t = TemplateCodec::parse(src).unwrap();
    // 10 ^ 41 ^ 42 ^ 00 = 13
    assert_eq!(t.encode(0x10, "AB").unwrap(), [0x55, 0x10, 0x41, 0x42, 0x00, 0x13]);
    let t = TemplateCodec::parse("0xA5,{addr},{len16be},{text:gbk},{sum8},5A").unwrap_err();
    assert!(t.to_string().contains("range"), "{t}");
    let t = TemplateCodec::parse("A5 {addr} {len16be} [{text:gbk}] {sum8} 5A").unwrap();
    // 号 = BA C5 in GBK; sum = 0x17F → 7F
    assert_eq!(
        t.encode(7, "号").unwrap(),
        [0xA5, 0x07, 0x00, 0x02, 0xBA, 0xC5, 0x7F, 0x5A]
    );
}

#[test]
fn template_errors_are_clear() {
    let cases: [(&str, &str, usize, usize); 8] = [
        ("AA {adr} {text} FF", "unknown placeholder {adr}", 1, 4),
        ("AA {addr} FF", "no {text}", 1, 11),
        ("AA\n  ZZ {text} FF", "\"ZZ\" is not a hex byte", 2, 3),
        ("AA [{addr} {sum8} {text} FF]", "inside the range", 1, 12),
        ("AA {addr} {text}", "end of {text} cannot be found", 1, 11),
        ("AA {text:latin1} FF", "unknown text encoding \"latin1\"", 1, 4),
        ("AA [{text} FF", "'[' without ']'", 1, 4),
        ("AA {text} FF {text} FF", "only one {text}", 1, 14),
    ];
    for (src, want, line, column) in cases {
        let err = parse_template(src.as_bytes()).unwrap_err();
        assert!(err.message.contains(want), "{src}: {err}");
        assert_eq!((err.line, err.column), (line, column), "{src}: {err}");
        assert!(err.to_string().starts_with("帧模板第"), "{err}");
    }
    assert!(parse_template(&[0xFF, 0xFE]).unwrap_err().message.contains("UTF-8"));
}

#[test]
fn template_text_must_not_contain_its_terminator() {
    let t = TemplateCodec::parse("02 {addr} {text:ascii} 0D").unwrap();
    let err = t.encode(1, "a\rb").unwrap_err();
    assert!(
        matches!(
            err,
            CodecError::Unencodable {
                field: "text",
                index: 1,
                ..
            }
        ),
        "{err:?}"
    );
}

fn gb2312_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            (0x20u8..0x7F).prop_map(char::from),
            proptest::sample::select(vec![
                '测', '试', '请', '号', '窗', '口', '暂', '停', '服', '务', '欢', '迎', '，'
            ]),
        ],
        0..40,
    )
    .prop_map(|v| v.into_iter().collect())
}

proptest! {
    #[test]
    fn imm90022_round_trips(addr in any::<u8>(), text in gb2312_text()) {
        let codec = Imm90022Codec::default();
        let frame = codec.encode(addr, &text).unwrap();
        let (f, used) = codec.decode(&frame).unwrap();
        prop_assert_eq!((f.address, f.text, used), (addr, text.clone(), frame.len()));
        let t = TemplateCodec::parse(IMM90022_TEMPLATE).unwrap();
        prop_assert_eq!(t.encode(addr, &text).unwrap(), frame);
    }

    #[test]
    fn template_round_trips(addr in any::<u8>(), text in gb2312_text()) {
        let t = TemplateCodec::parse("7E {addr} {len} [{addr} {text:gb18030}] {crc16_modbus} 7F").unwrap();
        let frame = t.encode(addr, &text).unwrap();
        let (f, used) = t.decode(&frame).unwrap();
        prop_assert_eq!((f.address, f.text, used), (addr, text, frame.len()));
    }

    #[test]
    fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = decode_imm90022(&bytes, TextEncoding::Gb2312);
        let _ = parse_template(&bytes);
        let t = TemplateCodec::parse("7E {addr} {len16le} [{text:utf8}] {sum8} 7F").unwrap();
        let _ = t.decode(&bytes);
        let _ = StreamDecoder::new().push(&Imm90022Codec::default(), &bytes);
    }

    #[test]
    fn template_parser_never_panics_on_text(src in "[ A-F0-9x{}\\[\\]:a-z_#,\n]{0,60}") {
        let _ = parse_template(src.as_bytes());
    }
}

// ---------------------------------------------------------------- bus over a pty

#[cfg(unix)]
struct Rig {
    bus: LedBus,
    screens: ScreenSim,
}

#[cfg(unix)]
fn rig(config: BusConfig) -> Rig {
    let (master, slave) = {
        let _g = crate::common::PTY.lock().unwrap_or_else(PoisonError::into_inner);
        serialport::TTYPort::pair().expect("pty pair")
    };
    let codec: Arc<dyn FrameCodec> = Arc::new(Imm90022Codec::default());
    let screens = ScreenSim::spawn_pty(codec.clone(), master).unwrap();
    let windows = (1..=12u8).map(|n| (format!("{n:02}"), n));
    let bus = LedBus::start(SerialBus::from_port(Box::new(slave)), codec, windows, config);
    Rig { bus, screens }
}

#[cfg(unix)]
#[test]
fn round_trip_over_pty_with_chinese_text() {
    let r = rig(BusConfig::default());
    r.bus.show("08", "请A023号到8号窗口").unwrap();
    r.bus.show("03", "暂停服务").unwrap();
    r.bus.flush(Duration::from_secs(3)).unwrap();
    assert!(r.screens.wait_for(Duration::from_secs(2), |s| s.len() == 2));
    assert_eq!(r.screens.text_of(8).as_deref(), Some("请A023号到8号窗口"));
    assert_eq!(r.screens.text_of(3).as_deref(), Some("暂停服务"));
    r.bus.clear("08").unwrap();
    assert!(r.screens.wait_for(Duration::from_secs(2), |s| s.len() == 3));
    assert_eq!(r.screens.text_of(8).as_deref(), Some(""));
    assert!(r.screens.rejected().is_empty());
    assert_eq!(r.bus.status(), BusStatus::Running);
}

#[cfg(unix)]
#[test]
fn bad_input_is_refused_at_the_call() {
    let r = rig(BusConfig::default());
    assert!(matches!(r.bus.show("99", "x"), Err(DisplayError::UnknownWindow(w)) if w == "99"));
    let err = r.bus.show("01", "朱镕基").unwrap_err();
    assert!(err.to_string().contains("text"), "{err}");
    assert_eq!(r.bus.stats().frames_sent, 0);
}

#[cfg(unix)]
#[test]
fn frames_keep_the_minimum_gap_on_the_line() {
    let r = rig(BusConfig::default());
    for round in 0..3 {
        for w in 1..=4u8 {
            r.bus.show(&format!("{w:02}"), &format!("A{round}{w:02}")).unwrap();
        }
    }
    r.bus.flush(Duration::from_secs(5)).unwrap();
    // The later rounds overwrite the earlier ones before the writer gets to them.
    let last_round = |s: &[drivers::display::Shown]| {
        (1..=4u8).all(|w| {
            s.iter()
                .rev()
                .find(|f| f.address == w)
                .is_some_and(|f| f.text == format!("A2{w:02}"))
        })
    };
    assert!(r.screens.wait_for(Duration::from_secs(2), last_round));
    let shown = r.screens.shown();
    let gaps: Vec<Duration> = shown.windows(2).map(|w| w[1].at - w[0].at).collect();
    let min = gaps.iter().min().copied().unwrap();
    eprintln!("frames {}, measured gaps {gaps:?}, min {min:?}", shown.len());
    assert!(min >= Duration::from_millis(100), "gap {min:?}");
    assert!(shown.len() <= 8, "{} frames for 12 updates", shown.len());
}

#[cfg(unix)]
#[test]
fn rapid_updates_coalesce_without_blocking() {
    let r = rig(BusConfig::default());
    let start = Instant::now();
    for i in 0..50 {
        r.bus.show("05", &format!("请A{i:03}号")).unwrap();
    }
    let call_time = start.elapsed();
    assert!(call_time < Duration::from_millis(50), "50 calls took {call_time:?}");
    r.bus.flush(Duration::from_secs(3)).unwrap();
    assert!(r.screens.wait_for(Duration::from_secs(2), |s| {
        s.last().is_some_and(|f| f.text == "请A049号")
    }));
    let frames = r.screens.shown().len();
    assert!(frames <= 3, "{frames} frames for 50 updates");
    let stats = r.bus.stats();
    assert_eq!(stats.frames_sent + stats.coalesced, 50);
}

#[cfg(unix)]
#[test]
fn garbled_line_is_rejected_then_recovers() {
    let r = rig(BusConfig {
        min_gap: Duration::from_millis(20),
        ..BusConfig::default()
    });
    r.screens.set_fault(Some(ScreenFault::Garble { every: 5 }));
    r.bus.show("02", "暂停服务").unwrap();
    r.bus.flush(Duration::from_secs(2)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(2);
    while r.screens.rejected().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(!r.screens.rejected().is_empty());
    assert!(r.screens.shown().is_empty());
    r.screens.set_fault(None);
    r.bus.show("02", "欢迎光临").unwrap();
    assert!(
        r.screens
            .wait_for(Duration::from_secs(2), |s| s.iter().any(|f| f.text == "欢迎光临"))
    );
}

#[cfg(unix)]
#[test]
fn unplugged_line_is_reported_not_hung() {
    let Rig { bus, screens } = rig(BusConfig {
        min_gap: Duration::from_millis(10),
        ..BusConfig::default()
    });
    bus.show("01", "A001").unwrap();
    assert!(screens.wait_for(Duration::from_secs(2), |s| s.len() == 1));
    screens.stop(); // closes the master side: writes to the slave now fail with EIO
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut last = Ok(());
    while Instant::now() < deadline {
        let start = Instant::now();
        last = bus.show("01", "A002");
        assert!(start.elapsed() < Duration::from_millis(50));
        if last.is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let err = last.unwrap_err();
    assert!(matches!(err, DisplayError::BusDown(_)), "{err:?}");
    assert!(matches!(bus.status(), BusStatus::Failed(_)));
    assert!(bus.flush(Duration::from_secs(1)).is_err());
}
