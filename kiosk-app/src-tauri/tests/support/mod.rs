//! A real hall node in-process for the kiosk's tests: the node's test kit (test city: hall H1, items
//! I1 户口迁移 (ID card), I2 政策咨询, I3 不动产登记 (quota 2)), its clock following real time (the
//! kiosk signs with the real clock), and a restart on the same address (the kiosk keeps its URL).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

pub use node_testkit::{Node, real_now};
use serde_json::{Value, json};

/// The test city on a node whose clock follows real time.
pub async fn start_node() -> Node {
    Node::start_real_time().await
}

/// Stops the node and starts it again on the same data directory and address.
pub async fn restart_same_address(n: &mut Node) {
    let addr = n.base.trim_start_matches("http://").to_owned();
    n.stop().await;
    for _ in 0..50 {
        let config = server::app::ServerConfig {
            role: server::app::Role::All,
            data: n.dir.clone(),
            listen: addr.clone(),
            ..server::app::ServerConfig::default()
        };
        if let Ok(r) = server::start(config, n.clock.clock()).await {
            n.running = Some(r);
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("hall node did not restart on {addr}");
}

/// A one-time code for a kiosk in hall H1.
pub async fn kiosk_code(n: &Node) -> String {
    let admin = n.login("admin").await;
    let (st, v) = n
        .req("POST", "/api/v1/devices/enrollment-codes")
        .bearer(&admin)
        .json(json!({"hall_id": "H1", "kind": "kiosk"}))
        .send()
        .await;
    assert_eq!(st, 201, "{v}");
    v["code"].as_str().unwrap().to_owned()
}

/// A device's latest heartbeat status on the node (as hall managers see it).
pub async fn heartbeat_of(n: &Node, device_id: &str) -> Value {
    let mgr = n.login("mgr").await;
    let (st, v) = n.req("GET", "/api/v1/halls/H1/devices").bearer(&mgr).send().await;
    assert_eq!(st, 200, "{v}");
    v["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == device_id)
        .map(|d| d["status"].clone())
        .unwrap_or(Value::Null)
}
