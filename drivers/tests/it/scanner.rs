//! Scanner decoders (serial framing, HID-POS reports, keyboard reports, QR in images) and the
//! serial scanner against the simulator on real pty pairs.

use std::collections::VecDeque;
use std::io;
use std::time::{Duration, Instant};

use drivers::scanner::hidpos::{self, Assembled, Assembler, HidPosScanner, HidSource, ReportSource, parse_report};
use drivers::scanner::serial::{Framed, Framer, split_codes};
use drivers::scanner::wedge::{self, KeyboardDecoder, Typed, decode_keyboard_reports};
use drivers::scanner::{
    ScanSource, Scanner, ScannerError, SerialConfig, SerialScanner, SerialSource, Suffix, Symbology, decode_qr,
    decode_text,
};
use image::{GrayImage, Luma};
use proptest::prelude::*;

fn codes(items: &[Framed]) -> Vec<String> {
    items
        .iter()
        .filter_map(|f| match f {
            Framed::Code(b) => Some(decode_text(b)),
            _ => None,
        })
        .collect()
}

// ---------- serial framing ----------

#[test]
fn each_line_suffix_splits_codes() {
    for (suffix, stream) in [
        (Suffix::Cr, &b"APPT:1\rAPPT:2\r"[..]),
        (Suffix::Lf, b"APPT:1\nAPPT:2\n"),
        (Suffix::CrLf, b"APPT:1\r\nAPPT:2\r\n"),
    ] {
        assert_eq!(
            codes(&split_codes(stream, suffix, 64)),
            ["APPT:1", "APPT:2"],
            "{suffix:?}"
        );
    }
}

#[test]
fn a_scanner_sending_another_line_suffix_than_configured_still_works() {
    assert_eq!(codes(&split_codes(b"A\r\nB\r\n", Suffix::Cr, 64)), ["A", "B"]);
    assert_eq!(codes(&split_codes(b"A\rB\r", Suffix::CrLf, 64)), ["A", "B"]);
}

#[test]
fn gap_mode_keeps_newlines_and_ends_codes_on_the_gap() {
    let mut f = Framer::new(Suffix::None, 64);
    assert!(f.push(b"line1\nline2").is_empty());
    assert!(f.has_partial());
    assert_eq!(f.gap(), Some(Framed::Code(b"line1\nline2".to_vec())));
    assert_eq!(f.gap(), None);
}

#[test]
fn noise_bytes_and_empty_lines_are_dropped() {
    let stream = b"\x00\xFF\r\n\x1B\x07APPT:\x00123\r\x7F\r";
    assert_eq!(
        split_codes(stream, Suffix::Cr, 64),
        [Framed::Code(b"APPT:123".to_vec())]
    );
    // GS1 separators are content.
    assert_eq!(
        split_codes(b"01\x1D17\r", Suffix::Cr, 64),
        [Framed::Code(b"01\x1D17".to_vec())]
    );
}

#[test]
fn over_long_codes_are_dropped_to_their_end() {
    let mut stream = vec![b'9'; 100];
    stream.extend_from_slice(b"\rOK\r");
    assert_eq!(
        split_codes(&stream, Suffix::Cr, 10),
        [Framed::TooLong { len: 100 }, Framed::Code(b"OK".to_vec())]
    );
    assert_eq!(
        split_codes(&[b'x'; 20], Suffix::None, 10),
        [Framed::TooLong { len: 20 }]
    );
}

#[test]
fn a_line_without_suffix_at_the_gap_is_incomplete() {
    assert_eq!(
        split_codes(b"APPT:12", Suffix::Cr, 64),
        [Framed::Incomplete(b"APPT:12".to_vec())]
    );
}

#[test]
fn text_is_utf8_or_gb18030() {
    assert_eq!(decode_text("预约:张三".as_bytes()), "预约:张三");
    let (gb, _, _) = encoding_rs::GB18030.encode("市民服务中心 预约号A023");
    assert!(std::str::from_utf8(&gb).is_err());
    assert_eq!(decode_text(&gb), "市民服务中心 预约号A023");
    assert_eq!(decode_text(b"\xEF\xBB\xBFABC"), "ABC");
}

