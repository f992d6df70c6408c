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
