//! The `devicectl` binary against the simulators on real pty pairs: the test runs the simulator on
//! one end and hands the other end's path to `--port`.

use crate::common::{devicectl_timed, json, stderr, stdout};
use std::io::Write;
use std::sync::PoisonError;
use std::time::{Duration, Instant};

use drivers::idcard::CardInfo;
use drivers::idcard::sim::{Fault, SimHandle, Simulator};
use drivers::printer::{PrinterSim, SimFault};
use serde_json::Value;
use serialport::{SerialPort, TTYPort};

fn card() -> CardInfo {
    crate::common::resident()
}

/// A simulated reader on the master end; the slave end is kept open (and its path returned) so the
/// master never sees a hang-up before the binary opens the path.
struct IdRig {
    sim: SimHandle,
    path: String,
    _slave: TTYPort,
}

fn id_rig(card: Option<CardInfo>) -> IdRig {
    let (master, slave) = {
        let _g = crate::common::PTY.lock().unwrap_or_else(PoisonError::into_inner);
        TTYPort::pair().expect("pty pair")
    };
    let path = slave.name().expect("pty name");
    let sim = Simulator::new(card).unwrap().spawn(master);
    IdRig {
        sim,
        path,
        _slave: slave,
    }
}

fn printer_rig() -> (PrinterSim, TTYPort, String) {
    let (sim, slave) = {
        let _g = crate::common::PTY.lock().unwrap_or_else(PoisonError::into_inner);
        PrinterSim::pty().expect("printer pty")
    };
    let path = slave.name().expect("pty name");
    (sim, slave, path)
}

#[test]
fn idcard_json_is_masked_by_default() {
    let rig = id_rig(Some(card()));
    let (out, _) = devicectl_timed(&["idcard", "read", "--port", &rig.path, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    for f in crate::common::CARD_JSON_FIELDS {
        assert!(v.get(f).is_some_and(Value::is_string), "missing {f}: {v}");
    }
    assert_eq!(v["card_type"], "resident");
    assert_eq!(v["name"], "张*");
    assert_eq!(v["id_number"], "230***********1234");
    assert_eq!(v["birth"], "1990****");
    assert_eq!(v["sex"], "男");
    let text = stdout(&out);
    assert!(!text.contains("张三") && !text.contains("230102199001011234") && !text.contains("某某路"));
}

#[test]
fn idcard_json_reveal_shows_everything() {
    let rig = id_rig(Some(card()));
    let (out, _) = devicectl_timed(&["idcard", "read", "--port", &rig.path, "--json", "--reveal"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    let c = card();
    for (f, want) in [
        ("name", &c.name),
        ("sex", &c.sex),
        ("nation", &c.nation),
        ("birth", &c.birth),
        ("address", &c.address),
        ("id_number", &c.id_number),
        ("authority", &c.authority),
        ("valid_from", &c.valid_from),
        ("valid_to", &c.valid_to),
    ] {
        assert_eq!(v[f].as_str(), Some(want.as_str()), "{f}");
    }
}

#[test]
fn idcard_human_output_is_masked() {
    let rig = id_rig(Some(card()));
    let (out, _) = devicectl_timed(&["idcard", "read", "--port", &rig.path]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("居民身份证") && text.contains("张*") && text.contains("230***********1234"));
    assert!(!text.contains("张三") && !text.contains("230102199001011234"));
    // Exactly one find → select → read.
    let reads = rig.sim.requests().iter().filter(|r| **r == (0x30, 0x01)).count();
    assert_eq!(reads, 1);
}

#[test]
fn idcard_no_card_fails_in_bounded_time() {
    let rig = id_rig(None);
    let (out, took) = devicectl_timed(&["idcard", "read", "--port", &rig.path, "--json"]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(stderr(&out).contains("未检测到身份证"), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(took < Duration::from_secs(6), "{took:?}");
}

#[test]
fn idcard_silent_reader_times_out() {
    let rig = id_rig(Some(card()));
    rig.sim.set_fault(Fault::Silent, usize::MAX);
    let (out, took) = devicectl_timed(&["idcard", "read", "--port", &rig.path]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("无应答"), "{}", stderr(&out));
    assert!(took < Duration::from_secs(6), "{took:?}");
}

#[test]
fn bad_port_and_missing_port_fail_clearly() {
    let (out, _) = devicectl_timed(&["idcard", "read", "--port", "/dev/devicectl-no-such-port"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("无法打开串口"), "{}", stderr(&out));
    let (out, _) = devicectl_timed(&["printer", "status", "--port", "/dev/devicectl-no-such-port"]);
    assert_eq!(out.status.code(), Some(3));
    let (out, _) = devicectl_timed(&["printer", "status"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--port"), "{}", stderr(&out));
}

#[test]
fn printer_status_ok_json_and_human() {
    let (_sim, _slave, path) = printer_rig();
    let (out, _) = devicectl_timed(&["printer", "status", "--port", &path, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["online"], true);
    assert_eq!(v["paper"], "ok");
    assert_eq!(v["cover_open"], false);

    let (out, _) = devicectl_timed(&["printer", "status", "--port", &path]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("正常 / ok"), "{}", stdout(&out));
}

#[test]
fn printer_status_paper_out() {
    let (sim, mut slave, path) = printer_rig();
    sim.set_fault(SimFault::PaperOutAfterLines(0));
    // One printed line runs the simulated roll out.
    slave.write_all(b"x\n").unwrap();
    slave.flush().unwrap();
    let deadline = Instant::now() + Duration::from_secs(2);
    while sim.record().lines.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let (out, _) = devicectl_timed(&["printer", "status", "--port", &path, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["paper"], "out");
    assert_eq!(v["online"], false);
}

#[test]
fn printer_silent_fails_in_bounded_time() {
    let (sim, _slave, path) = printer_rig();
    sim.set_fault(SimFault::Silent);
    let (out, took) = devicectl_timed(&["printer", "status", "--port", &path, "--json"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("打印机无应答"), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(took < Duration::from_secs(4), "{took:?}");
}

#[test]
fn printer_test_prints_and_confirms() {
    let (sim, _slave, path) = printer_rig();
    let (out, _) = devicectl_timed(&["printer", "test", "--port", &path]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("confirmed"), "{}", stdout(&out));
    let record = sim.record();
    assert!(record.text().contains("T001"), "{}", record.text());
    assert_eq!(record.cuts.len(), 1);

    sim.set_fault(SimFault::CoverOpen);
    let (out, _) = devicectl_timed(&["printer", "test", "--port", &path]);
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(stderr(&out).contains("未就绪"), "{}", stderr(&out));
}

#[test]
fn list_json_parses() {
    let (out, _) = devicectl_timed(&["list", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    assert!(
        v["serial_method"]
            .as_str()
            .is_some_and(|m| m.contains("serialport") || m.contains("dev_scan"))
    );
    for key in ["serial", "hid", "cameras"] {
        assert!(v[key].is_array(), "{key}: {v}");
    }
    let (out, _) = devicectl_timed(&["list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("串口"));
}

#[test]
fn sim_flag_runs_against_built_in_simulators() {
    let (out, _) = devicectl_timed(&["--sim", "idcard", "read", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["name"], "张*");
    assert_eq!(v["id_number"], "230***********1230");

    let (out, _) = devicectl_timed(&["idcard", "read", "--sim", "--reveal", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["id_number"], "230102199001011230");

    let (out, _) = devicectl_timed(&["--sim", "printer", "status", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["paper"], "ok");

    let (out, _) = devicectl_timed(&["--sim", "printer", "test"]);
    assert!(out.status.success(), "{}", stderr(&out));
}
