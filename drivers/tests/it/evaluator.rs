//! Evaluators: HID keypad reports through the trait, and the pad WebSocket protocol on loopback
//! against the simulated pad.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use drivers::evaluator::message::{self as msg};
use drivers::evaluator::{
    Evaluation, HidReportSource, KeyEdges, KeyMap, Keypad, KeypadError, Outcome, PadAnswer, PadEvent, PadServer,
    PadServerConfig, PadSim, PadSimConfig, Rating, RatingError, RatingResult, ReportSource, StaffCard,
    decode_boot_report, parse_pad_message,
};
use proptest::prelude::*;

// ---------------------------------------------------------------- ratings

#[test]
fn rating_levels_follow_the_domain() {
    let labels: Vec<(u8, &str)> = Rating::ALL.iter().map(|r| (r.level(), r.label())).collect();
    assert_eq!(
        labels,
        [
            (1, "非常不满意"),
            (2, "不满意"),
            (3, "基本满意"),
            (4, "满意"),
            (5, "非常满意")
        ]
    );
    assert!(Rating::VeryDissatisfied.needs_reason() && Rating::Dissatisfied.needs_reason());
    assert!(!Rating::Basic.needs_reason());
    assert_eq!(serde_json::to_string(&Rating::Satisfied).unwrap(), "4");
    assert_eq!(
        RatingResult::validate(2, vec![" ".into()], Some(String::new())),
        Err(RatingError::ReasonRequired(Rating::Dissatisfied))
    );
    assert_eq!(RatingResult::validate(6, vec![], None), Err(RatingError::BadLevel(6)));
    assert!(RatingResult::validate(1, vec![], Some("等太久".into())).is_ok());
}

// ---------------------------------------------------------------- HID keypad

/// Reports scripted by the test, as a keypad would send them.
struct Script(VecDeque<Vec<u8>>);

