//! `devicectl evaluator test|serve`: the built-in simulators, a pad simulator from the test against
//! a real `serve`, and the failure exit codes.

use crate::common::{devicectl, json};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::Duration;

use drivers::evaluator::{PadAnswer, PadSim, PadSimConfig};

#[test]
fn keypad_sim_gives_one_rating() {
    let out = devicectl(&["evaluator", "test", "--sim", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    assert_eq!((v["level"].as_u64(), v["label"].as_str()), (Some(5), Some("非常满意")));
}

#[test]
fn missing_hid_device_is_exit_3() {
    let out = devicectl(&["evaluator", "test", "--hid", "0001:0001", "--timeout", "1"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("无法打开评价器"));
    let out = devicectl(&["evaluator", "test", "--hid", "nonsense"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn serve_sim_prints_the_pads_rating() {
    let out = devicectl(&["evaluator", "serve", "--sim", "--json", "--timeout", "10"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    assert_eq!((v["level"].as_u64(), v["label"].as_str()), (Some(4), Some("满意")));
}

fn free_port() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().to_string()
}

#[test]
fn serve_with_a_real_pad_connection() {
    let addr = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_devicectl"))
        .args([
            "evaluator",
            "serve",
            "--listen",
            &addr,
            "--pad",
            "10086=123456",
            "--timeout",
            "10",
            "--json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut c = PadSimConfig::new(&addr, "10086", "123456");
    c.answers = vec![PadAnswer::level(2), PadAnswer::level(2).with_reason("材料说明不清")];
    let pad = PadSim::start(c);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    assert_eq!(v["level"], 2);
    assert_eq!(v["label"], "不满意");
    assert_eq!(v["reasons"][0], "材料说明不清");
    pad.stop();
}

#[test]
fn serve_without_pad_times_out_with_exit_4() {
    let addr = free_port();
    let start = std::time::Instant::now();
    let out = devicectl(&[
        "evaluator",
        "serve",
        "--listen",
        &addr,
        "--pad",
        "1=2",
        "--timeout",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(4));
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no pad logged in"));
    let out = devicectl(&["evaluator", "serve", "--listen", &addr]);
    assert_eq!(out.status.code(), Some(2));
}
