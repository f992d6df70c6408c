//! Personal data (masked for most roles, sealed at rest), the audit chain (`server verify-audit` finds
//! an altered or removed event), and restarts (state, numbering, devices and sessions survive; a new
//! business day expires yesterday's leftovers and restarts numbering).

use std::path::Path;
use std::process::Command;

use node_testkit::*;
use serde_json::{Value, json};

const NAME: &str = "张三";
const PHONE: &str = "13812345678";

#[tokio::test]
async fn personal_data_is_masked_for_most_and_sealed_at_rest() {
    let mut n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let w1 = n.open_window("w1", "W1").await;
    let (st, t) = n
        .issue(&kiosk, json!({"hall_id": "H1", "item_id": "I1", "channel": "kiosk", "id_card": {"number": ID_1990, "name": NAME}, "phone": PHONE}))
        .await;
    assert_eq!(st, 201, "{t}");
    assert!(
        !t.to_string().contains(ID_1990) && !t.to_string().contains(PHONE),
        "the issue answer repeats no personal data: {t}"
    );
    let id = t["ticket_id"].as_str().unwrap().to_owned();
    let token = t["token"].as_str().unwrap().to_owned();

    for login in ["leader", "admin", "mgr"] {
        let tok = n.login(login).await;
        let (st, v) = n.req("GET", &format!("/api/v1/tickets/{id}")).bearer(&tok).send().await;
        assert_eq!(st, 200, "{login}: {v}");
        assert_eq!(
            v["citizen"],
            json!({"id_number": "230***********1230", "name": "张*", "phone": "138****5678", "masked": true}),
            "{login} sees masks"
        );
    }
    let (st, v) = n.req("GET", &format!("/api/v1/tickets/{id}")).bearer(&w1).send().await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(
        v["citizen"],
        json!({"id_number": ID_1990, "name": NAME, "phone": PHONE, "masked": false}),
        "window staff see it all"
    );

    // Nothing personal in the public status, the hall wall, or the live feed.
    let (_, v) = n.req("GET", &format!("/api/v1/tickets/status/{token}")).send().await;
    let (_, snap) = n.req("GET", "/api/v1/halls/H1/snapshot").bearer(&w1).send().await;
    let (st, mut feed) = SseReader::open(&n, "/api/v1/halls/H1/events", &w1, Some(0)).await;
    assert_eq!(st, 200);
    let mut events = Vec::new();
    while let Some(e) = feed.next(300).await {
        events.push(e.2);
    }
    assert!(!events.is_empty());
    for text in [v.to_string(), snap.to_string(), Value::Array(events).to_string()] {
        for secret in [ID_1990, PHONE, NAME] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }

    // The ticket is served, then the node stops: the files on disk hold no plaintext.
    n.window_action(&w1, "W1", "call-next").await;
    n.window_action(&w1, "W1", "finish").await;
    drop(feed);
    n.stop().await;
    let mut raw = Vec::new();
    for f in ["node.db", "node.db-wal"] {
        if let Ok(b) = std::fs::read(n.dir.join(f)) {
            raw.extend_from_slice(&b);
        }
    }
    assert!(
        contains(&raw, b"ticket_issued") && contains(&raw, b"A001"),
        "read the right database"
    );
    for secret in [ID_1990, PHONE, NAME] {
        assert!(!contains(&raw, secret.as_bytes()), "{secret} is stored in plaintext");
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn verify(dir: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("verify-audit")
        .arg("--data")
        .arg(dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (
        out.status.code().unwrap_or(-1),
        stdout + &String::from_utf8_lossy(&out.stderr),
    )
}

/// A copy of a node's database (with its WAL, if any) in a new directory.
fn copy_db(from: &Path) -> tempfile::TempDir {
    let to = tempfile::tempdir().unwrap();
    for f in ["node.db", "node.db-wal"] {
        if from.join(f).exists() {
            std::fs::copy(from.join(f), to.path().join(f)).unwrap();
        }
    }
    to
}

fn tamper(dir: &Path, sql: &str) {
    let c = rusqlite::Connection::open(dir.join("node.db")).unwrap();
    assert_eq!(c.execute(sql, []).unwrap(), 1, "{sql}");
    c.pragma_update(None, "wal_checkpoint", "TRUNCATE").ok();
}

#[tokio::test]
async fn verify_audit_finds_altered_and_missing_events() {
    let mut n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let w1 = n.open_window("w1", "W1").await;
    for _ in 0..3 {
        n.issue(&kiosk, json!({"hall_id": "H1", "item_id": "I2", "channel": "kiosk"}))
            .await;
    }
    n.window_action(&w1, "W1", "call-next").await;
    n.window_action(&w1, "W1", "finish").await;
    n.stop().await;

    let (code, out) = verify(&n.dir);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("intact"), "{out}");

    let altered = copy_db(&n.dir);
    tamper(
        altered.path(),
        "UPDATE events SET body = replace(body, 'H1', 'H2') || ' ' WHERE seq = 5",
    );
    let (code, out) = verify(altered.path());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("event 5") && !out.contains("intact"), "{out}");

    let removed = copy_db(&n.dir);
    tamper(removed.path(), "DELETE FROM events WHERE seq = 3");
    let (code, out) = verify(removed.path());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("event 3"), "{out}");

    // The original is untouched by all this.
    assert_eq!(verify(&n.dir).0, 0);
    let empty = tempfile::tempdir().unwrap();
    let (code, out) = verify(empty.path());
    assert_eq!(code, 2, "{out}");
}

