//! The online-lawyer platform over real HTTP and a real WebSocket (issue 7, standard 6.1, 6.2, 10.3):
//! routing by specialty and load, the no-pickup offer, the chat in both directions, the automatic
//! reassurance and consent messages, the 留言 reply rules, sensitive words, the SMS notice, ratings
//! and who may do what. Time is the test clock: tests advance it and the sweeper (every 20 ms here)
//! acts on it; nothing sleeps for real beyond a few sweeps.

use std::sync::Arc;
use std::time::Duration;

use super::support;
use futures_util::{SinkExt, StreamExt};
use node_testkit::*;
use serde_json::{Value, json};
use server::lawyer::RecordingNotifier;
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest};

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A node whose sweeper runs every 20 ms, with the sample word list, a recording notifier and two
/// more lawyers (logins lawyer2, lawyer3; the test password).
async fn node() -> (Node, Arc<RecordingNotifier>) {
    let n = support::start(|c| c.lawyer.sweep_ms = 20).await;
    support::add_lawyers(&n, &["LAWYER2", "LAWYER3"]).await;
    let app = n.app();
    let sms = Arc::new(RecordingNotifier::default());
    app.lawyer.set_notifier(sms.clone());
    let words = wordfilter::WordList::parse(include_str!("../../../../assets/wordfilter/sample.tsv")).unwrap();
    app.lawyer.set_words(words).unwrap();
    (n, sms)
}

async fn online(n: &Node, login: &str, specialties: &[&str]) -> String {
    let t = n.login(login).await;
    let (st, v) = n
        .req("PUT", "/api/v1/lawyer/status")
        .bearer(&t)
        .json(json!({"online": true, "specialties": specialties}))
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["online"], true);
    t
}

/// Asks a question as a web citizen: (id, token, consultation view).
async fn ask(n: &Node, kind: &str, specialty: &str, phone: Option<&str>) -> (String, String, Value) {
    let mut body = json!({"kind": kind, "question": "单位拖欠我三个月工资，我该怎么办？", "specialty": specialty});
    if let Some(p) = phone {
        body["phone"] = json!(p);
    }
    let (st, v) = n.req("POST", "/api/v1/consultations").json(body).send().await;
    assert_eq!(st, 201, "{v}");
    let c = v["consultation"].clone();
    (
        c["id"].as_str().unwrap().to_owned(),
        v["token"].as_str().unwrap().to_owned(),
        c,
    )
}

/// A request with the citizen's consultation token.
fn citizen<'a>(n: &'a Node, method: &str, path: &str, token: &str) -> Req<'a> {
    n.req(method, path).header("x-consultation-token", token)
}

async fn get(n: &Node, id: &str, token: &str) -> Value {
    let (st, v) = citizen(n, "GET", &format!("/api/v1/consultations/{id}"), token)
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    v
}

async fn ws_citizen(n: &Node, id: &str, token: &str) -> Ws {
    let url = format!(
        "{}/api/v1/consultations/{id}/ws?token={token}",
        n.base.replace("http", "ws")
    );
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

async fn ws_lawyer(n: &Node, id: &str, session: &str) -> Ws {
    let mut req = format!("{}/api/v1/consultations/{id}/ws", n.base.replace("http", "ws"))
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("authorization", format!("Bearer {session}").parse().unwrap());
    tokio_tungstenite::connect_async(req).await.unwrap().0
}

/// The next `message` frame (status frames are skipped), or a panic after 3 s.
async fn next_message(ws: &mut Ws) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    loop {
        let frame = tokio::time::timeout_at(deadline, ws.next())
            .await
            .expect("no message within 3 s")
            .unwrap()
            .unwrap();
        if let tungstenite::Message::Text(t) = frame {
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            if v["type"] == "message" {
                return v["message"].clone();
            }
            assert_ne!(v["type"], "error", "{v}");
        }
    }
}

/// Reads message frames until one of `kind` from `author` arrives.
async fn until_message(ws: &mut Ws, author: &str, kind: &str) -> Value {
    loop {
        let m = next_message(ws).await;
        if m["author"] == author && m["kind"] == kind {
            return m;
        }
    }
}

async fn send(ws: &mut Ws, v: Value) {
    ws.send(tungstenite::Message::Text(v.to_string().into())).await.unwrap();
}

