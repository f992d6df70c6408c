//! `devicectl idcard read`.

use std::time::{Duration, Instant};

use drivers::idcard::sim::{SimHandle, Simulator};
use drivers::idcard::text::{mask_id, mask_name};
use drivers::idcard::{CardInfo, IdCardReader, ReaderConfig, ReaderError, SerialTransport};
use serde_json::json;

use crate::{Failure, IdcardReadArgs};

/// How long to wait for a card to be put on the reader.
const CARD_WAIT: Duration = Duration::from_secs(3);
/// Pause between "find" polls while no card is present.
const POLL: Duration = Duration::from_millis(200);

/// Keeps the simulator (if any) alive while the reader talks to it.
struct Session {
    reader: IdCardReader<SerialTransport>,
    _sim: Option<SimHandle>,
}

fn open(args: &IdcardReadArgs) -> Result<Session, Failure> {
    let config = ReaderConfig {
        // An unplugged reader should be reported in a couple of seconds, not after 3 × 1.1 s × n.
        attempts: 2,
        ..ReaderConfig::default()
    };
    if args.sim {
        let (master, slave) = serialport::TTYPort::pair()
            .map_err(|e| Failure::new(Failure::OTHER, format!("无法创建伪终端 / cannot create pty pair: {e}")))?;
        let sim = Simulator::new(Some(drivers::idcard::sim::sample_card()))
            .map_err(|e| Failure::new(Failure::OTHER, format!("模拟器启动失败 / simulator failed: {e}")))?
            .spawn(master);
        let reader = IdCardReader::with_config(SerialTransport::from_port(Box::new(slave)), config);
        return Ok(Session {
            reader,
            _sim: Some(sim),
        });
    }
    let path = crate::port(args.port.as_deref())?;
    let port = serialport::new(path, args.baud)
        .timeout(Duration::from_millis(100))
        .open()
        .map_err(|e| {
            Failure::new(
                Failure::OPEN,
                format!("无法打开串口 {path} / cannot open serial port {path}: {e}"),
            )
        })?;
    Ok(Session {
        reader: IdCardReader::with_config(SerialTransport::from_port(port), config),
        _sim: None,
    })
}

fn reader_failure(e: &ReaderError) -> Failure {
    let code = match e {
        ReaderError::Timeout { .. } | ReaderError::Io { .. } => Failure::NO_ANSWER,
        ReaderError::Open { .. } => Failure::OPEN,
        _ => Failure::DEVICE_FAULT,
    };
    Failure::new(code, format!("读卡失败 / card read failed: {e}"))
}

pub fn read(args: &IdcardReadArgs) -> Result<(), Failure> {
    let mut session = open(args)?;
    let deadline = Instant::now() + CARD_WAIT;
    let card = loop {
        match session.reader.read_card() {
            Ok(Some(card)) => break card,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(POLL),
            Ok(None) => {
                return Err(Failure::new(
                    Failure::NO_CARD,
                    format!(
                        "未检测到身份证（已等待 {} 秒）/ no card on the reader (waited {} s)",
                        CARD_WAIT.as_secs(),
                        CARD_WAIT.as_secs()
                    ),
                ));
            }
            Err(e) => return Err(reader_failure(&e)),
        }
    };
    let fields = Fields::new(&card, args.reveal);
    if args.json {
        println!("{}", fields.to_json());
    } else {
        print!("{}", fields.to_human());
    }
    Ok(())
}

/// `1990****`: the year alone tells a technician the field decoded.
fn mask_birth(birth: &str) -> String {
    birth
        .chars()
        .enumerate()
        .map(|(i, c)| if i < 4 { c } else { '*' })
        .collect()
}

/// First six characters (province / city), the rest starred.
fn mask_address(address: &str) -> String {
    let n = address.chars().count();
    address
        .chars()
        .take(6)
        .chain(std::iter::repeat_n('*', n.saturating_sub(6).min(6)))
        .collect()
}

/// The card fields as shown, masked unless revealed.
struct Fields<'a> {
    card: &'a CardInfo,
    name: String,
    birth: String,
    address: String,
    id_number: String,
    reveal: bool,
}

impl<'a> Fields<'a> {
    fn new(card: &'a CardInfo, reveal: bool) -> Self {
        // Foreign cards may carry no Chinese name; show the English one then.
        let name = match (&card.name, &card.english_name) {
            (n, Some(en)) if n.is_empty() => en.clone(),
            (n, _) => n.clone(),
        };
        if reveal {
            return Self {
                card,
                name,
                birth: card.birth.clone(),
                address: card.address.clone(),
                id_number: card.id_number.clone(),
                reveal,
            };
        }
        Self {
            card,
            name: mask_name(&name),
            birth: mask_birth(&card.birth),
            address: mask_address(&card.address),
            id_number: mask_id(&card.id_number),
            reveal,
        }
    }

    fn to_json(&self) -> serde_json::Value {
        let c = self.card;
        json!({
            "card_type": c.card_type,
            "name": self.name,
            "sex": c.sex,
            "nation": c.nation,
            "birth": self.birth,
            "address": self.address,
            "id_number": self.id_number,
            "authority": c.authority,
            "valid_from": c.valid_from,
            "valid_to": c.valid_to,
            "masked": !self.reveal,
        })
    }

    fn to_human(&self) -> String {
        let c = self.card;
        let mut out = String::new();
        let mut line = |label: &str, value: &str| {
            crate::field_line(&mut out, label, value);
        };
        line("证件类型 / card type:", c.card_type.label());
        line("姓名 / name:", &self.name);
        line("性别 / sex:", &c.sex);
        line("民族 / nation:", &c.nation);
        line("出生 / birth:", &self.birth);
        line("住址 / address:", &self.address);
        line("证件号 / id number:", &self.id_number);
        line("签发机关 / authority:", &c.authority);
        line("有效期 / valid:", &format!("{}-{}", c.valid_from, c.valid_to));
        if !self.reveal {
            out.push_str("（个人信息已脱敏，--reveal 显示完整信息 / personal fields masked; --reveal shows them）\n");
        }
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sample_id_has_valid_check_digit() {
        let id = drivers::idcard::sim::sample_card().id_number;
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = id.chars().zip(weights).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
        let check = b"10X98765432"[(sum % 11) as usize] as char;
        assert_eq!(id.chars().last(), Some(check));
    }

    #[test]
    fn masks() {
        assert_eq!(mask_birth("19900101"), "1990****");
        assert_eq!(mask_address("北京市朝阳区示例路1号"), "北京市朝阳区*****");
        assert_eq!(mask_address("北京"), "北京");
    }
}
