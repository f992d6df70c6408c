//! The real wall end to end: the built app under Xvfb (tauri-driver + WebKitWebDriver) against a real
//! in-process hall node. Staff call tickets over HTTP; the wall shows them (newest highlighted, waiting
//! counts change) and records its announcements to a WAV file, which must equal the rendered
//! announcements of exactly those calls. The hall node is stopped (offline banner, calls kept) and
//! restarted with calls made before the wall reconnects; the wall catches up via Last-Event-ID without
//! repeating an announcement. Measures call → shown, call → voice start, start → interactive and
//! memory; writes screenshots and `target/measurements/command-center.json`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use app_types::hall_wall::WallMetrics;
use common::HallNode;
use desktop_test::{AppSession, display_available};
use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The app binary cargo built for this test (the UI in `ui/dist` must be built first: `cargo xtask ui`).
fn app_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_command-center"))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn epoch_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// When the page first showed call `key` (ms since the epoch), polled until `within`.
async fn shown_at(s: &AppSession, key: &str, within: Duration) -> Result<f64> {
    let deadline = Instant::now() + within;
    loop {
        let v = s
            .client
            .execute(
                "return (window.__wallShown || {})[arguments[0]] || null;",
                vec![json!(key)],
            )
            .await?;
        if let Some(t) = v.as_f64() {
            return Ok(t);
        }
        if Instant::now() > deadline {
            bail!("call {key} not shown within {within:?}");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Waits until `css` matches, polling with a script (fantoccini's element wait gives up at once on a
/// WebDriver error raised while the page re-renders the list).
async fn wait_css(s: &AppSession, css: &str, within: Duration) -> Result<()> {
    let deadline = Instant::now() + within;
    loop {
        let found = s
            .client
            .execute("return !!document.querySelector(arguments[0]);", vec![json!(css)])
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if found {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("no element {css} within {within:?}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn metrics(s: &AppSession) -> Result<WallMetrics> {
    let v = s
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             window.__TAURI__.core.invoke('wall_metrics').then(done, e => done({error: String(e)}));",
            vec![],
        )
        .await?;
    serde_json::from_value(v.clone()).with_context(|| format!("metrics: {v}"))
}

/// VmRSS (KiB) of `pid` and of every descendant (WebKitWebProcess, WebKitNetworkProcess).
fn rss_tree_kib(pid: u32) -> (u64, u64) {
    let rss = |p: u32| -> u64 {
        std::fs::read_to_string(format!("/proc/{p}/status"))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
            })
            .unwrap_or(0)
    };
    let mut parents: Vec<(u32, u32)> = Vec::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(p) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) {
            // The field after the parenthesised name: state, then ppid.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1).and_then(|x| x.parse().ok()));
            if let Some(ppid) = ppid {
                parents.push((p, ppid));
            }
        }
    }
    let mut tree = vec![pid];
    let mut i = 0;
    while i < tree.len() {
        let cur = tree[i];
        tree.extend(parents.iter().filter(|(_, pp)| *pp == cur).map(|(p, _)| *p));
        i += 1;
    }
    (rss(pid), tree.iter().skip(1).map(|p| rss(*p)).sum())
}

fn app_pid(binary: &Path) -> Option<u32> {
    let want = std::fs::canonicalize(binary).ok()?;
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let p = e.file_name().to_string_lossy().parse::<u32>().ok()?;
        (std::fs::read_link(format!("/proc/{p}/exe")).ok()? == want).then_some(p)
    })
}

struct Caller {
    /// (window id, window number, staff token)
    windows: Vec<(String, String, String)>,
    next: usize,
}

