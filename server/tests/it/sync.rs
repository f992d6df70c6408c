//! The sync protocol's upstream side over real HTTP: push rules (applied once, duplicates answered
//! with the stored result, gaps refused), rejections as results, version negotiation, pull cursors,
//! resumable blobs verified by SM3, and the city node refusing queue decisions.

use node_testkit::*;
use serde_json::{Value, json};
use server::app::Role as NodeRole;

fn offline_ticket(kiosk: &Device, seq: i64, number: u32) -> Value {
    json!({
        "seq": seq,
        "id": uuid::Uuid::now_v7().to_string(),
        "kind": "ticket.issue",
        "v": 1,
        "at": MONDAY_0900,
        "payload": {
            "ticket_id": uuid::Uuid::now_v7().to_string(),
            "token": format!("{:032x}", u128::from(number) + 0xabc0_0000),
            "hall_id": "H1",
            "queue_id": "QB",
            "letter": kiosk.letter.as_deref().unwrap().chars().next().unwrap(),
            "number": number,
        }
    })
}

async fn push(n: &Node, d: &Device, events: Vec<Value>) -> (u16, Value) {
    n.req("POST", "/api/v1/sync/push")
        .device(d)
        .sync()
        .json(json!({"producer": d.id, "events": events}))
        .send()
        .await
}

#[tokio::test]
async fn a_pushed_event_is_applied_once_and_a_resend_gets_the_stored_result() {
    let n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let letter = kiosk.letter.clone().unwrap();
    let e1 = offline_ticket(&kiosk, 1, 1);
    let (st, v) = push(&n, &kiosk, vec![e1.clone()]).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["last_seq"], 1);
    assert_eq!(v["results"][0]["status"], "applied", "{v}");
    let server_seq = v["results"][0]["server_seq"].as_i64().unwrap();

    // The response was lost; the device sends the same event again (and the next one with it).
    let (st, v) = push(&n, &kiosk, vec![e1, offline_ticket(&kiosk, 2, 2)]).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["results"][0]["status"], "duplicate");
    assert_eq!(v["results"][0]["original"], "applied");
    assert_eq!(
        v["results"][0]["server_seq"], server_seq,
        "the stored result, not a new one"
    );
    assert_eq!(v["results"][1]["status"], "applied");
    assert_eq!(v["last_seq"], 2);

    // Both tickets joined the hall queue once, numbered from the kiosk's own series.
    let qb = n.queue_snapshot("H1", "QB").await;
    assert_eq!(qb["waiting"], 2, "{qb}");
    assert_eq!(qb["next"], format!("B-{letter}001"), "{qb}");

    // Skipping ahead is refused with the sequence expected, and nothing is applied.
    let (st, v) = push(&n, &kiosk, vec![offline_ticket(&kiosk, 5, 5)]).await;
    assert_eq!(
        (st, v["code"].as_str(), v["expected"].as_i64()),
        (409, Some("sequence_gap"), Some(3)),
        "{v}"
    );
}

#[tokio::test]
async fn a_rejection_is_a_settled_result_and_the_producer_moves_on() {
    let n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let mut wrong = offline_ticket(&kiosk, 1, 1);
    let other = if kiosk.letter.as_deref() == Some("Z") { "Y" } else { "Z" };
    wrong["payload"]["letter"] = json!(other);
    let unknown = json!({"seq": 2, "id": uuid::Uuid::now_v7().to_string(), "kind": "kiosk.dance", "v": 1, "at": 0, "payload": {}});
    let mut bad_payload = offline_ticket(&kiosk, 3, 1);
    bad_payload["payload"]["number"] = json!("one");
    let (st, v) = push(
        &n,
        &kiosk,
        vec![wrong, unknown, bad_payload, offline_ticket(&kiosk, 4, 1)],
    )
    .await;
    assert_eq!(st, 200, "{v}");
    let codes: Vec<_> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["status"].clone(), r["code"].clone()))
        .collect();
    assert_eq!(codes[0], (json!("rejected"), json!("wrong_letter")));
    assert_eq!(codes[1], (json!("rejected"), json!("unsupported_kind")));
    assert_eq!(codes[2], (json!("rejected"), json!("invalid_payload")));
    assert!(
        v["results"][2]["reason"].as_str().unwrap().contains("payload.number"),
        "names the field: {v}"
    );
    assert_eq!(codes[3], (json!("applied"), Value::Null));
    assert_eq!(v["last_seq"], 4);
    // A rejected event is answered the same way again.
    let (_, v) = push(&n, &kiosk, vec![offline_ticket(&kiosk, 1, 9)]).await;
    assert_eq!(v["results"][0]["status"], "duplicate");
    assert_eq!(v["results"][0]["original"], "rejected");
    assert_eq!(
        v["results"][0]["code"], "sequence_reused",
        "a different event under a settled sequence: {v}"
    );
}

