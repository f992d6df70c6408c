//! Service quality of the online-lawyer platform over real HTTP (issue 7; standard 7.1.2.2, 7.1.3.2,
//! 7.1.4, 7.2.4, 3.1/3.2, 表 1): revisits of non-satisfied ratings and the lawyer's call-back, complaints
//! and the sensitive list, the automatic QC of replies and closed chats, the reviewer queue and
//! verdicts, error rates and 表 1 alerts per lawyer and platform-wide. Time is the test clock, which
//! starts on Monday 23 Nov 2026 09:00 (China time).

use node_testkit::*;
use serde_json::{Value, json};
use server::app::{Role as NodeRole, ServerConfig};

const MINUTE: i64 = 60_000;
const DAY: i64 = 86_400_000;
/// 00:00 China time of `MONDAY_0900`'s day.
const MONDAY_0000: i64 = MONDAY_0900 - 9 * 60 * MINUTE;

/// A node whose working-day calendar for 2026 has Monday 30 Nov as a holiday (so a deadline that skips
/// it shows the configured calendar is used) and the given QC sample rate.
async fn node(sample_percent: u8) -> Node {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = ServerConfig {
        role: NodeRole::All,
        data: tmp.path().to_path_buf(),
        listen: "127.0.0.1:0".into(),
        ..ServerConfig::default()
    };
    config.lawyer.qc_sample_percent = sample_percent;
    config.lawyer.calendar = lawyer::CalendarConfig {
        years: vec![lawyer::calendar::YearCalendar {
            year: 2026,
            holidays: vec![domain::time::Date {
                year: 2026,
                month: 11,
                day: 30,
            }],
            workdays: vec![],
        }],
    };
    let mut n = Node::start_with(config, TestClock::new(MONDAY_0900)).await;
    n.keep(tmp);
    server::api::halls::install_config(&n.app(), domain::Actor::System, test_city())
        .await
        .unwrap();
    n.set_test_passwords().await;
    n
}

async fn online(n: &Node) -> String {
    let t = n.login("lawyer").await;
    let (st, v) = n
        .req("PUT", "/api/v1/lawyer/status")
        .bearer(&t)
        .json(json!({"online": true, "specialties": ["labour"]}))
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    t
}

/// Asks a question as a web citizen: (id, token).
async fn ask(n: &Node, kind: &str, phone: Option<&str>) -> (String, String) {
    let mut body = json!({"kind": kind, "question": "单位拖欠我三个月工资，我该怎么办？", "specialty": "labour"});
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

fn citizen<'a>(n: &'a Node, method: &str, path: &str, token: &str) -> Req<'a> {
    n.req(method, path).header("x-consultation-token", token)
}

/// Three well-formed 留言 answers (6.2.1.2) on different matters, so that none is a copy of another.
fn parts(i: usize) -> Value {
    [
        json!({
            "judgement": "用人单位自用工之日起超过一个月不满一年未与劳动者订立书面劳动合同的，应当向劳动者每月支付二倍的工资。",
            "basis": "《中华人民共和国劳动合同法》第八十二条",
            "advice": "建议您保留工资流水、考勤记录等证据，先与单位协商；协商不成的，可以向当地劳动人事争议仲裁委员会申请仲裁。",
        }),
        json!({
            "judgement": "出租人无正当理由扣留押金属于违约行为，租期届满且房屋无损坏时，押金应当全额退还给承租人。",
            "basis": "《中华人民共和国民法典》第七百三十三条",
            "advice": "请整理租赁合同、交房照片和转账凭证，书面催告房东退还；仍不退还的，可向房屋所在地法院起诉。",
        }),
        json!({
            "judgement": "夫妻双方自愿离婚并对子女抚养和财产分割达成一致的，可以到婚姻登记机关申请登记离婚，冷静期为三十日。",
            "basis": "《中华人民共和国民法典》第一千零七十七条",
            "advice": "建议双方先拟好离婚协议，写明孩子由谁抚养、抚养费数额和房产归属，再一同前往登记机关办理。",
        }),
    ][i]
        .clone()
}

