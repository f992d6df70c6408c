//! A kiosk's `edge` side against a real hall node over real HTTP: enrollment, offline issuance while
//! the hall node is unreachable (with a status that says so), then everything synced once the link is
//! back — tickets in the hall queue in arrival order, configuration and hall state pulled, a scan
//! uploaded and verified.

use edge::offline::{OfflineIssue, OfflineTarget, issue_ticket};
use edge::store::EdgeStore;
use edge::syncer::{Syncer, SyncerConfig};
use edge::{SyncClient, SyncState};
use node_testkit::*;
use serde_json::json;

/// A seeded node whose clock is the wall clock (the edge signs with real time).
async fn wall_clock_node() -> Node {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let clock = TestClock::new(server::engine::system_clock()());
    let mut n = Node::start_in(dir, clock, server::app::Role::All).await;
    server::api::halls::install_config(&n.app(), domain::Actor::System, test_city())
        .await
        .unwrap();
    n.set_test_passwords().await;
    n.keep(tmp);
    n
}

async fn enroll_kiosk(n: &Node, store: &EdgeStore) -> edge::Identity {
    let admin = n.login("admin").await;
    let (_, v) = n
        .req("POST", "/api/v1/devices/enrollment-codes")
        .bearer(&admin)
        .json(json!({"hall_id": "H1", "kind": "kiosk"}))
        .send()
        .await;
    let e = SyncClient::enroll(&n.base, v["code"].as_str().unwrap(), "1号自助机")
        .await
        .unwrap();
    let id = e.into_identity(&n.base);
    store.save_identity(&id).unwrap();
    id
}

#[tokio::test]
async fn a_kiosk_issues_offline_and_everything_joins_the_hall_when_the_link_is_back() {
    let n = wall_clock_node().await;
    let tmp = tempfile::tempdir().unwrap();
    let store = EdgeStore::open(tmp.path()).unwrap();
    let id = enroll_kiosk(&n, &store).await;
    let letter = id.letter.unwrap();

    // The hall node is unreachable (nothing listens where the kiosk looks).
    store
        .save_identity(&edge::Identity {
            upstream: "http://127.0.0.1:9".into(),
            ..id.clone()
        })
        .unwrap();
    let offline = Syncer::new(store.clone(), SyncerConfig::default()).unwrap();
    let mut issued = Vec::new();
    for _ in 0..3 {
        let t = issue_ticket(
            &store,
            &OfflineIssue {
                hall_id: "H1",
                letter,
                target: OfflineTarget::Queue { queue_id: "QB" },
                prefix: "B",
                birth: None,
                claims: &[],
                day: "2026-11-23",
                now_ms: n.clock.now(),
            },
        )
        .unwrap();
        issued.push(t);
    }
    assert_eq!(issued[0].display_number, format!("B-{letter}001"));
    let err = offline.sync_once().await.unwrap_err();
    assert!(err.is_unreachable(), "{err}");
    let status = offline.status().borrow().clone();
    assert!(matches!(status.state, SyncState::Unreachable { .. }), "{status:?}");
    assert_eq!(status.waiting_events, 3);
    assert!(status.to_string().contains("不可达"), "{status}");

    // The link is back.
    store.save_identity(&id).unwrap();
    let online = Syncer::new(store.clone(), SyncerConfig::default()).unwrap();
    let digest = store.put_blob(&vec![7u8; 700_000]).unwrap();
    let report = online.sync_once().await.unwrap();
    assert_eq!(report.applied, 3, "{report:?}");
    assert_eq!(report.blobs_uploaded, 1, "{report:?}");
    let status = online.status().borrow().clone();
    assert!(matches!(status.state, SyncState::Online), "{status:?}");
    assert_eq!((status.waiting_events, status.waiting_blobs), (0, 0));

    // In the hall queue, in arrival order, numbered from the kiosk's series.
    let qb = n.queue_snapshot("H1", "QB").await;
    assert_eq!(qb["waiting"], 3, "{qb}");
    assert_eq!(qb["next"], format!("B-{letter}001"));
    // The citizen's printed QR code works.
    let (st, v) = n
        .req("GET", &format!("/api/v1/tickets/status/{}", issued[2].token))
        .send()
        .await;
    assert_eq!(
        (st, v["display"].as_str()),
        (200, Some(format!("B-{letter}003").as_str())),
        "{v}"
    );

    // Configuration and the hall's state came down; the scan is there, intact.
    assert!(store.config_version().unwrap() >= 1);
    let changes = store.changes_after(0, 1000).unwrap();
    assert!(changes.iter().filter(|c| c.kind == "ticket_issued").count() >= 3);
    let admin = n.login("admin").await;
    let resp = n
        .http
        .get(format!("{}/api/v1/blobs/{digest}", n.base))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.bytes().await.unwrap().len(), 700_000);

    // Nothing more to do: a second round pushes nothing.
    let again = online.sync_once().await.unwrap();
    assert_eq!((again.pushed, again.applied), (0, 0), "{again:?}");
}

