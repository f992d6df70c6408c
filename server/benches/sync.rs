//! Sync benchmarks over real loopback HTTP against a real node (SQLite, fsync), each beside a raw
//! SQLite baseline measured in the same run:
//! 1. a kiosk back after a long outage with 5,000 offline events — time until fully synced (goal < 3 s);
//! 2. push throughput in events/s (from 1), against raw batched inserts of as many rows;
//! 3. a new device pulling 100,000 changes, against reading and storing the same rows with plain SQL.
//!
//! `cargo bench -p server --bench sync`. Knobs: `BENCH_OFFLINE_N` (default 5000), `BENCH_PULL_N`
//! (default 100000). Last line:
//! `bench: offline_sync_s=… push_events_per_s=… push_ratio_to_raw=… pull_changes_per_s=… pull_ratio_to_raw=…`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::Actor;
use domain::ids::HallId;
use edge::offline::{OfflineIssue, OfflineTarget, issue_ticket};
use edge::store::EdgeStore;
use edge::syncer::{Syncer, SyncerConfig};
use server::app::{AppState, Role as NodeRole, ServerConfig};
use server::engine::system_clock;

mod common;
use common::*;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

async fn enroll(http: &reqwest::Client, base: &str, store: &EdgeStore) -> edge::Identity {
    let code = enrollment_code(http, base).await;
    let e = edge::SyncClient::enroll(base, &code, "压测自助机").await.unwrap();
    let id = e.into_identity(base);
    store.save_identity(&id).unwrap();
    id
}

/// Syncs until nothing waits and the cursor reached the head; returns the rounds it took and the
/// changes pulled.
async fn sync_all(syncer: &Syncer, store: &EdgeStore, app: &AppState) -> (u32, u64) {
    let (mut rounds, mut pulled) = (0, 0);
    loop {
        rounds += 1;
        pulled += syncer.sync_once().await.expect("sync round").pulled;
        let head = app.engine.shared.head_seq.load(std::sync::atomic::Ordering::SeqCst);
        if store.waiting_events().unwrap() == 0 && store.cursor().unwrap() >= head {
            return (rounds, pulled);
        }
        assert!(rounds < 1000, "sync does not converge");
    }
}

/// Raw baseline for pushing: `n` rows of `bytes` each, inserted in batches of 500 with one fsync'd
/// commit per batch (what the node must at least do to make the events durable).
fn raw_push_baseline(n: usize, bytes: usize) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("raw.db")).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.execute_batch("CREATE TABLE e (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, body TEXT)")
        .unwrap();
    let body = "x".repeat(bytes);
    let t = Instant::now();
    for chunk in (0..n).collect::<Vec<_>>().chunks(protocol::sync::MAX_PUSH_EVENTS) {
        conn.execute_batch("BEGIN").unwrap();
        for i in chunk {
            conn.execute(
                "INSERT INTO e (seq, id, body) VALUES (?1, ?2, ?3)",
                rusqlite::params![*i as i64 + 1, uuid::Uuid::now_v7().to_string(), body],
            )
            .unwrap();
        }
        conn.execute_batch("COMMIT").unwrap();
    }
    t.elapsed()
}

