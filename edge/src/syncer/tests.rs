#![allow(clippy::unwrap_used)]

use std::time::Duration;

use protocol::sync::{BLOB_CHUNK, Change, ConfigDoc};
use serde_json::json;
use tokio::sync::watch;

use super::fake::{DEVICE, Fake, key_hex};
use super::*;
use crate::store::{Identity, Settlement, StoreOptions};

struct Rig {
    fake: Fake,
    store: EdgeStore,
    syncer: Syncer,
    _dir: tempfile::TempDir,
}

async fn rig_with(options: StoreOptions, poll_interval: Duration) -> Rig {
    let fake = Fake::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = EdgeStore::open_with(dir.path(), options).unwrap();
    store
        .save_identity(&Identity {
            device_id: DEVICE.into(),
            hall_id: "hall-1".into(),
            key_hex: key_hex(),
            kind: "kiosk".into(),
            letter: Some('K'),
            upstream: fake.base.clone(),
        })
        .unwrap();
    let config = SyncerConfig {
        client: ClientConfig {
            connect_timeout: Duration::from_secs(1),
            request_timeout: Duration::from_secs(5),
        },
        poll_interval,
        // Small batches and pages, so that batching and paging are exercised.
        push_batch: 2,
        pull_limit: 2,
        ..SyncerConfig::default()
    };
    let syncer = Syncer::new(store.clone(), config).unwrap();
    Rig {
        fake,
        store,
        syncer,
        _dir: dir,
    }
}

async fn rig() -> Rig {
    rig_with(StoreOptions::default(), Duration::from_secs(3600)).await
}

fn append(store: &EdgeStore, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| store.append("device.heartbeat", 1, 1, &json!({ "i": i })).unwrap().id)
        .collect()
}

fn change(seq: i64) -> Change {
    Change {
        seq,
        hall_id: "hall-1".into(),
        kind: "ticket_issued".into(),
        at: seq,
        data: json!({ "display": format!("A{seq:03}") }),
    }
}

async fn wait_for(rx: &mut watch::Receiver<SyncStatus>, what: &str, f: impl FnMut(&SyncStatus) -> bool) -> SyncStatus {
    let found = match tokio::time::timeout(Duration::from_secs(15), rx.wait_for(f)).await {
        Ok(Ok(status)) => Some(status.clone()),
        _ => None,
    };
    found.unwrap_or_else(|| panic!("timed out waiting for {what}; status: {}", *rx.borrow()))
}

#[tokio::test]
async fn pushes_in_order_and_pulls_every_page() {
    let r = rig().await;
    r.fake.with(|f| {
        f.changes = (1..=5).map(change).collect();
        f.config = Some(ConfigDoc {
            version: 3,
            body: json!({ "halls": ["hall-1"] }),
        });
    });
    let mut ids = append(&r.store, 2);
    ids.push(
        r.store
            .append("ticket.rated", 1, 1, &json!({ "reject": true }))
            .unwrap()
            .id,
    );
    ids.extend(append(&r.store, 2));

    let report = r.syncer.sync_once().await.unwrap();
    assert_eq!(
        report,
        SyncReport {
            pushed: 5,
            applied: 4,
            rejected: 1,
            pulled: 5,
            config_version: Some(3),
            ..SyncReport::default()
        }
    );
    r.fake.with(|f| {
        assert_eq!(f.admitted, ids, "each event admitted once, in order");
        assert!(f.bad_requests.is_empty(), "{:?}", f.bad_requests);
    });
    assert_eq!(r.store.cursor().unwrap(), 5);
    assert_eq!(r.store.changes_after(0, 10).unwrap().len(), 5);
    assert_eq!(r.store.config().unwrap().map(|c| c.0), Some(3));
    let rejected = r.store.outbox_entry(3).unwrap().unwrap();
    assert_eq!(rejected.status, Some(Settlement::Rejected));
    assert_eq!(rejected.reject_code.as_deref(), Some("test_reject"));
    assert_eq!(r.store.outbox_entry(5).unwrap().unwrap().server_seq, Some(1005));
    assert_eq!(r.store.producer_last_seq().unwrap(), 5);
    let status = r.syncer.status().borrow().clone();
    assert_eq!(status.state, SyncState::Online);
    assert_eq!((status.waiting_events, status.last_error), (0, None));

    // Nothing new: a round changes nothing.
    let report = r.syncer.sync_once().await.unwrap();
    assert_eq!(report, SyncReport::default());
}