#[tokio::test]
async fn old_and_unknown_protocol_versions_get_clear_answers_and_pushes_are_the_signers_own() {
    let n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let body = json!({"producer": kiosk.id, "events": [offline_ticket(&kiosk, 1, 1)]});
    let (st, v) = n
        .req("POST", "/api/v1/sync/push")
        .device(&kiosk)
        .json(body.clone())
        .send()
        .await;
    assert_eq!((st, v["code"].as_str()), (426, Some("upgrade_needed")), "{v}");
    let (st, v) = n
        .req("POST", "/api/v1/sync/push")
        .device(&kiosk)
        .header("x-sync-protocol", "99")
        .json(body.clone())
        .send()
        .await;
    assert_eq!((st, v["code"].as_str()), (400, Some("server_too_old")), "{v}");
    let (st, _) = n
        .req("POST", "/api/v1/sync/push")
        .sync()
        .json(body.clone())
        .send()
        .await;
    assert_eq!(st, 401, "unsigned");
    let other = n.enroll("H1", "kiosk").await;
    let (st, v) = n
        .req("POST", "/api/v1/sync/push")
        .device(&other)
        .sync()
        .json(body)
        .send()
        .await;
    assert_eq!((st, v["field"].as_str()), (403, Some("producer")), "{v}");
    let (st, v) = push(
        &n,
        &kiosk,
        vec![offline_ticket(&kiosk, 1, 1), offline_ticket(&kiosk, 3, 2)],
    )
    .await;
    assert_eq!((st, v["field"].as_str()), (422, Some("events[1].seq")), "{v}");
}

#[tokio::test]
async fn pull_moves_forward_and_sends_configuration_only_when_newer() {
    let n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let pull = |after: i64, cv: i64| {
        n.req("GET", &format!("/api/v1/sync/pull?after={after}&config_version={cv}"))
            .device(&kiosk)
            .sync()
            .send()
    };
    let (st, first) = pull(0, 0).await;
    assert_eq!(st, 200, "{first}");
    let version = first["config"]["version"].as_i64().unwrap();
    assert!(version >= 1);
    assert_eq!(first["producer_last_seq"], 0);
    let cursor = first["next"].as_i64().unwrap();
    assert!(cursor >= first["head"].as_i64().unwrap());

    push(&n, &kiosk, vec![offline_ticket(&kiosk, 1, 1)]).await;
    n.issue(&kiosk, json!({"hall_id": "H2", "queue_id": "QZ", "channel": "kiosk"}))
        .await; // another hall: not in this kiosk's scope
    let (_, v) = pull(cursor, version).await;
    assert!(v.get("config").is_none(), "same version: no configuration sent: {v}");
    let changes = v["changes"].as_array().unwrap();
    assert!(changes.iter().any(|c| c["kind"] == "ticket_issued"), "{v}");
    assert!(
        changes
            .iter()
            .all(|c| c["hall_id"] == "H1" && c["seq"].as_i64().unwrap() > cursor)
    );
    assert_eq!(v["producer_last_seq"], 1);
    let next = v["next"].as_i64().unwrap();
    assert!(next > cursor);
    let (_, v) = pull(next, version).await;
    assert_eq!(v["changes"].as_array().unwrap().len(), 0);
    assert_eq!(v["next"].as_i64().unwrap(), next, "an empty page keeps the cursor");

    // Paging: limit 1 returns one change and a cursor at it.
    let (_, v) = n
        .req(
            "GET",
            &format!("/api/v1/sync/pull?after={cursor}&config_version={version}&limit=1"),
        )
        .device(&kiosk)
        .sync()
        .send()
        .await;
    assert_eq!(v["changes"].as_array().unwrap().len(), 1);
    assert_eq!(v["next"], v["changes"][0]["seq"]);
}

#[tokio::test]
async fn blobs_resume_after_a_cut_and_are_verified_and_sealed() {
    let n = Node::start().await;
    let scanner = n.enroll("H1", "window_terminal").await;
    let blob: Vec<u8> = (0..1_300_000u32).map(|i| (i % 251) as u8).collect();
    let digest = protocol::sign::sm3_hex(&blob);
    let total = blob.len();
    let put = |offset: usize, end: usize| {
        n.req("PUT", &format!("/api/v1/blobs/{digest}?offset={offset}&total={total}"))
            .device(&scanner)
            .sync()
            .raw_body(&blob[offset..end])
            .send()
    };
    let (st, v) = put(0, 512 * 1024).await;
    assert_eq!(
        (st, v["received"].as_u64(), v["complete"].as_bool()),
        (200, Some(512 * 1024), Some(false)),
        "{v}"
    );
    // The connection dropped here; the device asks where to resume.
    let (_, v) = n
        .req("GET", &format!("/api/v1/blobs/{digest}/status"))
        .device(&scanner)
        .sync()
        .send()
        .await;
    let from = v["received"].as_u64().unwrap() as usize;
    assert_eq!(from, 512 * 1024);
    let (st, v) = put(0, 10).await;
    assert_eq!(
        (st, v["code"].as_str()),
        (409, Some("offset_mismatch")),
        "a stale offset is refused: {v}"
    );
    let (_, v) = put(from, 1024 * 1024).await;
    assert_eq!(v["complete"], false);
    let (st, v) = put(1024 * 1024, total).await;
    assert_eq!((st, v["complete"].as_bool()), (200, Some(true)), "{v}");

    let admin = n.login("admin").await;
    let resp = n
        .http
        .get(format!("{}/api/v1/blobs/{digest}", n.base))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.bytes().await.unwrap().as_ref(),
        &blob[..],
        "the same bytes come back"
    );
    let (st, _) = n
        .req("GET", &format!("/api/v1/blobs/{digest}"))
        .device(&scanner)
        .send()
        .await;
    assert_eq!(st, 401, "devices cannot read blobs back");
    // At rest it is sealed: the plaintext's first 4 KiB are nowhere in the file.
    let stored = std::fs::read(n.dir.join("blobs").join(&digest[..2]).join(format!("{digest}.sm4"))).unwrap();
    assert!(!stored.windows(4096).any(|w| w == &blob[..4096]));

    // Bytes that do not match the digest are discarded.
    let fake = "0".repeat(64);
    let (st, v) = n
        .req("PUT", &format!("/api/v1/blobs/{fake}?offset=0&total=3"))
        .device(&scanner)
        .sync()
        .raw_body(b"abc")
        .send()
        .await;
    assert_eq!((st, v["code"].as_str()), (422, Some("digest_mismatch")), "{v}");
    let (_, v) = n
        .req("GET", &format!("/api/v1/blobs/{fake}/status"))
        .device(&scanner)
        .sync()
        .send()
        .await;
    assert_eq!(v["received"], 0);
}

