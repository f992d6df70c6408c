#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use protocol::sync::{Change, ConfigDoc, PullResponse, PushResponse, PushResult, PushStatus};
use serde_json::json;

use super::*;

fn open(dir: &Path) -> EdgeStore {
    EdgeStore::open(dir).unwrap()
}

fn fresh() -> (tempfile::TempDir, EdgeStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    (dir, store)
}

fn append_n(store: &EdgeStore, n: usize) -> Vec<protocol::sync::OutboxEvent> {
    (0..n)
        .map(|i| {
            store
                .append(
                    "device.heartbeat",
                    1,
                    1000 + i64::try_from(i).unwrap(),
                    &json!({ "i": i }),
                )
                .unwrap()
        })
        .collect()
}

fn result(event: &protocol::sync::OutboxEvent, status: PushStatus) -> PushResult {
    PushResult {
        seq: event.seq,
        id: event.id.clone(),
        status,
        original: None,
        server_seq: None,
        code: None,
        reason: None,
    }
}

fn response(results: Vec<PushResult>) -> PushResponse {
    PushResponse {
        producer: "dev-1".into(),
        last_seq: results.iter().map(|r| r.seq).max().unwrap_or(0),
        results,
    }
}

fn settle_all(store: &EdgeStore, events: &[protocol::sync::OutboxEvent]) {
    let results = events.iter().map(|e| result(e, PushStatus::Applied)).collect();
    store.settle(&response(results)).unwrap();
}

fn seqs(store: &EdgeStore) -> Vec<i64> {
    store.pending(1000).unwrap().iter().map(|e| e.seq).collect()
}

fn change(seq: i64) -> Change {
    Change {
        seq,
        hall_id: "hall-1".into(),
        kind: "ticket_called".into(),
        at: seq * 10,
        data: json!({ "n": seq }),
    }
}

fn page(changes: Vec<Change>, next: i64, head: i64) -> PullResponse {
    PullResponse {
        config: None,
        changes,
        next,
        head,
        producer_last_seq: 0,
    }
}

#[test]
fn outbox_sequence_has_no_holes_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let first = append_n(&open(dir.path()), 3);
    let store = open(dir.path());
    let second = append_n(&store, 2);
    let all: Vec<i64> = first.iter().chain(&second).map(|e| e.seq).collect();
    assert_eq!(all, vec![1, 2, 3, 4, 5]);
    assert_eq!(seqs(&store), vec![1, 2, 3, 4, 5]);
    let pending = store.pending(2).unwrap();
    assert_eq!(
        pending,
        first[..2].to_vec(),
        "pending returns the stored events, oldest first"
    );
    let mut ids: Vec<String> = first.iter().chain(&second).map(|e| e.id.clone()).collect();
    for id in &ids {
        assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 7);
    }
    ids.dedup();
    assert_eq!(ids.len(), 5);
    assert_eq!(store.last_outbox_seq().unwrap(), 5);
}

#[test]
fn a_sequence_is_never_reused_after_everything_was_pruned() {
    let (_dir, store) = fresh();
    let events = append_n(&store, 2);
    settle_all(&store, &events);
    let pruned = store.prune(now_ms() + DEFAULT_OUTBOX_RETENTION_MS + 1).unwrap();
    assert_eq!(pruned.outbox, 2);
    let next = append_n(&store, 1);
    assert_eq!(next[0].seq, 3);
}