impl ReportSource for Script {
    fn read_report(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, KeypadError> {
        match self.0.pop_front() {
            Some(r) => {
                buf[..r.len()].copy_from_slice(&r);
                Ok(r.len())
            }
            None => {
                std::thread::sleep(timeout.min(Duration::from_millis(10)));
                Ok(0)
            }
        }
    }
}

fn report(keys: &[u8]) -> Vec<u8> {
    let mut r = vec![0u8; 8];
    r[2..2 + keys.len()].copy_from_slice(keys);
    r
}

fn keypad(reports: Vec<Vec<u8>>) -> Keypad<Script> {
    Keypad::new(Script(reports.into()), KeyMap::default())
}

#[test]
fn default_key_map_is_key1_best_key5_worst() {
    let map = KeyMap::default();
    let main: Vec<Option<Rating>> = (0x1E..=0x22).map(|u| map.rating(u)).collect();
    let pad: Vec<Option<Rating>> = (0x59..=0x5D).map(|u| map.rating(u)).collect();
    let want = [5, 4, 3, 2, 1].map(Rating::from_level).to_vec();
    assert_eq!(main, want);
    assert_eq!(pad, want);
    assert_eq!(map.rating(0x23), None);
}

#[test]
fn each_key_gives_its_rating() {
    for (usage, level) in [(0x1E, 5), (0x1F, 4), (0x20, 3), (0x21, 2), (0x22, 1), (0x5B, 3)] {
        let mut k = keypad(vec![report(&[usage]), report(&[])]);
        assert_eq!(
            k.next_rating(Duration::from_secs(1)).unwrap(),
            Rating::from_level(level)
        );
    }
}

#[test]
fn held_keys_and_rollover_do_not_repeat() {
    let mut k = keypad(vec![
        report(&[0x1E]),
        report(&[0x1E]),                               // held
        report(&[0x01, 0x01, 0x01, 0x01, 0x01, 0x01]), // rollover: no news
        report(&[0x1E]),                               // still held
        report(&[0x1E, 0x04]),                         // an unmapped key ('a') joins
        report(&[0x04, 0x1E]),                         // order changed, nothing new
        report(&[]),
        report(&[0x22]),
    ]);
    let t = Duration::from_millis(300);
    assert_eq!(k.next_rating(t).unwrap(), Some(Rating::VerySatisfied));
    assert_eq!(k.next_rating(t).unwrap(), Some(Rating::VeryDissatisfied));
    assert_eq!(
        k.next_rating(t).unwrap(),
        None,
        "no key pressed: no rating, never a default"
    );
}

#[test]
fn custom_key_map_and_bad_reports() {
    let map = KeyMap::empty().with(0x3A, Rating::Basic); // F1
    let mut k = Keypad::new(
        Script(vec![vec![1, 2, 3], report(&[0x1E]), report(&[0x3A])].into()),
        map,
    );
    assert_eq!(k.next_rating(Duration::from_secs(1)).unwrap(), Some(Rating::Basic));
    // A 9-byte report carries a report ID first.
    let r = decode_boot_report(&[1, 0x02, 0, 0x20, 0, 0, 0, 0, 0]).unwrap();
    assert_eq!((r.modifiers, r.keys.as_slice()), (0x02, &[0x20][..]));
    assert!(decode_boot_report(&[0; 7]).is_err());
    let mut e = KeyEdges::new();
    assert_eq!(e.update(&decode_boot_report(&report(&[0x1E, 0x1E])).unwrap()), [0x1E]);
}

#[test]
fn opening_a_missing_hid_device_is_a_clear_error() {
    let Err(err) = HidReportSource::open("0001:0001") else {
        panic!("opened a device that cannot exist")
    };
    let msg = err.to_string();
    assert!(msg.contains("0001:0001") && msg.contains("评价器"), "{msg}");
    let Err(err) = HidReportSource::open("/dev/hidraw-does-not-exist") else {
        panic!()
    };
    assert!(matches!(err, KeypadError::Open { .. }), "{err:?}");
    assert!(matches!(HidReportSource::open("keypad"), Err(KeypadError::BadSpec(_))));
}

proptest! {
    #[test]
    fn hid_decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..16)) {
        let _ = decode_boot_report(&bytes);
    }

    #[test]
    fn pad_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = parse_pad_message(&bytes);
    }

    #[test]
    fn pad_parser_never_panics_on_json_like(s in "\\{\"code\":(4000[0-2]|60101|\"x\"),\"data\":\\{\"[a-z_]{1,12}\":[0-9\"a-z\\[\\]]{0,8}\\}\\}") {
        let _ = parse_pad_message(s.as_bytes());
    }
}

