//! Fixtures shared by the driver tests.
#![allow(dead_code)]

use drivers::idcard::{CardInfo, CardType};

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
