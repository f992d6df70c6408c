//! Fixtures shared by the driver tests (both test binaries, `it` and `devicectl`, include this file),
//! the runners of the `devicectl` binary, and the lock every pty pair is made under.
#![allow(dead_code)]

use std::sync::Mutex;

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

/// The JSON fields `devicectl idcard read --json` and `CardInfo`'s serialisation promise (the fixed
/// surface technicians' runbooks rely on).
pub const CARD_JSON_FIELDS: [&str; 10] = [
    "card_type",
    "name",
    "sex",
    "nation",
    "birth",
    "address",
    "id_number",
    "authority",
    "valid_from",
    "valid_to",
];

/// 1024 bytes standing in for a card's WLT photo (opaque to the drivers).
pub fn wlt_photo() -> Vec<u8> {
    (0..1024u32).map(|i| (i * 7 % 251) as u8).collect()
}

/// A Hong Kong/Macau/Taiwan residence permit (`J`): the resident layout without nation, plus pass
/// number and issue count.
pub fn hk_macau_taiwan() -> CardInfo {
    let mut j = resident();
    j.card_type = CardType::HkMacauTaiwan;
    j.nation = String::new();
    j.name = "陈大文".into();
    j.id_number = "810000199001011234".into();
    j.pass_number = Some("H12345678".into());
    j.issue_count = Some("02".into());
    j
}

/// A foreign permanent-residence card of 2017 (`I`).
pub fn foreign_2017() -> CardInfo {
    let mut i = CardInfo::empty(CardType::ForeignPermanent2017);
    i.english_name = Some("SMITH, JOHN ALEXANDER".into());
    i.name = "史密斯".into();
    i.sex = "男".into();
    i.id_number = "USA310080101001".into();
    i.nationality = Some("USA".into());
    i.valid_from = "20170101".into();
    i.valid_to = "20270101".into();
    i.birth = "19800101".into();
    i.card_version = Some("01".into());
    i.authority = "1500".into();
    i
}

/// A foreign permanent-residence card of 2023 (`Y`). The English name is longer than the first
/// 35-character slot, so it spills into the second.
pub fn foreign_2023() -> CardInfo {
    let mut y = CardInfo::empty(CardType::ForeignPermanent2023);
    y.name = "史密斯".into();
    y.sex = "女".into();
    y.renewal_count = Some("01".into());
    y.birth = "19800101".into();
    y.english_name = Some("SMITH-WESSON, JANE ALEXANDRA MARGARET ELIZA".into());
    y.id_number = "933156198001010012".into();
    y.valid_from = "20230101".into();
    y.valid_to = "20330101".into();
    y.nationality = Some("GBR".into());
    y.previous_card_link = Some("000".into());
    y
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

/// `TTYPort::pair()` is not thread-safe (FIXME in the serialport crate's own tests): every pty pair a
/// test of this binary makes, directly or through a simulator, is made under this one lock (the
/// modules of a test binary run side by side in one process).
pub static PTY: Mutex<()> = Mutex::new(());

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