#[test]
fn pad_parser_understands_messages() {
    use drivers::evaluator::PadMessage;
    let m = parse_pad_message(br#"{"code":40001,"data":{"work_no":"10086","key":"123456"}}"#).unwrap();
    assert_eq!(
        m,
        PadMessage::Login {
            work_no: "10086".into(),
            key: "123456".into()
        }
    );
    let m = parse_pad_message(br#"{"code":"40000","data":1603780630492}"#).unwrap();
    assert_eq!(
        m,
        PadMessage::Heartbeat {
            timestamp: Some(1_603_780_630_492)
        }
    );
    assert_eq!(
        parse_pad_message(br#"{"code":12345}"#).unwrap(),
        PadMessage::Unknown { code: 12345 }
    );
    for bad in [
        &b"not json"[..],
        b"[1,2]",
        br#"{"msg":"x"}"#,
        br#"{"code":40001,"data":{}}"#,
    ] {
        assert!(parse_pad_message(bad).is_err(), "{}", String::from_utf8_lossy(bad));
    }
}

// ---------------------------------------------------------------- network pad

const WORK_NO: &str = "10086";
const KEY: &str = "123456";

fn server(heartbeat: Duration, rating_timeout: Duration) -> PadServer {
    let config = PadServerConfig {
        pads: [(WORK_NO.to_string(), KEY.to_string())].into(),
        heartbeat_interval: heartbeat,
        rating_timeout,
    };
    PadServer::bind("127.0.0.1:0", config).unwrap()
}

fn pad(server: &PadServer, key: &str, answers: Vec<PadAnswer>, heartbeat: Duration) -> PadSim {
    let mut c = PadSimConfig::new(&server.local_addr().to_string(), WORK_NO, key);
    c.answers = answers;
    c.heartbeat_interval = heartbeat;
    PadSim::start(c)
}

fn evaluation() -> Evaluation {
    Evaluation {
        ticket: "A023".into(),
        case_no: Some("370100-2026-000123".into()),
        staff: StaffCard {
            department: "社保窗口".into(),
            staff_no: WORK_NO.into(),
            name: "李四".into(),
            photo_url: "http://127.0.0.1/staff/10086.jpg".into(),
            motto: "用心服务".into(),
        },
    }
}

const WAIT: Duration = Duration::from_secs(5);

#[test]
fn login_ok_and_bad_key_refused() {
    let s = server(Duration::from_secs(60), WAIT);
    let bad = pad(&s, "wrong", vec![], Duration::from_secs(60));
    let reply = bad
        .wait_for(WAIT, |e| e.code == msg::LOGIN && e.msg.as_deref() != Some("请发送工号"))
        .unwrap();
    assert_eq!((reply.state, reply.msg.as_deref()), (Some(0), Some("通讯密钥错误")));
    assert!(!s.is_online(WORK_NO));
    assert!(s.events().contains(&PadEvent::LoginRefused {
        work_no: WORK_NO.into()
    }));
    // Before logging in nothing else is served.
    bad.send_raw(r#"{"code":40000,"data":1}"#);
    assert!(
        bad.wait_for(WAIT, |e| e.msg.as_deref() == Some("请先登录 / please log in first"))
            .is_some()
    );
    bad.stop();

    let good = pad(&s, KEY, vec![], Duration::from_secs(60));
    let reply = good.wait_for(WAIT, |e| e.code == msg::LOGIN && e.ok()).unwrap();
    assert_eq!(reply.msg.as_deref(), Some("登录成功"));
    assert_eq!(s.wait_for_pad(WAIT).as_deref(), Some(WORK_NO));
    // The first thing a pad hears is the prompt for its work number.
    assert_eq!(good.received()[0].msg.as_deref(), Some("请发送工号"));
    s.open_url(WORK_NO, "https://example.org/rate?id=1").unwrap();
    let open = good.wait_for(WAIT, |e| e.code == msg::OPEN_URL).unwrap();
    assert_eq!(open.data, "https://example.org/rate?id=1");
}

#[test]
fn malformed_and_unknown_packets_get_their_codes() {
    let s = server(Duration::from_secs(60), WAIT);
    let p = pad(&s, KEY, vec![], Duration::from_secs(60));
    assert!(s.wait_for_pad(WAIT).is_some());
    p.send_raw("{not json");
    let r = p.wait_for(WAIT, |e| e.code == msg::MALFORMED).unwrap();
    assert_eq!((r.state, r.msg.as_deref()), (Some(0), Some("数据包格式错误")));
    p.send_raw(r#"{"code":77777,"data":null}"#);
    let r = p.wait_for(WAIT, |e| e.code == msg::UNKNOWN).unwrap();
    assert_eq!((r.state, r.msg.as_deref()), (Some(0), Some("未知指令")));
    assert!(s.is_online(WORK_NO), "a bad packet does not drop the pad");
}

#[test]
fn heartbeats_keep_a_pad_online_and_their_loss_marks_it_offline() {
    let beat = Duration::from_millis(100);
    let s = server(beat, WAIT);
    let p = pad(&s, KEY, vec![], beat);
    assert!(s.wait_for_pad(WAIT).is_some());
    let r = p.wait_for(WAIT, |e| e.code == msg::HEARTBEAT).unwrap();
    assert_eq!((r.state, r.msg.as_deref()), (Some(1), Some("收到")));
    std::thread::sleep(beat * 4);
    assert!(s.is_online(WORK_NO), "heartbeating pad stays online");
    p.set_heartbeats(false);
    let start = Instant::now();
    assert!(s.wait_offline(WORK_NO, WAIT));
    let took = start.elapsed();
    assert!(took >= beat, "offline after {took:?}");
    assert!(matches!(s.events().last(), Some(PadEvent::Offline { reason, .. }) if reason.contains("heartbeat")));
    assert!(s.evaluate(WORK_NO, &evaluation()).is_err());
}

#[test]
fn full_rating_flow_for_each_level() {
    let s = server(Duration::from_secs(60), WAIT);
    for level in 1..=5 {
        let mut answer = PadAnswer::level(level);
        if level <= 2 {
            answer = answer.with_reason("等待时间长");
        }
        let p = pad(&s, KEY, vec![answer], Duration::from_secs(60));
        assert!(s.wait_for_pad(WAIT).is_some());
        let outcome = s.evaluate(WORK_NO, &evaluation()).unwrap();
        let Outcome::Rated(result) = outcome else {
            panic!("level {level}: {outcome:?}")
        };
        assert_eq!(result.rating.level(), u8::try_from(level).unwrap());
        assert_eq!(result.reasons.is_empty(), level > 2);
        let show = p.wait_for(WAIT, |e| e.code == msg::SHOW_EVALUATION).unwrap();
        assert_eq!(show.data["ticket"], "A023");
        assert_eq!(show.data["staff"]["name"], "李四");
        assert_eq!(show.data["staff"]["motto"], "用心服务");
        let ack = p.wait_for(WAIT, |e| e.code == msg::RATING_RESULT).unwrap();
        assert_eq!((ack.state, ack.msg.as_deref()), (Some(1), Some("评价成功")));
        p.stop();
        assert!(s.wait_offline(WORK_NO, WAIT));
    }
}

#[test]
fn negative_without_reason_is_rejected_then_accepted_with_reason() {
    let s = server(Duration::from_secs(60), WAIT);
    let answers = vec![PadAnswer::level(1), PadAnswer::level(1).with_reason("态度不好")];
    let p = pad(&s, KEY, answers, Duration::from_secs(60));
    assert!(s.wait_for_pad(WAIT).is_some());
    let Outcome::Rated(result) = s.evaluate(WORK_NO, &evaluation()).unwrap() else {
        panic!()
    };
    assert_eq!(result.rating, Rating::VeryDissatisfied);
    assert_eq!(result.reasons, ["态度不好"]);
    assert!(p.wait_for(WAIT, |e| e.code == msg::RATING_RESULT && e.ok()).is_some());
    let acks: Vec<_> = p
        .received()
        .into_iter()
        .filter(|e| e.code == msg::RATING_RESULT)
        .collect();
    assert_eq!(acks.len(), 2, "{acks:?}");
    assert_eq!(acks[0].state, Some(0));
    assert!(
        acks[0]
            .msg
            .as_deref()
            .unwrap()
            .starts_with("非常不满意：请选择或填写不满意的原因"),
        "{acks:?}"
    );
    assert_eq!(acks[1].state, Some(1));
}

#[test]
fn no_rating_in_time_is_no_rating() {
    let s = server(Duration::from_secs(60), Duration::from_millis(300));
    let p = pad(&s, KEY, vec![], Duration::from_secs(60));
    assert!(s.wait_for_pad(WAIT).is_some());
    let start = Instant::now();
    assert_eq!(s.evaluate(WORK_NO, &evaluation()).unwrap(), Outcome::NoRating);
    assert!(start.elapsed() >= Duration::from_millis(300));
    assert!(p.wait_for(WAIT, |e| e.code == msg::EVALUATION_CLOSED).is_some());
    // A late rating is refused: the evaluation is closed.
    let show = p.wait_for(WAIT, |e| e.code == msg::SHOW_EVALUATION).unwrap();
    let id = show.data["evaluation_id"].as_str().unwrap();
    p.send_raw(&format!(
        r#"{{"code":60101,"data":{{"evaluation_id":"{id}","level":5}}}}"#
    ));
    let r = p.wait_for(WAIT, |e| e.code == msg::RATING_RESULT).unwrap();
    assert_eq!(r.state, Some(0));
}
