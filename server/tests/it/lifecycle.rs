//! The full ticket lifecycle over real HTTP (tender 2818–2826 smart queuing; 2953–2988 window call
//! terminal: call, recall, read card, void, start evaluation).

use node_testkit::*;
use serde_json::json;

#[tokio::test]
async fn kiosk_ticket_goes_from_issue_to_rating() {
    let mut n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let evaluator = n.enroll("H1", "evaluator").await;
    let w1 = n.open_window("w1", "W1").await;

    let (st, t) = n.issue(&kiosk, json!({"hall_id": "H1", "item_id": "I1", "channel": "kiosk", "id_card": {"number": ID_1990, "name": "张三"}})).await;
    assert_eq!(st, 201, "{t}");
    assert_eq!(t["display"], "A001");
    assert_eq!(t["people_ahead"], 0);
    assert_eq!(t["estimated_wait_secs"], 0, "first in line at an open window");
    let token = t["token"].as_str().unwrap().to_owned();
    let (st, t2) = n.issue(&kiosk, json!({"hall_id": "H1", "item_id": "I1", "channel": "kiosk", "id_card": {"number": id_number("19850505", 12)}})).await;
    assert_eq!(st, 201);
    assert_eq!(t2["display"], "A002");
    assert_eq!(t2["people_ahead"], 1);
    assert_eq!(t2["estimated_wait_secs"], 300, "1 ahead ÷ 1 window × 300 s planned");

    let (st, v) = n.req("GET", &format!("/api/v1/tickets/status/{token}")).send().await;
    assert_eq!(st, 200);
    assert_eq!(v["status"], "waiting");
    assert_eq!(v["people_ahead"], 0);
    assert!(
        v.get("citizen").is_none() && !v.to_string().contains(ID_1990),
        "public status carries no personal data"
    );

    let (st, v) = n.window_action(&w1, "W1", "call-next").await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["ticket"]["display"], "A001");
    assert_eq!(v["ticket"]["status"], "called");
    assert_eq!(v["events"], json!(["ticket_called"]));
    let (st, v) = n.window_action(&w1, "W1", "recall").await;
    assert_eq!(st, 200);
    assert_eq!(
        v["events"],
        json!(["ticket_recalled"]),
        "a recall is never a second call"
    );
    assert_eq!(v["ticket"]["recall_count"], 1);
    let (st, v) = n.window_action(&w1, "W1", "call-next").await;
    assert_eq!(
        (st, v["code"].as_str()),
        (409, Some("window_busy")),
        "one active call per window"
    );

    n.clock.advance_minutes(1);
    assert_eq!(n.window_action(&w1, "W1", "start").await.0, 200);
    n.clock.advance_minutes(4);
    let (st, v) = n.window_action(&w1, "W1", "finish").await;
    assert_eq!(st, 200);
    assert_eq!(v["ticket"]["status"], "done");
    assert_eq!(v["window"]["served_today"], 1);
    let id = v["ticket"]["id"].as_str().unwrap().to_owned();

    let (st, v) = n
        .req("POST", &format!("/api/v1/tickets/{id}/rating"))
        .device(&evaluator)
        .json(json!({"level": 5}))
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["rating"], 5);
    let (st, v) = n
        .req("POST", &format!("/api/v1/tickets/{id}/rating"))
        .device(&evaluator)
        .json(json!({"level": 4}))
        .send()
        .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (409, Some("duplicate")),
        "one rating per service"
    );

    // The second citizen does not come.
    n.window_action(&w1, "W1", "call-next").await;
    let (st, v) = n.window_action(&w1, "W1", "no-show").await;
    assert_eq!(st, 200);
    assert_eq!(v["ticket"]["status"], "no_show");
    let (st, v) = n.window_action(&w1, "W1", "call-next").await;
    assert_eq!((st, v["code"].as_str()), (409, Some("nothing_waiting")));
    n.stop().await;
}