fn secs(n: &Node, s: i64) {
    n.clock.set(n.clock.now() + s * 1000);
}

#[tokio::test]
async fn realtime_routing_by_specialty_then_least_load_6_2_2_1_a() {
    let (mut n, _) = node().await;
    let l1 = online(&n, "lawyer", &["labour", "family"]).await;
    online(&n, "lawyer2", &["labour"]).await;
    online(&n, "lawyer3", &["family"]).await;
    let mut got = Vec::new();
    for specialty in ["labour", "labour", "family", "labour"] {
        secs(&n, 1);
        let (_, _, c) = ask(&n, "realtime", specialty, None).await;
        assert_eq!(c["status"], "assigned", "{c}");
        got.push(c["lawyer_id"].as_str().unwrap().to_owned());
    }
    // Equal loads go to the one given a consultation longest ago (LAWYER first by id); the family
    // question skips LAWYER (load 1) for LAWYER3 (load 0); the fourth finds LAWYER and LAWYER2 at 1
    // each and goes to LAWYER, whose last one is older.
    assert_eq!(got, ["LAWYER", "LAWYER2", "LAWYER3", "LAWYER"]);
    // Nobody knows contract law: it waits in the queue.
    let (_, _, c) = ask(&n, "realtime", "contract", None).await;
    assert_eq!((&c["status"], &c["lawyer_id"]), (&json!("queued"), &Value::Null));

    // The inbox shows both of LAWYER's with the 20 s pickup countdown (6.2.2.1 a).
    let (st, inbox) = n.req("GET", "/api/v1/lawyer/inbox").bearer(&l1).send().await;
    assert_eq!(st, 200, "{inbox}");
    let items = inbox["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{inbox}");
    assert_eq!(items[0]["due"]["action"], "pick_up");
    assert_eq!(items[0]["due"]["clause"], "6.2.2.1 a");
    assert!(inbox["templates"]["opening"].as_str().unwrap().starts_with("您好"));

    // Going offline hands back what was not picked up (to be routed again).
    let (st, _) = n
        .req("PUT", "/api/v1/lawyer/status")
        .bearer(&l1)
        .json(json!({"online": false}))
        .send()
        .await;
    assert_eq!(st, 200);
    let (st, v) = n.req("GET", "/api/v1/lawyer/inbox").bearer(&l1).send().await;
    assert_eq!((st, v["items"].as_array().unwrap().len()), (200, 0), "{v}");
    n.stop().await;
}

#[tokio::test]
async fn nobody_picks_up_then_message_consultation_is_offered_6_2_2_1() {
    let (mut n, _) = node().await;
    let (id, token, c) = ask(&n, "realtime", "labour", Some("13800138000")).await;
    assert_eq!(c["status"], "queued");
    assert_eq!(c["phone"], "138****8000");
    let mut ws = ws_citizen(&n, &id, &token).await;
    assert_eq!(
        next_message(&mut ws).await["author"],
        "citizen",
        "the question is message 1"
    );
    // Not yet at 59 s …
    secs(&n, 59);
    tokio::time::sleep(Duration::from_millis(80)).await;
    assert_eq!(get(&n, &id, &token).await["status"], "queued");
    // … at 60 s the citizen is told, on the socket, and it becomes a 留言 with its 120 min (6.2.1.1).
    secs(&n, 1);
    let offer = until_message(&mut ws, "system", "text").await;
    assert!(offer["body"].as_str().unwrap().contains("转为留言咨询"), "{offer}");
    let v = get(&n, &id, &token).await;
    assert_eq!(
        (&v["kind"], &v["status"]),
        (&json!("message"), &json!("waiting_reply")),
        "{v}"
    );
    assert_eq!(v["due"]["action"], "reply");
    assert_eq!(v["due"]["clause"], "6.2.1.1");
    assert_eq!(v["due"]["remaining_secs"], 120 * 60);
    // A lawyer of the specialty finds it in the inbox.
    let l = online(&n, "lawyer2", &["labour"]).await;
    let (_, inbox) = n.req("GET", "/api/v1/lawyer/inbox").bearer(&l).send().await;
    assert_eq!(inbox["items"][0]["id"], json!(id), "{inbox}");
    n.stop().await;
}

