//! Fixtures shared by the driver tests.
#![allow(dead_code)]

use drivers::idcard::{CardInfo, CardType};
use drivers::printer::ticket::HallTicket;

/// A resident ID card (张三, born 1990-01-01, Harbin), without photo.
pub fn resident() -> CardInfo {
    let mut c = CardInfo::empty(CardType::Resident);
    c.name = "张三".into();
    c.sex = "男".into();
    c.nation = "汉".into();
    c.birth = "19900101".into();
    c.address = "黑龙江省哈尔滨市南岗区某某路1号".into();
    c.id_number = "230102199001011234".into();
    c.authority = "哈尔滨市公安局南岗分局".into();
    c.valid_from = "20200101".into();
    c.valid_to = "长期".into();
    c
}

/// The sample hall ticket (A023 at 市民服务中心).
pub fn hall_ticket() -> HallTicket {
    HallTicket {
        hall_name: "市民服务中心".into(),
        number: "A023".into(),
        queue: "社保业务".into(),
        people_ahead: 5,
        estimated_wait_minutes: 15,
        qr_token: "T7Q2-9XKD".into(),
        issued_at: "2026-11-23 09:30".into(),
        notice: "请留意叫号，过号作废".into(),
    }
}

/// Runs the real `devicectl` binary.
pub fn devicectl(args: &[&str]) -> std::process::Output {
    devicectl_timed(args).0
}

/// Runs the real `devicectl` binary and says how long it took.
pub fn devicectl_timed(args: &[&str]) -> (std::process::Output, std::time::Duration) {
    let start = std::time::Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_devicectl"))
        .args(args)
        .output()
        .expect("run devicectl");
    (out, start.elapsed())
}

pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The command's stdout as one JSON value (panics with the output when it is not).
pub fn json(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("bad JSON ({e}): {}", stdout(o)))
}