/// A 留言 consultation answered by the lawyer with `parts(i)`: (id, token).
async fn answered(n: &Node, lawyer: &str, i: usize, phone: Option<&str>) -> (String, String) {
    let (id, token) = ask(n, "message", phone).await;
    let (st, v) = n
        .req("POST", &format!("/api/v1/consultations/{id}/messages"))
        .bearer(lawyer)
        .json(json!({"parts": parts(i)}))
        .send()
        .await;
    assert_eq!(st, 201, "{v}");
    (id, token)
}

/// A realtime consultation the lawyer picks up, answers with `lines` and closes: its id.
async fn chat(n: &Node, lawyer: &str, phone: Option<&str>, lines: &[&str]) -> String {
    let (id, _) = ask(n, "realtime", phone).await;
    let (st, v) = n
        .req("POST", &format!("/api/v1/consultations/{id}/pickup"))
        .bearer(lawyer)
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    for l in lines {
        let (st, v) = n
            .req("POST", &format!("/api/v1/consultations/{id}/messages"))
            .bearer(lawyer)
            .json(json!({"body": l}))
            .send()
            .await;
        assert_eq!(st, 201, "{v}");
    }
    let (st, v) = n
        .req("POST", &format!("/api/v1/consultations/{id}/close"))
        .bearer(lawyer)
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    id
}

async fn rate(n: &Node, id: &str, token: &str, body: Value) -> (u16, Value) {
    citizen(n, "POST", &format!("/api/v1/consultations/{id}/rating"), token)
        .json(body)
        .send()
        .await
}

async fn tasks(n: &Node, who: &str, path: &str) -> Vec<Value> {
    let (st, v) = n.req("GET", path).bearer(who).send().await;
    assert_eq!(st, 200, "{v}");
    v.as_array().unwrap().clone()
}

async fn complete(n: &Node, who: &str, task: &str, body: Value) -> (u16, Value) {
    n.req("POST", &format!("/api/v1/lawyer-quality/tasks/{task}/complete"))
        .bearer(who)
        .json(body)
        .send()
        .await
}

