//! Video consultations over real HTTP and real WebSockets (issue 7, standard 6.1 c, 6.2.3): matched
//! like realtime ones with the 6.2.3.1 a pickup targets in the inbox (20 s from 09:00 to 22:00, 30 s
//! otherwise), WebRTC signalling relayed between exactly the citizen and the consultation's lawyer,
//! and the fallback to a text chat when a side cannot do video.

use std::time::Duration;

use super::support;
use futures_util::{SinkExt, StreamExt};
use node_testkit::*;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest};

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A node whose sweeper runs every 20 ms, with one more lawyer (login lawyer2).
async fn node() -> Node {
    let n = support::start(|c| c.lawyer.sweep_ms = 20).await;
    support::add_lawyers(&n, &["LAWYER2"]).await;
    n
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
    t
}

/// Asks for a video consultation as a web citizen: (id, token, view).
async fn ask_video(n: &Node, specialty: &str) -> (String, String, Value) {
    let body = json!({"kind": "video", "question": "想和律师视频沟通一下离婚财产分割的问题", "specialty": specialty});
    let (st, v) = n.req("POST", "/api/v1/consultations").json(body).send().await;
    assert_eq!(st, 201, "{v}");
    let c = v["consultation"].clone();
    (
        c["id"].as_str().unwrap().to_owned(),
        v["token"].as_str().unwrap().to_owned(),
        c,
    )
}

fn url(n: &Node, id: &str, path: &str) -> String {
    format!("{}/api/v1/consultations/{id}/{path}", n.base.replace("http", "ws"))
}

async fn connect_citizen(n: &Node, id: &str, token: &str, path: &str) -> Result<Ws, u16> {
    match tokio_tungstenite::connect_async(format!("{}?token={token}", url(n, id, path))).await {
        Ok((ws, _)) => Ok(ws),
        Err(tungstenite::Error::Http(r)) => Err(r.status().as_u16()),
        Err(e) => panic!("{e}"),
    }
}

async fn connect_staff(n: &Node, id: &str, session: &str, path: &str) -> Result<Ws, u16> {
    let mut req = url(n, id, path).into_client_request().unwrap();
    req.headers_mut()
        .insert("authorization", format!("Bearer {session}").parse().unwrap());
    match tokio_tungstenite::connect_async(req).await {
        Ok((ws, _)) => Ok(ws),
        Err(tungstenite::Error::Http(r)) => Err(r.status().as_u16()),
        Err(e) => panic!("{e}"),
    }
}

/// The next JSON text frame, or a panic after 3 s.
async fn next(ws: &mut Ws) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    loop {
        let frame = tokio::time::timeout_at(deadline, ws.next())
            .await
            .expect("no frame within 3 s")
            .unwrap()
            .unwrap();
        if let tungstenite::Message::Text(t) = frame {
            return serde_json::from_str(t.as_str()).unwrap();
        }
    }
}

/// The next frame of `kind` (others skipped).
async fn next_of(ws: &mut Ws, kind: &str) -> Value {
    loop {
        let v = next(ws).await;
        if v["type"] == kind {
            return v;
        }
    }
}

/// Returns once this side's socket has finished connecting. A side tells the other side it joined
/// (`peer_joined`) after its `ready` and before it reads its first frame, so once a bad frame of its
/// own has been answered, a side that connects later cannot receive that notice any more (without
/// this, the order of the two sides' notices was a race).
async fn connected(ws: &mut Ws) {
    ws.send(tungstenite::Message::Text("{not json".into())).await.unwrap();
    assert_eq!(next_of(ws, "error").await["error"]["code"], "bad_json");
}

/// Nothing arrives within `ms`.
async fn silent(ws: &mut Ws, ms: u64) {
    if let Ok(Some(Ok(tungstenite::Message::Text(t)))) =
        tokio::time::timeout(Duration::from_millis(ms), ws.next()).await
    {
        panic!("unexpected frame: {t}");
    }
}

async fn send(ws: &mut Ws, v: Value) {
    ws.send(tungstenite::Message::Text(v.to_string().into())).await.unwrap();
}

fn inbox_item<'a>(inbox: &'a Value, id: &str) -> &'a Value {
    inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap()
}

