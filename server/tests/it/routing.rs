//! Routing profiles, priority groups, quotas and wait estimates over real HTTP.

use node_testkit::*;
use serde_json::{Value, json};

async fn issue(n: &Node, kiosk: &Device, item: &str) -> Value {
    let body = if item == "I1" {
        json!({"hall_id": "H1", "item_id": item, "channel": "kiosk", "id_card": {"number": ID_1990}})
    } else {
        json!({"hall_id": "H1", "item_id": item, "channel": "kiosk"})
    };
    let (st, v) = n.issue(kiosk, body).await;
    assert_eq!(st, 201, "{v}");
    v
}

async fn serve_next(n: &Node, token: &str, window: &str) -> String {
    let (st, v) = n.window_action(token, window, "call-next").await;
    assert_eq!(st, 200, "{v}");
    n.window_action(token, window, "finish").await;
    v["ticket"]["display"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn weighted_window_serves_two_a_then_one_b() {
    let mut n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    for _ in 0..4 {
        issue(&n, &kiosk, "I1").await;
        issue(&n, &kiosk, "I2").await;
    }
    let w2 = n.open_window("w2", "W2").await;
    let mut order = Vec::new();
    for _ in 0..6 {
        order.push(serve_next(&n, &w2, "W2").await);
    }
    assert_eq!(order, ["A001", "A002", "B001", "A003", "A004", "B002"]);
    n.stop().await;
}

#[tokio::test]
async fn longest_waiting_takes_the_oldest_across_queues() {
    let mut n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    issue(&n, &kiosk, "I2").await; // B001
    n.clock.advance_minutes(1);
    issue(&n, &kiosk, "I3").await; // C001
    issue(&n, &kiosk, "I1").await; // A001
    let w3 = n.open_window("w3", "W3").await;
    let order = [
        serve_next(&n, &w3, "W3").await,
        serve_next(&n, &w3, "W3").await,
        serve_next(&n, &w3, "W3").await,
    ];
    assert_eq!(order, ["B001", "C001", "A001"]);
    n.stop().await;
}

#[tokio::test]
async fn elderly_citizen_is_called_first() {
    let mut n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let young = issue(&n, &kiosk, "I1").await;
    assert_eq!(young["priority"], Value::Null);
    // Born 1966-11-23: 60 today (2026-11-23).
    let (st, old) = n.issue(&kiosk, json!({"hall_id": "H1", "item_id": "I1", "channel": "kiosk", "id_card": {"number": id_number("19661123", 7)}})).await;
    assert_eq!((st, old["priority"].as_str()), (201, Some("elderly")), "{old}");
    assert_eq!(old["people_ahead"], 0, "priority goes to the front");
    let (_, claimed) = n.issue(&kiosk, json!({"hall_id": "H1", "item_id": "I1", "channel": "kiosk", "id_card": {"number": ID_1990}, "claims": ["pregnant"]})).await;
    assert_eq!(claimed["priority"], "pregnant");
    let w1 = n.open_window("w1", "W1").await;
    assert_eq!(serve_next(&n, &w1, "W1").await, old["display"].as_str().unwrap());
    assert_eq!(serve_next(&n, &w1, "W1").await, claimed["display"].as_str().unwrap());
    assert_eq!(serve_next(&n, &w1, "W1").await, young["display"].as_str().unwrap());
    n.stop().await;
}

#[tokio::test]
async fn quota_and_bad_input_change_nothing() {
    let mut n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    issue(&n, &kiosk, "I3").await;
    issue(&n, &kiosk, "I3").await;
    let (st, v) = n
        .issue(&kiosk, json!({"hall_id": "H1", "item_id": "I3", "channel": "kiosk"}))
        .await;
    assert_eq!(
        (st, v["code"].as_str(), v["field"].as_str()),
        (409, Some("quota_exhausted"), Some("item_id")),
        "{v}"
    );
    let (st, v) = n
        .issue(&kiosk, json!({"hall_id": "H1", "queue_id": "NOPE", "channel": "kiosk"}))
        .await;
    assert_eq!(
        (st, v["code"].as_str(), v["field"].as_str()),
        (404, Some("not_found"), Some("queue_id")),
        "{v}"
    );
    let (st, v) = n
        .issue(&kiosk, json!({"hall_id": "H1", "item_id": "I1", "channel": "kiosk"}))
        .await;
    assert_eq!((st, v["code"].as_str()), (422, Some("id_card_required")), "{v}");
    let (st, v) = n
        .issue(&kiosk, json!({"hall_id": "H1", "item_id": "I2", "channel": "fax"}))
        .await;
    assert_eq!((st, v["field"].as_str()), (400, Some("channel")), "{v}");
    let (st, v) = n
        .issue(
            &kiosk,
            json!({"hall_id": "H1", "item_id": "I1", "channel": "kiosk", "id_card": {"number": "230102199001011231"}}),
        )
        .await;
    assert_eq!((st, v["field"].as_str()), (422, Some("id_card.number")), "{v}");
    let (st, v) = n
        .issue(
            &kiosk,
            json!({"hall_id": "H1", "item_id": "I2", "channel": "kiosk", "phone": "12345"}),
        )
        .await;
    assert_eq!((st, v["field"].as_str()), (422, Some("phone")), "{v}");
    let (st, v) = n
        .req("POST", "/api/v1/tickets")
        .device(&kiosk)
        .raw_body(b"{\"hall_id\": ")
        .send()
        .await;
    assert_eq!((st, v["code"].as_str()), (400, Some("bad_json")), "{v}");
    let (st, v) = n
        .issue(&kiosk, json!({"hall_id": "H2", "item_id": "I9", "channel": "kiosk"}))
        .await;
    assert_eq!(st, 403, "a kiosk of H1 cannot issue in H2: {v}");
    // Nothing above was issued: the next ticket of B is B001, the C counter still says 2.
    assert_eq!(issue(&n, &kiosk, "I2").await["display"], "B001");
    let leader = n.login("leader").await;
    let (_, snap) = n.req("GET", "/api/v1/halls/H1/snapshot").bearer(&leader).send().await;
    let c = snap["queues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["id"] == "QC")
        .unwrap()
        .clone();
    assert_eq!(
        (c["waiting"].as_u64(), c["today"]["issued"].as_u64()),
        (Some(2), Some(2))
    );
    n.stop().await;
}

#[tokio::test]
async fn estimate_divides_by_open_windows_and_follows_real_service_times() {
    let mut n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    for _ in 0..4 {
        issue(&n, &kiosk, "I2").await;
    }
    let v = issue(&n, &kiosk, "I2").await;
    assert_eq!(
        (v["people_ahead"].as_u64(), v["estimated_wait_secs"].clone()),
        (Some(4), Value::Null),
        "no window open: no estimate"
    );
    let w2 = n.open_window("w2", "W2").await;
    let _w3 = n.open_window("w3", "W3").await;
    let leader = n.login("leader").await;
    let (_, t) = n
        .req("GET", &format!("/api/v1/tickets/{}", v["ticket_id"].as_str().unwrap()))
        .bearer(&leader)
        .send()
        .await;
    assert_eq!(t["estimate"]["windows_serving"], 2);
    assert_eq!(
        t["estimate"]["estimated_wait_secs"],
        4 * 120 / 2,
        "4 ahead ÷ 2 windows × 120 s planned"
    );
    // A real service of 8 minutes moves the rolling average from the plan to 480 s.
    n.window_action(&w2, "W2", "call-next").await;
    n.window_action(&w2, "W2", "start").await;
    n.clock.advance_minutes(8);
    n.window_action(&w2, "W2", "finish").await;
    let (_, t) = n
        .req("GET", &format!("/api/v1/tickets/{}", v["ticket_id"].as_str().unwrap()))
        .bearer(&leader)
        .send()
        .await;
    assert_eq!(t["estimate"]["avg_service_secs"], 480);
    assert_eq!(t["estimate"]["estimated_wait_secs"], 3 * 480 / 2);
    n.stop().await;
}