#[test]
fn settle_records_each_result_and_duplicates_take_their_original_status() {
    let (_dir, store) = fresh();
    let e = append_n(&store, 4);
    let mut applied = result(&e[0], PushStatus::Applied);
    applied.server_seq = Some(41);
    let mut rejected = result(&e[1], PushStatus::Rejected);
    rejected.code = Some("queue_closed".into());
    rejected.reason = Some("窗口已关闭".into());
    let mut dup_rejected = result(&e[2], PushStatus::Duplicate);
    dup_rejected.original = Some(PushStatus::Rejected);
    dup_rejected.code = Some("bad".into());
    let mut dup_applied = result(&e[3], PushStatus::Duplicate);
    dup_applied.original = Some(PushStatus::Applied);
    dup_applied.server_seq = Some(44);
    let counts = store
        .settle(&response(vec![applied, rejected, dup_rejected, dup_applied]))
        .unwrap();
    assert_eq!(
        counts,
        SettleCounts {
            settled: 4,
            applied: 1,
            rejected: 1,
            duplicates: 2,
            ignored: 0
        }
    );
    assert!(store.pending(10).unwrap().is_empty());
    assert_eq!(store.waiting_events().unwrap(), 0);
    let first = store.outbox_entry(1).unwrap().unwrap();
    assert_eq!((first.status, first.server_seq), (Some(Settlement::Applied), Some(41)));
    assert!(first.settled_at.is_some());
    let second = store.outbox_entry(2).unwrap().unwrap();
    assert_eq!(second.status, Some(Settlement::Rejected));
    assert_eq!(second.reject_code.as_deref(), Some("queue_closed"));
    assert_eq!(second.reject_reason.as_deref(), Some("窗口已关闭"));
    assert_eq!(
        store.outbox_entry(3).unwrap().unwrap().status,
        Some(Settlement::Rejected)
    );
    assert_eq!(
        store.outbox_entry(4).unwrap().unwrap().status,
        Some(Settlement::Applied)
    );
    assert_eq!(store.settled_through().unwrap(), 4);

    // The first answer stands; results for unknown sequences are ignored.
    let mut late = result(&e[0], PushStatus::Rejected);
    late.code = Some("x".into());
    let mut unknown = result(&e[0], PushStatus::Applied);
    unknown.seq = 99;
    let counts = store.settle(&response(vec![late, unknown])).unwrap();
    assert_eq!((counts.settled, counts.ignored), (0, 2));
    assert_eq!(
        store.outbox_entry(1).unwrap().unwrap().status,
        Some(Settlement::Applied)
    );
}

#[test]
fn a_result_for_another_event_id_records_nothing() {
    let (_dir, store) = fresh();
    let e = append_n(&store, 2);
    let good = result(&e[0], PushStatus::Applied);
    let mut foreign = result(&e[1], PushStatus::Duplicate);
    foreign.original = Some(PushStatus::Applied);
    foreign.id = "someone-else".into();
    let err = store.settle(&response(vec![good, foreign])).unwrap_err();
    assert!(matches!(err, StoreError::IdMismatch { seq: 2, .. }), "{err}");
    // One transaction: the good result was not recorded either.
    assert_eq!(seqs(&store), vec![1, 2]);
}

#[test]
fn events_that_could_never_be_pushed_are_refused() {
    let (_dir, store) = fresh();
    let big = json!({ "data": "x".repeat(MAX_PAYLOAD_BYTES) });
    assert!(matches!(
        store.append("device.heartbeat", 1, 1, &big),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.append("", 1, 1, &json!({})),
        Err(StoreError::Invalid(_))
    ));
    // Refused events take no sequence.
    assert_eq!(append_n(&store, 1)[0].seq, 1);
}

#[test]
fn note_failure_marks_the_head_rows() {
    let (_dir, store) = fresh();
    append_n(&store, 3);
    store.note_failure("connection refused", 2).unwrap();
    store.note_failure("timed out", 2).unwrap();
    let first = store.outbox_entry(1).unwrap().unwrap();
    assert_eq!((first.attempts, first.last_error.as_deref()), (2, Some("timed out")));
    assert_eq!(store.outbox_entry(3).unwrap().unwrap().attempts, 0);
    store.note_failure(&"x".repeat(10_000), 1).unwrap();
    assert_eq!(store.outbox_entry(1).unwrap().unwrap().last_error.unwrap().len(), 500);
}

#[test]
fn unsettle_from_heals_an_upstream_that_lost_events() {
    let (_dir, store) = fresh();
    let e = append_n(&store, 4);
    settle_all(&store, &e);
    assert!(seqs(&store).is_empty());
    assert_eq!(store.unsettle_from(3).unwrap(), 2);
    assert_eq!(seqs(&store), vec![3, 4]);
    let entry = store.outbox_entry(3).unwrap().unwrap();
    assert_eq!((entry.status, entry.settled_at), (None, None));
    assert_eq!(store.settled_through().unwrap(), 2);
    // Already waiting rows are not counted again; nothing to unsettle after the last event.
    assert_eq!(store.unsettle_from(3).unwrap(), 0);
    assert_eq!(store.unsettle_from(5).unwrap(), 0);
    // Upstream expecting more than we ever made: the store was replaced.
    assert!(matches!(
        store.unsettle_from(7),
        Err(StoreError::StoreReplaced { upstream: 6, local: 4 })
    ));
    assert!(matches!(store.unsettle_from(0), Err(StoreError::Invalid(_))));
}

#[test]
fn a_gap_over_pruned_rows_cannot_heal() {
    let dir = tempfile::tempdir().unwrap();
    let store = EdgeStore::open_with(
        dir.path(),
        StoreOptions {
            outbox_retention_ms: 0,
            ..StoreOptions::default()
        },
    )
    .unwrap();
    let e = append_n(&store, 3);
    settle_all(&store, &e);
    store.prune(now_ms() + 1).unwrap();
    append_n(&store, 1);
    let err = store.unsettle_from(2).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::GapCannotHeal {
                expected: 2,
                oldest_kept: 4
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("gap that cannot heal"));
    assert_eq!(seqs(&store), vec![4], "nothing changed");
    assert!(matches!(
        store.reconcile_upstream(0),
        Err(StoreError::GapCannotHeal { expected: 1, .. })
    ));
}