#[tokio::test]
async fn a_lost_response_is_answered_as_duplicate_and_never_guessed() {
    let r = rig().await;
    let ids = append(&r.store, 2);
    r.fake.with(|f| f.lose_next_push_response = true);
    let err = r.syncer.sync_once().await.unwrap_err();
    assert!(err.is_unreachable(), "{err}");
    // Upstream applied both, and even says so in a pull, but we had no result: still waiting.
    assert_eq!(r.store.waiting_events().unwrap(), 2);
    assert_eq!(r.store.outbox_entry(1).unwrap().unwrap().attempts, 1);
    let status = r.syncer.status().borrow().clone();
    assert!(matches!(status.state, SyncState::Unreachable { .. }), "{status}");
    assert_eq!(status.waiting_events, 2);

    let report = r.syncer.sync_once().await.unwrap();
    assert_eq!((report.duplicates, report.applied, report.healed), (2, 0, 0));
    assert_eq!(r.store.waiting_events().unwrap(), 0);
    assert_eq!(
        r.store.outbox_entry(2).unwrap().unwrap().status,
        Some(Settlement::Applied)
    );
    r.fake.with(|f| assert_eq!(f.admitted, ids, "applied exactly once"));
}

#[tokio::test]
async fn a_restored_upstream_gets_its_lost_events_again() {
    let r = rig().await;
    let ids = append(&r.store, 3);
    r.syncer.sync_once().await.unwrap();
    // Upstream restored from a backup that had only event 1; then we make event 4. Our push of 4
    // meets a gap at 2, and 2 and 3 are still here: heal.
    r.fake.with(|f| f.restore_backup(1));
    let more = append(&r.store, 1);
    let report = r.syncer.sync_once().await.unwrap();
    assert_eq!((report.healed, report.applied), (2, 3));
    r.fake.with(|f| {
        assert_eq!(f.last_seq, 4);
        let expected: Vec<String> = [&ids[..], &ids[1..], &more[..]].concat();
        assert_eq!(f.admitted, expected);
    });
    assert_eq!(r.store.waiting_events().unwrap(), 0);

    // Restored again with nothing waiting here: the pull's producer_last_seq reveals it.
    r.fake.with(|f| f.restore_backup(2));
    let report = r.syncer.sync_once().await.unwrap();
    assert_eq!((report.healed, report.applied), (2, 2));
    r.fake.with(|f| assert_eq!(f.last_seq, 4));
}

#[tokio::test]
async fn a_gap_over_pruned_events_is_reported_and_the_rest_still_syncs() {
    let r = rig_with(
        StoreOptions {
            outbox_retention_ms: 0,
            ..StoreOptions::default()
        },
        Duration::from_secs(3600),
    )
    .await;
    append(&r.store, 2);
    r.syncer.sync_once().await.unwrap();
    r.store.prune(now_ms() + 1).unwrap();
    r.fake.with(|f| {
        f.restore_backup(0);
        f.changes = vec![change(1)];
    });
    append(&r.store, 1);
    let err = r.syncer.sync_once().await.unwrap_err();
    assert!(
        matches!(
            err,
            SyncError::Store(StoreError::GapCannotHeal {
                expected: 1,
                oldest_kept: 3
            })
        ),
        "{err}"
    );
    let status = r.syncer.status().borrow().clone();
    assert!(matches!(status.state, SyncState::Error { .. }));
    assert!(status.to_string().contains("gap that cannot heal"), "{status}");
    assert_eq!(status.waiting_events, 1);
    // The pull still ran.
    assert_eq!(r.store.cursor().unwrap(), 1);
}

#[tokio::test]
async fn blobs_resume_where_upstream_stopped() {
    let r = rig().await;
    let bytes: Vec<u8> = (0..BLOB_CHUNK * 2 + 1000).map(|i| (i % 251) as u8).collect();
    let digest = r.store.put_blob(&bytes).unwrap();
    let local = r.store.pending_blobs().unwrap()[0].path.clone();
    // Upstream got the first chunk in an earlier, interrupted round.
    r.fake
        .with(|f| f.blobs.insert(digest.clone(), bytes[..BLOB_CHUNK].to_vec()));
    let report = r.syncer.sync_once().await.unwrap();
    assert_eq!(report.blobs_uploaded, 1);
    r.fake.with(|f| {
        assert_eq!(f.chunk_puts, 2, "only what was missing was sent");
        assert!(f.complete.contains(&digest));
        assert_eq!(f.blobs[&digest], bytes);
        assert!(f.bad_requests.is_empty(), "{:?}", f.bad_requests);
    });
    assert!(r.store.pending_blobs().unwrap().is_empty());
    assert!(!local.exists());
}

