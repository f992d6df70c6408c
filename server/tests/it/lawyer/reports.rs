//! Operating reports of the online-lawyer platform (standard 7.3.2) over real HTTP: a simulated day of
//! consultations — answers on time and late, ratings, a revisit, an automatic QC failure and reviewer
//! verdicts, a question nobody picked up — and the daily, weekly and monthly reports checked against
//! figures computed by hand below.

use std::time::Duration;

use node_testkit::*;
use serde_json::{Value, json};
use server::app::{Role as NodeRole, ServerConfig};

const SEC: i64 = 1000;
const MINUTE: i64 = 60 * SEC;
/// Monday 23 Nov 2026 at `h:m` China time.
fn at(h: i64, m: i64) -> i64 {
    MONDAY_0900 + (h - 9) * 60 * MINUTE + m * MINUTE
}

async fn node() -> Node {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = ServerConfig {
        role: NodeRole::All,
        data: tmp.path().to_path_buf(),
        listen: "127.0.0.1:0".into(),
        ..ServerConfig::default()
    };
    // The reviewer looks only at what they pick; the sweeper acts quickly on the test clock.
    config.lawyer.qc_sample_percent = 0;
    config.lawyer.sweep_ms = 20;
    let mut n = Node::start_with(config, TestClock::new(MONDAY_0900)).await;
    n.keep(tmp);
    server::api::halls::install_config(&n.app(), domain::Actor::System, test_city())
        .await
        .unwrap();
    n.set_test_passwords().await;
    n
}

async fn ask(n: &Node, kind: &str, specialty: &str, phone: Option<&str>) -> (String, String) {
    let mut body = json!({"kind": kind, "question": "单位拖欠我三个月工资，我该怎么办？", "specialty": specialty});
    if let Some(p) = phone {
        body["phone"] = json!(p);
    }
    let (st, v) = n.req("POST", "/api/v1/consultations").json(body).send().await;
    assert_eq!(st, 201, "{v}");
    (
        v["consultation"]["id"].as_str().unwrap().to_owned(),
        v["token"].as_str().unwrap().to_owned(),
    )
}

async fn lawyer_says(n: &Node, l: &str, id: &str, body: Value) {
    let (st, v) = n
        .req("POST", &format!("/api/v1/consultations/{id}/messages"))
        .bearer(l)
        .json(body)
        .send()
        .await;
    assert_eq!(st, 201, "{v}");
}

async fn lawyer_does(n: &Node, l: &str, id: &str, what: &str) {
    let (st, v) = n
        .req("POST", &format!("/api/v1/consultations/{id}/{what}"))
        .bearer(l)
        .send()
        .await;
    assert_eq!(st, 200, "{what}: {v}");
}

async fn rate(n: &Node, id: &str, token: &str, level: u8) {
    let (st, v) = n
        .req("POST", &format!("/api/v1/consultations/{id}/rating"))
        .header("x-consultation-token", token)
        .json(json!({"level": level}))
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
}

async fn review(n: &Node, op: &str, id: &str, result: &str, reason: &str) {
    let (st, v) = n
        .req("POST", &format!("/api/v1/lawyer-quality/qc/{id}/review"))
        .bearer(op)
        .json(json!({"result": result, "reason": reason}))
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
}

fn wage_reply() -> Value {
    json!({"parts": {
        "judgement": "用人单位自用工之日起超过一个月不满一年未与劳动者订立书面劳动合同的，应当向劳动者每月支付二倍的工资。",
        "basis": "《中华人民共和国劳动合同法》第八十二条",
        "advice": "建议您保留工资流水、考勤记录等证据，先与单位协商；协商不成的，可以向当地劳动人事争议仲裁委员会申请仲裁。",
    }})
}

fn dismissal_reply() -> Value {
    json!({"parts": {
        "judgement": "单位以业绩不达标为由直接辞退且未提前通知、未支付经济补偿的，属于违法解除劳动合同，应当支付赔偿金。",
        "basis": "《中华人民共和国劳动合同法》第四十八条",
        "advice": "请保存辞退通知、工资条和社保缴费记录，在一年内向劳动争议仲裁委员会申请仲裁，要求支付双倍经济补偿。",
    }})
}

async fn report(n: &Node, op: &str, query: &str) -> Value {
    let (st, v) = n
        .req("GET", &format!("/api/v1/lawyer-reports?{query}"))
        .bearer(op)
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    v
}

fn rate_of(v: &Value) -> (u64, u64) {
    (v["num"].as_u64().unwrap(), v["den"].as_u64().unwrap())
}