#[tokio::test]
async fn video_is_matched_like_realtime_with_day_and_night_pickup_targets_6_2_3_1_a() {
    let n = node().await;
    let family = online(&n, "lawyer", &["family"]).await;
    let _labour = online(&n, "lawyer2", &["labour"]).await;
    // Monday 09:00 is in the day band: picked up within 20 s.
    let (id, _, c) = ask_video(&n, "family").await;
    assert_eq!(
        (&c["kind"], &c["status"], &c["lawyer_id"]),
        (&json!("video"), &json!("assigned"), &json!("LAWYER"))
    );
    let (_, inbox) = n.req("GET", "/api/v1/lawyer/inbox").bearer(&family).send().await;
    let due = &inbox_item(&inbox, &id)["due"];
    assert_eq!(
        (&due["action"], &due["clause"]),
        (&json!("pick_up"), &json!("6.2.3.1 a")),
        "{inbox}"
    );
    assert_eq!(due["due"], MONDAY_0900 + 20_000);
    assert_eq!(due["remaining_secs"], 20);
    // 22:30 is in the night band: 30 s.
    n.clock.set(MONDAY_0900 + 13 * 3_600_000 + 30 * 60_000);
    let family = n.login("lawyer").await;
    let (id2, _, _) = ask_video(&n, "family").await;
    let (_, inbox) = n.req("GET", "/api/v1/lawyer/inbox").bearer(&family).send().await;
    let due = &inbox_item(&inbox, &id2)["due"];
    assert_eq!(due["remaining_secs"], 30, "{inbox}");
    // Picked up: the call has no text clock.
    let (st, v) = n
        .req("POST", &format!("/api/v1/consultations/{id2}/pickup"))
        .bearer(&family)
        .send()
        .await;
    assert_eq!(
        (st, &v["status"], &v["due"]),
        (200, &json!("active"), &Value::Null),
        "{v}"
    );
    // A kiosk asks the same way (signed); the labour lawyer gets it.
    let kiosk = n.enroll("H1", "kiosk").await;
    let (st, v) = n
        .req("POST", "/api/v1/consultations")
        .device(&kiosk)
        .json(json!({"kind": "video", "question": "工伤认定需要哪些材料？", "specialty": "labour"}))
        .send()
        .await;
    assert_eq!(st, 201, "{v}");
    let c = &v["consultation"];
    assert_eq!(
        (&c["kind"], &c["channel"], &c["lawyer_id"]),
        (&json!("video"), &json!("kiosk"), &json!("LAWYER2"))
    );
}