#[test]
fn reconcile_re_sends_only_what_upstream_lost() {
    let (_dir, store) = fresh();
    let e = append_n(&store, 5);
    settle_all(&store, &e[..3]);
    // Upstream settled 4 too, but its answer was lost: row 4 stays waiting until a push gets the
    // stored result.
    assert_eq!(store.reconcile_upstream(4).unwrap(), 0);
    assert_eq!(seqs(&store), vec![4, 5]);
    assert_eq!(store.reconcile_upstream(3).unwrap(), 0);
    // Upstream restored to 1: 2 and 3 go again.
    assert_eq!(store.reconcile_upstream(1).unwrap(), 2);
    assert_eq!(seqs(&store), vec![2, 3, 4, 5]);
    assert!(matches!(
        store.reconcile_upstream(9),
        Err(StoreError::StoreReplaced { upstream: 9, local: 5 })
    ));
}

#[test]
fn prune_keeps_unsettled_rows_and_recent_settled_ones() {
    let (_dir, store) = fresh();
    let e = append_n(&store, 3);
    settle_all(&store, &e[..1]);
    assert_eq!(store.prune(now_ms()).unwrap().outbox, 0, "settled just now: kept");
    let pruned = store.prune(now_ms() + DEFAULT_OUTBOX_RETENTION_MS + 1).unwrap();
    assert_eq!(pruned.outbox, 1);
    assert!(store.outbox_entry(1).unwrap().is_none());
    assert_eq!(seqs(&store), vec![2, 3]);
}

#[test]
fn configuration_only_moves_forward() {
    let (_dir, store) = fresh();
    assert_eq!(store.config().unwrap(), None);
    assert_eq!(store.config_version().unwrap(), 0);
    assert!(store.set_config(3, &json!({ "v": 3 })).unwrap());
    assert!(!store.set_config(2, &json!({ "v": 2 })).unwrap());
    assert!(!store.set_config(3, &json!({ "v": "again" })).unwrap());
    assert_eq!(store.config().unwrap(), Some((3, json!({ "v": 3 }))));
    assert!(store.set_config(5, &json!({ "v": 5 })).unwrap());
    assert_eq!(store.config().unwrap(), Some((5, json!({ "v": 5 }))));
    assert_eq!(store.config_version().unwrap(), 5);
}

#[test]
fn cursor_never_moves_back() {
    let (_dir, store) = fresh();
    assert_eq!(store.cursor().unwrap(), 0);
    assert!(store.advance_cursor(10).unwrap());
    assert!(!store.advance_cursor(4).unwrap());
    assert!(!store.advance_cursor(10).unwrap());
    assert_eq!(store.cursor().unwrap(), 10);
    assert!(store.advance_cursor(11).unwrap());
    assert_eq!(store.cursor().unwrap(), 11);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn cursor_is_the_running_maximum(moves in proptest::collection::vec(-5i64..1000, 1..40)) {
        let (_dir, store) = fresh();
        let mut expected = 0;
        for n in moves {
            let moved = store.advance_cursor(n).unwrap();
            prop_assert_eq!(moved, n > expected);
            expected = expected.max(n);
            prop_assert_eq!(store.cursor().unwrap(), expected);
        }
    }
}

#[test]
fn pulled_pages_store_changes_after_the_cursor_only() {
    let dir = tempfile::tempdir().unwrap();
    let store = EdgeStore::open_with(
        dir.path(),
        StoreOptions {
            changes_kept: 3,
            ..StoreOptions::default()
        },
    )
    .unwrap();
    let mut first = page(vec![change(1), change(2)], 2, 6);
    first.config = Some(ConfigDoc {
        version: 7,
        body: json!({ "halls": [] }),
    });
    first.producer_last_seq = 4;
    let applied = store.apply_pull(&first).unwrap();
    assert_eq!(
        applied,
        PullApplied {
            stored: 2,
            config_version: Some(7),
            cursor: 2,
            regressed: false
        }
    );
    assert_eq!(store.producer_last_seq().unwrap(), 4);
    assert_eq!(store.config_version().unwrap(), 7);

    // An overlapping page: 2 is not stored twice; the page keeps only the 3 most recent changes.
    let applied = store
        .apply_pull(&page(vec![change(2), change(4), change(6)], 6, 6))
        .unwrap();
    assert_eq!((applied.stored, applied.cursor), (2, 6));
    let kept: Vec<i64> = store.changes_after(0, 100).unwrap().iter().map(|c| c.seq).collect();
    assert_eq!(kept, vec![2, 4, 6]);
    assert_eq!(store.changes_after(2, 100).unwrap()[0], change(4));

    // A page behind the cursor (upstream went back in time) moves nothing back and stores nothing.
    let applied = store.apply_pull(&page(vec![change(3)], 3, 3)).unwrap();
    assert!(applied.regressed);
    assert_eq!((applied.stored, applied.cursor), (0, 6));
    assert_eq!(store.cursor().unwrap(), 6);
}