#[tokio::test]
async fn non_satisfied_ratings_are_revisited_and_the_lawyer_calls_back_7_1_3_2() {
    let mut n = node(0).await;
    let l = online(&n).await;
    let (good, good_token) = answered(&n, &l, 0, None).await;
    let (basic, basic_token) = answered(&n, &l, 1, None).await;
    let (bad, bad_token) = answered(&n, &l, 2, None).await;
    // Rated on Friday 27 Nov 10:00.
    n.clock.set(MONDAY_0900 + 4 * DAY + MINUTE * 60);
    let rated_at = n.clock.now();
    // Sessions do not last days: sign in again.
    let (l, op) = (n.login("lawyer").await, n.login("operator").await);
    // 满意 (4): no follow-up. 基本满意 (3) and 不满意 (2) are below 满意: each is revisited, 100 % (7.1.3.2).
    assert_eq!(rate(&n, &good, &good_token, json!({"level": 4})).await.0, 200);
    assert_eq!(rate(&n, &basic, &basic_token, json!({"level": 3})).await.0, 200);
    // The dissatisfied citizen still needs an answer: the lawyer calls back within 1 hour (7.1.3.2 b).
    let (st, v) = rate(&n, &bad, &bad_token, json!({"level": 2, "needs_legal_answer": true})).await;
    assert_eq!(st, 200, "{v}");
    let open = tasks(&n, &op, "/api/v1/lawyer-quality/tasks").await;
    let kinds: Vec<(&str, &str)> = open
        .iter()
        .map(|t| (t["kind"].as_str().unwrap(), t["consultation_id"].as_str().unwrap()))
        .collect();
    // Earliest deadline first: the call-back (11:00 today), then the two revisits.
    assert_eq!(
        kinds,
        [
            ("legal_callback", bad.as_str()),
            ("revisit", basic.as_str()),
            ("revisit", bad.as_str())
        ]
    );
    assert_eq!(open[0]["due_at"], json!(rated_at + 60 * MINUTE), "7.1.3.2 b: 1 h");
    assert_eq!(open[0]["lawyer_id"], "LAWYER");
    // 1 working day from Friday: Saturday and Sunday are weekends, Monday 30 Nov is the configured
    // holiday, so the next working day is Tuesday 1 Dec and the revisit is due by its end (2 Dec 00:00).
    let tuesday_end = MONDAY_0000 + 9 * DAY;
    assert_eq!(open[1]["due_at"], json!(tuesday_end), "{}", open[1]);
    assert_eq!(
        (&open[1]["clause"], &open[1]["label"], &open[1]["overdue"]),
        (&json!("7.1.3.2"), &json!("回访非满意工单"), &json!(false))
    );
    // The lawyer sees their call-back, with the time left; not the operators' revisits.
    let mine = tasks(&n, &l, "/api/v1/lawyer/tasks").await;
    assert_eq!(mine.len(), 1);
    assert_eq!(
        (&mine[0]["kind"], &mine[0]["remaining_secs"]),
        (&json!("legal_callback"), &json!(3600))
    );
    // Filter by kind; a kind that does not exist is named.
    assert_eq!(
        tasks(&n, &op, "/api/v1/lawyer-quality/tasks?kind=revisit").await.len(),
        2
    );
    let (st, v) = n
        .req("GET", "/api/v1/lawyer-quality/tasks?kind=visit")
        .bearer(&op)
        .send()
        .await;
    assert_eq!((st, &v["field"]), (422, &json!("kind")), "{v}");
    // Two hours later the call-back is overdue, and marked so.
    n.clock.set(rated_at + 120 * MINUTE);
    let open = tasks(&n, &op, "/api/v1/lawyer-quality/tasks").await;
    assert_eq!(
        (&open[0]["overdue"], &open[0]["remaining_secs"], &open[1]["overdue"]),
        (&json!(true), &json!(-3600), &json!(false))
    );
    // A lawyer may not complete a revisit; an outcome is required.
    let revisit = open[1]["id"].as_str().unwrap().to_owned();
    let (st, v) = complete(&n, &l, &revisit, json!({"outcome": "已回访"})).await;
    assert_eq!(st, 403, "{v}");
    let (st, v) = complete(&n, &op, &revisit, json!({})).await;
    assert_eq!((st, &v["field"]), (422, &json!("outcome")), "{v}");
    // The revisit finds that the citizen of `basic` still needs an answer: a call-back for the lawyer,
    // due 1 h from the revisit (7.1.3.2 b).
    let revisited_at = n.clock.now();
    let (st, v) = complete(
        &n,
        &op,
        &revisit,
        json!({"outcome": "已电话回访，用户对押金问题仍有疑问", "needs_legal_answer": true}),
    )
    .await;
    assert_eq!(
        (st, &v["done_at"], &v["overdue"]),
        (200, &json!(revisited_at), &json!(false)),
        "{v}"
    );
    assert_eq!(complete(&n, &op, &revisit, json!({"outcome": "再次"})).await.0, 409);
    let mine = tasks(&n, &l, "/api/v1/lawyer/tasks").await;
    assert_eq!(mine.len(), 2);
    let new_callback = mine.iter().find(|t| t["consultation_id"] == json!(basic)).unwrap();
    assert_eq!(new_callback["due_at"], json!(revisited_at + 60 * MINUTE));
    // The lawyer calls back and closes their task; the late one stays marked overdue once done.
    let late = mine.iter().find(|t| t["consultation_id"] == json!(bad)).unwrap();
    let (st, v) = complete(&n, &l, late["id"].as_str().unwrap(), json!({"outcome": "已回拨并解答"})).await;
    assert_eq!((st, &v["overdue"]), (200, &json!(true)), "{v}");
    assert_eq!(tasks(&n, &l, "/api/v1/lawyer/tasks?status=all").await.len(), 2);
    assert_eq!(tasks(&n, &l, "/api/v1/lawyer/tasks").await.len(), 1);
    n.stop().await;
}