#[tokio::test]
async fn a_simulated_day_gives_the_hand_computed_report_7_3_2() {
    let mut n = node().await;
    let l = n.login("lawyer").await;
    let (st, v) = n
        .req("PUT", "/api/v1/lawyer/status")
        .bearer(&l)
        .json(json!({"online": true, "specialties": ["labour"]}))
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    // 09:00 two 留言 questions (M1 leaves a phone number).
    let (m1, m1_token) = ask(&n, "message", "labour", Some("13900001111")).await;
    let (m2, m2_token) = ask(&n, "message", "labour", None).await;
    // 09:30 M1 answered after 30 min: on time (6.2.1.1: 120 min).
    n.clock.set(at(9, 30));
    lawyer_says(&n, &l, &m1, wage_reply()).await;
    // 11:30 M2 answered after 150 min: late.
    n.clock.set(at(11, 30));
    lawyer_says(&n, &l, &m2, dismissal_reply()).await;
    // 11:40 M1 rated 非常满意 (5), M2 不满意 (2): M2 gets a revisit.
    n.clock.set(at(11, 40));
    rate(&n, &m1, &m1_token, 5).await;
    rate(&n, &m2, &m2_token, 2).await;
    // 12:00 chat R1: picked up after 10 s, first reply 20 s later (6.2.2.3.4 a: within 60 s), rated 满意.
    n.clock.set(at(12, 0));
    let (r1, r1_token) = ask(&n, "realtime", "labour", None).await;
    n.clock.set(at(12, 0) + 10 * SEC);
    lawyer_does(&n, &l, &r1, "pickup").await;
    n.clock.set(at(12, 0) + 30 * SEC);
    lawyer_says(
        &n,
        &l,
        &r1,
        json!({"body": "您好，拖欠工资可以先向劳动保障监察大队投诉，也可以直接申请劳动仲裁。"}),
    )
    .await;
    n.clock.set(at(12, 5));
    lawyer_does(&n, &l, &r1, "close").await;
    rate(&n, &r1, &r1_token, 4).await;
    // 14:00 chat R2: picked up after 5 s, first reply 115 s later (late), and it gives M1's phone number
    // to another citizen (3.2 ③ fatal, found automatically when the chat closes).
    n.clock.set(at(14, 0));
    let (r2, _) = ask(&n, "realtime", "labour", None).await;
    n.clock.set(at(14, 0) + 5 * SEC);
    lawyer_does(&n, &l, &r2, "pickup").await;
    n.clock.set(at(14, 2));
    lawyer_says(
        &n,
        &l,
        &r2,
        json!({"body": "上午也有人问过，你打 139 0000 1111 问问他是怎么仲裁的。"}),
    )
    .await;
    n.clock.set(at(14, 5));
    lawyer_does(&n, &l, &r2, "close").await;
    // 16:00 chat R3 on family law, which no online lawyer serves: after 60 s it becomes a 留言 and is
    // never answered today.
    n.clock.set(at(16, 0));
    let (r3, r3_token) = ask(&n, "realtime", "family", None).await;
    n.clock.set(at(16, 1) + SEC);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let (_, v) = n
            .req("GET", &format!("/api/v1/consultations/{r3}"))
            .header("x-consultation-token", &r3_token)
            .send()
            .await;
        if v["converted_at"].is_number() {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "not offered as 留言: {v}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // 17:00 the reviewer: R1 is downgraded to non-fatal (3.1), R2's automatic fatal is confirmed.
    n.clock.set(at(17, 0));
    let op = n.login("operator").await;
    review(&n, &op, &r1, "non_fatal", "未说明仲裁时效，解答不完整").await;
    review(&n, &op, &r2, "fatal", "确认泄露其他咨询人手机号").await;
    // Tuesday 10:00 the operator revisits M2: within 1 working day of the rating (7.1.3.2).
    n.clock.set(at(10, 0) + 86_400_000);
    let op = n.login("operator").await;
    let (_, tasks) = n
        .req("GET", "/api/v1/lawyer-quality/tasks?kind=revisit")
        .bearer(&op)
        .send()
        .await;
    assert_eq!(tasks.as_array().unwrap().len(), 1, "{tasks}");
    let (st, v) = n
        .req(
            "POST",
            &format!(
                "/api/v1/lawyer-quality/tasks/{}/complete",
                tasks[0]["id"].as_str().unwrap()
            ),
        )
        .bearer(&op)
        .json(json!({"outcome": "已回访，用户理解仲裁流程"}))
        .send()
        .await;
    assert_eq!((st, &v["overdue"]), (200, &json!(false)), "{v}");

    // The daily report of Monday (7.3.2.1), by hand:
    // orders 5 = M1, M2, R3 (留言; R3 became one) + R1, R2 (realtime).
    // 及时解答率: M1 ✓ (30 min), M2 ✗ (150 min), R1 ✓ (20 s), R2 ✗ (115 s), R3 ✗ (never answered) = 2/5 = 40 %.
    // 接通率: R1, R2 connected of R1, R2 and R3 (a live request nobody picked up, 6.2.2.1 c) = 2/3
    // = 66.67 % (< 95 %: alert).
    // 参评率: M1, M2, R1 rated of 5 = 3/5 = 60 % (≥ 40 %).
    // 满意率: M1 (5), R1 (4) good of 3 rated = 2/3 = 66.67 % (< 95 %: alert).
    // 回访率: M2 revisited Tuesday 10:00, due by the end of Tuesday = 1/1 = 100 % (≥ 100 %).
    // QC-checked: M1, M2, R1, R2 = 4 (R3 had no lawyer). Fatal: R2 = 1/4 = 25 % (> 2 %: alert);
    // non-fatal: R1 (reviewer) = 1/4 = 25 % (> 10 %: alert); M1, M2 passed.
    // The lawyer (LAWYER) served M1, M2, R1, R2: 及时 2/4 = 50 %, 接通 2/2 = 100 %, 参评 3/4 = 75 %,
    // 满意 2/3, 回访 1/1, fatal 1/4, non-fatal 1/4: alerts on 满意率, 致命, 非致命.
    let v = report(&n, &op, "kind=daily&date=2026-11-23").await;
    assert_eq!(
        (&v["label"], &v["clause"], &v["start"], &v["end"], &v["due"]),
        (
            &json!("日报"),
            &json!("7.3.2.1"),
            &json!("2026-11-23"),
            &json!("2026-11-23"),
            &Value::Null
        )
    );
    assert_eq!(
        v["orders_by_kind"],
        json!([{"kind": "real_time", "label": "实时咨询", "orders": 2}, {"kind": "message", "label": "留言咨询", "orders": 3}])
    );
    let p = &v["platform"];
    assert_eq!(p["orders"], 5);
    assert_eq!(rate_of(&p["timely_rate"]), (2, 5));
    assert_eq!(rate_of(&p["connection_rate"]), (2, 3));
    assert_eq!(rate_of(&p["rating_rate"]), (3, 5));
    assert_eq!(rate_of(&p["good_rate"]), (2, 3));
    assert_eq!(rate_of(&p["revisit_rate"]), (1, 1));
    assert_eq!(rate_of(&p["fatal_rate"]), (1, 4));
    assert_eq!(rate_of(&p["non_fatal_rate"]), (1, 4));
    let me = &v["lawyers"][0];
    assert_eq!(me["lawyer_id"], "LAWYER");
    assert_eq!(rate_of(&me["figures"]["timely_rate"]), (2, 4));
    assert_eq!(rate_of(&me["figures"]["connection_rate"]), (2, 2));
    assert_eq!(rate_of(&me["figures"]["rating_rate"]), (3, 4));
    let alerts: Vec<String> = v["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| format!("{}:{}", a["scope"].as_str().unwrap(), a["metric"].as_str().unwrap()))
        .collect();
    assert_eq!(
        alerts,
        [
            "platform:connection_rate",
            "platform:satisfaction_rate",
            "platform:fatal_error_rate",
            "platform:non_fatal_error_rate",
            "lawyer:satisfaction_rate",
            "lawyer:fatal_error_rate",
            "lawyer:non_fatal_error_rate",
        ]
    );
    // A daily report has neither the violating lawyers nor the question types.
    assert_eq!(
        (&v["violating_lawyers"], &v["question_types"]),
        (&Value::Null, &Value::Null)
    );

    // The same figures as CSV, percentages with two decimals.
    let (st, text) = n
        .req("GET", "/api/v1/lawyer-reports?kind=daily&date=2026-11-23&format=csv")
        .bearer(&op)
        .send_text()
        .await;
    assert_eq!(st, 200, "{text}");
    assert!(text.starts_with('\u{feff}'));
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines.contains(
            &"范围,咨询量,及时解答率(%),参评率(%),满意率(%),致命错误率(%),非致命错误率(%),接通率(%),回访率(%)"
        ),
        "{text}"
    );
    assert!(
        lines.contains(&"平台,5,40.00,60.00,66.67,25.00,25.00,66.67,100.00"),
        "{text}"
    );
    assert!(
        lines.contains(&"律师 LAWYER,4,50.00,75.00,66.67,25.00,25.00,100.00,100.00"),
        "{text}"
    );
    assert!(lines.contains(&"平台,致命错误率,25.00,≤2%"), "{text}");

    // And as an xlsx workbook: the same rows, the figures as numbers.
    let resp = n
        .http
        .get(format!(
            "{}/api/v1/lawyer-reports?kind=daily&date=2026-11-23&format=xlsx",
            n.base
        ))
        .bearer_auth(&op)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = resp.bytes().await.unwrap();
    let mut book = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut book.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    let strings = read("xl/sharedStrings.xml");
    assert!(strings.contains("平台") && strings.contains("律师 LAWYER"), "{strings}");
    let sheet = read("xl/worksheets/sheet1.xml");
    // Row 10 is the platform (after the header block, the 2 service rows and the column titles): 5 orders, 40 % timely, 60 % rated, 66.67 % satisfied.
    for cell in [
        r#"<c r="B10"><v>5</v></c>"#,
        r#"<c r="C10"><v>40</v></c>"#,
        r#"<c r="D10"><v>60</v></c>"#,
        r#"<c r="E10"><v>66.67</v></c>"#,
    ] {
        assert!(sheet.contains(cell), "{cell} not in {sheet}");
    }

    // The weekly report (7.3.2.2, due the Monday after) names the lawyer with a fatal error.
    let v = report(&n, &op, "kind=weekly&date=2026-11-25").await;
    assert_eq!(
        (&v["start"], &v["end"], &v["due"], &v["platform"]["orders"]),
        (
            &json!("2026-11-23"),
            &json!("2026-11-29"),
            &json!("2026-11-30"),
            &json!(5)
        )
    );
    assert_eq!(v["violating_lawyers"], json!(["LAWYER"]));
    // The monthly report (7.3.2.3, due the 5th) adds the question types, most frequent first.
    let v = report(&n, &op, "kind=monthly&date=2026-11-01").await;
    assert_eq!(v["due"], "2026-12-05");
    assert_eq!(
        v["question_types"],
        json!([{"question_type": "labour", "orders": 4}, {"question_type": "family", "orders": 1}])
    );
    // Bad input names the field.
    for (query, field) in [
        ("kind=hourly&date=2026-11-23", "kind"),
        ("kind=daily&date=2026-02-30", "date"),
        ("kind=daily", "date"),
        ("kind=daily&date=2026-11-23&format=pdf", "format"),
    ] {
        let (st, v) = n
            .req("GET", &format!("/api/v1/lawyer-reports?{query}"))
            .bearer(&op)
            .send()
            .await;
        assert_eq!((st, &v["field"]), (422, &json!(field)), "{query}: {v}");
    }
    n.stop().await;
}

/// 7.3.1: once a period has ended its report is archived on schedule (JSON, CSV, xlsx), once, and the
/// archived file is the report on demand; only report names are served from the archive.
#[tokio::test]
async fn ended_periods_are_archived_once_7_3_1() {
    let n = node().await;
    n.clock.set(at(10, 0));
    ask(&n, "message", "labour", Some("13800138000")).await;
    // The node's scheduler looked once at start (Monday): the last full week, month, quarter and year
    // are archived (the year last). Wait for that pass, so this test and the scheduler never race.
    let app = n.app();
    let dir = server::api::lawyer_report_archive::archive_dir(&app);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !dir.join("yearly-2025-01-01.xlsx").exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the scheduler did not archive at start"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(dir.join("weekly-2026-11-16.xlsx").exists(), "the last full week");
    // Tuesday: Monday has ended and is archived once.
    n.clock.set(at(24 + 9, 0));
    let written = server::api::lawyer_report_archive::archive_due(&app).await.unwrap();
    assert_eq!(written, ["daily-2026-11-23"]);
    assert!(
        server::api::lawyer_report_archive::archive_due(&app)
            .await
            .unwrap()
            .is_empty(),
        "each report is written once"
    );
    let op = n.login("operator").await;
    let (st, list) = n.req("GET", "/api/v1/lawyer-reports/archive").bearer(&op).send().await;
    assert_eq!(st, 200, "{list}");
    let names: Vec<&str> = list["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    // The last full week was archived when the node started (its scheduler looks at once).
    for f in [
        "daily-2026-11-23.json",
        "daily-2026-11-23.csv",
        "daily-2026-11-23.xlsx",
        "weekly-2026-11-16.xlsx",
    ] {
        assert!(names.contains(&f), "{f} not in {names:?}");
    }
    let (_, archived) = n
        .req("GET", "/api/v1/lawyer-reports/archive/daily-2026-11-23.csv")
        .bearer(&op)
        .send_text()
        .await;
    let (_, on_demand) = n
        .req("GET", "/api/v1/lawyer-reports?kind=daily&date=2026-11-23&format=csv")
        .bearer(&op)
        .send_text()
        .await;
    assert_eq!(archived, on_demand);
    assert!(archived.contains("留言"), "{archived}");
    let (st, _) = n
        .req("GET", "/api/v1/lawyer-reports/archive/..%2F..%2Fnode.db")
        .bearer(&op)
        .send()
        .await;
    assert_eq!(st, 404);
    let l = n.login("lawyer").await;
    let (st, _) = n.req("GET", "/api/v1/lawyer-reports/archive").bearer(&l).send().await;
    assert_eq!(st, 403, "lawyers do not read the platform's reports");
}