#[tokio::test]
async fn settled_sequences_survive_a_restart() {
    let mut n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let e1 = offline_ticket(&kiosk, 1, 1);
    let (_, v) = push(&n, &kiosk, vec![e1.clone()]).await;
    assert_eq!(v["results"][0]["status"], "applied");
    n.restart().await;
    let (st, v) = push(&n, &kiosk, vec![e1, offline_ticket(&kiosk, 2, 2)]).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["results"][0]["status"], "duplicate");
    assert_eq!(v["results"][1]["status"], "applied");
}

#[tokio::test]
async fn heartbeats_and_attachments_are_recorded() {
    let n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let (_, issued) = n
        .issue(&kiosk, json!({"hall_id": "H1", "queue_id": "QB", "channel": "kiosk"}))
        .await;
    let ticket = issued["ticket_id"].as_str().unwrap();
    let hb = json!({"seq": 1, "id": uuid::Uuid::now_v7().to_string(), "kind": "device.heartbeat", "v": 1, "at": 0,
        "payload": {"status": {"printer": "paper_near_end", "uptime_s": 3600}}});
    let att = json!({"seq": 2, "id": uuid::Uuid::now_v7().to_string(), "kind": "blob.attached", "v": 1, "at": 0,
        "payload": {"ticket_id": ticket, "digest": "ab".repeat(32), "media": "scan", "size": 10}});
    let (_, v) = push(&n, &kiosk, vec![hb, att]).await;
    assert_eq!(v["results"][0]["status"], "applied", "{v}");
    assert_eq!(v["results"][1]["status"], "applied", "{v}");
    let app = n.app();
    let atts = app.reader.attachments(ticket).unwrap();
    assert_eq!(atts.len(), 1);
    assert_eq!(atts[0].digest, "ab".repeat(32));

    // Device management reads the latest heartbeat per device (hall staff with oversight only).
    let mgr = n.login("mgr").await;
    let (st, v) = n.req("GET", "/api/v1/halls/H1/devices").bearer(&mgr).send().await;
    assert_eq!(st, 200, "{v}");
    let dev = v["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == kiosk.id.as_str())
        .expect("the kiosk is listed");
    assert_eq!(dev["kind"], "kiosk");
    assert_eq!(dev["status"]["printer"], "paper_near_end", "{dev}");
    assert!(dev["heartbeat_at"].is_i64(), "{dev}");
    let w1 = n.login("w1").await;
    let (st, _) = n.req("GET", "/api/v1/halls/H1/devices").bearer(&w1).send().await;
    assert_eq!(st, 403, "window staff do not manage devices");
    let (st, _) = n.req("GET", "/api/v1/halls/H2/devices").bearer(&mgr).send().await;
    assert_eq!(st, 403, "another hall's devices");
}

#[tokio::test]
async fn a_city_node_refuses_queue_decisions() {
    let tmp = tempfile::tempdir().unwrap();
    let mut n = Node::start_in(tmp.path().to_path_buf(), TestClock::new(MONDAY_0900), NodeRole::City).await;
    let app = n.app();
    server::api::halls::install_config(&app, domain::Actor::System, test_city())
        .await
        .unwrap();
    n.set_test_passwords().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let (st, v) = n
        .issue(&kiosk, json!({"hall_id": "H1", "queue_id": "QB", "channel": "kiosk"}))
        .await;
    assert_eq!(st, 409, "{v}");
    assert!(v["message"].as_str().unwrap().contains("hall node"), "{v}");
    n.stop().await;
}

#[tokio::test]
async fn a_missing_field_is_named() {
    let n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let (st, v) = n.issue(&kiosk, json!({"hall_id": "H1", "queue_id": "QB"})).await;
    assert_eq!((st, v["field"].as_str()), (400, Some("channel")), "{v}");
}
