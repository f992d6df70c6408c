//! Throughput benchmark: `cargo bench -p server --bench throughput`.
//!
//! One run measures, on a real node (real SQLite file, WAL, `synchronous=FULL`, system clock):
//! 1. in process: 32 tasks issuing tickets through `Engine::execute` → issues/s (and the group-commit
//!    batch size the engine achieves);
//! 2. raw baseline: plain rusqlite batched inserts of the same event rows (a real `ticket_issued` row)
//!    into the same `events` schema, in batches of the measured mean batch size → rows/s;
//! 3. in process: 32 open windows, each looping call-next + finish → call-next/s;
//! 4. over loopback HTTP: 32 keep-alive clients sending signed `POST /api/v1/tickets` → issues/s;
//! 5. over loopback HTTP: 32 window staff sessions looping call-next + finish → call-next/s;
//! 6. one client, sequential signed issues → p50/p99 latency.
//!
//! Phases 4 and 6 start from an empty queue (the backlog is called off untimed first): what an issue
//! costs grows with the number waiting ahead (the wait estimate counts them), so a fixed start keeps runs
//! comparable. The call phases are topped up (untimed) so that they do not run dry.
//!
//! The last line is machine-readable:
//! `bench: issue_per_s=… call_per_s=… raw_insert_per_s=… ratio_to_raw=…`
//! (ratio = in-process issue/s ÷ raw insert rows/s). Targets (reported, not asserted): ≥ 5,000 signed
//! issues/s over HTTP with 32 clients, p99 < 5 ms single client, ratio ≥ 0.5.
//!
//! Knobs (environment): `BENCH_SECS` (length of each timed phase, default 5), `BENCH_LATENCY_N`
//! (sequential requests for the latency phase, default 2000), `BENCH_RAW_SECS` (default 3).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use domain::ids::*;
use domain::{Actor, Command, DomainError};
use node_testkit::sign;
use server::app::{AppState, Role as NodeRole, ServerConfig};
use server::engine::{Clock, EngineError, system_clock};
use server::store::EventRow;

mod common;
use common::*;

// The same allocator as the server binary, so the in-process numbers are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CLIENTS: usize = 32;
const ISSUE_PATH: &str = "/api/v1/tickets";
const ISSUE_BODY: &[u8] = br#"{"hall_id":"H1","item_id":"I1","channel":"kiosk"}"#;

// ---------------------------------------------------------------------------------------------------
// Metrics from the server's own registry (what `/metrics` shows).

#[derive(Clone, Copy, Default, Debug)]
struct Snap {
    batches: f64,
    batch_cmds: f64,
    commit_secs: f64,
    events: f64,
    at: Option<Instant>,
}

fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}

fn snap(app: &AppState) -> Snap {
    let t = app.engine.shared.metrics.render();
    Snap {
        batches: metric(&t, "hall_commit_batch_size_count"),
        batch_cmds: metric(&t, "hall_commit_batch_size_sum"),
        commit_secs: metric(&t, "hall_commit_seconds_sum"),
        events: metric(&t, "hall_events_appended_total"),
        at: Some(Instant::now()),
    }
}

/// Mean batch size, mean batch time and writer busy share between two snapshots.
struct WriterStats {
    mean_batch: f64,
    mean_batch_ms: f64,
    busy: f64,
    commits_per_s: f64,
}

fn writer_stats(a: Snap, b: Snap) -> WriterStats {
    let n = (b.batches - a.batches).max(1.0);
    let wall = b.at.unwrap().duration_since(a.at.unwrap()).as_secs_f64().max(1e-9);
    WriterStats {
        mean_batch: (b.batch_cmds - a.batch_cmds) / n,
        mean_batch_ms: (b.commit_secs - a.commit_secs) / n * 1000.0,
        busy: (b.commit_secs - a.commit_secs) / wall,
        commits_per_s: (b.batches - a.batches) / wall,
    }
}

fn print_writer(label: &str, w: &WriterStats) {
    println!(
        "  {label} writer: mean batch {:.1} commands, {:.0} commits/s, mean batch time {:.2} ms (decide+apply+SQL+fsync), writer busy {:.0}%",
        w.mean_batch,
        w.commits_per_s,
        w.mean_batch_ms,
        w.busy * 100.0
    );
}