proptest! {
    #[test]
    fn serial_split_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512), max in 0usize..64) {
        for suffix in [Suffix::Cr, Suffix::Lf, Suffix::CrLf, Suffix::None] {
            for item in split_codes(&bytes, suffix, max) {
                if let Framed::Code(c) = item {
                    prop_assert!(c.len() <= max.max(1));
                    let _ = decode_text(&c);
                }
            }
        }
    }

    #[test]
    fn codes_survive_any_chunking(
        texts in proptest::collection::vec("[A-Za-z0-9:/_-]{1,40}", 1..6),
        cut in 1usize..17,
    ) {
        let stream: Vec<u8> = texts.iter().flat_map(|t| [t.as_bytes(), b"\r\n"].concat()).collect();
        let mut f = Framer::new(Suffix::CrLf, 128);
        let mut items = Vec::new();
        for chunk in stream.chunks(cut) {
            items.extend(f.push(chunk));
        }
        prop_assert_eq!(codes(&items), texts);
    }

    #[test]
    fn hidpos_and_keyboard_parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_report(&bytes);
        let _ = hidpos::decode_reports(&bytes);
        let _ = decode_keyboard_reports(&bytes);
    }
}

// ---------- serial scanner over a pty ----------

#[cfg(unix)]
mod pty {
    use super::*;
    use drivers::scanner::sim::{ScannerSim, SimStep};

    fn rig(suffix: Suffix, steps: Vec<SimStep>) -> (ScannerSim, SerialScanner<SerialSource>) {
        let (sim, port) = {
            let _g = crate::common::PTY
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            ScannerSim::pty(suffix, steps).expect("pty")
        };
        let config = SerialConfig {
            suffix,
            ..SerialConfig::default()
        };
        (sim, SerialScanner::new(SerialSource::from_port(Box::new(port)), config))
    }

    fn next(s: &mut impl Scanner) -> String {
        s.next_scan(Duration::from_secs(3)).expect("scan").expect("a code").text
    }

    #[test]
    fn codes_with_every_suffix_arrive_in_order() {
        for suffix in [Suffix::Cr, Suffix::Lf, Suffix::CrLf, Suffix::None] {
            let (_sim, mut s) = rig(
                suffix,
                vec![
                    SimStep::Code("APPT:20261123-A023".into()),
                    SimStep::Code("9787302123456".into()),
                ],
            );
            let first = s.next_scan(Duration::from_secs(3)).unwrap().unwrap();
            assert_eq!(first.text, "APPT:20261123-A023", "{suffix:?}");
            assert_eq!(first.source, ScanSource::Serial);
            assert_eq!(first.symbology, None);
            assert_eq!(next(&mut s), "9787302123456", "{suffix:?}");
        }
    }

    #[test]
    fn chinese_content_in_utf8_and_gb18030() {
        let (gb, _, _) = encoding_rs::GB18030.encode("社保业务 张三");
        let (_sim, mut s) = rig(
            Suffix::Cr,
            vec![SimStep::Code("预约:李四".into()), SimStep::Bytes(gb.into_owned())],
        );
        assert_eq!(next(&mut s), "预约:李四");
        assert_eq!(next(&mut s), "社保业务 张三");
    }

    #[test]
    fn noise_between_codes_is_ignored() {
        let (_sim, mut s) = rig(
            Suffix::Cr,
            vec![
                SimStep::Noise,
                SimStep::Code("A1".into()),
                SimStep::Noise,
                SimStep::Code("B2".into()),
            ],
        );
        assert_eq!(next(&mut s), "A1");
        assert_eq!(next(&mut s), "B2");
    }