#[tokio::test]
async fn signalling_reaches_only_the_other_side_of_the_same_consultation() {
    let n = node().await;
    let lawyer = online(&n, "lawyer", &["family"]).await;
    let lawyer2 = online(&n, "lawyer2", &["labour"]).await;
    let (id, token, _) = ask_video(&n, "family").await;
    let (other, other_token, _) = ask_video(&n, "labour").await;
    for (c, t) in [(&id, &lawyer), (&other, &lawyer2)] {
        let (st, v) = n
            .req("POST", &format!("/api/v1/consultations/{c}/pickup"))
            .bearer(t)
            .send()
            .await;
        assert_eq!(st, 200, "{v}");
    }
    // Third parties cannot connect: another consultation's token, another lawyer, an operator.
    assert_eq!(connect_citizen(&n, &id, &other_token, "signal").await.err(), Some(403));
    assert_eq!(connect_staff(&n, &id, &lawyer2, "signal").await.err(), Some(403));
    let op = n.login("operator").await;
    assert_eq!(connect_staff(&n, &id, &op, "signal").await.err(), Some(403));
    assert_eq!(connect_citizen(&n, &id, "nonsense", "signal").await.err(), Some(403));

    let mut citizen = connect_citizen(&n, &id, &token, "signal").await.unwrap();
    assert_eq!(next(&mut citizen).await, json!({"type": "ready", "you": "citizen"}));
    connected(&mut citizen).await;
    let mut desk = connect_staff(&n, &id, &lawyer, "signal").await.unwrap();
    assert_eq!(next(&mut desk).await["you"], "lawyer");
    // The citizen hears that the lawyer is there, and calls.
    assert_eq!(next_of(&mut citizen, "peer_joined").await["from"], "lawyer");
    // The other consultation's two sides, listening on the same node.
    let mut other_citizen = connect_citizen(&n, &other, &other_token, "signal").await.unwrap();
    connected(&mut other_citizen).await;
    let mut other_desk = connect_staff(&n, &other, &lawyer2, "signal").await.unwrap();
    next_of(&mut other_citizen, "peer_joined").await;
    next_of(&mut other_desk, "ready").await;

    let sdp = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n";
    send(&mut citizen, json!({"type": "offer", "sdp": sdp})).await;
    let got = next(&mut desk).await;
    assert_eq!(got, json!({"type": "offer", "sdp": sdp, "from": "citizen"}));
    send(&mut desk, json!({"type": "answer", "sdp": "v=0\r\nanswer"})).await;
    assert_eq!(next(&mut citizen).await["type"], "answer");
    let cand = json!({"candidate": "candidate:1 1 UDP 2122252543 192.168.1.20 50000 typ host", "sdpMid": "0", "sdpMLineIndex": 0});
    send(&mut citizen, json!({"type": "candidate", "candidate": cand})).await;
    send(&mut desk, json!({"type": "candidate", "candidate": cand})).await;
    assert_eq!(next(&mut desk).await["candidate"], cand);
    let back = next(&mut citizen).await;
    assert_eq!((&back["type"], &back["from"]), (&json!("candidate"), &json!("lawyer")));
    // Nobody else heard any of it, and a sender never hears itself.
    silent(&mut other_citizen, 200).await;
    silent(&mut other_desk, 50).await;
    silent(&mut citizen, 50).await;
    silent(&mut desk, 50).await;

    // Bad frames get a clear error and relay nothing.
    citizen
        .send(tungstenite::Message::Text("{not json".into()))
        .await
        .unwrap();
    let e = next(&mut citizen).await;
    assert_eq!(
        (&e["type"], &e["error"]["code"]),
        (&json!("error"), &json!("bad_json")),
        "{e}"
    );
    send(&mut citizen, json!({"type": "dial", "number": "110"})).await;
    assert_eq!(next(&mut citizen).await["error"]["code"], "bad_json");
    send(&mut citizen, json!({"type": "offer", "sdp": " "})).await;
    assert_eq!(next(&mut citizen).await["error"]["field"], "sdp");
    send(&mut citizen, json!({"type": "offer", "sdp": "a".repeat(40 * 1024)})).await;
    let e = next(&mut citizen).await;
    assert_eq!(e["error"]["code"], "too_large", "{e}");
    silent(&mut desk, 100).await;
}

#[tokio::test]
async fn video_unavailable_falls_back_to_a_realtime_chat_both_sides_told_6_2_3() {
    let n = node().await;
    let lawyer = online(&n, "lawyer", &["family"]).await;
    let (id, token, _) = ask_video(&n, "family").await;
    let (st, _) = n
        .req("POST", &format!("/api/v1/consultations/{id}/pickup"))
        .bearer(&lawyer)
        .send()
        .await;
    assert_eq!(st, 200);
    let mut citizen = connect_citizen(&n, &id, &token, "signal").await.unwrap();
    let mut desk = connect_staff(&n, &id, &lawyer, "signal").await.unwrap();
    let mut chat = connect_staff(&n, &id, &lawyer, "ws").await.unwrap();
    next_of(&mut citizen, "peer_joined").await;
    // The citizen's webview has no WebRTC.
    n.clock.set(MONDAY_0900 + 120_000);
    send(
        &mut citizen,
        json!({"type": "video_unavailable", "reason": "webview without RTCPeerConnection"}),
    )
    .await;
    for ws in [&mut citizen, &mut desk] {
        let f = next_of(ws, "fallback").await;
        assert_eq!(f["from"], "citizen");
        assert!(
            f["message"]
                .as_str()
                .unwrap()
                .starts_with("咨询人的设备暂不支持视频通话"),
            "{f}"
        );
    }
    // The chat socket shows the system message; the consultation is a realtime chat now.
    loop {
        let v = next_of(&mut chat, "message").await;
        if v["message"]["kind"] == "video_fallback" {
            assert_eq!(v["message"]["author"], "system");
            assert!(v["message"]["body"].as_str().unwrap().contains("已转为文字实时咨询"));
            break;
        }
    }
    let (st, v) = n
        .req("GET", &format!("/api/v1/consultations/{id}"))
        .header("x-consultation-token", &token)
        .send()
        .await;
    assert_eq!(
        (st, &v["kind"], &v["status"]),
        (200, &json!("realtime"), &json!("active")),
        "{v}"
    );
    // 6.2.2.3.4 a: the text chat's first reply is due 60 s after the fallback, not after the pickup.
    assert_eq!(v["due"]["action"], "first_reply", "{v}");
    assert_eq!(v["due"]["due"], MONDAY_0900 + 180_000);
    // Further signalling is refused; a new signalling socket too.
    send(&mut desk, json!({"type": "offer", "sdp": "v=0"})).await;
    assert_eq!(next_of(&mut desk, "error").await["error"]["code"], "video_ended");
    assert_eq!(connect_citizen(&n, &id, &token, "signal").await.err(), Some(409));
    // Only the system marks a fallback (it restarts the chat's clocks).
    let (st, v) = n
        .req("POST", &format!("/api/v1/consultations/{id}/messages"))
        .bearer(&lawyer)
        .json(json!({"body": "重新计时", "kind": "video_fallback"}))
        .send()
        .await;
    assert_eq!((st, v["field"].as_str()), (422, Some("kind")), "{v}");
    // The conversation continues as a chat.
    let (st, m) = n
        .req("POST", &format!("/api/v1/consultations/{id}/messages"))
        .bearer(&lawyer)
        .json(json!({"body": "您好，我们改用文字交流。请说说财产的具体情况。"}))
        .send()
        .await;
    assert_eq!(st, 201, "{m}");
}