#[tokio::test]
async fn a_corrupted_transfer_is_restarted_once_then_reported() {
    let r = rig().await;
    let digest = r.store.put_blob(b"evaluation photo").unwrap();
    r.fake.with(|f| f.corrupt_next_chunk = true);
    let report = r.syncer.sync_once().await.unwrap();
    assert_eq!(report.blobs_uploaded, 1);
    r.fake.with(|f| assert!(f.complete.contains(&digest)));

    let other = r.store.put_blob(b"another photo").unwrap();
    r.fake.with(|f| f.corrupt_every_chunk = true);
    append(&r.store, 1);
    let err = r.syncer.sync_once().await.unwrap_err();
    assert!(
        matches!(&err, SyncError::BlobRejected { digest, .. } if *digest == other),
        "{err}"
    );
    assert_eq!(r.store.waiting_blobs().unwrap(), 1, "kept until upstream confirms it");
    // The refused blob held back neither the events nor the pull.
    assert_eq!(r.store.waiting_events().unwrap(), 0);
}

#[tokio::test]
async fn upgrade_needed_stops_the_loop() {
    let r = rig().await;
    r.fake.with(|f| f.upgrade_needed = true);
    let status = r.syncer.status();
    let stopped = tokio::time::timeout(Duration::from_secs(10), r.syncer.run(std::future::pending())).await;
    assert!(stopped.is_ok(), "the loop returns by itself");
    let status = status.borrow().clone();
    assert_eq!(status.state, SyncState::UpgradeNeeded);
    assert!(status.to_string().starts_with("需要升级本机软件"), "{status}");
}

#[tokio::test]
async fn the_loop_keeps_retrying_through_an_outage() {
    let r = rig().await;
    r.fake.with(|f| f.down = true);
    let mut status = r.syncer.status();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn(r.syncer.clone().run(async {
        let _ = stopped.await;
    }));
    let down = wait_for(&mut status, "unreachable", |s| {
        matches!(s.state, SyncState::Unreachable { .. })
    })
    .await;
    let SyncState::Unreachable { since_ms } = down.state else {
        unreachable!()
    };
    append(&r.store, 3);
    // The waiting count follows new events even while backing off.
    wait_for(&mut status, "3 waiting", |s| s.waiting_events == 3).await;
    // Several failures in a row, and "since" stays at the start of the outage.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(r.fake.with(|f| f.down_answers) >= 3);
    let still = status.borrow().clone();
    assert_eq!(still.state, SyncState::Unreachable { since_ms });

    r.fake.with(|f| f.down = false);
    wait_for(&mut status, "online with nothing waiting", |s| {
        s.state == SyncState::Online && s.waiting_events == 0
    })
    .await;
    r.fake.with(|f| assert_eq!(f.admitted.len(), 3));

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), run)
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn a_new_event_wakes_the_loop_at_once() {
    // An hour between polls: only the outbox notification can explain a prompt push.
    let r = rig().await;
    let mut status = r.syncer.status();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn(r.syncer.clone().run(async {
        let _ = stopped.await;
    }));
    wait_for(&mut status, "online", |s| s.state == SyncState::Online).await;
    append(&r.store, 1);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while r.fake.with(|f| f.admitted.is_empty()) {
        assert!(tokio::time::Instant::now() < deadline, "the new event was not pushed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), run)
        .await
        .unwrap()
        .unwrap();
}

#[test]
fn batches_stay_under_the_upstream_body_limit() {
    let event = |seq: i64, size: usize| protocol::sync::OutboxEvent {
        seq,
        id: format!("id-{seq}"),
        kind: "hall.event".into(),
        v: 1,
        at: 0,
        payload: json!({ "body": "x".repeat(size) }),
    };
    let big = crate::store::MAX_PAYLOAD_BYTES - 100;
    let batch = phases::fit_batch((1..=10).map(|s| event(s, big)).collect());
    assert_eq!(batch.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert!(serde_json::to_vec(&batch).unwrap().len() <= phases::MAX_PUSH_BYTES);
    assert_eq!(phases::fit_batch((1..=10).map(|s| event(s, 10)).collect()).len(), 10);
    assert!(phases::fit_batch(Vec::new()).is_empty());
}

#[tokio::test]
async fn not_enrolled_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = EdgeStore::open(dir.path()).unwrap();
    assert!(matches!(
        Syncer::new(store, SyncerConfig::default()),
        Err(SyncError::NotEnrolled)
    ));
}