    #[test]
    fn a_truncated_code_does_not_glue_onto_the_next() {
        let (_sim, mut s) = rig(
            Suffix::Cr,
            vec![
                SimStep::Truncated("APPT:99999999".into()),
                SimStep::Pause(Duration::from_millis(700)),
                SimStep::Code("APPT:1".into()),
            ],
        );
        assert_eq!(next(&mut s), "APPT:1");
        assert_eq!(s.dropped_partials(), 1);
    }

    #[test]
    fn a_silent_scanner_times_out_with_none() {
        let (_sim, mut s) = rig(Suffix::Cr, vec![]);
        let t = Instant::now();
        assert!(s.next_scan(Duration::from_millis(200)).unwrap().is_none());
        assert!(t.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn an_unplugged_scanner_is_an_error_not_a_hang() {
        let (sim, mut s) = rig(
            Suffix::Cr,
            vec![
                SimStep::Code("A1".into()),
                SimStep::Pause(Duration::from_millis(300)),
                SimStep::Vanish,
            ],
        );
        assert_eq!(next(&mut s), "A1");
        let t = Instant::now();
        let err = s.next_scan(Duration::from_secs(10)).unwrap_err();
        assert!(matches!(err, ScannerError::Disconnected(_)), "{err}");
        assert!(err.to_string().contains("扫码枪连接断开"), "{err}");
        assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
        // Once gone, it stays an error.
        assert!(s.next_scan(Duration::from_secs(1)).is_err());
        drop(sim);
    }

    #[test]
    fn opening_a_missing_port_is_a_clear_error() {
        let err = SerialSource::open("/dev/ttyACM-does-not-exist", 9600).err().unwrap();
        assert!(matches!(err, ScannerError::Open { .. }));
        assert!(err.to_string().contains("/dev/ttyACM-does-not-exist"), "{err}");
    }
}

// ---------- HID-POS ----------

fn report(data: &[u8], symbology: u8, more: bool) -> Vec<u8> {
    let mut r = vec![0u8; 64];
    r[0] = 0x02;
    r[1] = u8::try_from(data.len()).unwrap();
    r[2..2 + data.len()].copy_from_slice(data);
    r[62] = symbology;
    r[63] = u8::from(more);
    r
}

/// A code split into reports as a HID-POS scanner sends it.
fn reports(code: &[u8], symbology: u8) -> Vec<Vec<u8>> {
    let chunks: Vec<&[u8]> = code.chunks(56).collect();
    chunks
        .iter()
        .enumerate()
        .map(|(i, c)| report(c, symbology, i + 1 < chunks.len()))
        .collect()
}

#[test]
fn hidpos_report_fields() {
    let r = report(b"APPT:1", b'Q', false);
    let p = parse_report(&r).unwrap();
    assert_eq!(p.data, b"APPT:1");
    assert_eq!(p.symbology, b'Q');
    assert!(!p.continues);
    assert_eq!(parse_report(&r[..40]), Err(hidpos::ReportError::Short(40)));
    let mut bad = r.clone();
    bad[0] = 0x01;
    assert_eq!(parse_report(&bad), Err(hidpos::ReportError::WrongId(1)));
    bad = r;
    bad[1] = 57;
    assert_eq!(parse_report(&bad), Err(hidpos::ReportError::BadLength(57)));
}

#[test]
fn hidpos_codes_are_reassembled_across_continuations() {
    let code = "预约码:".repeat(25) + "END"; // 253 bytes of UTF-8: five reports
    let mut asm = Assembler::new(1024);
    let rs = reports(code.as_bytes(), b'Q');
    assert_eq!(rs.len(), 5);
    for r in &rs[..4] {
        assert_eq!(asm.push(r), Ok(None));
    }
    match asm.push(&rs[4]) {
        Ok(Some(Assembled::Code { data, symbology })) => {
            assert_eq!(decode_text(&data), code);
            assert_eq!(symbology, b'Q');
        }
        other => panic!("{other:?}"),
    }
    let all: Vec<u8> = rs.concat();
    assert_eq!(hidpos::decode_reports(&all), [(code.clone(), b'Q')]);
    // Too long for the limit: dropped, and the next code is fine.
    let mut small = Assembler::new(100);
    let results: Vec<_> = rs.iter().map(|r| small.push(r)).collect();
    assert_eq!(results.last(), Some(&Ok(Some(Assembled::TooLong))));
    assert!(matches!(
        small.push(&report(b"OK", 0, false)),
        Ok(Some(Assembled::Code { .. }))
    ));
}

/// Reports in a queue; `None` entries are "nothing in time", and an empty queue is an unplug.
struct Scripted(VecDeque<Option<Vec<u8>>>);

impl ReportSource for Scripted {
    fn read_report(&mut self, buf: &mut [u8], _timeout: Duration) -> io::Result<usize> {
        match self.0.pop_front() {
            Some(Some(r)) => {
                buf[..r.len()].copy_from_slice(&r);
                Ok(r.len())
            }
            Some(None) => Ok(0),
            None => Err(io::Error::other("hidraw: device removed")),
        }
    }
}

#[test]
fn hidpos_scanner_yields_scans_and_reports_unplug() {
    let mut q: VecDeque<Option<Vec<u8>>> = reports("APPT:20261123-A023".as_bytes(), b'Q')
        .into_iter()
        .map(Some)
        .collect();
    q.push_back(None);
    q.push_back(Some(vec![0x01, 0x00])); // another report ID: a malformed report error
    q.extend(reports(&[b'7'; 80], b'd').into_iter().map(Some));
    let mut s = HidPosScanner::new(Scripted(q));
    let scan = s.next_scan(Duration::from_secs(1)).unwrap().unwrap();
    assert_eq!(scan.text, "APPT:20261123-A023");
    assert_eq!(scan.symbology, Some(Symbology::CodeId(b'Q')));
    assert_eq!(scan.source, ScanSource::HidPos);
    let err = s.next_scan(Duration::from_secs(1)).unwrap_err();
    assert!(err.is_recoverable(), "{err}");
    assert_eq!(
        s.next_scan(Duration::from_secs(1)).unwrap().unwrap().text,
        "7".repeat(80)
    );
    let err = s.next_scan(Duration::from_secs(1)).unwrap_err();
    assert!(matches!(err, ScannerError::Disconnected(_)), "{err}");
}

#[test]
fn opening_a_missing_hid_device_is_a_clear_error() {
    for dev in ["1eab:fff0", "/dev/hidraw-does-not-exist"] {
        let err = HidSource::open(dev).err().expect("no such device here");
        assert!(matches!(err, ScannerError::Open { .. }), "{err}");
        let msg = err.to_string();
        assert!(msg.starts_with("无法打开扫码枪"), "{msg}");
        assert!(msg.contains(dev), "{msg}");
    }
    assert_eq!(hidpos::parse_vid_pid("0x1EAB:0d10"), Some((0x1EAB, 0x0D10)));
    assert_eq!(hidpos::parse_vid_pid("/dev/hidraw0"), None);
    assert_eq!(hidpos::parse_vid_pid("12345:1"), None);
}

// ---------- keyboard wedge ----------

/// Key usage and shift for an ASCII character on a US keyboard (test-side inverse table).
fn key_for(c: char) -> (u8, bool) {
    for usage in 0x04..=0x63u8 {
        for shift in [false, true] {
            if wedge::usage_char(usage, shift) == Some(c) {
                return (usage, shift);
            }
        }
    }
    panic!("no key for {c:?}");
}

/// Press and release reports typing `text` then Enter.
fn typing(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for c in text.chars() {
        let (k, shift) = key_for(c);
        out.extend([if shift { 0x02 } else { 0 }, 0, k, 0, 0, 0, 0, 0]);
        out.extend([0u8; 8]);
    }
    out.extend([0, 0, 0x28, 0, 0, 0, 0, 0]);
    out.extend([0u8; 8]);
    out
}

#[test]
fn keyboard_reports_type_codes_with_shift_and_symbols() {
    for text in [
        "APPT:20261123-A023",
        "https://zwfw.example.gov.cn/q?id=7&t=X_1",
        "a!@#$%^&*()_+{}|:\"<>?~",
    ] {
        assert_eq!(decode_keyboard_reports(&typing(text)), [text]);
    }
}

#[test]
fn held_keys_and_rollover_do_not_repeat() {
    let mut d = KeyboardDecoder::new(64);
    let a = 0x04;
    let b = 0x05;
    assert!(d.push_report(&[0, 0, a, 0, 0, 0, 0, 0]).is_empty());
    // 'a' still held while 'b' goes down: only 'b' is new.
    assert!(d.push_report(&[0, 0, a, b, 0, 0, 0, 0]).is_empty());
    assert!(d.push_report(&[0, 0, b, a, 0, 0, 0, 0]).is_empty());
    // ErrorRollOver reports change nothing.
    assert!(d.push_report(&[0, 0, 1, 1, 1, 1, 1, 1]).is_empty());
    assert!(d.push_report(&[0, 0, b, 0, 0, 0, 0, 0]).is_empty());
    // 'a' released and pressed again: a new 'a'.
    assert!(d.push_report(&[0, 0, b, a, 0, 0, 0, 0]).is_empty());
    assert_eq!(d.pending(), "aba");
    assert_eq!(d.push_report(&[0, 0, 0x28, 0, 0, 0, 0, 0]), [Typed::Code("aba".into())]);
    // Enter held: no empty codes.
    assert!(d.push_report(&[0, 0, 0x28, 0, 0, 0, 0, 0]).is_empty());
    // Digits: 0x1E..0x26 are 1–9 and 0x27 is 0; right shift counts too.
    assert!(d.push_report(&[0, 0, 0x1E, 0x26, 0x27, 0, 0, 0]).is_empty());
    assert!(d.push_report(&[0x20, 0, 0x1E, 0x26, 0x27, 0x04, 0, 0]).is_empty());
    assert_eq!(
        d.push_report(&[0, 0, 0x28, 0, 0, 0, 0, 0]),
        [Typed::Code("190A".into())]
    );
}

// ---------- QR codes in images ----------

/// Renders `text` as a QR code, `scale` pixels per module, with a four-module quiet zone.
fn qr_image(text: &str, scale: u32) -> GrayImage {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let n = u32::try_from(code.width()).unwrap();
    let colors = code.to_colors();
    let side = (n + 8) * scale;
    GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = ((x / scale).wrapping_sub(4), (y / scale).wrapping_sub(4));
        let dark = mx < n && my < n && colors[(my * n + mx) as usize] == qrcode::Color::Dark;
        Luma([if dark { 0 } else { 255 }])
    })
}

