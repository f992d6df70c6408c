//! `devicectl led test` against the simulated screens: built in (`--sim`) and on a pty whose far
//! end the test serves.

use crate::common::{devicectl, json};
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use drivers::display::{Imm90022Codec, ScreenSim};
use serialport::{SerialPort, TTYPort};

#[test]
fn sim_sends_the_test_pattern() {
    let out = devicectl(&["led", "test", "--sim", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    assert_eq!(v["address"], 1);
    assert_eq!(v["text"], "测试 A023");
    assert_eq!(v["shown_by_simulator"], true);
    // 测试 = B2E2 CAD4; sum(01 00 99 00 63 B2 E2 CA D4 20 41 30 32 33 FF) mod 256 = 24
    assert_eq!(
        v["frame"],
        "AA 01 BB 51 54 24 01 00 99 00 63 B2 E2 CA D4 20 41 30 32 33 FF"
    );
}

#[test]
fn real_port_path_reaches_the_screen() {
    let (master, slave) = {
        let _g = crate::common::PTY.lock().unwrap_or_else(PoisonError::into_inner);
        TTYPort::pair().expect("pty pair")
    };
    let path = slave.name().expect("pty name");
    let screens = ScreenSim::spawn_pty(Arc::new(Imm90022Codec::default()), master).unwrap();
    let out = devicectl(&[
        "led",
        "test",
        "--port",
        &path,
        "--address",
        "7",
        "--text",
        "请A023号到7号窗口",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("请A023号到7号窗口"));
    assert!(screens.wait_for(Duration::from_secs(2), |s| s.iter().any(|f| f.address == 7)));
    assert_eq!(screens.text_of(7).as_deref(), Some("请A023号到7号窗口"));
    drop(slave);
}

#[test]
fn template_option_changes_the_frame() {
    let out = devicectl(&[
        "led",
        "test",
        "--sim",
        "--json",
        "--template",
        "02 {addr} {len} [{text:ascii}] {xor8} 03",
        "--text",
        "AB",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json(&out)["frame"], "02 01 02 41 42 03 03");
    let out = devicectl(&["led", "test", "--sim", "--template", "02 {adr} {text} 03"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown placeholder {adr}"));
}

#[test]
fn failures_have_their_exit_codes() {
    let out = devicectl(&["led", "test", "--port", "/dev/does-not-exist"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("无法打开串口"));
    let out = devicectl(&["led", "test", "--sim", "--text", "朱镕基"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("text:"));
    let out = devicectl(&["led", "test"]);
    assert_eq!(out.status.code(), Some(2));
}
