//! `devicectl scanner …` (and the printer's USB device paths) run as a binary: against the
//! built-in simulator, the scanner simulator on a real pty pair, and QR photos on disk.

use crate::common::{devicectl_timed, stderr, stdout};
use std::process::Output;
use std::sync::PoisonError;
use std::time::Duration;

use drivers::scanner::Suffix;
use drivers::scanner::sim::{ScannerSim, SimStep};
use image::{GrayImage, Luma};
use serde_json::Value;
use serialport::{SerialPort, TTYPort};

fn json_lines(o: &Output) -> Vec<Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON ({e}): {l}")))
        .collect()
}

/// A scripted scanner on the master end; the slave is kept open so the script's bytes wait in
/// the pty until the binary opens the path.
struct Rig {
    _sim: ScannerSim,
    _slave: TTYPort,
    path: String,
}

fn rig(suffix: Suffix, steps: Vec<SimStep>) -> Rig {
    let (sim, slave) = {
        let _g = crate::common::PTY.lock().unwrap_or_else(PoisonError::into_inner);
        ScannerSim::pty(suffix, steps).expect("pty")
    };
    let path = slave.name().expect("pty name");
    Rig {
        _sim: sim,
        _slave: slave,
        path,
    }
}

#[test]
fn sim_read_prints_json() {
    let (out, _) = devicectl_timed(&["scanner", "read", "--sim", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json_lines(&out);
    assert_eq!(v.len(), 1, "{}", stdout(&out));
    assert_eq!(v[0]["text"], "APPT:20261123-A023");
    assert_eq!(v[0]["source"], "serial");
    assert!(v[0]["symbology"].is_null());
}

#[test]
fn sim_read_two_codes_human_readable() {
    let (out, _) = devicectl_timed(&["scanner", "read", "--sim", "--count", "2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("APPT:20261123-A023"), "{text}");
    assert!(text.contains("预约:市民服务中心 社保业务 A023"), "{text}");
    assert!(text.contains("条码 / code:"), "{text}");
}

#[test]
fn reads_a_pty_scanner_with_each_suffix() {
    for (suffix, flag) in [(Suffix::CrLf, "crlf"), (Suffix::None, "none"), (Suffix::Lf, "lf")] {
        let r = rig(
            suffix,
            vec![SimStep::Code("APPT:1".into()), SimStep::Code("二维码内容".into())],
        );
        let (out, _) = devicectl_timed(&[
            "scanner", "read", "--port", &r.path, "--suffix", flag, "--count", "2", "--json",
        ]);
        assert!(out.status.success(), "{flag}: {}", stderr(&out));
        let texts: Vec<Value> = json_lines(&out).into_iter().map(|v| v["text"].clone()).collect();
        assert_eq!(texts, ["APPT:1", "二维码内容"], "{flag}");
    }
}

#[test]
fn nothing_scanned_times_out_with_exit_4() {
    let r = rig(Suffix::Cr, vec![]);
    let (out, took) = devicectl_timed(&["scanner", "read", "--port", &r.path, "--timeout", "0.5"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("未扫到条码"), "{}", stderr(&out));
    assert!(took < Duration::from_secs(5), "{took:?}");
}

/// Unplugging is simulated in-process (`--sim-fault vanish`): a pty master made by this test
/// process would be inherited by the child (serialport opens it without close-on-exec) and keep
/// the line up.
#[test]
fn an_unplugged_scanner_exits_4_quickly() {
    let (out, took) = devicectl_timed(&[
        "scanner",
        "read",
        "--sim",
        "--sim-fault",
        "vanish",
        "--count",
        "2",
        "--timeout",
        "30",
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stdout(&out).contains("APPT:20261123-A023"), "{}", stdout(&out));
    assert!(stderr(&out).contains("扫码枪连接断开"), "{}", stderr(&out));
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn sim_faults_noise_and_truncation_still_read_the_good_codes() {
    for fault in ["noise", "truncated"] {
        let (out, _) = devicectl_timed(&[
            "scanner",
            "read",
            "--sim",
            "--sim-fault",
            fault,
            "--count",
            "2",
            "--json",
        ]);
        assert!(out.status.success(), "{fault}: {}", stderr(&out));
        let texts: Vec<Value> = json_lines(&out).into_iter().map(|v| v["text"].clone()).collect();
        assert_eq!(
            texts,
            ["APPT:20261123-A023", "预约:市民服务中心 社保业务 A023"],
            "{fault}"
        );
    }
}

#[test]
fn open_and_usage_errors() {
    let (out, _) = devicectl_timed(&["scanner", "read", "--port", "/dev/ttyACM-does-not-exist"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let (out, _) = devicectl_timed(&["scanner", "read", "--hid", "1eab:fff0"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("无法打开扫码枪 1eab:fff0"), "{}", stderr(&out));
    let (out, _) = devicectl_timed(&["scanner", "read", "--hid", "/dev/hidraw-does-not-exist"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let (out, _) = devicectl_timed(&["scanner", "read"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let (out, _) = devicectl_timed(&["scanner", "read", "--sim", "--suffix", "tab"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// Renders `text` as a QR code (`scale` px per module, quiet zone) onto a grey photo-ish canvas.
fn qr_photo(text: &str, scale: u32) -> GrayImage {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let n = u32::try_from(code.width()).unwrap();
    let colors = code.to_colors();
    let side = (n + 8) * scale;
    let qr = GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = ((x / scale).wrapping_sub(4), (y / scale).wrapping_sub(4));
        let dark = mx < n && my < n && colors[(my * n + mx) as usize] == qrcode::Color::Dark;
        Luma([if dark { 20 } else { 235 }])
    });
    let mut photo = GrayImage::from_fn(side + 200, side + 120, |x, y| {
        Luma([u8::try_from((x + y) % 120 + 60).unwrap()])
    });
    image::imageops::replace(&mut photo, &qr, 100, 60);
    photo
}

#[test]
fn decode_finds_qr_codes_in_photos() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("appt.png");
    qr_photo("APPT:20261123-A023", 6).save(&png).unwrap();
    let (out, _) = devicectl_timed(&["scanner", "decode", "--image", png.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = &json_lines(&out)[0];
    assert_eq!(v["codes"], serde_json::json!(["APPT:20261123-A023"]));

    let jpg = dir.path().join("chinese.jpg");
    image::DynamicImage::ImageLuma8(qr_photo("预约:张三 社保业务", 8))
        .to_rgb8()
        .save(&jpg)
        .unwrap();
    let (out, _) = devicectl_timed(&["scanner", "decode", "--image", jpg.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("预约:张三 社保业务"), "{}", stdout(&out));

    let blank = dir.path().join("blank.png");
    GrayImage::from_pixel(300, 200, Luma([128])).save(&blank).unwrap();
    let (out, _) = devicectl_timed(&["scanner", "decode", "--image", blank.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(json_lines(&out)[0]["codes"], serde_json::json!([]));

    let (out, _) = devicectl_timed(&["scanner", "decode", "--image", "/nonexistent/photo.jpg"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
}

#[test]
fn printer_port_takes_usb_device_paths() {
    // A usblp name that is not there: a clear open error naming USB.
    let (out, _) = devicectl_timed(&["printer", "status", "--port", "/dev/usb/lp7"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("无法打开 USB 打印机 /dev/usb/lp7"),
        "{}",
        stderr(&out)
    );
    // A character device that is not a tty is driven as a USB printer device: /dev/null takes
    // the status request and answers with end of file, i.e. a printer that went away.
    let (out, took) = devicectl_timed(&["printer", "status", "--port", "/dev/null"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("打印机连接断开"), "{}", stderr(&out));
    assert!(took < Duration::from_secs(5), "{took:?}");
}