/// Deterministic pseudo-random numbers (no rand dependency needed).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        u32::try_from(self.0 >> 33).unwrap()
    }
}

fn add_noise(img: &mut GrayImage, amplitude: i32, seed: u64) {
    let mut rng = Lcg(seed);
    for p in img.pixels_mut() {
        let delta = i32::try_from(rng.next() % u32::try_from(2 * amplitude + 1).unwrap()).unwrap() - amplitude;
        p.0[0] = u8::try_from((i32::from(p.0[0]) + delta).clamp(0, 255)).unwrap();
    }
}

/// `img` pasted at (x, y) onto a canvas of `w`×`h` filled with a busy texture.
fn on_busy_background(img: &GrayImage, w: u32, h: u32, x: u32, y: u32) -> GrayImage {
    let mut rng = Lcg(7);
    let mut canvas = GrayImage::from_fn(w, h, |px, py| {
        let stripes = if (px / 9 + py / 13) % 2 == 0 { 60 } else { 190 };
        Luma([u8::try_from((stripes + (px * py) % 40) % 256).unwrap()])
    });
    for _ in 0..40 {
        let (rx, ry, rw, rh) = (rng.next() % w, rng.next() % h, 5 + rng.next() % 40, 5 + rng.next() % 40);
        let shade = u8::try_from(rng.next() % 256).unwrap();
        for yy in ry..(ry + rh).min(h) {
            for xx in rx..(rx + rw).min(w) {
                canvas.put_pixel(xx, yy, Luma([shade]));
            }
        }
    }
    image::imageops::replace(&mut canvas, img, i64::from(x), i64::from(y));
    canvas
}