// ---------------------------------------------------------------------------------------------------
// Helpers.

fn waiting(app: &AppState) -> usize {
    app.engine
        .shared
        .state
        .read()
        .halls
        .get(&HallId::new(HALL))
        .map_or(0, |h| h.waiting_in(&QueueId::new(QUEUE)))
}

#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    err: AtomicU64,
    first_err: parking_lot::Mutex<Option<String>>,
    ran_dry: AtomicBool,
}

impl Tally {
    fn fail(&self, e: String) {
        self.err.fetch_add(1, Ordering::Relaxed);
        let mut f = self.first_err.lock();
        if f.is_none() {
            *f = Some(e);
        }
    }
    fn report(&self) -> String {
        let err = self.err.load(Ordering::Relaxed);
        let mut s = String::new();
        if err > 0 {
            s = format!(
                ", {err} errors (first: {})",
                self.first_err.lock().clone().unwrap_or_default()
            );
        }
        if self.ran_dry.load(Ordering::Relaxed) {
            s.push_str(", the backlog ran out before the end");
        }
        s
    }
}

/// Issues in process (untimed) until at least `target` tickets wait in the queue.
async fn top_up(app: &Arc<AppState>, actor: &Actor, target: usize) {
    let have = waiting(app);
    if have >= target {
        return;
    }
    let remaining = Arc::new(AtomicI64::new(i64::try_from(target - have).unwrap()));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (app, actor, remaining) = (app.clone(), actor.clone(), remaining.clone());
        tasks.push(tokio::spawn(async move {
            while remaining.fetch_sub(1, Ordering::Relaxed) > 0 {
                app.engine
                    .execute(HallId::new(HALL), actor.clone(), issue_cmd(), None)
                    .await
                    .expect("top-up issue");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    println!(
        "  (topped the backlog up from {have} to {} waiting in {:.1} s, untimed)",
        waiting(app),
        started.elapsed().as_secs_f64()
    );
}

/// Calls and finishes in process (untimed) until the queue is empty, so that the next phase starts from
/// a known backlog: what an issue costs depends on how many wait ahead (see the wait estimate).
async fn drain(app: &Arc<AppState>) {
    let have = waiting(app);
    if have == 0 {
        return;
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..WINDOWS {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let actor = Actor::Staff(StaffId::new(staff_id(i)));
            let window = WindowId::new(window_id(i));
            let hall = HallId::new(HALL);
            while app
                .engine
                .execute(
                    hall.clone(),
                    actor.clone(),
                    Command::CallNext { window: window.clone() },
                    None,
                )
                .await
                .is_ok()
            {
                app.engine
                    .execute(
                        hall.clone(),
                        actor.clone(),
                        Command::Finish { window: window.clone() },
                        None,
                    )
                    .await
                    .expect("finish");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    println!(
        "  (drained {have} waiting tickets in {:.1} s, untimed)",
        started.elapsed().as_secs_f64()
    );
}

// ---------------------------------------------------------------------------------------------------
// Phases.

async fn inprocess_issue(app: &Arc<AppState>, actor: &Actor, dur: Duration) -> (f64, Arc<Tally>, Duration) {
    let tally = Arc::new(Tally::default());
    let started = Instant::now();
    let deadline = started + dur;
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (app, actor, tally) = (app.clone(), actor.clone(), tally.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                match app
                    .engine
                    .execute(HallId::new(HALL), actor.clone(), issue_cmd(), None)
                    .await
                {
                    Ok(_) => tally.ok.fetch_add(1, Ordering::Relaxed),
                    Err(e) => {
                        tally.fail(e.to_string());
                        continue;
                    }
                };
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed();
    (per_s(tally.ok.load(Ordering::Relaxed), elapsed), tally, elapsed)
}

async fn inprocess_call(app: &Arc<AppState>, dur: Duration) -> (f64, Arc<Tally>, Duration) {
    let tally = Arc::new(Tally::default());
    let started = Instant::now();
    let deadline = started + dur;
    let mut tasks = Vec::new();
    for i in 0..WINDOWS {
        let (app, tally) = (app.clone(), tally.clone());
        tasks.push(tokio::spawn(async move {
            let actor = Actor::Staff(StaffId::new(staff_id(i)));
            let window = WindowId::new(window_id(i));
            let hall = HallId::new(HALL);
            while Instant::now() < deadline {
                match app
                    .engine
                    .execute(
                        hall.clone(),
                        actor.clone(),
                        Command::CallNext { window: window.clone() },
                        None,
                    )
                    .await
                {
                    Ok(_) => {
                        tally.ok.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(EngineError::Domain(DomainError::NothingWaiting { .. })) => {
                        tally.ran_dry.store(true, Ordering::Relaxed);
                        break;
                    }
                    Err(e) => {
                        tally.fail(format!("call-next: {e}"));
                        continue;
                    }
                }
                if let Err(e) = app
                    .engine
                    .execute(
                        hall.clone(),
                        actor.clone(),
                        Command::Finish { window: window.clone() },
                        None,
                    )
                    .await
                {
                    tally.fail(format!("finish: {e}"));
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed();
    (per_s(tally.ok.load(Ordering::Relaxed), elapsed), tally, elapsed)
}

/// Plain rusqlite: batched inserts of copies of a real `ticket_issued` row into the same `events` table
/// (migrated by the server's own code), WAL + `synchronous=FULL`, one transaction per batch.
fn raw_baseline(template: &EventRow, batch: usize, dur: Duration) -> (f64, u64) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raw.db");
    drop(server::store::sqlite::SqliteStore::open(&path, &[server::lawyer::schema::MIGRATIONS]).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    let mut seq: i64 = 0;
    let started = Instant::now();
    while started.elapsed() < dur {
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        {
            let mut st = conn
                .prepare_cached(
                    "INSERT INTO events (seq, event_id, hall_id, kind, at, actor, ticket_id, body, sealed, public, prev_hash, hash)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .unwrap();
            for _ in 0..batch {
                seq += 1;
                st.execute(rusqlite::params![
                    seq,
                    uuid::Uuid::now_v7().to_string(),
                    template.hall_id,
                    template.kind,
                    template.at + seq,
                    template.actor,
                    uuid::Uuid::now_v7().to_string(),
                    template.body,
                    template.sealed,
                    template.public,
                    &template.prev_hash[..],
                    &template.hash[..],
                ])
                .unwrap();
            }
        }
        conn.execute_batch("COMMIT").unwrap();
    }
    let elapsed = started.elapsed();
    (per_s(u64::try_from(seq).unwrap(), elapsed), u64::try_from(seq).unwrap())
}

// ---------------------------------------------------------------------------------------------------
// HTTP.

/// One signed issue (fresh nonce, timestamp from the same wall clock the server uses). Ok(()) on 201.
async fn signed_issue(http: &reqwest::Client, url: &str, dev: &Device, clock: &Clock) -> Result<(), String> {
    let headers = sign(&dev.key, &dev.id, "POST", ISSUE_PATH, ISSUE_BODY, clock());
    let mut rb = http
        .post(url)
        .header("content-type", "application/json")
        .body(ISSUE_BODY);
    for (k, v) in headers {
        rb = rb.header(k, v);
    }
    let resp = rb.send().await.map_err(|e| e.to_string())?;
    let st = resp.status().as_u16();
    let body = resp.bytes().await.map_err(|e| e.to_string())?;
    if st == 201 {
        Ok(())
    } else {
        Err(format!("{st}: {}", String::from_utf8_lossy(&body)))
    }
}

async fn http_issue(base: &str, dev: &Device, clock: &Clock, dur: Duration) -> (f64, Arc<Tally>, Duration) {
    let url = format!("{base}{ISSUE_PATH}");
    let clients: Vec<reqwest::Client> = (0..CLIENTS).map(|_| client()).collect();
    // Open the keep-alive connections before the clock starts.
    for c in &clients {
        signed_issue(c, &url, dev, clock).await.expect("warm-up issue");
    }
    let tally = Arc::new(Tally::default());
    let started = Instant::now();
    let deadline = started + dur;
    let mut tasks = Vec::new();
    for c in clients {
        let (url, dev, clock, tally) = (url.clone(), dev.clone(), clock.clone(), tally.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                match signed_issue(&c, &url, &dev, &clock).await {
                    Ok(()) => {
                        tally.ok.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => tally.fail(e),
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed();
    (per_s(tally.ok.load(Ordering::Relaxed), elapsed), tally, elapsed)
}

async fn http_call(base: &str, tokens: &[String], dur: Duration) -> (f64, Arc<Tally>, Duration) {
    let tally = Arc::new(Tally::default());
    let clients: Vec<reqwest::Client> = (0..WINDOWS).map(|_| client()).collect();
    for (i, c) in clients.iter().enumerate() {
        // Warm the connection (a cheap authenticated read: the window must stay idle).
        let r = c
            .get(format!("{base}/healthz"))
            .bearer_auth(&tokens[i])
            .send()
            .await
            .unwrap();
        let _ = r.bytes().await;
    }
    let started = Instant::now();
    let deadline = started + dur;
    let mut tasks = Vec::new();
    for (i, c) in clients.into_iter().enumerate() {
        let (tally, token) = (tally.clone(), tokens[i].clone());
        let call = format!("{base}/api/v1/windows/{}/call-next", window_id(i));
        let finish = format!("{base}/api/v1/windows/{}/finish", window_id(i));
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let resp = match c.post(&call).bearer_auth(&token).send().await {
                    Ok(r) => r,
                    Err(e) => {
                        tally.fail(e.to_string());
                        continue;
                    }
                };
                let st = resp.status().as_u16();
                let body = resp.bytes().await.unwrap_or_default();
                match st {
                    200 => {
                        tally.ok.fetch_add(1, Ordering::Relaxed);
                    }
                    409 if String::from_utf8_lossy(&body).contains("nothing_waiting") => {
                        tally.ran_dry.store(true, Ordering::Relaxed);
                        break;
                    }
                    _ => {
                        tally.fail(format!("call-next {st}: {}", String::from_utf8_lossy(&body)));
                        continue;
                    }
                }
                match c.post(&finish).bearer_auth(&token).send().await {
                    Ok(r) => {
                        let st = r.status().as_u16();
                        let body = r.bytes().await.unwrap_or_default();
                        if st != 200 {
                            tally.fail(format!("finish {st}: {}", String::from_utf8_lossy(&body)));
                        }
                    }
                    Err(e) => tally.fail(e.to_string()),
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed();
    (per_s(tally.ok.load(Ordering::Relaxed), elapsed), tally, elapsed)
}

async fn latency(base: &str, dev: &Device, clock: &Clock, n: usize) -> (f64, f64, f64, f64, u64) {
    let url = format!("{base}{ISSUE_PATH}");
    let c = client();
    for _ in 0..50 {
        signed_issue(&c, &url, dev, clock).await.expect("warm-up issue");
    }
    let mut lat = Vec::with_capacity(n);
    let mut errors = 0;
    for _ in 0..n {
        let t0 = Instant::now();
        let r = signed_issue(&c, &url, dev, clock).await;
        let dt = t0.elapsed().as_secs_f64() * 1000.0;
        match r {
            Ok(()) => lat.push(dt),
            Err(_) => errors += 1,
        }
    }
    lat.sort_by(f64::total_cmp);
    let pick = |q: f64| {
        lat[((lat.len() as f64 * q).ceil() as usize)
            .saturating_sub(1)
            .min(lat.len() - 1)]
    };
    let mean = lat.iter().sum::<f64>() / lat.len() as f64;
    (pick(0.50), pick(0.99), mean, *lat.last().unwrap(), errors)
}

// ---------------------------------------------------------------------------------------------------

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(run());
}

async fn run() {
    let secs = Duration::from_secs(env_u64("BENCH_SECS", 5));
    let raw_secs = Duration::from_secs(env_u64("BENCH_RAW_SECS", 3));
    let latency_n = usize::try_from(env_u64("BENCH_LATENCY_N", 2000)).unwrap();
    let total = Instant::now();

    // --- the node: real SQLite file in a temp dir, system clock, listening on 127.0.0.1:0 ---
    let tmp = tempfile::tempdir().unwrap();
    let clock = system_clock();
    let config = ServerConfig {
        role: NodeRole::All,
        data: tmp.path().to_path_buf(),
        listen: "127.0.0.1:0".into(),
        ..ServerConfig::default()
    };
    let running = server::start(config, clock.clone()).await.expect("start node");
    let app = running.app.clone();
    let base = format!("http://{}", running.addr);
    server::api::halls::replace_config(&app, Actor::System, bench_city())
        .await
        .expect("config");
    set_passwords(&app, &bench_city().staff, PASSWORD).await;
    let setup_http = client();
    let kiosk = enroll_kiosk(&setup_http, &base).await;
    let kiosk_actor = Actor::Device(DeviceId::new(kiosk.id.clone()));
    // 32 windows: each staff member signs in at their window and opens it.
    for i in 0..WINDOWS {
        let actor = Actor::Staff(StaffId::new(staff_id(i)));
        let window = WindowId::new(window_id(i));
        app.engine
            .execute(
                HallId::new(HALL),
                actor.clone(),
                Command::SignIn {
                    window: window.clone(),
                    staff: StaffId::new(staff_id(i)),
                },
                None,
            )
            .await
            .unwrap();
        app.engine
            .execute(HallId::new(HALL), actor, Command::OpenWindow { window }, None)
            .await
            .unwrap();
    }
    // Staff sessions for the HTTP call phase (real logins, argon2 verified; in parallel).
    let mut logins = Vec::new();
    for i in 0..WINDOWS {
        let (http, base) = (setup_http.clone(), base.clone());
        logins.push(tokio::spawn(async move {
            login(&http, &base, &staff_id(i).to_lowercase()).await
        }));
    }
    let mut tokens = Vec::new();
    for l in logins {
        tokens.push(l.await.unwrap());
    }
    // One real issue: its stored row is the template for the raw baseline.
    let first = app
        .engine
        .execute(HallId::new(HALL), kiosk_actor.clone(), issue_cmd(), None)
        .await
        .expect("first issue");
    let first_seq = first.events[0].0;
    let template = app.reader.events_after(first_seq - 1, None, 1).unwrap().remove(0);
    println!(
        "setup: node at {base}, 1 hall, 1 queue, {WINDOWS} open windows, {CLIENTS} clients, kiosk {} enrolled, {} staff sessions ({:.1} s)",
        kiosk.id,
        tokens.len(),
        total.elapsed().as_secs_f64()
    );
    println!(
        "  ticket_issued row: body {} B, public {} B, {} B of text in all",
        template.body.len(),
        template.public.as_deref().map_or(0, str::len),
        template.body.len()
            + template.public.as_deref().map_or(0, str::len)
            + template.event_id.len()
            + template.actor.len()
            + 64
    );

    // --- 1. in process: issue ---
    let s0 = snap(&app);
    let (inproc_issue, tally, el) = inprocess_issue(&app, &kiosk_actor, secs).await;
    let w_issue = writer_stats(s0, snap(&app));
    println!(
        "in-process issue: {} tickets in {:.2} s by {CLIENTS} tasks = {inproc_issue:.0} issues/s{}",
        tally.ok.load(Ordering::Relaxed),
        el.as_secs_f64(),
        tally.report()
    );
    print_writer("issue", &w_issue);

    // --- 2. raw baseline, batches of the size the engine achieved ---
    let batch = (w_issue.mean_batch.round() as usize).max(1);
    let tpl = template.clone();
    let (raw, raw_rows) = tokio::task::spawn_blocking(move || raw_baseline(&tpl, batch, raw_secs))
        .await
        .unwrap();
    println!(
        "raw baseline: {raw_rows} event rows in batches of {batch} (engine's mean batch) in {:.1} s = {raw:.0} rows/s (rusqlite, WAL, synchronous=FULL)",
        raw_secs.as_secs_f64()
    );
    let (raw32, _) = if batch == 32 {
        (raw, raw_rows)
    } else {
        let tpl = template.clone();
        tokio::task::spawn_blocking(move || raw_baseline(&tpl, 32, Duration::from_secs(1)))
            .await
            .unwrap()
    };
    println!("  (for reference: batches of 32 → {raw32:.0} rows/s)");

    // --- 3. in process: call-next + finish at 32 windows ---
    // Calls (each with its finish) have run at up to ~1.25× the issue rate: keep enough waiting.
    top_up(&app, &kiosk_actor, (1.5 * inproc_issue * secs.as_secs_f64()) as usize).await;
    let backlog = waiting(&app);
    let s0 = snap(&app);
    let (inproc_call, tally, el) = inprocess_call(&app, secs).await;
    let w_call = writer_stats(s0, snap(&app));
    println!(
        "in-process call-next: {} calls (+ as many finishes) at {WINDOWS} windows in {:.2} s = {inproc_call:.0} calls/s (backlog {backlog} → {}){}",
        tally.ok.load(Ordering::Relaxed),
        el.as_secs_f64(),
        waiting(&app),
        tally.report()
    );
    print_writer("call", &w_call);

    // --- 4. HTTP: 32 keep-alive clients, signed issues (from an empty queue) ---
    drain(&app).await;
    let backlog = waiting(&app);
    let s0 = snap(&app);
    let (http_issue_rate, tally, el) = http_issue(&base, &kiosk, &clock, secs).await;
    let w_http_issue = writer_stats(s0, snap(&app));
    println!(
        "HTTP signed issue: {} tickets in {:.2} s by {CLIENTS} keep-alive clients = {http_issue_rate:.0} issues/s (queue {backlog} → {} waiting){}",
        tally.ok.load(Ordering::Relaxed),
        el.as_secs_f64(),
        waiting(&app),
        tally.report()
    );
    print_writer("http issue", &w_http_issue);

    // --- 5. HTTP: call-next + finish with window staff sessions ---
    top_up(
        &app,
        &kiosk_actor,
        (inproc_call.max(http_issue_rate) * secs.as_secs_f64() * 1.2) as usize,
    )
    .await;
    let backlog = waiting(&app);
    let s0 = snap(&app);
    let (http_call_rate, tally, el) = http_call(&base, &tokens, secs).await;
    let w_http_call = writer_stats(s0, snap(&app));
    println!(
        "HTTP call-next: {} calls (+ as many finishes) by {WINDOWS} staff sessions in {:.2} s = {http_call_rate:.0} calls/s (backlog {backlog} → {}){}",
        tally.ok.load(Ordering::Relaxed),
        el.as_secs_f64(),
        waiting(&app),
        tally.report()
    );
    print_writer("http call", &w_http_call);

    // --- 6. one client, sequential signed issues (from an empty queue) ---
    drain(&app).await;
    let backlog = waiting(&app);
    let s0 = snap(&app);
    let (p50, p99, mean, max, errors) = latency(&base, &kiosk, &clock, latency_n).await;
    let w_lat = writer_stats(s0, snap(&app));
    println!(
        "HTTP sequential signed issue ({latency_n} requests, one client, {backlog} waiting): p50 {p50:.2} ms, p99 {p99:.2} ms, mean {mean:.2} ms, max {max:.2} ms{}",
        if errors > 0 {
            format!(", {errors} errors")
        } else {
            String::new()
        }
    );
    print_writer("latency", &w_lat);

    let stop = Instant::now();
    let events = snap(&app).events;
    running.stop().await;
    println!(
        "node stopped (final snapshot) in {:.2} s; {events:.0} events appended in all; total bench time {:.1} s",
        stop.elapsed().as_secs_f64(),
        total.elapsed().as_secs_f64()
    );

    let ratio = inproc_issue / raw.max(1e-9);
    println!(
        "targets: HTTP signed issue/s ≥ 5000: {}; single-client p99 < 5 ms: {}; in-process ÷ raw ≥ 0.5: {}",
        if http_issue_rate >= 5000.0 { "met" } else { "NOT met" },
        if p99 < 5.0 { "met" } else { "NOT met" },
        if ratio >= 0.5 { "met" } else { "NOT met" }
    );
    println!(
        "inprocess_issue_per_s={inproc_issue:.0} inprocess_call_per_s={inproc_call:.0} p50_ms={p50:.2} p99_ms={p99:.2}"
    );
    println!(
        "bench: issue_per_s={http_issue_rate:.0} call_per_s={http_call_rate:.0} raw_insert_per_s={raw:.0} ratio_to_raw={ratio:.2}"
    );
}