#[tokio::test]
async fn a_lawyer_reassigned_away_hears_nothing_more() {
    let n = node().await;
    let lawyer = online(&n, "lawyer", &["family"]).await;
    let (id, token, c) = ask_video(&n, "family").await;
    assert_eq!(c["lawyer_id"], "LAWYER");
    // The lawyer it is routed to may connect before picking up.
    let mut desk = connect_staff(&n, &id, &lawyer, "signal").await.unwrap();
    next_of(&mut desk, "ready").await;
    // The lawyer goes offline: the unpicked consultation returns to the queue and goes to lawyer2.
    let (st, _) = n
        .req("PUT", "/api/v1/lawyer/status")
        .bearer(&lawyer)
        .json(json!({"online": false}))
        .send()
        .await;
    assert_eq!(st, 200);
    let _lawyer2 = online(&n, "lawyer2", &["family"]).await;
    let (_, v) = n
        .req("GET", &format!("/api/v1/consultations/{id}"))
        .header("x-consultation-token", &token)
        .send()
        .await;
    assert_eq!(v["lawyer_id"], "LAWYER2", "{v}");
    let mut citizen = connect_citizen(&n, &id, &token, "signal").await.unwrap();
    next_of(&mut citizen, "ready").await;
    send(&mut citizen, json!({"type": "offer", "sdp": "v=0"})).await;
    silent(&mut desk, 200).await;
    // And what the old lawyer sends is refused.
    send(&mut desk, json!({"type": "answer", "sdp": "v=0"})).await;
    assert_eq!(next_of(&mut desk, "error").await["error"]["code"], "forbidden");
}

/// Measures the relay: 200 candidate round trips (citizen → lawyer → citizen) through the node.
#[tokio::test]
async fn relay_round_trip_is_quick() {
    let n = node().await;
    let lawyer = online(&n, "lawyer", &["family"]).await;
    let (id, token, _) = ask_video(&n, "family").await;
    n.req("POST", &format!("/api/v1/consultations/{id}/pickup"))
        .bearer(&lawyer)
        .send()
        .await;
    let mut citizen = connect_citizen(&n, &id, &token, "signal").await.unwrap();
    let mut desk = connect_staff(&n, &id, &lawyer, "signal").await.unwrap();
    next_of(&mut citizen, "peer_joined").await;
    next_of(&mut desk, "ready").await;
    let cand = json!({"candidate": "candidate:1 1 UDP 2122252543 192.168.1.20 50000 typ host", "sdpMid": "0"});
    let mut samples = Vec::new();
    for _ in 0..200 {
        let t = std::time::Instant::now();
        send(&mut citizen, json!({"type": "candidate", "candidate": cand})).await;
        next_of(&mut desk, "candidate").await;
        send(&mut desk, json!({"type": "candidate", "candidate": cand})).await;
        next_of(&mut citizen, "candidate").await;
        samples.push(t.elapsed());
    }
    samples.sort();
    let (p50, p99) = (samples[100], samples[197]);
    println!(
        "signalling round trip over 200: p50 {p50:?}, p99 {p99:?}, max {:?}",
        samples[199]
    );
    // Generous for a debug build on a shared 2-core machine; a call set-up needs a few dozen frames.
    assert!(p50 < Duration::from_millis(50), "p50 {p50:?}");
}