#[tokio::test]
async fn park_transfer_and_void() {
    let mut n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let w1 = n.open_window("w1", "W1").await;
    let w4 = n.open_window("w4", "W4").await;
    let (_, a1) = n
        .issue(
            &kiosk,
            json!({"hall_id": "H1", "item_id": "I1", "channel": "kiosk", "id_card": {"number": ID_1990}}),
        )
        .await;
    let (_, a2) = n
        .issue(
            &kiosk,
            json!({"hall_id": "H1", "item_id": "I1", "channel": "kiosk", "id_card": {"number": ID_1990}}),
        )
        .await;

    // Park A001 (missing a document), serve A002, then call A001 back.
    n.window_action(&w1, "W1", "call-next").await;
    let (st, v) = n.window_action(&w1, "W1", "park").await;
    assert_eq!((st, v["ticket"]["status"].as_str()), (200, Some("parked")));
    let (_, v) = n.window_action(&w1, "W1", "call-next").await;
    assert_eq!(v["ticket"]["display"], "A002");
    n.window_action(&w1, "W1", "finish").await;
    let (st, v) = n
        .req("POST", "/api/v1/windows/W1/call")
        .bearer(&w1)
        .json(json!({"ticket_id": a1["ticket_id"]}))
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["ticket"]["display"], "A001");

    // Transfer A001 to window 4: only window 4 calls it, first.
    let (_, c1) = n
        .issue(&kiosk, json!({"hall_id": "H1", "item_id": "I3", "channel": "kiosk"}))
        .await;
    let id = a1["ticket_id"].as_str().unwrap();
    let (st, v) = n
        .req("POST", &format!("/api/v1/tickets/{id}/transfer"))
        .bearer(&w1)
        .json(json!({"to": {"to": "window", "id": "W4"}}))
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["status"], "waiting");
    assert_eq!(v["transfers"], 1);
    let (_, v) = n.window_action(&w4, "W4", "call-next").await;
    assert_eq!(
        v["ticket"]["display"], "A001",
        "a ticket transferred to a window is called there first"
    );
    n.window_action(&w4, "W4", "finish").await;

    // Void C001 while waiting: it leaves the queue.
    let cid = c1["ticket_id"].as_str().unwrap();
    let (st, v) = n
        .req("POST", &format!("/api/v1/tickets/{cid}/void"))
        .bearer(&w4)
        .json(json!({"reason": ""}))
        .send()
        .await;
    assert_eq!(
        (st, v["field"].as_str()),
        (422, Some("reason")),
        "a void needs a reason"
    );
    let (st, v) = n
        .req("POST", &format!("/api/v1/tickets/{cid}/void"))
        .bearer(&w4)
        .json(json!({"reason": "重复取号"}))
        .send()
        .await;
    assert_eq!((st, v["status"].as_str()), (200, Some("voided")));
    let (st, v) = n.window_action(&w4, "W4", "call-next").await;
    assert_eq!((st, v["code"].as_str()), (409, Some("nothing_waiting")));
    let _ = a2;
    n.stop().await;
}

#[tokio::test]
async fn window_states_and_their_refusals() {
    let mut n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let w1 = n.login("w1").await;
    n.issue(&kiosk, json!({"hall_id": "H1", "item_id": "I2", "channel": "kiosk"}))
        .await;

    let (st, v) = n.window_action(&w1, "W1", "call-next").await;
    assert_eq!(
        (st, v["code"].as_str()),
        (403, Some("forbidden")),
        "not signed in at W1: {v}"
    );
    let (st, _) = n.window_action(&w1, "W2", "sign-in").await;
    assert_eq!(st, 409, "w1 may not sign in at W2");
    assert_eq!(n.window_action(&w1, "W1", "sign-in").await.0, 200);
    let (st, v) = n.window_action(&w1, "W1", "call-next").await;
    assert_eq!(
        (st, v["code"].as_str()),
        (409, Some("window_not_open")),
        "a closed window does not call"
    );
    assert_eq!(n.window_action(&w1, "W1", "open").await.0, 200);
    let (st, v) = n
        .req("POST", "/api/v1/windows/W1/pause")
        .bearer(&w1)
        .json(json!({"reason": "午休"}))
        .send()
        .await;
    assert_eq!(
        (st, v["window"]["status"].as_str(), v["window"]["pause_reason"].as_str()),
        (200, Some("paused"), Some("午休"))
    );
    let (st, v) = n.window_action(&w1, "W1", "call-next").await;
    assert_eq!(
        (st, v["code"].as_str()),
        (409, Some("window_not_open")),
        "a paused window does not call"
    );
    assert_eq!(n.window_action(&w1, "W1", "open").await.0, 200);
    assert_eq!(n.window_action(&w1, "W1", "close").await.0, 200);
    let (st, v) = n.window_action(&w1, "W1", "sign-out").await;
    assert_eq!((st, v["window"]["staff_id"].clone()), (200, serde_json::Value::Null));
    n.stop().await;
}
