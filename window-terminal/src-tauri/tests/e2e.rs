//! The real app (WebKitGTK under Xvfb, driven through tauri-driver) against a real hall node started
//! here, with the simulated reader, camera and LED running their byte protocols inside the app.
//! One app start covers: enroll, sign in, call (keyboard), read card, scan, confirm, recall,
//! evaluate (all five levels, a negative one with its reason), transfer (chosen from the hall's
//! targets), sign-out and back in, 30 timed calls, and the offline banner when the hall node stops.
//! Screenshots go to target/e2e-screenshots/window-terminal-*.png (docs/screenshots with
//! UPDATE_SCREENSHOTS=1), measurements to
//! target/measurements/window-terminal.json.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use desktop_test::AppSession;
use serde_json::{Value, json};

/// Each window is found by an element only its view has (titles change while pages load).
const MAIN: &str = "#app";
const EVAL: &str = "#evaluator";
const T: Duration = Duration::from_secs(10);

fn root() -> PathBuf {
    desktop_test::workspace_root()
}

fn app_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_window-terminal"))
}

async fn invoke(s: &AppSession, cmd: &str, args: Value) -> Result<Value> {
    s.invoke(cmd, args).await
}

/// Switches to the window showing `css`.
async fn switch(s: &AppSession, css: &str, within: Duration) -> Result<()> {
    let deadline = Instant::now() + within;
    loop {
        for h in s.client.windows().await? {
            s.client.switch_to_window(h).await?;
            if s.client.find(desktop_test::Locator::Css(css)).await.is_ok() {
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            bail!("no window shows {css} within {within:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn percentile(v: &[f64], p: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    if s.is_empty() {
        return f64::NAN;
    }
    let i = ((p / 100.0) * (s.len() - 1) as f64).round() as usize;
    s[i.min(s.len() - 1)]
}

async fn shot(s: &AppSession, name: &str) -> Result<()> {
    let out = desktop_test::docs_screenshot_dir(&root()).join(format!("window-terminal-{name}.png"));
    s.screenshot(&out).await.with_context(|| format!("screenshot {name}"))
}

/// Evaluates one service: finish is done; the evaluator asks; the citizen picks `level`.
async fn rate(s: &AppSession, level: u8, with_shot: bool) -> Result<()> {
    switch(s, EVAL, T).await?;
    s.wait_for("#eval-rate", T).await?;
    s.click(&format!("#level-{level}")).await?;
    if level <= 2 {
        // A negative level without a reason is refused, then accepted with one.
        s.click("#rate-submit").await?;
        s.wait_text("#eval-error", "原因", T).await?;
        s.click("#reason-0").await?;
    }
    if with_shot {
        shot(s, "evaluator-rating").await?;
    }
    s.click("#rate-submit").await?;
    s.wait_for(&format!("#eval-thanks[data-level='{level}']"), T).await?;
    switch(s, MAIN, T).await?;
    Ok(())
}

async fn call_next(s: &AppSession) -> Result<String> {
    let before = s.text("#ticket-number").await;
    s.click("#act-call").await?;
    let deadline = Instant::now() + T;
    loop {
        let now = s.text("#ticket-number").await;
        if !now.is_empty() && now != before {
            return Ok(now);
        }
        if Instant::now() > deadline {
            bail!("no new ticket after call; message: {}", s.text("#message").await);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn serve_and_rate(s: &AppSession, level: u8, with_shot: bool) -> Result<()> {
    call_next(s).await?;
    s.click("#act-start").await?;
    s.wait_for("#ticket-status[data-status='serving']", T).await?;
    s.click("#act-finish").await?;
    s.wait_for("#ticket-none", T).await?;
    rate(s, level, with_shot).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counter_terminal_end_to_end() -> Result<()> {
    if !desktop_test::display_available("window-terminal e2e") {
        return Ok(());
    }
    let mut node = support::start_node().await;
    let kiosk = node.enroll("H1", "kiosk").await;
    let code = support::window_terminal_code(&node).await;
    support::issue_tickets(&node, &kiosk, 45).await;
    let data = tempfile::tempdir()?;
    let env = [
        ("WT_DATA_DIR", data.path().display().to_string()),
        ("WT_WINDOW", "W1".to_owned()),
        ("WT_IDCARD", "sim".to_owned()),
        ("WT_CAMERA", "sim".to_owned()),
        ("WT_LED", "sim".to_owned()),
        ("WT_EVALUATOR", "window".to_owned()),
        ("WT_SIM_CONTROL", "1".to_owned()),
    ];
    let s = AppSession::start(&app_binary(), &env, &[]).await?;
    let result = scenario(&s, &mut node, &code, data.path()).await;
    if result.is_err() {
        let _ = s
            .screenshot(&root().join("target/e2e-screenshots/window-terminal-failure.png"))
            .await;
    }
    s.close().await;
    result
}

async fn scenario(s: &AppSession, node: &mut support::Node, code: &str, data: &Path) -> Result<()> {
    // Start → first screen usable.
    switch(s, MAIN, Duration::from_secs(30)).await?;
    s.wait_for("#enroll-form", Duration::from_secs(30)).await?;
    let start_ms = s.started.elapsed().as_secs_f64() * 1000.0;
    shot(s, "enrollment").await?;

    // Enroll and sign in.
    s.fill("#enroll-address", &node.base).await?;
    s.fill("#enroll-code", code).await?;
    s.click("#enroll-submit").await?;
    s.wait_for("#signin-form", T).await?;
    s.fill("#signin-login", "w1").await?;
    s.fill("#signin-password", support::PASSWORD).await?;
    s.click("#signin-submit").await?;
    s.wait_text("#window-status", "受理中", T).await?;

    // The evaluator shows the staff card.
    switch(s, EVAL, T).await?;
    s.wait_text("#staff-name", "测试W1", T).await?;
    shot(s, "evaluator-idle").await?;
    switch(s, MAIN, T).await?;

    // Printer alarm: the simulated printer runs out of paper → the chip turns red with the cause;
    // a scanned code shows in the status bar; paper loaded → the chip is green again.
    invoke(s, "sim_printer", json!({"fault": "paper_out"})).await?;
    s.wait_for(r#".chip[data-device="printer"][data-health="health.fault"]"#, T)
        .await?;
    s.wait_text(r#".chip[data-device="printer"]"#, "缺纸", T).await?;
    invoke(s, "sim_scan", json!({"code": "YY-20261124-0007"})).await?;
    s.wait_text("#message", "YY-20261124-0007", T).await?;
    shot(s, "printer-alarm").await?;
    invoke(s, "sim_printer", json!({"fault": "ok"})).await?;
    s.wait_for(r#".chip[data-device="printer"][data-health="health.ok"]"#, T)
        .await?;

    // Call by keyboard (F1 as shown on the button).
    s.keys("\u{E031}").await?;
    s.wait_text("#ticket-number", "A001", T).await?;

    // ID card: put the sample card on the simulated reader, read it.
    invoke(s, "sim_present_card", json!({"present": true})).await?;
    s.click("#act-readcard").await?;
    s.wait_text("#citizen-id", "230***********1230", T).await?;

    // Document camera: review, retake, accept.
    s.click("#act-scan").await?;
    s.wait_for("#scan-image", T).await?;
    shot(s, "scan-review").await?;
    s.click("#scan-retake").await?;
    s.wait_for("#scan-image", T).await?;
    s.click("#scan-accept").await?;
    s.wait_text("#scan-count", "1", T).await?;

    // 双屏确认.
    s.click("#act-confirm").await?;
    switch(s, EVAL, T).await?;
    s.wait_text("#eval-confirm", "230***********1230", T).await?;
    s.click("#confirm-ok").await?;
    switch(s, MAIN, T).await?;
    s.wait_text("#confirmation", "已确认", T).await?;

    // Recall.
    s.click("#act-recall").await?;
    s.wait_text("#recall-count", "1", T).await?;
    shot(s, "call-panel").await?;

    // Finish and evaluate: the first with level 1 (reason required), then the other four levels.
    s.click("#act-start").await?;
    s.wait_for("#ticket-status[data-status='serving']", T).await?;
    s.click("#act-finish").await?;
    s.wait_for("#ticket-none", T).await?;
    rate(s, 1, true).await?;
    for level in [2u8, 3, 4, 5] {
        serve_and_rate(s, level, false).await?;
    }
    s.wait_text("#rated-today", "5", T).await?;

    // Transfer to queue B, chosen from the hall's targets.
    call_next(s).await?;
    s.click("#act-transfer").await?;
    s.click("#transfer-queue").await?;
    s.click("#transfer-to-queue-QB").await?;
    shot(s, "transfer").await?;
    s.click("#transfer-submit").await?;
    s.wait_for("#ticket-none", T).await?;

    // Sign out by its shortcut (End, as shown on the button), then sign in again: one key press
    // still makes one call (the panel's key listener went with the panel).
    s.keys("\u{E010}").await?;
    s.wait_for("#signin-form", T).await?;
    s.fill("#signin-login", "w1").await?;
    s.fill("#signin-password", support::PASSWORD).await?;
    s.click("#signin-submit").await?;
    s.wait_text("#window-status", "受理中", T).await?;

    // 30 timed calls: click → number on screen (UI round trip); the app measures call → LED.
    let mut ui_ms = Vec::new();
    for _ in 0..30 {
        let t0 = Instant::now();
        call_next(s).await?;
        ui_ms.push(t0.elapsed().as_secs_f64() * 1000.0);
        s.click("#act-noshow").await?;
        s.wait_for("#ticket-none", T).await?;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let m = invoke(s, "sim_measurements", json!({})).await?;
    let nums = |k: &str| -> Vec<f64> {
        m[k].as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default()
    };
    let (led, call) = (nums("led_ms"), nums("call_ms"));
    let (app_kb, web_kb) = desktop_test::memory_kb("window-terminal", &format!("WT_DATA_DIR={}", data.display()));

    // Hall node stops: banner, calling disabled, the reader still works.
    node.stop().await;
    s.wait_for("#offline-banner", Duration::from_secs(15)).await?;
    let disabled = s.wait_for("#act-call", T).await?.attr("disabled").await?;
    if disabled.is_none() {
        bail!("call button still enabled while offline");
    }
    invoke(s, "sim_present_card", json!({"present": false})).await?;
    invoke(s, "sim_present_card", json!({"present": true})).await?;
    s.click("#act-readcard").await?;
    s.wait_text("#message", "230***********1230", T).await?;
    shot(s, "offline").await?;

    let report = json!({
        "start_to_interactive_ms": start_ms,
        "call_round_trip_ui_ms": {"p50": percentile(&ui_ms, 50.0), "p99": percentile(&ui_ms, 99.0), "n": ui_ms.len()},
        "call_round_trip_ipc_ms": {"p50": percentile(&call, 50.0), "p99": percentile(&call, 99.0), "n": call.len()},
        "call_to_led_frame_ms": {"p50": percentile(&led, 50.0), "p99": percentile(&led, 99.0), "n": led.len()},
        "memory_kb": {"app": app_kb, "webkit_children": web_kb, "total": app_kb + web_kb},
    });
    println!(
        "window-terminal measurements: {}",
        serde_json::to_string_pretty(&report)?
    );
    let dir = root().join("target/measurements");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("window-terminal.json"), serde_json::to_vec_pretty(&report)?)?;
    if led.len() < 30 {
        bail!("LED measured for only {} calls", led.len());
    }
    Ok(())
}
