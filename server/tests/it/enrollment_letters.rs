//! Kiosks' offline series letters at enrollment (two bugs the chaos run found: concurrent enrollments
//! collided on a letter; other device kinds used letters up). Letters are now chosen in the writer,
//! among the letters no kiosk of the hall holds.

use node_testkit::*;
use serde_json::json;

async fn code(n: &Node, admin: &str, kind: &str) -> String {
    let (st, v) = n
        .req("POST", "/api/v1/devices/enrollment-codes")
        .bearer(admin)
        .json(json!({"hall_id": "H1", "kind": kind}))
        .send()
        .await;
    assert_eq!(st, 201, "{v}");
    v["code"].as_str().unwrap().to_owned()
}

async fn enroll(n: &Node, code: &str) -> (u16, serde_json::Value) {
    n.req("POST", "/api/v1/devices/enroll")
        .json(json!({"code": code, "name": "自助机"}))
        .send()
        .await
}

/// Kiosks switched on at the same time (a hall installing its kiosks) all get a distinct letter.
#[tokio::test]
async fn kiosks_enrolling_at_the_same_time_all_get_distinct_letters() {
    let n = Node::start().await;
    let admin = n.login("admin").await;
    let mut codes = Vec::new();
    for _ in 0..6 {
        codes.push(code(&n, &admin, "kiosk").await);
    }
    let answers = futures_util::future::join_all(codes.iter().map(|c| enroll(&n, c))).await;
    let mut letters = Vec::new();
    for (st, v) in &answers {
        assert_eq!(*st, 201, "{v}");
        letters.push(v["letter"].as_str().unwrap().to_owned());
    }
    letters.sort();
    letters.dedup();
    assert_eq!(letters.len(), 6, "{letters:?}");
}

/// A hall with many window terminals still enrolls kiosks: only kiosks hold letters.
#[tokio::test]
async fn window_terminals_do_not_use_up_kiosk_letters() {
    let n = Node::start().await;
    let admin = n.login("admin").await;
    for _ in 0..24 {
        let c = code(&n, &admin, "window_terminal").await;
        let (st, v) = enroll(&n, &c).await;
        assert_eq!(st, 201, "{v}");
    }
    let c = code(&n, &admin, "kiosk").await;
    let (st, v) = enroll(&n, &c).await;
    assert_eq!(st, 201, "the first kiosk of the hall: {v}");
    assert_eq!(v["letter"], "K");
}