#[tokio::test]
async fn complaints_get_a_call_back_within_a_working_day_and_sensitive_ones_are_listed_7_1_2_2() {
    let mut n = node(0).await;
    let l = online(&n).await;
    let op = n.login("operator").await;
    let (id, token) = answered(&n, &l, 0, None).await;
    let (other, _) = ask(&n, "message", None).await;
    let path = "/api/v1/lawyer-quality/complaints";
    // The citizen complains from the consultation, with its token (7.1.2.1 a).
    let (st, v) = citizen(&n, "POST", path, &token)
        .json(json!({"consultation_id": id, "text": "律师回复敷衍，没有解决我的问题"}))
        .send()
        .await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(
        (&v["filed_by"], &v["sensitive"], &v["task"]["kind"]),
        (&json!("citizen"), &json!(false), &json!("complaint_callback"))
    );
    // Filed Monday 09:00: phoned back by the end of Tuesday 24 Nov (7.1.2.2: 1 working day).
    assert_eq!(v["task"]["due_at"], json!(MONDAY_0000 + 2 * DAY), "{v}");
    assert_eq!(v["task"]["clause"], "7.1.2.2");
    let citizen_complaint = v["id"].as_str().unwrap().to_owned();
    // Bad input is refused naming the field, and nothing is written.
    let cases = [
        (json!({"text": "没有指明咨询"}), "consultation_id"),
        (json!({"consultation_id": id}), "text"),
        (json!({"consultation_id": id, "text": "  "}), "text"),
        (
            json!({"consultation_id": id, "text": "自己标记", "sensitive": true}),
            "sensitive",
        ),
    ];
    for (body, field) in cases {
        let (st, v) = citizen(&n, "POST", path, &token).json(body).send().await;
        assert_eq!((st, &v["field"]), (422, &json!(field)), "{v}");
    }
    // The token of one consultation does not reach another; without token or session: 401; lawyers
    // do not file complaints.
    let (st, _) = citizen(&n, "POST", path, &token)
        .json(json!({"consultation_id": other, "text": "冒名投诉"}))
        .send()
        .await;
    assert_eq!(st, 403);
    let (st, _) = n.req("POST", path).json(json!({"text": "匿名"})).send().await;
    assert_eq!(st, 401);
    let (st, _) = n
        .req("POST", path)
        .bearer(&l)
        .json(json!({"text": "律师"}))
        .send()
        .await;
    assert_eq!(st, 403);
    // The operation centre records a phoned-in complaint that must be reported (涉敏/需上报).
    let (st, v) = n
        .req("POST", path)
        .bearer(&op)
        .json(json!({"text": "来电称将向媒体反映律师泄露隐私", "sensitive": true}))
        .send()
        .await;
    assert_eq!(
        (st, &v["filed_by"], &v["sensitive"]),
        (201, &json!("staff:OPERATOR"), &json!(true)),
        "{v}"
    );
    let (st, all) = n.req("GET", path).bearer(&op).send().await;
    assert_eq!((st, all.as_array().unwrap().len()), (200, 2), "{all}");
    assert_eq!(sensitive_texts(&n, &op).await, ["来电称将向媒体反映律师泄露隐私"]);
    // The citizen's complaint is flagged later and joins the list.
    let (st, v) = n
        .req("PUT", &format!("{path}/{citizen_complaint}/sensitive"))
        .bearer(&op)
        .json(json!({"sensitive": true}))
        .send()
        .await;
    assert_eq!((st, &v["sensitive"]), (200, &json!(true)), "{v}");
    assert_eq!(sensitive_texts(&n, &op).await.len(), 2);
    // Both call-backs are on the operators' task list.
    let open = tasks(&n, &op, "/api/v1/lawyer-quality/tasks?kind=complaint_callback").await;
    assert_eq!(open.len(), 2);
    n.stop().await;
}

async fn sensitive_texts(n: &Node, op: &str) -> Vec<String> {
    let (st, v) = n
        .req("GET", "/api/v1/lawyer-quality/complaints?sensitive=true")
        .bearer(op)
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    v.as_array()
        .unwrap()
        .iter()
        .map(|k| k["text"].as_str().unwrap().to_owned())
        .collect()
}

async fn qc_of(n: &Node, op: &str) -> Vec<Value> {
    let (st, v) = n.req("GET", "/api/v1/lawyer-quality/qc/queue").bearer(op).send().await;
    assert_eq!(st, 200, "{v}");
    v.as_array().unwrap().clone()
}