fn rotated(img: &GrayImage, degrees: f32) -> GrayImage {
    // Pad first so the rotated corners stay inside the frame.
    let pad = img.width() / 2;
    let mut big = GrayImage::from_pixel(img.width() + 2 * pad, img.height() + 2 * pad, Luma([255]));
    image::imageops::replace(&mut big, img, i64::from(pad), i64::from(pad));
    imageproc::geometric_transformations::rotate_about_center(
        &big,
        degrees.to_radians(),
        imageproc::geometric_transformations::Interpolation::Bilinear,
        imageproc::geometric_transformations::Border::Constant(Luma([255])),
    )
}

const APPT: &str = "APPT:20261123-A023:T7Q2-9XKD";
const CHINESE: &str = "预约:市民服务中心 社保业务 张三 2026-11-23 09:30";

#[test]
fn qr_decodes_at_several_scales() {
    for scale in [2, 3, 5, 8, 12] {
        assert_eq!(decode_qr(&qr_image(APPT, scale)), [APPT], "scale {scale}");
    }
}

#[test]
fn qr_decodes_chinese_text() {
    assert_eq!(decode_qr(&qr_image(CHINESE, 4)), [CHINESE]);
}

#[test]
fn qr_decodes_rotated() {
    for degrees in [15.0, 90.0, 200.0] {
        assert_eq!(decode_qr(&rotated(&qr_image(APPT, 6), degrees)), [APPT], "{degrees}°");
    }
}

