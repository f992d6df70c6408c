//! Sensitive words at run time over real HTTP and real SQLite (standard 10.3.2 敏感字监测, 10.5.1.2
//! statistics): every hit recorded without the clear text, the list's action applied at once and
//! pending review, bans that block the citizen (by phone, or by consultation) or the lawyer with the
//! ban and its end named, the reviewer confirming or lifting, appeals, statistics by month, region,
//! sex and word, and the operator's reload of the word list.

use node_testkit::*;
use serde_json::{Value, json};
use server::app::{Role as NodeRole, ServerConfig};

const SAMPLE: &str = include_str!("../../../../assets/wordfilter/sample.tsv");
const QUESTION: &str = "单位拖欠我三个月工资，我该怎么办？";

/// A node whose `[lawyer] word_list` is a copy of the sample list in its data directory.
async fn node() -> (Node, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let list = tmp.path().join("words.tsv");
    std::fs::write(&list, SAMPLE).unwrap();
    let mut config = ServerConfig {
        role: NodeRole::All,
        data: tmp.path().to_path_buf(),
        listen: "127.0.0.1:0".into(),
        ..ServerConfig::default()
    };
    config.lawyer.word_list = Some(list.clone());
    let mut n = Node::start_with(config, TestClock::new(MONDAY_0900)).await;
    n.keep(tmp);
    server::api::halls::install_config(&n.app(), domain::Actor::System, test_city())
        .await
        .unwrap();
    n.set_test_passwords().await;
    (n, list)
}

async fn ask(n: &Node, question: &str, phone: Option<&str>) -> (u16, Value) {
    let mut body = json!({"kind": "message", "question": question, "specialty": "labour"});
    if let Some(p) = phone {
        body["phone"] = json!(p);
    }
    n.req("POST", "/api/v1/consultations").json(body).send().await
}

async fn say(n: &Node, id: &str, token: &str, body: &str) -> (u16, Value) {
    n.req("POST", &format!("/api/v1/consultations/{id}/messages"))
        .header("x-consultation-token", token)
        .json(json!({"body": body}))
        .send()
        .await
}

/// The action id the `banned` error names.
fn action_id(v: &Value) -> String {
    let m = v["message"].as_str().unwrap();
    m.split("处理编号 ")
        .nth(1)
        .unwrap()
        .split('，')
        .next()
        .unwrap()
        .to_owned()
}