#[tokio::test]
async fn automatic_qc_grades_replies_and_closed_chats_3_1_3_2_and_reviewers_decide_7_2_4() {
    // No random sample: only automatic failures reach the queue.
    let mut n = node(0).await;
    let l = online(&n).await;
    let op = n.login("operator").await;
    // 1. A clean 留言 answer, checked as it is sent: pass, not queued.
    let (clean, _) = answered(&n, &l, 0, Some("13900001111")).await;
    assert!(qc_of(&n, &op).await.is_empty());
    // 2. The same answer to the next citizen: a mechanical reply (6.2.2.3.2 a), non-fatal (3.1).
    let (copy, _) = answered(&n, &l, 0, None).await;
    // 3. A chat in which the lawyer gives the first citizen's phone number to another citizen: another
    //    client's personal data, fatal (3.2 ③). Checked when the chat closes.
    let leak = chat(
        &n,
        &l,
        None,
        &["您好，可以联系之前咨询过同类问题的当事人，电话 139-0000-1111，他会告诉您怎么做。"],
    )
    .await;
    // 4. A chat whose word the operator's list learns while it is still open: the send was not
    //    refused (10.3.2 checks at send time), the check at close finds abusive language, fatal (3.2 ①).
    let (abusive, _) = ask(&n, "realtime", None).await;
    let at = |what: &str| format!("/api/v1/consultations/{abusive}/{what}");
    assert_eq!(n.req("POST", &at("pickup")).bearer(&l).send().await.0, 200);
    let (st, v) = n
        .req("POST", &at("messages"))
        .bearer(&l)
        .json(json!({"body": "这种问题也来问，真是蠢货一个，自己去查法条。"}))
        .send()
        .await;
    assert_eq!(st, 201, "{v}");
    n.app()
        .lawyer
        .set_words(wordfilter::WordList::parse("蠢货\tvulgar_abuse\tban:7\n").unwrap())
        .unwrap();
    assert_eq!(n.req("POST", &at("close")).bearer(&l).send().await.0, 200);
    let queue = qc_of(&n, &op).await;
    let by_id = |id: &str| queue.iter().find(|q| q["consultation_id"] == json!(id)).cloned();
    assert!(by_id(&clean).is_none());
    let copy_qc = by_id(&copy).unwrap();
    assert_eq!(
        (
            &copy_qc["result"],
            &copy_qc["findings"][0]["clause"],
            &copy_qc["findings"][0]["kind"]
        ),
        (&json!("non_fatal"), &json!("6.2.2.3.2 a"), &json!("mechanical")),
        "{copy_qc}"
    );
    let leak_qc = by_id(&leak).unwrap();
    assert_eq!(
        (
            &leak_qc["result"],
            &leak_qc["findings"][0]["clause"],
            &leak_qc["findings"][0]["kind"]
        ),
        (&json!("fatal"), &json!("3.2 ③"), &json!("leak")),
        "{leak_qc}"
    );
    // The finding names the kind of data, never the data.
    assert!(!leak_qc.to_string().contains("1111"), "{leak_qc}");
    let abusive_qc = by_id(&abusive).unwrap();
    assert_eq!(
        (&abusive_qc["result"], &abusive_qc["findings"][0]["clause"]),
        (&json!("fatal"), &json!("3.2 ①")),
        "{abusive_qc}"
    );
    assert_eq!(queue.len(), 3);
    // Reviewer verdicts (Operator role): a reason and a known result are required.
    let review = |id: &str, body: Value, who: &str| {
        n.req("POST", &format!("/api/v1/lawyer-quality/qc/{id}/review"))
            .bearer(who)
            .json(body)
    };
    let (st, v) = review(&copy, json!({"result": "pass"}), &op).send().await;
    assert_eq!((st, &v["field"]), (422, &json!("reason")), "{v}");
    let (st, v) = review(&copy, json!({"result": "ok", "reason": "x"}), &op).send().await;
    assert_eq!((st, &v["field"]), (422, &json!("result")), "{v}");
    assert_eq!(
        review(&copy, json!({"result": "pass", "reason": "x"}), &l)
            .send()
            .await
            .0,
        403
    );
    // The repeated answer fits both questions word for word: overridden to pass.
    let (st, v) = review(
        &copy,
        json!({"result": "pass", "reason": "两位咨询人问题相同，引用同一法条属正常"}),
        &op,
    )
    .send()
    .await;
    assert_eq!(
        (st, &v["result"], &v["auto_result"], &v["in_queue"]),
        (200, &json!("pass"), &json!("non_fatal"), &json!(false)),
        "{v}"
    );
    assert_eq!(
        review(&copy, json!({"result": "fatal", "reason": "再次"}), &op)
            .send()
            .await
            .0,
        409
    );
    // The leak is confirmed.
    let (st, _) = review(&leak, json!({"result": "fatal", "reason": "确认泄露他人手机号"}), &op)
        .send()
        .await;
    assert_eq!(st, 200);
    assert_eq!(qc_of(&n, &op).await.len(), 1, "only the abusive chat still waits");

    // 7.1.4.2 rates over today, and the 表 1 alerts (7.1.4.1), by hand:
    // - orders: 2 留言 (clean, copy) + 2 chats (leak, abusive) = 4;
    // - QC-checked 4; fatal: leak (confirmed) + abusive (automatic) = 2 → 2/4 = 50 % > 2 %: alert;
    // - non-fatal: the copy was overridden to pass → 0/4 = 0 % ≤ 10 %: none;
    // - 接通率: 2 realtime requests, both picked up → 2/2 = 100 % ≥ 95 %: none;
    // - 参评率: 0 rated of 4 orders = 0 % < 40 %: alert; 满意率 and 回访率 have no data (nothing rated,
    //   nothing non-satisfied): none.
    // The lawyer served all 4, so their figures and alerts are the platform's.
    let (st, v) = n
        .req("GET", "/api/v1/lawyer-quality/alerts?from=2026-11-23&to=2026-11-23")
        .bearer(&op)
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    let p = &v["platform"];
    assert_eq!(p["orders"], 4);
    assert_eq!(
        (&p["fatal_rate"]["num"], &p["fatal_rate"]["den"]),
        (&json!(2), &json!(4))
    );
    assert_eq!(p["fatal_rate"]["percent"], json!(50.0));
    assert_eq!(p["non_fatal_rate"]["num"], 0);
    assert_eq!(p["connection_rate"]["percent"], json!(100.0));
    assert_eq!(v["lawyers"][0]["lawyer_id"], "LAWYER");
    let alerts: Vec<(String, String)> = v["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["scope"].as_str().unwrap().into(),
                a["metric"].as_str().unwrap().into(),
            )
        })
        .collect();
    let pair = |s: &str, m: &str| (s.to_owned(), m.to_owned());
    assert_eq!(
        alerts,
        [
            pair("platform", "rating_rate"),
            pair("platform", "fatal_error_rate"),
            pair("lawyer", "rating_rate"),
            pair("lawyer", "fatal_error_rate"),
        ]
    );
    assert_eq!(v["alerts"][1]["limit"], "≤2%");
    // A day without consultations has no data and raises nothing.
    let (_, v) = n
        .req("GET", "/api/v1/lawyer-quality/alerts?from=2026-11-24")
        .bearer(&op)
        .send()
        .await;
    assert_eq!((&v["platform"]["orders"], &v["alerts"]), (&json!(0), &json!([])), "{v}");
    let (st, v) = n
        .req("GET", "/api/v1/lawyer-quality/alerts?from=2026-11-31")
        .bearer(&op)
        .send()
        .await;
    assert_eq!((st, &v["field"]), (422, &json!("from")), "{v}");
    // The lawyer sees their own results (newest first) and alerts.
    let (st, v) = n.req("GET", "/api/v1/lawyer/qc").bearer(&l).send().await;
    assert_eq!(st, 200, "{v}");
    let results: Vec<&str> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["result"].as_str().unwrap())
        .collect();
    assert_eq!(results.len(), 4);
    assert_eq!(results.iter().filter(|r| **r == "fatal").count(), 2);
    assert_eq!(v["figures"]["fatal_rate"]["num"], 2);
    assert_eq!(v["alerts"].as_array().unwrap().len(), 2);
    n.stop().await;
}

#[tokio::test]
async fn a_100_percent_sample_sends_every_checked_consultation_to_the_reviewer_7_2_4_a() {
    let mut n = node(100).await;
    let l = online(&n).await;
    let op = n.login("operator").await;
    let (id, _) = answered(&n, &l, 1, None).await;
    let queue = qc_of(&n, &op).await;
    assert_eq!(queue.len(), 1);
    assert_eq!(
        (&queue[0]["consultation_id"], &queue[0]["result"], &queue[0]["sampled"]),
        (&json!(id), &json!("pass"), &json!(true))
    );
    // A consultation nobody of the lawyers wrote in has nothing to check.
    let (asked, token) = ask(&n, "realtime", None).await;
    let (st, _) = citizen(&n, "POST", &format!("/api/v1/consultations/{asked}/close"), &token)
        .send()
        .await;
    assert_eq!(st, 200);
    assert_eq!(qc_of(&n, &op).await.len(), 1);
    n.stop().await;
}