#[tokio::test]
async fn chat_over_websocket_in_both_directions_6_2_2() {
    let (mut n, _) = node().await;
    let l = online(&n, "lawyer", &["labour"]).await;
    let (id, token, _) = ask(&n, "realtime", "labour", None).await;
    let (st, v) = n
        .req("POST", &format!("/api/v1/consultations/{id}/pickup"))
        .bearer(&l)
        .send()
        .await;
    assert_eq!((st, &v["status"]), (200, &json!("active")), "{v}");
    let mut lawyer_ws = ws_lawyer(&n, &id, &l).await;
    let mut citizen_ws = ws_citizen(&n, &id, &token).await;
    for ws in [&mut lawyer_ws, &mut citizen_ws] {
        assert_eq!(next_message(ws).await["seq"], 1);
    }
    send(
        &mut lawyer_ws,
        json!({"body": "您好，我是值班律师，请问工资拖欠了多久？"}),
    )
    .await;
    let m = until_message(&mut citizen_ws, "lawyer", "text").await;
    assert_eq!(m["body"], "您好，我是值班律师，请问工资拖欠了多久？");
    send(&mut citizen_ws, json!({"body": "三个月了。"})).await;
    assert_eq!(
        until_message(&mut lawyer_ws, "citizen", "text").await["body"],
        "三个月了。"
    );
    // A refused send answers on the socket: a citizen cannot send a reassurance.
    send(&mut citizen_ws, json!({"body": "x", "kind": "reassurance"})).await;
    let err = loop {
        let f = citizen_ws.next().await.unwrap().unwrap();
        let v: Value = serde_json::from_str(f.to_text().unwrap()).unwrap();
        if v["type"] == "error" {
            break v;
        }
    };
    assert_eq!(err["error"]["field"], "kind", "{err}");
    // HTTP and socket share one history, in order.
    let v = get(&n, &id, &token).await;
    let authors: Vec<&str> = v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["author"].as_str().unwrap())
        .collect();
    assert_eq!(authors, ["citizen", "lawyer", "citizen"]);
    n.stop().await;
}

#[tokio::test]
async fn waits_get_reassurance_at_60_s_and_consent_before_120_s_6_2_2_3() {
    let (mut n, _) = node().await;
    let l = online(&n, "lawyer", &["labour"]).await;
    let (id, token, _) = ask(&n, "realtime", "labour", None).await;
    n.req("POST", &format!("/api/v1/consultations/{id}/pickup"))
        .bearer(&l)
        .send()
        .await;
    let mut ws = ws_citizen(&n, &id, &token).await;
    let say = |who: &'static str, body: &'static str, kind: &'static str| {
        let req = if who == "lawyer" {
            n.req("POST", &format!("/api/v1/consultations/{id}/messages"))
                .bearer(&l)
        } else {
            citizen(&n, "POST", &format!("/api/v1/consultations/{id}/messages"), &token)
        };
        req.json(json!({"body": body, "kind": kind})).send()
    };
    assert_eq!(say("lawyer", "您好，请讲。", "text").await.0, 201);
    assert_eq!(say("citizen", "单位不签劳动合同，能要求赔偿吗？", "text").await.0, 201);
    // 6.2.2.3.1 b: at 60 s of waiting the system thanks the citizen for waiting.
    secs(&n, 61);
    let r = until_message(&mut ws, "system", "reassurance").await;
    assert!(r["body"].as_str().unwrap().contains("感谢您的耐心等待"), "{r}");
    // 6.2.2.3.4 b: before the wait reaches 120 s the citizen is asked to agree to a longer one.
    secs(&n, 50);
    let c = until_message(&mut ws, "system", "consent").await;
    assert!(c["body"].as_str().unwrap().contains("同意"), "{c}");
    let (_, inbox) = n.req("GET", "/api/v1/lawyer/inbox").bearer(&l).send().await;
    assert_eq!(inbox["items"][0]["due"]["action"], "answer");
    let since = get(&n, &id, &token).await["messages"][2]["at"].as_i64().unwrap();
    assert_eq!(
        inbox["items"][0]["due"]["due"],
        since + 120_000,
        "without consent: 120 s"
    );
    assert_eq!(say("citizen", "同意", "consent").await.0, 201);
    let (_, inbox) = n.req("GET", "/api/v1/lawyer/inbox").bearer(&l).send().await;
    assert_eq!(
        inbox["items"][0]["due"]["due"],
        since + 180_000,
        "with consent: 3 min at most"
    );
    // Exactly one of each, however many sweeps ran.
    let v = get(&n, &id, &token).await;
    let system: Vec<&str> = v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["author"] == "system")
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(system, ["reassurance", "consent"]);
    // The chat ends; the citizen rates it (6.1 a).
    assert_eq!(say("lawyer", "可以，建议先申请劳动仲裁。", "text").await.0, 201);
    let (st, v) = citizen(&n, "POST", &format!("/api/v1/consultations/{id}/close"), &token)
        .send()
        .await;
    assert_eq!((st, &v["status"]), (200, &json!("closed")), "{v}");
    let (st, v) = citizen(&n, "POST", &format!("/api/v1/consultations/{id}/rating"), &token)
        .json(json!({"level": 5}))
        .send()
        .await;
    assert_eq!((st, &v["rating"]["level"]), (200, &json!(5)), "{v}");
    n.stop().await;
}