#[test]
fn offline_numbers_are_unique_and_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = open(dir.path());
        assert_eq!(store.next_offline_number("q-a", "2025-01-01").unwrap(), 1);
        assert_eq!(store.next_offline_number("q-a", "2025-01-01").unwrap(), 2);
        assert_eq!(store.next_offline_number("q-b", "2025-01-01").unwrap(), 1);
        assert_eq!(store.next_offline_number("q-a", "2025-01-02").unwrap(), 1);
    }
    let store = open(dir.path());
    assert_eq!(store.next_offline_number("q-a", "2025-01-01").unwrap(), 3);
    // From several threads at once: still no number twice.
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let store = store.clone();
            std::thread::spawn(move || {
                (0..25)
                    .map(|_| store.next_offline_number("q-c", "2025-01-01").unwrap())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut all: Vec<u32> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    all.sort_unstable();
    assert_eq!(all, (1..=100).collect::<Vec<u32>>());
}

#[test]
fn blobs_are_kept_until_upload_is_confirmed() {
    let (_dir, store) = fresh();
    let bytes = b"scan of a form".repeat(1000);
    let digest = store.put_blob(&bytes).unwrap();
    assert_eq!(digest, protocol::sign::sm3_hex(&bytes));
    assert_eq!(store.put_blob(&bytes).unwrap(), digest, "same bytes, same blob");
    let pending = store.pending_blobs().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].size, u64::try_from(bytes.len()).unwrap());
    assert_eq!(pending[0].path, store.blob_dir().join(&digest));
    assert_eq!(std::fs::read(&pending[0].path).unwrap(), bytes);
    assert_eq!(store.read_blob_chunk(&digest, 14, 14).unwrap(), b"scan of a form");
    assert_eq!(store.read_blob_chunk(&digest, 13_990, 100).unwrap().len(), 10);
    assert!(store.blob_intact(&digest).unwrap());
    assert_eq!(store.waiting_blobs().unwrap(), 1);

    assert!(store.mark_blob_uploaded(&digest).unwrap());
    assert!(!store.mark_blob_uploaded(&digest).unwrap());
    assert!(store.pending_blobs().unwrap().is_empty());
    assert!(!pending[0].path.exists(), "file removed once upstream has it");
    // Saving it again does not bring back a file to upload.
    store.put_blob(&bytes).unwrap();
    assert!(store.pending_blobs().unwrap().is_empty());
    assert!(!pending[0].path.exists());
    // No temporary files are left behind.
    assert_eq!(std::fs::read_dir(store.blob_dir()).unwrap().count(), 0);
}

#[test]
fn a_damaged_blob_file_is_detected() {
    let (_dir, store) = fresh();
    let digest = store.put_blob(b"photo").unwrap();
    std::fs::write(store.blob_dir().join(&digest), b"phoTo").unwrap();
    assert!(!store.blob_intact(&digest).unwrap());
}

#[test]
fn identity_round_trips_and_never_prints_its_key() {
    let (_dir, store) = fresh();
    assert_eq!(store.identity().unwrap(), None);
    let id = Identity {
        device_id: "dev-1".into(),
        hall_id: "hall-1".into(),
        key_hex: "ab".repeat(32),
        kind: "kiosk".into(),
        letter: Some('K'),
        upstream: "http://127.0.0.1:8080".into(),
    };
    store.save_identity(&id).unwrap();
    assert_eq!(store.identity().unwrap(), Some(id.clone()));
    assert!(!format!("{id:?}").contains(&id.key_hex));
    let no_letter = Identity { letter: None, ..id };
    store.save_identity(&no_letter).unwrap();
    assert_eq!(store.identity().unwrap(), Some(no_letter));
}

#[test]
fn a_store_from_a_newer_build_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path()));
    let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    assert!(matches!(
        EdgeStore::open(dir.path()),
        Err(StoreError::TooNew { found: 99, known: 1 })
    ));
}