impl Caller {
    /// Call-next at the next window in turn (the previous ticket there is finished first); answers
    /// the number and the window number.
    async fn call(&mut self, node: &HallNode) -> (String, String) {
        let (id, number, token) = self.windows[self.next % self.windows.len()].clone();
        self.next += 1;
        let (st, v) = node.window_action(&token, &id, "call-next").await;
        if st != 200 {
            // A window with a current ticket must finish it first.
            let _ = node.window_action(&token, &id, "start").await;
            let _ = node.window_action(&token, &id, "finish").await;
            let (st2, v2) = node.window_action(&token, &id, "call-next").await;
            assert_eq!(st2, 200, "call-next at {id}: {v} / {v2}");
            return (display_of(&v2), number);
        }
        (display_of(&v), number)
    }
}

fn display_of(v: &Value) -> String {
    v.pointer("/ticket/display")
        .or_else(|| v.pointer("/display"))
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no ticket number in {v}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hall_wall_end_to_end() -> Result<()> {
    if !display_available("command-center e2e") {
        return Ok(());
    }
    let mut node = HallNode::start().await;
    let code = node.enrollment_code("hall_display").await;
    let tmp = tempfile::tempdir()?;
    let wav = tmp.path().join("announcements.wav");
    let notices = tmp.path().join("notices.txt");
    std::fs::write(
        &notices,
        "请保管好随身物品，谨防财物丢失\n办理业务请携带本人有效身份证件\n",
    )?;
    let env = vec![
        ("CC_HALL_URL", node.base.clone()),
        ("CC_ENROLL_CODE", code),
        ("CC_DATA_DIR", tmp.path().join("data").display().to_string()),
        ("CC_AUDIO", format!("file:{}", wav.display())),
        ("CC_LANGS", "zh,en".into()),
        ("CC_REPEATS", "1".into()),
        ("CC_NOTICES", notices.display().to_string()),
        ("CC_WINDOWED", "true".into()),
    ];
    let bin = app_binary();
    let s = AppSession::start(&bin, &env, &[]).await?;
    wait_css(&s, "#wall[data-online='true']", Duration::from_secs(30)).await?;
    s.wait_text("#hall-name", "哈尔滨市", Duration::from_secs(10)).await?;
    let start_to_interactive = s.started.elapsed();
    let pid = app_pid(&bin);

    // Staff: two windows; tickets in their queues.
    let manager = node.login("h00-manager").await;
    let w1 = node.open_window("hrb0001", "H00-W01").await;
    let w5 = node.open_window("hrb0005", "H00-W05").await;
    for _ in 0..24 {
        node.issue(&manager, "H00-Q01").await;
        node.issue(&manager, "H00-Q02").await;
    }
    wait_css(
        &s,
        "li[data-queue='H00-Q01'][data-waiting='24']",
        Duration::from_secs(10),
    )
    .await?;
    let mut caller = Caller {
        windows: vec![
            ("H00-W01".into(), "1".into(), w1.clone()),
            ("H00-W05".into(), "5".into(), w5),
        ],
        next: 0,
    };
    let mut spoken: Vec<(String, String)> = Vec::new();
    let mut shown_ms: Vec<f64> = Vec::new();
    for _ in 0..32 {
        let (display, window) = caller.call(&node).await;
        let answered = epoch_ms();
        let shown = shown_at(&s, &format!("{display}#0"), Duration::from_secs(10)).await?;
        // The feed can beat the HTTP answer to the screen: that counts as no delay.
        shown_ms.push((shown - answered).max(0.0));
        spoken.push((display, window));
    }
    let (last_display, last_window) = spoken.last().cloned().unwrap();
    // Polled: the newest call's element is replaced on every call, so a single read can meet it
    // mid-render (stale element → empty text), which is not what the citizen sees.
    let latest = s
        .wait_text("#call-latest", &last_display, Duration::from_secs(10))
        .await?;
    assert!(
        latest.contains(&last_display) && latest.contains(&last_window),
        "newest highlighted: {latest}"
    );
    let waiting_q1 = s
        .client
        .execute(
            "return document.querySelector(\"li[data-queue='H00-Q01']\").dataset.waiting;",
            vec![],
        )
        .await?;
    assert_ne!(waiting_q1, json!("24"), "waiting count went down with the calls");

    // A recall is shown and spoken again.
    let (st, v) = node.window_action(&w1, "H00-W01", "recall").await;
    assert_eq!(st, 200, "recall: {v}");
    let recalled = display_of(&v);
    shown_at(&s, &format!("{recalled}#1"), Duration::from_secs(10)).await?;
    spoken.push((recalled, "1".into()));
    let shots = desktop_test::docs_screenshot_dir(&root());
    s.screenshot(&shots.join("command-center-wall.png")).await?;

    // Hall node down: banner, the calls stay.
    node.stop().await;
    wait_css(&s, "#offline-banner", Duration::from_secs(10)).await?;
    // The last known call is kept (polled for the same reason as above).
    s.wait_text("#call-latest", &spoken.last().unwrap().0, Duration::from_secs(10))
        .await
        .context("last known call kept while offline")?;
    s.screenshot(&shots.join("command-center-offline.png")).await?;

    // Back, with calls made before the wall reconnects and after.
    node.restart().await;
    let mut catch_up = Vec::new();
    for _ in 0..3 {
        catch_up.push(caller.call(&node).await);
    }
    s.wait_present("#offline-banner", false, Duration::from_secs(30))
        .await?;
    for _ in 0..2 {
        catch_up.push(caller.call(&node).await);
    }
    for (d, _) in &catch_up {
        shown_at(&s, &format!("{d}#0"), Duration::from_secs(15)).await?;
    }
    spoken.extend(catch_up);

    // The recording: every call exactly once, the recall again, in order.
    let expected_len = {
        let lib = voice::Library::load(command_center::config::default_voice_dir())?;
        let cfg = command_center::config::announcer_config(&[voice::Lang::Zh, voice::Lang::En], 1);
        let mut expected = Vec::new();
        for (d, w) in &spoken {
            expected.extend(voice::render_announcement(&lib, &voice::Call::new(d.as_str(), w.as_str()), &cfg)?.samples);
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let got = voice::Pcm::read_wav_file(&wav).map(|p| p.samples).unwrap_or_default();
            if got.len() >= expected.len() || Instant::now() > deadline {
                assert_eq!(got.len(), expected.len(), "{} announcements expected", spoken.len());
                assert!(got == expected, "the recorded audio equals the rendered announcements");
                break expected.len();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let m = metrics(&s).await?;
    assert_eq!(
        m.announce_delays_ms.len(),
        spoken.len(),
        "one announcement per call: {m:?}"
    );
    assert_eq!(m.failed, 0);

    let (app_kib, web_kib) = pid.map_or((0, 0), rss_tree_kib);
    s.close().await;
    node.stop().await;

    shown_ms.sort_by(f64::total_cmp);
    let mut voice_ms: Vec<f64> = m.announce_delays_ms.iter().map(|&d| d as f64).collect();
    voice_ms.sort_by(f64::total_cmp);
    let report = json!({
        "app": "command-center",
        "calls": shown_ms.len(),
        "call_to_shown_ms": {"p50": percentile(&shown_ms, 50.0), "p99": percentile(&shown_ms, 99.0), "max": shown_ms.last()},
        "call_to_voice_start_ms": {"p50": percentile(&voice_ms, 50.0), "p99": percentile(&voice_ms, 99.0), "n": voice_ms.len()},
        "start_to_interactive_ms": start_to_interactive.as_millis() as u64,
        "memory_kib": {"app_vmrss": app_kib, "webkit_children_vmrss": web_kib, "total": app_kib + web_kib},
        "recorded_samples": expected_len,
    });
    println!(
        "command-center measurements: {}",
        serde_json::to_string_pretty(&report)?
    );
    let out = root().join("target/measurements");
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("command-center.json"), serde_json::to_string_pretty(&report)?)?;
    Ok(())
}
