//! Live feeds (resumable with Last-Event-ID), operations endpoints and the demo command.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use node_testkit::*;
use serde_json::{Value, json};

#[tokio::test]
async fn hall_feed_streams_calls_and_resumes_after_a_drop() {
    let mut n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let w1 = n.open_window("w1", "W1").await;
    let leader = n.login("leader").await;

    let (st, _) = SseReader::open(&n, "/api/v1/halls/H1/events", "not-a-token", None).await;
    assert_eq!(st, 401, "feeds refuse requests without valid credentials");

    let (st, mut feed) = SseReader::open(&n, "/api/v1/halls/H1/events", &leader, None).await;
    assert_eq!(st, 200);
    let (_, city) = SseReader::open(&n, "/api/v1/events", &leader, None).await;
    let mut city = city;
    let (_, t) = n
        .issue(
            &kiosk,
            json!({"hall_id": "H1", "item_id": "I2", "channel": "kiosk", "phone": "13812345678"}),
        )
        .await;
    let (id1, kind, data) = feed.next(5000).await.expect("issued event");
    assert_eq!(kind, "ticket_issued");
    assert_eq!(data["ticket"]["display"], t["display"]);
    assert!(
        !data.to_string().contains("13812345678") && !data.to_string().contains(t["token"].as_str().unwrap()),
        "no personal data or token on the feed"
    );
    let (cid, ckind, _) = city.next(5000).await.expect("city feed too");
    assert_eq!((cid, ckind.as_str()), (id1, "ticket_issued"));

    n.window_action(&w1, "W1", "call-next").await; // nothing in A: refused, no event
    let w2 = n.open_window("w2", "W2").await;
    n.window_action(&w2, "W2", "call-next").await;
    let mut seen = Vec::new();
    while let Some((id, kind, data)) = feed.next(1000).await {
        seen.push((id, kind, data));
        if seen.last().unwrap().1 == "ticket_called" {
            break;
        }
    }
    let called = seen
        .iter()
        .find(|e| e.1 == "ticket_called")
        .expect("the call reaches the wall");
    assert_eq!(called.2["window"]["number"], "2");
    assert_eq!(called.2["ticket"]["display"], t["display"]);
    drop(feed);

    // While nobody listens: a recall and a finish. Resuming from the call's id replays exactly those.
    n.window_action(&w2, "W2", "recall").await;
    n.window_action(&w2, "W2", "finish").await;
    let (_, mut resumed) = SseReader::open(&n, "/api/v1/halls/H1/events", &leader, Some(called.0)).await;
    let (a, ka, _) = resumed.next(5000).await.expect("missed recall");
    let (b, kb, _) = resumed.next(5000).await.expect("missed finish");
    assert_eq!((ka.as_str(), kb.as_str()), ("ticket_recalled", "service_finished"));
    assert!(called.0 < a && a < b);
    assert!(resumed.next(300).await.is_none(), "nothing twice, nothing extra");

    // H2's events do not appear on H1's feed.
    let w9 = n.open_window("w9", "W9").await;
    let _ = w9;
    assert!(resumed.next(500).await.is_none());

    // After a restart the feed still resumes from the log.
    n.restart().await;
    let leader = n.login("leader").await;
    let (_, mut again) = SseReader::open(&n, "/api/v1/halls/H1/events", &leader, Some(id1)).await;
    let first = again.next(5000).await.expect("history after restart");
    assert!(first.0 > id1);
    n.stop().await;
}