#[tokio::test]
async fn video_figures_by_band_and_fallen_back_calls_stay_video_6_2_3_1() {
    let n = node().await;
    let lawyer = online(&n, "lawyer", &["family"]).await;
    let pick = |id: String, after_ms: i64| {
        let (n, lawyer) = (&n, lawyer.clone());
        async move {
            n.clock.set(n.clock.now() + after_ms);
            let (st, v) = n
                .req("POST", &format!("/api/v1/consultations/{id}/pickup"))
                .bearer(&lawyer)
                .send()
                .await;
            assert_eq!(st, 200, "{v}");
        }
    };
    // Day band: picked up after 10 s and 30 s.
    let (a, _, _) = ask_video(&n, "family").await;
    pick(a, 10_000).await;
    let (b, _, _) = ask_video(&n, "family").await;
    pick(b, 30_000).await;
    // A realtime chat, picked up after 5 s: counted as realtime only.
    let (st, v) = n
        .req("POST", "/api/v1/consultations")
        .json(json!({"kind": "realtime", "question": "请问劳动仲裁怎么申请？", "specialty": "family"}))
        .send()
        .await;
    assert_eq!(st, 201, "{v}");
    pick(v["consultation"]["id"].as_str().unwrap().to_owned(), 5_000).await;
    // A video the citizen's webview cannot do: it falls back before the pickup (after 20 s), and stays
    // a video request in the figures.
    let (d, d_token, _) = ask_video(&n, "family").await;
    let mut ws = connect_citizen(&n, &d, &d_token, "signal").await.unwrap();
    next_of(&mut ws, "ready").await;
    send(&mut ws, json!({"type": "video_unavailable"})).await;
    next_of(&mut ws, "fallback").await;
    pick(d, 20_000).await;
    // Night band (23:00): nobody picks up; after 60 s the sweeper makes it a 留言 — not connected.
    n.clock.set(MONDAY_0900 + 14 * 3_600_000);
    let (e, e_token, _) = ask_video(&n, "labour").await;
    n.clock.set(n.clock.now() + 61_000);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    loop {
        let (_, v) = n
            .req("GET", &format!("/api/v1/consultations/{e}"))
            .header("x-consultation-token", &e_token)
            .send()
            .await;
        if v["status"] == "waiting_reply" {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "not offered as 留言: {v}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let op = n.login("operator").await;
    let (st, s) = n
        .req(
            "GET",
            &format!(
                "/api/v1/lawyer/stats?from={MONDAY_0900}&to={}",
                MONDAY_0900 + 86_400_000
            ),
        )
        .bearer(&op)
        .send()
        .await;
    assert_eq!(st, 200, "{s}");
    assert_eq!(
        (&s["realtime_requested"], &s["realtime_connected"]),
        (&json!(1), &json!(1)),
        "{s}"
    );
    let v = &s["video"];
    assert_eq!(
        (&v["requested"], &v["connected"], &v["fell_back"]),
        (&json!(4), &json!(3), &json!(1)),
        "{s}"
    );
    // 6.2.3.1 c: 3 of 4 = 75%, not above 95%.
    assert_eq!(
        (&v["connection_rate_percent"], &v["connection_ok"]),
        (&json!(75.0), &json!(false))
    );
    // 6.2.3.1 a: (10 + 30 + 20) / 3 = 20 s by day, within the 20 s target.
    assert_eq!(
        v["pickup"],
        json!([{"band": "day", "samples": 3, "average_secs": 20.0, "target_secs": 20, "met": true}])
    );
}
