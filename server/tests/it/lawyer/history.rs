//! The lawyer's own history for the desk (`GET /lawyer/consultations`): their consultations of any
//! status, newest first, with the citizens' ratings (6.1 a/b) and their average; never another
//! lawyer's. Real HTTP on a real socket, real SQLite.

use super::support;
use node_testkit::*;
use serde_json::{Value, json};

/// The test city plus a second lawyer (login `lawyer2`).
async fn node() -> Node {
    let n = Node::start().await;
    support::add_lawyers(&n, &["LAWYER2"]).await;
    n
}

async fn online(n: &Node, login: &str, specialty: &str) -> String {
    let t = n.login(login).await;
    let (st, v) = n
        .req("PUT", "/api/v1/lawyer/status")
        .bearer(&t)
        .json(json!({"online": true, "specialties": [specialty]}))
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    t
}

/// A realtime question of `specialty`, picked up and closed by the lawyer `session`: (id, token).
async fn answered(n: &Node, session: &str, specialty: &str, question: &str) -> (String, String) {
    let (st, v) = n
        .req("POST", "/api/v1/consultations")
        .json(json!({"kind": "realtime", "question": question, "specialty": specialty}))
        .send()
        .await;
    assert_eq!(st, 201, "{v}");
    let id = v["consultation"]["id"].as_str().unwrap().to_owned();
    let token = v["token"].as_str().unwrap().to_owned();
    for action in ["pickup", "close"] {
        let (st, v) = n
            .req("POST", &format!("/api/v1/consultations/{id}/{action}"))
            .bearer(session)
            .send()
            .await;
        assert_eq!(st, 200, "{action}: {v}");
    }
    (id, token)
}

async fn history(n: &Node, session: &str, query: &str) -> (u16, Value) {
    n.req("GET", &format!("/api/v1/lawyer/consultations{query}"))
        .bearer(session)
        .send()
        .await
}

#[tokio::test]
async fn a_lawyer_sees_their_own_consultations_newest_first_with_ratings_6_1() {
    let n = node().await;
    let l1 = online(&n, "lawyer", "labour").await;
    let l2 = online(&n, "lawyer2", "family").await;
    let (first, token) = answered(&n, &l1, "labour", "第一个问题：加班费怎么算？").await;
    n.clock.set(n.clock.now() + 60_000);
    let (second, _) = answered(&n, &l1, "labour", "第二个问题：试用期可以随时辞退吗？").await;
    let (theirs, _) = answered(&n, &l2, "family", "别人的问题：抚养费标准？").await;

    // The citizen rates the first one (6.1 a: a chat once it ended).
    let (st, v) = n
        .req("POST", &format!("/api/v1/consultations/{first}/rating"))
        .header("x-consultation-token", &token)
        .json(json!({"level": 4, "comment": "解答清楚"}))
        .send()
        .await;
    assert_eq!(st, 200, "{v}");

    let (st, v) = history(&n, &l1, "").await;
    assert_eq!(st, 200, "{v}");
    let ids: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [second.as_str(), first.as_str()], "own only, newest first: {v}");
    assert!(!ids.contains(&theirs.as_str()));
    let rated = &v["items"][1];
    assert_eq!(
        (rated["rating"].as_u64(), rated["rating_comment"].as_str()),
        (Some(4), Some("解答清楚"))
    );
    assert_eq!(rated["status"], "closed");
    assert_eq!(rated["status_label"], "已结束");
    assert_eq!(v["items"][0]["rating"], Value::Null);
    assert_eq!(
        (v["rated"].as_u64(), v["average_rating"].as_f64()),
        (Some(1), Some(4.0))
    );

    // The limit is honoured, and a bad one is refused naming the field.
    let (st, v) = history(&n, &l1, "?limit=1").await;
    assert_eq!((st, v["items"].as_array().unwrap().len()), (200, 1));
    let (st, v) = history(&n, &l1, "?limit=0").await;
    assert_eq!((st, v["field"].as_str()), (422, Some("limit")), "{v}");

    // Another lawyer with nothing rated: no average, not a zero.
    let (_, v) = history(&n, &l2, "").await;
    assert_eq!((v["rated"].as_u64(), &v["average_rating"]), (Some(0), &Value::Null));
}