#[tokio::test]
async fn operations_endpoints() {
    let mut n = Node::start().await;
    let (st, body) = n.req("GET", "/healthz").send_text().await;
    assert_eq!((st, body.as_str()), (200, "ok"));
    assert_eq!(n.req("GET", "/readyz").send_text().await.0, 200);
    let kiosk = n.enroll("H1", "kiosk").await;
    n.issue(&kiosk, json!({"hall_id": "H1", "item_id": "I2", "channel": "kiosk"}))
        .await;
    let (st, m) = n.req("GET", "/metrics").send_text().await;
    assert_eq!(st, 200);
    assert!(m.contains("hall_commands_total{outcome=\"applied\"}"), "{m}");
    assert!(m.contains("hall_tickets_waiting 1"), "{m}");
    assert!(m.contains("hall_commit_seconds_bucket"));
    let (st, doc) = n.req("GET", "/api/v1/openapi.json").send().await;
    assert_eq!(st, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for p in [
        "/api/v1/tickets",
        "/api/v1/windows/{id}/call-next",
        "/api/v1/events",
        "/api/v1/halls/{hall}/events",
        "/healthz",
    ] {
        assert!(doc["paths"].get(p).is_some(), "OpenAPI documents {p}");
    }
    let (st, v) = n.req("GET", "/api/v1/nope").send().await;
    assert_eq!((st, v["code"].as_str()), (404, Some("no_route")));
    n.stop().await;
}

/// Every operation of the document is served: asked with placeholder path values and no caller, none
/// falls through to the router's `no_route` or is refused as a method not allowed. The other way round
/// (nothing is served that the document lacks, but the document itself and the web page) holds by
/// construction, each route registered with its description; node-http's `tests/routes.rs` checks it.
#[tokio::test]
async fn every_documented_operation_is_served() {
    let mut n = Node::start().await;
    let (st, doc) = n.req("GET", "/api/v1/openapi.json").send().await;
    assert_eq!(st, 200);
    // The served document is the one `node_http::openapi()` builds (the one `openapi_dump` prints).
    assert_eq!(doc, serde_json::to_value(server::api::openapi()).unwrap());
    let mut asked = 0;
    let mut failures = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete: Vec<_> = path
            .split('/')
            .map(|s| if s.starts_with('{') { "x" } else { s })
            .collect();
        let url = format!("{}{}", n.base, concrete.join("/"));
        for method in item.as_object().unwrap().keys() {
            let resp = n
                .http
                .request(method.to_uppercase().parse().unwrap(), &url)
                .send()
                .await
                .unwrap();
            let st = resp.status().as_u16();
            asked += 1;
            // An event stream never ends: read a body only when it is the router's answer.
            if st == 405 {
                failures.push(format!("{method} {path}: 405"));
            } else if st == 404 {
                let v: Value = resp.json().await.unwrap_or(Value::Null);
                if v["code"] == "no_route" {
                    failures.push(format!("{method} {path}: no_route"));
                }
            }
        }
    }
    assert!(asked >= 100, "{asked} operations");
    assert!(failures.is_empty(), "documented but not served: {failures:?}");
    // And the two deliberate exceptions are served.
    assert_eq!(n.req("GET", "/consult").send_text().await.0, 200);
    n.stop().await;
}

#[tokio::test]
async fn demo_prints_a_working_leader_token() {
    let dir = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_server"))
        .args([
            "demo",
            "--data",
            dir.path().to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let (mut base, mut token) = (None, None);
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.trim().strip_prefix("API (OpenAPI 3):") {
            base = rest.trim().strip_suffix("/api/v1/openapi.json").map(str::to_owned);
        }
        if let Some(t) = line.strip_prefix("leader-token: ") {
            token = Some(t.trim().to_owned());
            break;
        }
    }
    let (base, token) = (base.expect("URLs printed"), token.expect("leader-token line"));
    let http = reqwest::Client::new();
    let r = http
        .get(format!("{base}/api/v1/halls/H00/snapshot"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let snap: serde_json::Value = r.json().await.unwrap();
    assert_eq!(snap["name"], "哈尔滨市政务服务中心");
    assert!(
        snap["open_windows"].as_u64().unwrap() > 10,
        "the simulation opens windows"
    );
    let r = http
        .get(format!("{base}/api/v1/events"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (r.status().as_u16(), r.headers()["content-type"].to_str().unwrap()),
        (200, "text/event-stream")
    );
    assert_eq!(
        http.get(format!("{base}/api/v1/events")).send().await.unwrap().status(),
        401
    );
    let cfg: serde_json::Value = http
        .get(format!("{base}/api/v1/config"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cfg["config"]["halls"].as_array().unwrap().len(), 19);
}

#[tokio::test]
async fn a_subscriber_that_stops_reading_loses_nothing() {
    let mut n = Node::start().await;
    let leader = n.login("leader").await;
    let (_, mut slow) = SseReader::open(&n, "/api/v1/halls/H1/events", &leader, None).await;
    // 6,000 events while this subscriber reads nothing: far more than the broadcast channel holds.
    let app = n.app();
    let mut tasks = Vec::new();
    for task in 0..8 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..750 {
                let cmd = domain::Command::Issue(domain::decide::IssueTicket {
                    ticket_id: domain::ids::TicketId::new(format!("t-{task}-{i}")),
                    token: format!("tok-{task}-{i}"),
                    hall_id: "H1".into(),
                    item_id: Some("I2".into()),
                    queue_id: None,
                    channel: domain::ticket::Channel::Window,
                    id_card: None,
                    claims: vec![],
                    number: None,
                });
                app.engine
                    .execute("H1".into(), domain::Actor::System, cmd, None)
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut last = 0;
    let mut displays = std::collections::HashSet::new();
    for _ in 0..6000 {
        let (id, kind, data) = slow.next(10_000).await.expect("every event arrives");
        assert!(id > last, "in order, no duplicates");
        last = id;
        assert_eq!(kind, "ticket_issued");
        displays.insert(data["ticket"]["display"].as_str().unwrap().to_owned());
    }
    assert_eq!(displays.len(), 6000);
    assert!(displays.contains("B001") && displays.contains("B6000"));
    n.stop().await;
}