#[tokio::test]
async fn the_live_feed_resumes_after_a_drop_without_losing_or_repeating_events() {
    let mut n = wall_clock_node().await;
    let tmp = tempfile::tempdir().unwrap();
    let store = EdgeStore::open(tmp.path()).unwrap();
    let id = enroll_kiosk(&n, &store).await;
    let client = std::sync::Arc::new(SyncClient::from_identity(&id, &edge::ClientConfig::default()).unwrap());
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let (state, _) = tokio::sync::watch::channel(edge::feed::FeedState::Connecting);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let follower = tokio::spawn(edge::feed::follow_hall(
        client.clone(),
        "H1",
        None,
        tx,
        state,
        async move {
            let _ = stop_rx.await;
        },
    ));
    let kiosk = Device {
        id: id.device_id.clone(),
        key: hex::decode(&id.key_hex).unwrap(),
        letter: id.letter.map(String::from),
    };
    let issue = async |n: &Node| {
        let (st, v) = n
            .issue(&kiosk, json!({"hall_id": "H1", "queue_id": "QB", "channel": "kiosk"}))
            .await;
        assert_eq!(st, 201, "{v}");
        v["display"].as_str().unwrap().to_owned()
    };
    let next = async |rx: &mut tokio::sync::mpsc::Receiver<edge::feed::FeedEvent>| {
        tokio::time::timeout(std::time::Duration::from_secs(20), rx.recv())
            .await
            .expect("a feed event")
            .unwrap()
    };
    let first = issue(&n).await;
    let e1 = next(&mut rx).await;
    assert_eq!(
        (e1.kind.as_str(), e1.data["ticket"]["display"].as_str()),
        ("ticket_issued", Some(first.as_str()))
    );

    // The hall node goes down; a ticket is issued right after it comes back on the same address.
    let addr = n.running.as_ref().unwrap().addr;
    n.stop().await;
    let config = server::app::ServerConfig {
        role: server::app::Role::All,
        data: n.dir.clone(),
        listen: addr.to_string(),
        ..server::app::ServerConfig::default()
    };
    let tmp_keep = n.take_tmp();
    let mut n = Node::start_with(config, TestClock::new(server::engine::system_clock()())).await;
    if let Some(t) = tmp_keep {
        n.keep(t);
    }
    let second = issue(&n).await;
    let e2 = next(&mut rx).await;
    assert_eq!(e2.data["ticket"]["display"].as_str(), Some(second.as_str()), "{e2:?}");
    assert!(e2.id > e1.id);
    assert!(rx.try_recv().is_err(), "nothing twice");
    let _ = stop_tx.send(());
    assert_eq!(follower.await.unwrap(), Some(e2.id));
}

#[tokio::test]
async fn a_window_terminal_cannot_call_while_the_hall_node_is_unreachable_and_says_so() {
    let n = wall_clock_node().await;
    let admin = n.login("admin").await;
    let (_, v) = n
        .req("POST", "/api/v1/devices/enrollment-codes")
        .bearer(&admin)
        .json(json!({"hall_id": "H1", "kind": "window_terminal"}))
        .send()
        .await;
    let e = SyncClient::enroll(&n.base, v["code"].as_str().unwrap(), "1号窗口")
        .await
        .unwrap();
    let away = SyncClient::new(
        "http://127.0.0.1:9",
        &e.device_id,
        &e.key,
        &edge::ClientConfig::default(),
    )
    .unwrap();
    let err = away
        .call(
            reqwest::Method::POST,
            "/api/v1/windows/W1/call-next",
            None,
            Some("token"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, edge::ClientError::Unreachable(_)), "{err}");
    // Reachable again: the same call goes through with the staff session opened on this terminal.
    let near = SyncClient::new(&n.base, &e.device_id, &e.key, &edge::ClientConfig::default()).unwrap();
    let (st, v) = near
        .call(
            reqwest::Method::POST,
            "/api/v1/sessions",
            Some(&json!({"login": "w1", "password": PASSWORD})),
            None,
        )
        .await
        .unwrap();
    assert_eq!(st, 201, "{v}");
    let token = v["token"].as_str().unwrap().to_owned();
    for action in ["sign-in", "open"] {
        let (st, v) = near
            .call(
                reqwest::Method::POST,
                &format!("/api/v1/windows/W1/{action}"),
                None,
                Some(&token),
            )
            .await
            .unwrap();
        assert_eq!(st, 200, "{action}: {v}");
    }
    let (st, v) = near
        .call(
            reqwest::Method::POST,
            "/api/v1/windows/W1/call-next",
            None,
            Some(&token),
        )
        .await
        .unwrap();
    assert_eq!((st, v["code"].as_str()), (409, Some("nothing_waiting")), "{v}");
}