async fn window_w1(n: &Node, token: &str) -> Value {
    let (st, snap) = n.req("GET", "/api/v1/halls/H1/snapshot").bearer(token).send().await;
    assert_eq!(st, 200, "{snap}");
    snap["windows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == "W1")
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_restart_keeps_queues_windows_devices_and_sessions() {
    let mut n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let w1 = n.open_window("w1", "W1").await;
    let body =
        json!({"hall_id": "H1", "item_id": "I1", "channel": "kiosk", "id_card": {"number": ID_1990, "name": NAME}});
    let (_, a1) = n.issue(&kiosk, body.clone()).await;
    let (_, a2) = n.issue(&kiosk, body.clone()).await;
    assert_eq!(
        (a1["display"].as_str(), a2["display"].as_str()),
        (Some("A001"), Some("A002"))
    );
    let (st, v) = n.window_action(&w1, "W1", "call-next").await;
    assert_eq!((st, v["ticket"]["display"].as_str()), (200, Some("A001")));
    let (st, v) = n.window_action(&w1, "W1", "recall").await;
    assert_eq!((st, v["ticket"]["recall_count"].as_u64()), (200, Some(1)));
    let before = window_w1(&n, &w1).await;

    n.clock.advance_minutes(1);
    n.restart().await;

    // Same token, same device key, as if nothing happened.
    let a2_token = a2["token"].as_str().unwrap();
    let (st, v) = n.req("GET", &format!("/api/v1/tickets/status/{a2_token}")).send().await;
    assert_eq!(
        (st, v["status"].as_str(), v["people_ahead"].as_u64()),
        (200, Some("waiting"), Some(0)),
        "{v}"
    );
    let w = window_w1(&n, &w1).await;
    assert_eq!(
        (w["status"].as_str(), w["current"].as_str(), w["staff_id"].as_str()),
        (Some("open"), Some("A001"), Some("W1")),
        "{w}"
    );
    assert_eq!(w, before, "the window is exactly as it was");
    let (_, snap) = n.req("GET", "/api/v1/halls/H1/snapshot").bearer(&w1).send().await;
    assert_eq!(snap["recent_calls"][0]["display"], "A001");
    assert_eq!(snap["recent_calls"][0]["recall_count"], 1, "{snap}");
    assert_eq!(snap["waiting_total"], 1);

    let id1 = a1["ticket_id"].as_str().unwrap();
    let (st, v) = n.req("GET", &format!("/api/v1/tickets/{id1}")).bearer(&w1).send().await;
    assert_eq!(
        (st, v["status"].as_str(), v["recall_count"].as_u64()),
        (200, Some("called"), Some(1)),
        "{v}"
    );
    assert_eq!(
        v["citizen"]["id_number"], ID_1990,
        "the sealed data opens with the key on disk"
    );

    let (st, v) = n.issue(&kiosk, body.clone()).await;
    assert_eq!(
        (st, v["display"].as_str(), v["people_ahead"].as_u64()),
        (201, Some("A003"), Some(1)),
        "numbering goes on: {v}"
    );

    // The call goes on where it was: a recall is still a recall, then service.
    let (st, v) = n.window_action(&w1, "W1", "call-next").await;
    assert_eq!((st, v["code"].as_str()), (409, Some("window_busy")), "{v}");
    let (st, v) = n.window_action(&w1, "W1", "recall").await;
    assert_eq!((st, v["ticket"]["recall_count"].as_u64()), (200, Some(2)), "{v}");
    assert_eq!(n.window_action(&w1, "W1", "start").await.0, 200);
    let (st, v) = n.window_action(&w1, "W1", "finish").await;
    assert_eq!((st, v["window"]["served_today"].as_u64()), (200, Some(1)));
    let (_, v) = n.window_action(&w1, "W1", "call-next").await;
    assert_eq!(v["ticket"]["display"], "A002", "strict order after the restart");

    // A restart without the snapshot (as after a crash): the state is rebuilt from the event log alone.
    n.stop().await;
    let db = rusqlite::Connection::open(n.db_path()).unwrap();
    assert!(db.execute("DELETE FROM snapshots", []).unwrap() >= 1);
    drop(db);
    n.restart().await;
    let (st, v) = n.issue(&kiosk, body).await;
    assert_eq!((st, v["display"].as_str()), (201, Some("A004")), "{v}");
    let w = window_w1(&n, &w1).await;
    assert_eq!(
        (w["current"].as_str(), w["served_today"].as_u64()),
        (Some("A002"), Some(1)),
        "{w}"
    );
    n.stop().await;
}

#[tokio::test]
async fn a_new_business_day_expires_leftovers_and_restarts_numbering() {
    let mut n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let w1 = n.open_window("w1", "W1").await;
    let body = json!({"hall_id": "H1", "item_id": "I2", "channel": "kiosk"});
    let (_, b1) = n.issue(&kiosk, body.clone()).await;
    let (_, b2) = n.issue(&kiosk, body.clone()).await;
    assert_eq!(b2["display"], "B002");
    // W1 serves only queue A: W3 (longest waiting over A, B, C) serves B001.
    let w3 = n.open_window("w3", "W3").await;
    n.window_action(&w3, "W3", "call-next").await;
    n.window_action(&w3, "W3", "finish").await;
    let _ = w1;

    // 09:00 + 15 h = local midnight: a new business day.
    n.clock.advance_minutes(15 * 60);
    n.restart().await;
    let (st, v) = n.issue(&kiosk, body).await;
    assert_eq!(
        (st, v["display"].as_str(), v["people_ahead"].as_u64()),
        (201, Some("B001"), Some(0)),
        "numbering restarts: {v}"
    );

    let status = |t: &Value| {
        let token = t["token"].as_str().unwrap().to_owned();
        let n = &n;
        async move { n.req("GET", &format!("/api/v1/tickets/status/{token}")).send().await }
    };
    let (st, v) = status(&b2).await;
    assert_eq!(
        (st, v["display"].as_str(), v["status"].as_str()),
        (200, Some("B002"), Some("expired")),
        "{v}"
    );
    let (st, v) = status(&b1).await;
    assert_eq!(
        (st, v["status"].as_str()),
        (200, Some("done")),
        "yesterday's served ticket: {v}"
    );

    // Yesterday's sessions have expired (12 h). Yesterday's ticket is not called again, and the hall
    // wall counts only today.
    let (st, v) = n.req("GET", "/api/v1/halls/H1/snapshot").bearer(&w3).send().await;
    assert_eq!((st, v["code"].as_str()), (401, Some("unauthorized")), "{v}");
    let w3 = n.login("w3").await;
    let (_, snap) = n.req("GET", "/api/v1/halls/H1/snapshot").bearer(&w3).send().await;
    assert_eq!(snap["day"], "2026-11-24", "{snap}");
    assert_eq!(snap["waiting_total"], 1, "{snap}");
    let (st, v) = n.window_action(&w3, "W3", "call-next").await;
    assert_eq!((st, v["ticket"]["display"].as_str()), (200, Some("B001")), "{v}");
    n.stop().await;
}
