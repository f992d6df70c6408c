//! The lawyer platform's reports (issue 7; standard 7.3, rates of 7.1.4.2, alerts of 表 1 / 7.1.4.1):
//! a simulated day of consultations over real HTTP, then the daily report checked against figures
//! computed by hand below; the weekly report, the CSV and xlsx downloads, the scheduled archive, and
//! bad requests.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::{Value, json};
use server::app::{Role as NodeRole, ServerConfig};

/// Monday 2026-11-23 (the test clock's day) at `h:m` local time (UTC+8).
fn at(h: i64, m: i64) -> i64 {
    MONDAY_0900 - 9 * 3_600_000 + h * 3_600_000 + m * 60_000
}

async fn node() -> Node {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = ServerConfig {
        role: NodeRole::All,
        data: tmp.path().to_path_buf(),
        listen: "127.0.0.1:0".into(),
        ..ServerConfig::default()
    };
    config.lawyer.sweep_ms = 20;
    let mut n = Node::start_with(config, TestClock::new(MONDAY_0900)).await;
    n.keep(tmp);
    let app = n.app();
    let mut city = test_city();
    let base = city.staff.iter().find(|s| s.id.as_str() == "LAWYER").cloned().unwrap();
    city.staff.push(domain::config::Staff {
        id: "LAWYER2".into(),
        login: "lawyer2".into(),
        ..base
    });
    server::api::halls::install_config(&app, domain::Actor::System, city.clone())
        .await
        .unwrap();
    let hash = server::auth::hash_password(PASSWORD).unwrap();
    for s in &city.staff {
        server::api::access::set_password_hash(&app, "system", s, hash.clone())
            .await
            .unwrap();
    }
    n
}

async fn online(n: &Node, login: &str) -> String {
    let t = n.login(login).await;
    let (st, v) = n
        .req("PUT", "/api/v1/lawyer/status")
        .bearer(&t)
        .json(json!({"online": true, "specialties": ["labour"]}))
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    t
}

/// Asks as a web citizen: (id, token, view).
async fn ask(n: &Node, kind: &str, specialty: &str) -> (String, String, Value) {
    let (st, v) = n
        .req("POST", "/api/v1/consultations")
        .json(json!({"kind": kind, "question": "单位拖欠工资怎么办？", "specialty": specialty, "phone": "13800138000"}))
        .send()
        .await;
    assert_eq!(st, 201, "{v}");
    let c = v["consultation"].clone();
    (c["id"].as_str().unwrap().into(), v["token"].as_str().unwrap().into(), c)
}

async fn ok(n: &Node, method: &str, path: &str, session: &str, body: Option<Value>) -> Value {
    let mut r = n.req(method, path).bearer(session);
    if let Some(b) = body {
        r = r.json(b);
    }
    let (st, v) = r.send().await;
    assert!((200..300).contains(&st), "{method} {path}: {st} {v}");
    v
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

fn reply() -> Value {
    json!({"parts": {
        "judgement": "用人单位应当按照劳动合同约定和国家规定，向劳动者及时足额支付劳动报酬。",
        "basis": "《中华人民共和国劳动合同法》第三十条",
        "advice": "建议您保留工资条、考勤记录和聊天记录，先与单位协商；协商不成的，可以向劳动保障监察机构投诉或申请劳动仲裁。",
    }})
}

async fn status(n: &Node, id: &str, token: &str) -> Value {
    let (_, v) = n
        .req("GET", &format!("/api/v1/consultations/{id}"))
        .header("x-consultation-token", token)
        .send()
        .await;
    v["status"].clone()
}

/// The figure `key` of a report's list: (num, den, percent).
fn fig(figures: &Value, key: &str) -> (u64, Option<u64>, Option<f64>) {
    let f = figures.as_array().unwrap().iter().find(|f| f["key"] == key).unwrap();
    (f["num"].as_u64().unwrap(), f["den"].as_u64(), f["percent"].as_f64())
}

/// A GET with the whole response (headers and bytes).
async fn download(n: &Node, path: &str, session: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}{path}", n.base))
        .bearer_auth(session)
        .send()
        .await
        .unwrap()
}

fn lawyer_figs<'a>(r: &'a Value, id: &str) -> &'a Value {
    &r["lawyers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["lawyer_id"] == id)
        .unwrap()["figures"]
}