#[tokio::test]
async fn message_reply_rules_6_2_1_2_words_10_3_2_sms_and_rating_6_1_b() {
    let (mut n, sms) = node().await;
    let l = online(&n, "lawyer", &["labour"]).await;
    let (id, token, c) = ask(&n, "message", "labour", Some("13900139000")).await;
    assert_eq!(c["status"], "waiting_reply");
    let path = format!("/api/v1/consultations/{id}/messages");
    // Rating before any answer is refused.
    let (st, _) = citizen(&n, "POST", &format!("/api/v1/consultations/{id}/rating"), &token)
        .json(json!({"level": 5}))
        .send()
        .await;
    assert_eq!(st, 409);
    // A bare answer: refused, every missing part named with its clause.
    let (st, v) = n
        .req("POST", &path)
        .bearer(&l)
        .json(json!({"body": "你好，去仲裁吧。"}))
        .send()
        .await;
    assert_eq!(
        (st, &v["code"], &v["field"]),
        (422, &json!("reply_rules"), &json!("body")),
        "{v}"
    );
    let msg = v["message"].as_str().unwrap();
    for clause in [
        "6.2.1.2 a",
        "6.2.1.2 b",
        "6.2.1.2 c",
        "6.2.1.2 d",
        "6.2.1.2 e",
        "6.2.1.2 f",
    ] {
        assert!(msg.contains(clause), "{clause} missing in {msg}");
    }
    // Well formed but with a listed word (3.2 ①, 10.3.2): refused, the word and its category named. A
    // `warn` word: a `ban:N` word would also ban the lawyer (see words.rs).
    let mut parts = json!({
        "judgement": "用人单位自用工之日起超过一个月不满一年未与劳动者订立书面劳动合同的，应当向劳动者每月支付二倍的工资。",
        "basis": "《中华人民共和国劳动合同法》第八十二条",
        "advice": "建议您保留工资流水、考勤记录等证据，先与单位协商；协商不成的，可以向当地劳动人事争议仲裁委员会申请仲裁。测试敏感词",
    });
    let (st, v) = n
        .req("POST", &path)
        .bearer(&l)
        .json(json!({"parts": parts}))
        .send()
        .await;
    assert_eq!(
        (st, &v["code"], &v["field"]),
        (422, &json!("sensitive_words"), &json!("body")),
        "{v}"
    );
    assert!(v["message"].as_str().unwrap().contains("“测试敏感词”（其他）"), "{v}");
    assert!(sms.sent().is_empty(), "nothing was sent");
    // Fixed: the server wraps the three parts in the templates and accepts it.
    parts["advice"] = json!(
        "建议您保留工资流水、考勤记录等证据，先与单位协商；协商不成的，可以向当地劳动人事争议仲裁委员会申请仲裁。"
    );
    let (st, m) = n
        .req("POST", &path)
        .bearer(&l)
        .json(json!({"parts": parts}))
        .send()
        .await;
    assert_eq!((st, &m["kind"]), (201, &json!("template")), "{m}");
    assert!(
        m["body"]
            .as_str()
            .unwrap()
            .starts_with("您好，感谢您使用12348在线法律咨询服务")
    );
    let v = get(&n, &id, &token).await;
    assert_eq!((&v["status"], &v["lawyer_id"]), (&json!("answered"), &json!("LAWYER")));
    // 6.1 b: the citizen is told by SMS, to the full number.
    let sent = sms.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].phone.as_str(), sent[0].consultation_id.as_str()),
        ("13900139000", id.as_str())
    );
    assert!(sent[0].text.contains("已有律师回复"));
    // … and rates the reply, once.
    let rate = |level: u8| {
        citizen(&n, "POST", &format!("/api/v1/consultations/{id}/rating"), &token)
            .json(json!({"level": level, "comment": "解答很清楚"}))
            .send()
    };
    let (st, v) = rate(4).await;
    assert_eq!((st, &v["rating"]["level"]), (200, &json!(4)), "{v}");
    assert_eq!(rate(5).await.0, 409);
    assert_eq!(rate(9).await.0, 422);
    // The operation centre's figures: no realtime request yet.
    let op = n.login("operator").await;
    let (st, v) = n.req("GET", "/api/v1/lawyer/stats").bearer(&op).send().await;
    assert_eq!(
        (st, &v["realtime_requested"], &v["connection_ok"]),
        (200, &json!(0), &Value::Null),
        "{v}"
    );
    n.stop().await;
}