#[test]
fn qr_decodes_with_noise_and_on_a_busy_background() {
    // Sensor noise of ±60 grey levels on black/white modules.
    for (text, scale) in [(APPT, 5), (CHINESE, 5), (CHINESE, 8)] {
        let mut noisy = qr_image(text, scale);
        add_noise(&mut noisy, 60, 42);
        assert_eq!(decode_qr(&noisy), [text], "scale {scale}");
    }

    let code = qr_image(APPT, 4);
    let mut scene = on_busy_background(&code, 640, 480, 180, 90);
    add_noise(&mut scene, 25, 3);
    assert_eq!(decode_qr(&scene), [APPT]);

    let tilted = rotated(&qr_image(APPT, 5), 15.0);
    assert_eq!(decode_qr(&on_busy_background(&tilted, 800, 600, 100, 40)), [APPT]);
}

#[test]
fn qr_finds_several_codes_and_nothing_in_an_empty_frame() {
    let (a, b) = (qr_image("APPT:1", 4), qr_image("APPT:2", 4));
    let mut frame = GrayImage::from_pixel(a.width() * 2 + 40, a.height() + 20, Luma([255]));
    image::imageops::replace(&mut frame, &a, 10, 10);
    image::imageops::replace(&mut frame, &b, i64::from(a.width()) + 30, 10);
    let mut found = decode_qr(&frame);
    found.sort();
    assert_eq!(found, ["APPT:1", "APPT:2"]);
    assert!(decode_qr(&GrayImage::from_pixel(320, 240, Luma([200]))).is_empty());
    assert!(decode_qr(&GrayImage::new(0, 0)).is_empty());
}

#[test]
fn qr_in_a_large_photo_is_found() {
    // Modules of 40 px in a 2400 px frame: found after scaling down if not at full size.
    let code = qr_image(APPT, 40);
    let photo = on_busy_background(&code, 2400, 1800, 300, 100);
    assert_eq!(decode_qr(&photo), [APPT]);
}
