//! Hall node ⇄ city node over real HTTP: the hall forwards its log (store-and-forward, exactly once,
//! without personal data) and takes its configuration from the city.

use std::time::{Duration, Instant};

use node_testkit::*;
use serde_json::{Value, json};
use server::app::{Role as NodeRole, ServerConfig};

fn wall_clock() -> TestClock {
    // Hall and city sign to each other with real time (the link uses the system clock).
    TestClock::new(server::engine::system_clock()())
}

async fn city_node(dir: &std::path::Path) -> Node {
    let n = Node::start_with(
        ServerConfig {
            role: NodeRole::City,
            data: dir.to_path_buf(),
            listen: "127.0.0.1:0".into(),
            ..ServerConfig::default()
        },
        wall_clock(),
    )
    .await;
    server::api::halls::install_config(&n.app(), domain::Actor::System, test_city())
        .await
        .unwrap();
    n.set_test_passwords().await;
    n
}

async fn hall_node(dir: &std::path::Path, city: &Node, code: Option<String>) -> Node {
    Node::start_with(
        ServerConfig {
            role: NodeRole::Hall,
            data: dir.to_path_buf(),
            listen: "127.0.0.1:0".into(),
            upstream: Some(city.base.clone()),
            upstream_code: code,
            ..ServerConfig::default()
        },
        wall_clock(),
    )
    .await
}

async fn hall_snapshot(n: &Node, token: String) -> Value {
    n.req("GET", "/api/v1/halls/H1/snapshot").bearer(&token).send().await.1
}

async fn eventually<F: AsyncFn() -> bool>(what: &str, f: F) {
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(20) {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for: {what}");
}

fn count(db: &std::path::Path, sql: &str) -> i64 {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[tokio::test]
async fn a_hall_node_forwards_its_log_once_and_takes_configuration_from_the_city() {
    let (city_dir, hall_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let city = city_node(city_dir.path()).await;
    let admin = city.login("admin").await;
    let (st, v) = city
        .req("POST", "/api/v1/devices/enrollment-codes")
        .bearer(&admin)
        .json(json!({"hall_id": "H1", "kind": "hall_node"}))
        .send()
        .await;
    assert_eq!(st, 201, "{v}");
    let code = v["code"].as_str().unwrap().to_owned();

    // A new hall node, with nothing but the city's address and the code: it enrolls and takes the
    // city's configuration.
    let mut hall = hall_node(hall_dir.path(), &city, Some(code)).await;
    let app = hall.app();
    eventually("configuration from the city", async || {
        app.engine
            .shared
            .cfg
            .read()
            .data
            .halls
            .iter()
            .any(|h| h.id.as_str() == "H1")
    })
    .await;
    assert!(
        hall.dir.join("initial-admin-password").exists(),
        "the hall's own administrator was created before the city's configuration arrived"
    );
    hall.set_test_passwords().await;

    let kiosk = hall.enroll("H1", "kiosk").await;
    for _ in 0..3 {
        let (st, v) = hall
            .issue(
                &kiosk,
                json!({"hall_id": "H1", "queue_id": "QA", "channel": "kiosk", "id_card": {"number": ID_1990}}),
            )
            .await;
        assert_eq!(st, 201, "{v}");
    }
    let w1 = hall.open_window("w1", "W1").await;
    let (st, v) = hall.window_action(&w1, "W1", "call-next").await;
    assert_eq!(st, 200, "{v}");

    // The city sees the hall as the hall sees itself.
    let leader_city = city.login("leader").await;
    let leader_hall = hall.login("leader").await;
    let mine = hall_snapshot(&hall, leader_hall.clone()).await;
    let waiting = |v: &Value| v["waiting_total"].as_i64();
    eventually("the city has the hall's queue", async || {
        let theirs = hall_snapshot(&city, leader_city.clone()).await;
        waiting(&theirs) == waiting(&mine) && theirs["recent_calls"] == mine["recent_calls"]
    })
    .await;

    // Exactly once, across a hall restart; and no personal data reached the city.
    let issued = "SELECT COUNT(*) FROM events WHERE kind = 'ticket_issued'";
    hall.stop().await;
    let mut hall = hall_node(hall_dir.path(), &city, None).await;
    hall.set_test_passwords().await;
    let kiosk2 = hall.enroll("H1", "kiosk").await;
    let (st, _) = hall
        .issue(&kiosk2, json!({"hall_id": "H1", "queue_id": "QB", "channel": "kiosk"}))
        .await;
    assert_eq!(st, 201);
    let hall_db = hall.db_path();
    let city_db = city.db_path();
    eventually("the fourth ticket at the city", async || count(&city_db, issued) == 4).await;
    assert_eq!(count(&hall_db, issued), 4);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(count(&city_db, issued), 4, "nothing forwarded twice");
    assert!(count(&hall_db, "SELECT COUNT(*) FROM events WHERE sealed IS NOT NULL") >= 3);
    assert_eq!(
        count(&city_db, "SELECT COUNT(*) FROM events WHERE sealed IS NOT NULL"),
        0,
        "ID numbers stay in the hall"
    );

    // A configuration change at the city reaches the hall.
    let mut cfg = test_city();
    cfg.items[1].name = "政策咨询（城市改）".into();
    let (st, v) = city
        .req("PUT", "/api/v1/config")
        .bearer(&admin)
        .json(serde_json::to_value(&cfg).unwrap())
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    let app = hall.app();
    eventually("the new configuration at the hall", async || {
        app.engine.shared.cfg.read().data.items[1].name == "政策咨询（城市改）"
    })
    .await;
    hall.stop().await;
}