#[tokio::test]
async fn only_the_citizen_and_the_lawyer_may_act() {
    let (mut n, _) = node().await;
    let l = online(&n, "lawyer", &["labour"]).await;
    let (id, token, _) = ask(&n, "realtime", "labour", None).await;
    let (other, other_token, _) = ask(&n, "message", "family", None).await;
    // A window clerk's session is not a lawyer's.
    let w1 = n.login("w1").await;
    for (method, path) in [
        ("PUT", "/api/v1/lawyer/status".to_owned()),
        ("GET", "/api/v1/lawyer/inbox".to_owned()),
        ("POST", format!("/api/v1/consultations/{id}/pickup")),
        ("GET", format!("/api/v1/consultations/{id}")),
    ] {
        let r = n
            .req(method, &path)
            .bearer(&w1)
            .json(json!({"online": true}))
            .send()
            .await;
        assert_eq!(
            (r.0, r.1["code"].as_str()),
            (403, Some("forbidden")),
            "{method} {path}: {}",
            r.1
        );
    }
    // Another consultation's token reads nothing here, over HTTP or the socket.
    let r = citizen(&n, "GET", &format!("/api/v1/consultations/{id}"), &other_token)
        .send()
        .await;
    assert_eq!(r.0, 403, "{}", r.1);
    let url = format!(
        "{}/api/v1/consultations/{id}/ws?token={other_token}",
        n.base.replace("http", "ws")
    );
    match tokio_tungstenite::connect_async(url).await {
        Err(tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 403),
        other => panic!("expected 403, got {other:?}"),
    }
    // No credentials: 401. The citizen's own token: fine.
    assert_eq!(n.req("GET", &format!("/api/v1/consultations/{id}")).send().await.0, 401);
    assert_eq!(get(&n, &id, &token).await["id"], json!(id));
    // A lawyer cannot rate, nor write in another specialty's claimed 留言 once someone else has it.
    let r = n
        .req("POST", &format!("/api/v1/consultations/{id}/rating"))
        .bearer(&l)
        .json(json!({"level": 1}))
        .send()
        .await;
    assert_eq!(r.0, 403, "{}", r.1);
    let l3 = online(&n, "lawyer3", &["family"]).await;
    let (st, v) = n
        .req("POST", &format!("/api/v1/consultations/{other}/pickup"))
        .bearer(&l3)
        .send()
        .await;
    assert_eq!((st, &v["lawyer_id"]), (200, &json!("LAWYER3")), "{v}");
    let r = n
        .req("POST", &format!("/api/v1/consultations/{other}/messages"))
        .bearer(&l)
        .json(json!({"body": "我来回答"}))
        .send()
        .await;
    assert_eq!(r.0, 403, "{}", r.1);
    // The same lawyer picking up twice, or a second lawyer after the first: conflict.
    let (st, _) = n
        .req("POST", &format!("/api/v1/consultations/{id}/pickup"))
        .bearer(&l)
        .send()
        .await;
    assert_eq!(st, 200);
    let l2 = online(&n, "lawyer2", &["labour"]).await;
    let (st, v) = n
        .req("POST", &format!("/api/v1/consultations/{id}/pickup"))
        .bearer(&l2)
        .send()
        .await;
    assert_eq!((st, &v["code"]), (409, &json!("conflict")), "{v}");
    n.stop().await;
}