/// Raw baseline for pulling: read the hall's public rows page by page straight from the node's file
/// and store them in a device-side table, with no HTTP, signing or JSON in between.
fn raw_pull_baseline(node_db: &std::path::Path) -> (usize, Duration) {
    let src = rusqlite::Connection::open_with_flags(node_db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dst = rusqlite::Connection::open(dir.path().join("raw-device.db")).unwrap();
    dst.pragma_update(None, "journal_mode", "WAL").unwrap();
    dst.pragma_update(None, "synchronous", "FULL").unwrap();
    dst.execute_batch("CREATE TABLE changes (seq INTEGER PRIMARY KEY, hall_id TEXT, kind TEXT, at INTEGER, data TEXT)")
        .unwrap();
    let t = Instant::now();
    let (mut after, mut total) = (0i64, 0usize);
    loop {
        let mut st = src
            .prepare_cached(
                "SELECT seq, hall_id, kind, at, public FROM events WHERE hall_id = ?1 AND seq > ?2 AND public IS NOT NULL ORDER BY seq LIMIT 5000",
            )
            .unwrap();
        let rows: Vec<(i64, String, String, i64, String)> = st
            .query_map(rusqlite::params![HALL, after], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        if rows.is_empty() {
            return (total, t.elapsed());
        }
        dst.execute_batch("BEGIN").unwrap();
        for r in &rows {
            dst.execute(
                "INSERT INTO changes VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![r.0, r.1, r.2, r.3, r.4],
            )
            .unwrap();
        }
        dst.execute_batch("COMMIT").unwrap();
        total += rows.len();
        after = rows.last().map_or(after, |r| r.0);
    }
}

/// Fills the hall's log with `n` issued tickets (in process, 32 concurrent issuers).
async fn fill(app: &Arc<AppState>, n: usize) {
    let per = n.div_ceil(32);
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..per {
                app.engine
                    .execute(HallId::new(HALL), Actor::System, issue_cmd(), None)
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

fn main() {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(run());
}

async fn run() {
    let offline_n = usize::try_from(env_u64("BENCH_OFFLINE_N", 5000)).unwrap();
    let pull_n = usize::try_from(env_u64("BENCH_PULL_N", 100_000)).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let config = ServerConfig {
        role: NodeRole::All,
        data: tmp.path().join("node"),
        listen: "127.0.0.1:0".into(),
        ..ServerConfig::default()
    };
    let running = server::start(config, system_clock()).await.expect("start node");
    let app = running.app.clone();
    let base = format!("http://{}", running.addr);
    server::api::halls::replace_config(&app, Actor::System, bench_city())
        .await
        .unwrap();
    let admin = bench_city().staff.into_iter().next().unwrap();
    set_passwords(&app, &[admin], PASSWORD).await;
    let http = client();

    // --- 1 + 2: a kiosk back after a long outage ---
    let kiosk_store = EdgeStore::open(&tmp.path().join("kiosk")).unwrap();
    let id = enroll(&http, &base, &kiosk_store).await;
    let letter = id.letter.expect("kiosks get a letter");
    let now = system_clock()();
    for _ in 0..offline_n {
        issue_ticket(
            &kiosk_store,
            &OfflineIssue {
                hall_id: HALL,
                letter,
                target: OfflineTarget::Item {
                    item_id: ITEM,
                    queue_id: QUEUE,
                },
                prefix: "A",
                birth: None,
                claims: &[],
                day: "2026-11-23",
                now_ms: now,
            },
        )
        .unwrap();
    }
    let syncer = Syncer::new(kiosk_store.clone(), SyncerConfig::default()).unwrap();
    let t = Instant::now();
    let (rounds, _) = sync_all(&syncer, &kiosk_store, &app).await;
    let offline = t.elapsed();
    let raw_push = raw_push_baseline(offline_n, 300);
    let push_rate = per_s(offline_n as u64, offline);
    let push_ratio = raw_push.as_secs_f64() / offline.as_secs_f64();
    println!(
        "offline kiosk: {offline_n} events pushed, applied and the hall's changes pulled back in {:.2} s ({rounds} rounds) = {push_rate:.0} events/s; goal < 3 s: {}",
        offline.as_secs_f64(),
        if offline < Duration::from_secs(3) {
            "met"
        } else {
            "NOT met"
        }
    );
    println!(
        "  raw baseline: {offline_n} rows inserted in batches of 500, fsync per batch, in {:.3} s → ratio {push_ratio:.2}",
        raw_push.as_secs_f64()
    );

    // --- 3: a new device pulls 100k changes ---
    let t = Instant::now();
    let head0 = app.engine.shared.head_seq.load(std::sync::atomic::Ordering::SeqCst) as usize;
    fill(&app, pull_n.saturating_sub(head0)).await;
    println!(
        "  (filled the log to {} events in {:.1} s, untimed)",
        pull_n.max(head0),
        t.elapsed().as_secs_f64()
    );
    let fresh = EdgeStore::open(&tmp.path().join("fresh")).unwrap();
    enroll(&http, &base, &fresh).await;
    let puller = Syncer::new(fresh.clone(), SyncerConfig::default()).unwrap();
    let t = Instant::now();
    let (_, pulled) = sync_all(&puller, &fresh, &app).await;
    let pull = t.elapsed();
    let (raw_rows, raw_pull) = raw_pull_baseline(&tmp.path().join("node").join("node.db"));
    let pull_rate = per_s(pulled, pull);
    let raw_rate = per_s(raw_rows as u64, raw_pull);
    println!(
        "new device: pulled {pulled} changes in {:.2} s = {pull_rate:.0} changes/s (raw SQL read+store of {raw_rows} rows: {raw_rate:.0}/s)",
        pull.as_secs_f64()
    );
    running.stop().await;
    println!(
        "bench: offline_sync_s={:.2} push_events_per_s={push_rate:.0} push_ratio_to_raw={push_ratio:.2} pull_changes_per_s={pull_rate:.0} pull_ratio_to_raw={:.2}",
        offline.as_secs_f64(),
        pull_rate / raw_rate.max(1e-9)
    );
}