#[tokio::test]
async fn a_simulated_day_gives_the_hand_computed_report_7_3_2() {
    let n = node().await;
    let l1 = online(&n, "lawyer").await;
    let l2 = online(&n, "lawyer2").await;

    // #1 09:00 real-time, routed to LAWYER (equal loads, by id), picked up after 10 s, first answer 20 s
    // later (≤ 60 s after pickup: in time, 6.2.2.3.4 a), closed, rated 5 非常满意.
    n.clock.set(at(9, 0));
    let (c1, t1, v) = ask(&n, "realtime", "labour").await;
    assert_eq!(v["lawyer_id"], "LAWYER");
    n.clock.set(at(9, 0) + 10_000);
    ok(&n, "POST", &format!("/api/v1/consultations/{c1}/pickup"), &l1, None).await;
    n.clock.set(at(9, 0) + 30_000);
    ok(
        &n,
        "POST",
        &format!("/api/v1/consultations/{c1}/messages"),
        &l1,
        Some(json!({"body": "您好，请讲。"})),
    )
    .await;
    ok(&n, "POST", &format!("/api/v1/consultations/{c1}/close"), &l1, None).await;
    rate(&n, &c1, &t1, 5).await;

    // #2 09:05 real-time, routed to LAWYER2 (LAWYER had the last one), picked up after 5 s, first answer
    // 90 s after pickup (late), closed, rated 2 不满意 and never revisited.
    n.clock.set(at(9, 5));
    let (c2, t2, v) = ask(&n, "realtime", "labour").await;
    assert_eq!(v["lawyer_id"], "LAWYER2");
    n.clock.set(at(9, 5) + 5_000);
    ok(&n, "POST", &format!("/api/v1/consultations/{c2}/pickup"), &l2, None).await;
    n.clock.set(at(9, 5) + 95_000);
    ok(
        &n,
        "POST",
        &format!("/api/v1/consultations/{c2}/messages"),
        &l2,
        Some(json!({"body": "您好，请讲。"})),
    )
    .await;
    ok(&n, "POST", &format!("/api/v1/consultations/{c2}/close"), &l2, None).await;
    rate(&n, &c2, &t2, 2).await;

    // #3 10:00 real-time in a field nobody online covers: nobody picks up, after 60 s it becomes a 留言
    // (6.2.2.1 c), which LAWYER answers at 10:31 (≤ 120 min: in time, 6.2.1.1). Not rated.
    n.clock.set(at(10, 0));
    let (c3, t3, _) = ask(&n, "realtime", "family").await;
    n.clock.set(at(10, 1) + 5_000);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while status(&n, &c3, &t3).await != "waiting_reply" {
        assert!(std::time::Instant::now() < deadline, "#3 was not offered as a 留言");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    n.clock.set(at(10, 31));
    ok(
        &n,
        "POST",
        &format!("/api/v1/consultations/{c3}/messages"),
        &l1,
        Some(reply()),
    )
    .await;

    // #4 11:00 留言, answered by LAWYER2 at 13:10 (130 min: late), rated 4 满意.
    n.clock.set(at(11, 0));
    let (c4, t4, _) = ask(&n, "message", "labour").await;
    n.clock.set(at(13, 10));
    ok(
        &n,
        "POST",
        &format!("/api/v1/consultations/{c4}/messages"),
        &l2,
        Some(reply()),
    )
    .await;
    rate(&n, &c4, &t4, 4).await;

    // #5 Tuesday 00:30 留言: another day (only in the weekly report).
    n.clock.set(at(24, 30));
    ask(&n, "message", "labour").await;

    let op = n.login("operator").await;
    let r = ok(
        &n,
        "GET",
        "/api/v1/lawyer-reports?kind=daily&date=2026-11-23",
        &op,
        None,
    )
    .await;
    assert_eq!(
        (&r["kind"], &r["start"], &r["end"], &r["clause"]),
        (
            &json!("daily"),
            &json!("2026-11-23"),
            &json!("2026-11-23"),
            &json!("7.3.2.1")
        )
    );
    let f = &r["figures"];
    // 咨询量: #1–#4.
    assert_eq!(fig(f, "orders"), (4, None, None));
    assert_eq!(r["orders_by_kind"], json!([["real_time", 2], ["message", 2]]));
    // 及时解答率: in time #1, #3; late #2, #4 → 2/4.
    assert_eq!(fig(f, "timely_rate"), (2, Some(4), Some(50.0)));
    // 接通率: live requests #1, #2 and #3 (offered as a 留言), connected #1, #2 → 2/3.
    assert_eq!(fig(f, "connection_rate"), (2, Some(3), Some(66.67)));
    // 参评率: rated #1, #2, #4 of 4 → 3/4.
    assert_eq!(fig(f, "rating_rate"), (3, Some(4), Some(75.0)));
    // 满意率 (好评率, 7.1.4.2.1 a): 满意 or better: #1 (5), #4 (4) of 3 rated → 2/3.
    assert_eq!(fig(f, "satisfaction_rate"), (2, Some(3), Some(66.67)));
    // 回访率: #2 非满意, not revisited → 0/1.
    assert_eq!(fig(f, "revisit_rate"), (0, Some(1), Some(0.0)));
    // No QC verdicts: error rates have no data (never a made-up 0 %).
    assert_eq!(fig(f, "fatal_error_rate"), (0, Some(0), None));

    // LAWYER: #1 and #3 (the 留言 answered; the missed pickup is not held against them).
    let l = lawyer_figs(&r, "LAWYER");
    assert_eq!(fig(l, "orders").0, 2);
    assert_eq!(fig(l, "connection_rate"), (1, Some(1), Some(100.0)));
    assert_eq!(fig(l, "timely_rate"), (2, Some(2), Some(100.0)));
    assert_eq!(fig(l, "rating_rate"), (1, Some(2), Some(50.0)));
    // LAWYER2: #2 and #4, both late; satisfied 1 of 2 rated.
    let l = lawyer_figs(&r, "LAWYER2");
    assert_eq!(fig(l, "timely_rate"), (0, Some(2), Some(0.0)));
    assert_eq!(fig(l, "satisfaction_rate"), (1, Some(2), Some(50.0)));

    // 表 1 alerts (7.1.4.1): platform 回访率 < 100 %, 接通率 < 95 %, 满意率 < 95 %; LAWYER2 满意率 and
    // 回访率; none for LAWYER (满意率 1/1, 参评率 50 % ≥ 40 %, no 非满意 to revisit).
    let alerts: Vec<(String, String)> = r["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["scope"].as_str().unwrap().to_owned(),
                a["metric"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut expected = vec![
        ("platform", "revisit_rate"),
        ("platform", "connection_rate"),
        ("platform", "satisfaction_rate"),
        ("LAWYER2", "revisit_rate"),
        ("LAWYER2", "satisfaction_rate"),
    ];
    let mut got: Vec<(&str, &str)> = alerts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    expected.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, expected);
    // A daily report carries no violating-lawyer list (weekly and longer, 7.3.2.2).
    assert_eq!(r["violating_lawyers"], json!([]));

    // The weekly report (7.3.2.2) has Tuesday's 留言 too, and the lawyers with a 表 1 alert.
    let w = ok(
        &n,
        "GET",
        "/api/v1/lawyer-reports?kind=weekly&date=2026-11-25",
        &op,
        None,
    )
    .await;
    assert_eq!(
        (&w["start"], &w["end"], &w["clause"]),
        (&json!("2026-11-23"), &json!("2026-11-29"), &json!("7.3.2.2"))
    );
    assert_eq!(fig(&w["figures"], "orders"), (5, None, None));
    assert_eq!(w["violating_lawyers"], json!(["LAWYER2"]));

    // CSV (with BOM, for Excel) and xlsx downloads of the same report.
    let res = download(&n, "/api/v1/lawyer-reports?kind=daily&date=2026-11-23&format=csv", &op).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with('\u{feff}'));
    for row in [
        "及时解答率,2,4,50.00%",
        "接通率,2,3,66.67%",
        "参评率,3,4,75.00%",
        "咨询量·留言咨询,2,,",
    ] {
        assert!(csv.contains(row), "{row} missing in {csv}");
    }
    let res = download(&n, "/api/v1/lawyer-reports?kind=daily&date=2026-11-23&format=xlsx", &op).await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("daily-2026-11-23.xlsx")
    );
    let xlsx = res.bytes().await.unwrap();
    assert!(xlsx.starts_with(b"PK\x03\x04"), "an xlsx is a zip");
    let names = String::from_utf8_lossy(&xlsx);
    for part in [
        "xl/workbook.xml",
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet3.xml",
    ] {
        assert!(names.contains(part), "{part} missing in the workbook");
    }

    // On schedule (7.3.1): once Monday has ended, its daily report is archived; the archived CSV is the
    // on-demand one.
    let app = n.app();
    let written = server::lawyer::reports::archive_due(&app).await.unwrap();
    assert!(written.contains(&"daily-2026-11-23".to_owned()), "{written:?}");
    assert!(
        server::lawyer::reports::archive_due(&app).await.unwrap().is_empty(),
        "written once"
    );
    let list = ok(&n, "GET", "/api/v1/lawyer-reports/archive", &op, None).await;
    let names: Vec<&str> = list["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"daily-2026-11-23.xlsx") && names.contains(&"weekly-2026-11-16.json"),
        "{names:?}"
    );
    let res = download(&n, "/api/v1/lawyer-reports/archive/daily-2026-11-23.csv", &op).await;
    assert_eq!(res.text().await.unwrap(), csv);
}

#[tokio::test]
async fn bad_report_requests_name_the_field() {
    let n = node().await;
    let op = n.login("operator").await;
    for (q, field) in [
        ("kind=hourly", "kind"),
        ("kind=daily&date=2026-02-30", "date"),
        ("kind=daily&format=pdf", "format"),
    ] {
        let (st, v) = n
            .req("GET", &format!("/api/v1/lawyer-reports?{q}"))
            .bearer(&op)
            .send()
            .await;
        assert_eq!((st, v["field"].as_str()), (422, Some(field)), "{q}: {v}");
    }
    let (st, _) = n
        .req("GET", "/api/v1/lawyer-reports/archive/..%2Fserver.toml")
        .bearer(&op)
        .send()
        .await;
    assert_eq!(st, 404);
    // Lawyers do not read the platform's reports.
    let l = n.login("lawyer").await;
    let (st, _) = n
        .req("GET", "/api/v1/lawyer-reports?kind=daily")
        .bearer(&l)
        .send()
        .await;
    assert_eq!(st, 403);
}
