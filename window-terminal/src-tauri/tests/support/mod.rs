//! A real hall node in-process for the terminal's tests: the node's test kit (test city, passwords),
//! with its clock following real time because the terminal signs with the real clock.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub use node_testkit::{Device, Node, PASSWORD};
use serde_json::{Value, json};

/// The test city on a node whose clock follows real time.
pub async fn start_node() -> Node {
    Node::start_real_time().await
}

/// A one-time code for a window terminal in hall H1.
pub async fn window_terminal_code(n: &Node) -> String {
    let admin = n.login("admin").await;
    let (st, v) = n
        .req("POST", "/api/v1/devices/enrollment-codes")
        .bearer(&admin)
        .json(json!({"hall_id": "H1", "kind": "window_terminal"}))
        .send()
        .await;
    assert_eq!(st, 201, "{v}");
    v["code"].as_str().unwrap().to_owned()
}

/// Issues `count` (< 900) tickets for item I1 (queue A, served by W1) from a kiosk.
pub async fn issue_tickets(n: &Node, kiosk: &Device, count: usize) -> Vec<Value> {
    let mut out = Vec::new();
    for k in 0..count {
        // Item I1 (户口迁移) needs the citizen's ID card at the kiosk.
        let number = node_testkit::id_number("19850505", 100 + k as u32);
        let (st, v) = n
            .issue(
                kiosk,
                json!({"hall_id": "H1", "item_id": "I1", "channel": "kiosk", "id_card": {"number": number, "name": "李四"}}),
            )
            .await;
        assert_eq!(st, 201, "issue: {v}");
        out.push(v);
    }
    out
}

/// A ticket as the admin sees it.
pub async fn ticket(n: &Node, id: &str) -> Value {
    let admin = n.login("admin").await;
    let (_, v) = n
        .req("GET", &format!("/api/v1/tickets/{id}"))
        .bearer(&admin)
        .send()
        .await;
    v
}

/// A window's panel (`GET /windows/{id}/panel`) as the admin sees it.
pub async fn window_panel(n: &Node, id: &str) -> Value {
    let admin = n.login("admin").await;
    let (_, v) = n
        .req("GET", &format!("/api/v1/windows/{id}/panel"))
        .bearer(&admin)
        .send()
        .await;
    v
}