fn ids(v: &Value) -> (String, String) {
    (
        v["consultation"]["id"].as_str().unwrap().to_owned(),
        v["token"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn citizen_hits_are_recorded_banned_reviewed_and_appealed_10_3_2() {
    let (n, _) = node().await;
    let op = n.login("operator").await;
    // A warn word in the question: the question goes through, with the warning (10.3.2).
    let (st, v) = ask(&n, &format!("{QUESTION}测试敏感词"), Some("13800138000")).await;
    assert_eq!(st, 201, "{v}");
    assert!(v["warning"].as_str().unwrap().contains("“测试敏感词”（其他）"), "{v}");
    let (id, token) = ids(&v);
    // The reviewer's queue has the automatic warning, pending review, against the phone's digest.
    let (st, q) = n
        .req("GET", "/api/v1/lawyer-words/actions?status=pending")
        .bearer(&op)
        .send()
        .await;
    assert_eq!(st, 200, "{q}");
    assert_eq!(q.as_array().unwrap().len(), 1, "{q}");
    assert_eq!((&q[0]["kind"], &q[0]["word"]), (&json!("warn"), &json!("测试敏感词")));
    let subject = q[0]["subject"].as_str().unwrap();
    assert!(
        subject.starts_with("phone:") && !subject.contains("13800138000"),
        "{subject}"
    );

    // A ban:7 word in a message: refused, the ban and its end named (7 days from Monday 09:00).
    let (st, v) = say(&n, &id, &token, "你这个示例辱骂词").await;
    assert_eq!((st, &v["code"]), (403, &json!("banned")), "{v}");
    let msg = v["message"].as_str().unwrap();
    assert!(
        msg.contains("封禁 7 天（至 2026-11-30 09:00）") && msg.contains("示例辱骂词"),
        "{msg}"
    );
    let ban = action_id(&v);
    // Blocked: a clean message, and a new question with the same phone number.
    let (st, v) = say(&n, &id, &token, "请问还在吗？").await;
    assert_eq!((st, &v["code"]), (403, &json!("banned")), "{v}");
    let (st, v) = ask(&n, QUESTION, Some("13800138000")).await;
    assert_eq!((st, &v["code"]), (403, &json!("banned")), "{v}");
    // Another citizen is not.
    let (st, v) = ask(&n, QUESTION, Some("13900139000")).await;
    assert_eq!(st, 201, "{v}");

    // Nothing of the clear text is kept with the hits: the word, and the text's SM3.
    {
        let db = rusqlite::Connection::open(n.db_path()).unwrap();
        let rows: Vec<String> = db
            .prepare("SELECT id || party || subject || place || word || text_sm3 || region || sex FROM lw_word_hits")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(rows.len(), 2);
        assert!(
            rows.iter()
                .all(|r| !r.contains("拖欠") && !r.contains("你这个") && !r.contains("13800138000"))
        );
        let audit: String = db
            .query_row(
                "SELECT group_concat(body, '') FROM events WHERE kind = 'lw_word_hits'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(
            !audit.contains("拖欠") && !audit.contains("你这个") && audit.contains("text_sm3"),
            "{audit}"
        );
    }

    // Appeal: the citizen (token), reason required, once.
    let appeal = format!("/api/v1/lawyer-words/actions/{ban}/appeal");
    let (st, v) = n
        .req("POST", &appeal)
        .header("x-consultation-token", &token)
        .json(json!({"reason": "  "}))
        .send()
        .await;
    assert_eq!((st, &v["field"]), (422, &json!("reason")), "{v}");
    let lawyer = n.login("lawyer").await;
    let (st, v) = n
        .req("POST", &appeal)
        .bearer(&lawyer)
        .json(json!({"reason": "不是我"}))
        .send()
        .await;
    assert_eq!(st, 403, "a lawyer cannot appeal a citizen's action: {v}");
    let (st, v) = n
        .req("POST", &appeal)
        .header("x-consultation-token", &token)
        .json(json!({"reason": "我引用的是对方的原话，并非辱骂"}))
        .send()
        .await;
    assert_eq!((st, &v["appeal_status"]), (200, &json!("pending")), "{v}");
    let (st, v) = n
        .req("POST", &appeal)
        .header("x-consultation-token", &token)
        .json(json!({"reason": "再次申诉"}))
        .send()
        .await;
    assert_eq!(st, 409, "one appeal per action: {v}");
    // Only an operator decides; granted lifts the ban and the citizen may write again.
    let decide = format!("/api/v1/lawyer-words/actions/{ban}/appeal-decision");
    let admin = n.login("admin").await;
    let (st, _) = n
        .req("POST", &decide)
        .bearer(&admin)
        .json(json!({"grant": true}))
        .send()
        .await;
    assert_eq!(st, 403);
    let (st, v) = n
        .req("POST", &decide)
        .bearer(&op)
        .json(json!({"grant": true, "note": "引用原话"}))
        .send()
        .await;
    assert_eq!(
        (st, &v["status"], &v["appeal_status"]),
        (200, &json!("lifted"), &json!("granted")),
        "{v}"
    );
    let (st, v) = say(&n, &id, &token, "请问还在吗？").await;
    assert_eq!(st, 201, "{v}");
    // The citizen sees the outcome with the token.
    let (st, v) = n
        .req("GET", &format!("/api/v1/lawyer-words/actions/{ban}"))
        .header("x-consultation-token", &token)
        .send()
        .await;
    assert_eq!((st, &v["appeal_status"]), (200, &json!("granted")), "{v}");
}

#[tokio::test]
async fn citizen_without_phone_is_banned_in_the_consultation_only() {
    let (n, _) = node().await;
    let (st, v) = ask(&n, QUESTION, None).await;
    assert_eq!(st, 201, "{v}");
    let (id, token) = ids(&v);
    let (st, v) = say(&n, &id, &token, "虚构诈骗词").await;
    assert_eq!((st, &v["code"]), (403, &json!("banned")), "{v}");
    assert!(v["message"].as_str().unwrap().contains("封禁 3 天"), "{v}");
    let (st, _) = say(&n, &id, &token, "在吗").await;
    assert_eq!(st, 403, "the consultation (its token) is blocked");
    // A ban word in a question without a phone: refused; nothing identifies the asker to block.
    let (st, v) = ask(&n, &format!("{QUESTION}虚构诈骗词"), None).await;
    assert_eq!(
        (st, &v["code"], &v["field"]),
        (422, &json!("sensitive_words"), &json!("question")),
        "{v}"
    );
    let (st, v) = ask(&n, QUESTION, None).await;
    assert_eq!(st, 201, "{v}");
    // The ban ends after 3 days.
    n.clock.advance_minutes(3 * 24 * 60 + 1);
    let (st, v) = say(&n, &id, &token, "在吗").await;
    assert_eq!(st, 201, "{v}");
}

/// A lawyer in a realtime chat: (lawyer token, consultation id).
async fn chat(n: &Node) -> (String, String) {
    let l = n.login("lawyer").await;
    let (st, v) = n
        .req("PUT", "/api/v1/lawyer/status")
        .bearer(&l)
        .json(json!({"online": true, "specialties": ["labour"]}))
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    let (st, v) = n
        .req("POST", "/api/v1/consultations")
        .json(json!({"kind": "realtime", "question": QUESTION, "specialty": "labour"}))
        .send()
        .await;
    assert_eq!(st, 201, "{v}");
    let id = v["consultation"]["id"].as_str().unwrap().to_owned();
    let (st, v) = n
        .req("POST", &format!("/api/v1/consultations/{id}/pickup"))
        .bearer(&l)
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    (l, id)
}

#[tokio::test]
async fn lawyer_bans_confirmed_expire_and_permanent_ones_are_lifted_by_review_10_3_2() {
    let (n, _) = node().await;
    let mut op = n.login("operator").await;
    let (mut l, id) = chat(&n).await;
    let path = format!("/api/v1/consultations/{id}/messages");
    let post = |l: &str, body: &str| n.req("POST", &path).bearer(l).json(json!({"body": body})).send();
    // A warn word: refused by the reply rules as before (422), and recorded.
    let (st, v) = post(&l, "测试敏感词").await;
    assert_eq!((st, &v["code"]), (422, &json!("sensitive_words")), "{v}");
    // A ban:1 word: banned for a day.
    let (st, v) = post(&l, "违禁测试").await;
    assert_eq!((st, &v["code"]), (403, &json!("banned")), "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("封禁 1 天（至 2026-11-24 09:00）"),
        "{v}"
    );
    let ban = action_id(&v);
    let (st, _) = post(&l, "您好，请问有什么可以帮您？").await;
    assert_eq!(st, 403, "blocked while banned");
    // The lawyer sees their own action; the reviewer confirms it (once).
    let (st, v) = n
        .req("GET", &format!("/api/v1/lawyer-words/actions/{ban}"))
        .bearer(&l)
        .send()
        .await;
    assert_eq!((st, &v["status"]), (200, &json!("pending")), "{v}");
    let review = format!("/api/v1/lawyer-words/actions/{ban}/review");
    let (st, v) = n
        .req("POST", &review)
        .bearer(&op)
        .json(json!({"confirm": true}))
        .send()
        .await;
    assert_eq!(
        (st, &v["status"], &v["reviewed_by"]),
        (200, &json!("confirmed"), &json!("OPERATOR")),
        "{v}"
    );
    let (st, _) = n
        .req("POST", &review)
        .bearer(&op)
        .json(json!({"confirm": false}))
        .send()
        .await;
    assert_eq!(st, 409, "reviewed once");
    // A day later the ban is over.
    n.clock.advance_minutes(24 * 60 + 1);
    l = n.login("lawyer").await;
    let (st, v) = post(&l, "您好，请问有什么可以帮您？").await;
    assert_eq!(st, 201, "{v}");
    // Permanent: still blocked a year later, until the reviewer lifts it.
    let (st, v) = post(&l, "样例暴恐词").await;
    assert_eq!((st, &v["code"]), (403, &json!("banned")), "{v}");
    assert!(v["message"].as_str().unwrap().contains("永久封禁"), "{v}");
    let permanent = action_id(&v);
    n.clock.advance_minutes(400 * 24 * 60);
    l = n.login("lawyer").await;
    op = n.login("operator").await;
    let (st, _) = post(&l, "您好").await;
    assert_eq!(st, 403);
    let (st, v) = n
        .req("POST", &format!("/api/v1/lawyer-words/actions/{permanent}/review"))
        .bearer(&op)
        .json(json!({"confirm": false, "note": "误判"}))
        .send()
        .await;
    assert_eq!((st, &v["status"]), (200, &json!("lifted")), "{v}");
    let (st, v) = post(&l, "您好").await;
    assert_eq!(st, 201, "{v}");
    // An appeal of a lifted action is refused; a lawyer cannot review.
    let (st, _) = n
        .req("POST", &format!("/api/v1/lawyer-words/actions/{permanent}/appeal"))
        .bearer(&l)
        .json(json!({"reason": "误判"}))
        .send()
        .await;
    assert_eq!(st, 409);
    let (st, _) = n.req("GET", "/api/v1/lawyer-words/actions").bearer(&l).send().await;
    assert_eq!(st, 403);
}

#[tokio::test]
async fn statistics_by_month_region_sex_and_word_10_5_1_2() {
    let (n, _) = node().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    // November: one kiosk question at hall H1, one web question (region unknown).
    let (st, v) = n
        .req("POST", "/api/v1/consultations")
        .device(&kiosk)
        .json(json!({"kind": "message", "question": format!("{QUESTION}测试敏感词"), "specialty": "labour"}))
        .send()
        .await;
    assert_eq!(st, 201, "{v}");
    let (st, _) = ask(&n, &format!("{QUESTION}badword 测试敏感词"), None).await;
    assert_eq!(st, 201);
    // December.
    n.clock.advance_minutes(31 * 24 * 60);
    let (st, _) = ask(&n, &format!("{QUESTION}ＢＡＤＷＯＲＤ"), None).await;
    assert_eq!(st, 201, "full-width letters are found too");
    let op = n.login("operator").await;
    let (st, v) = n
        .req("GET", "/api/v1/lawyer-words/stats?from=2026-11&to=2026-12")
        .bearer(&op)
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    let s = &v["stats"];
    assert_eq!(s["total"], 4, "{v}");
    assert_eq!(
        (&s["by_month"]["2026-11"], &s["by_month"]["2026-12"]),
        (&json!(3), &json!(1))
    );
    assert_eq!((&s["by_region"]["H1"], &s["by_region"]["未知"]), (&json!(1), &json!(3)));
    assert_eq!(
        s["by_sex"]["unknown"], 4,
        "表 B.1 has no sex: citizens count as unknown"
    );
    assert_eq!(
        (&s["by_word"]["测试敏感词"], &s["by_word"]["badword"]),
        (&json!(2), &json!(2))
    );
    assert_eq!(s["by_category"]["other"], 4);
    // One month only, the default being the current one.
    let (_, v) = n.req("GET", "/api/v1/lawyer-words/stats").bearer(&op).send().await;
    assert_eq!(
        (&v["from"], &v["stats"]["total"]),
        (&json!("2026-12"), &json!(1)),
        "{v}"
    );
    let (st, v) = n
        .req("GET", "/api/v1/lawyer-words/stats?from=2026-13")
        .bearer(&op)
        .send()
        .await;
    assert_eq!((st, &v["field"]), (422, &json!("from")), "{v}");
}

#[tokio::test]
async fn reload_reads_the_file_again_and_keeps_the_old_list_on_errors() {
    let (n, list) = node().await;
    let op = n.login("operator").await;
    let reload = || n.req("POST", "/api/v1/lawyer-words/reload").bearer(&op).send();
    let (st, v) = reload().await;
    assert_eq!((st, &v["words"]), (200, &json!(9)), "{v}");
    // A bad file: every bad line named, the old list kept.
    std::fs::write(&list, "新加词\tother\twarn\n坏行\tnope\twarn\n又一行\tother\tban:0\n").unwrap();
    let (st, v) = reload().await;
    assert_eq!(
        (st, &v["code"], &v["field"]),
        (422, &json!("word_list_invalid"), &json!("word_list")),
        "{v}"
    );
    let msg = v["message"].as_str().unwrap();
    assert!(
        msg.contains("第 2 行") && msg.contains("第 3 行") && !msg.contains("第 1 行"),
        "{msg}"
    );
    let (st, v) = ask(&n, &format!("{QUESTION}新加词"), None).await;
    assert_eq!((st, v.get("warning")), (201, None), "old list still in use: {v}");
    let (st, v) = ask(&n, &format!("{QUESTION}测试敏感词"), None).await;
    assert!(st == 201 && v["warning"].is_string(), "{v}");
    // Fixed: the new list is in use at once.
    std::fs::write(&list, "新加词\tother\twarn\n").unwrap();
    let (st, v) = reload().await;
    assert_eq!((st, &v["words"]), (200, &json!(1)), "{v}");
    let (_, v) = ask(&n, &format!("{QUESTION}新加词"), None).await;
    assert!(v["warning"].as_str().unwrap().contains("新加词"), "{v}");
    let (_, v) = ask(&n, &format!("{QUESTION}测试敏感词"), None).await;
    assert_eq!(v.get("warning"), None, "{v}");
    // Lawyers may not reload.
    let l = n.login("lawyer").await;
    let (st, _) = n.req("POST", "/api/v1/lawyer-words/reload").bearer(&l).send().await;
    assert_eq!(st, 403);
}
