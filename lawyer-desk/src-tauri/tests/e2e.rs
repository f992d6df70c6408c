//! The real desk (WebKitGTK under Xvfb, driven through tauri-driver) against a real server node; the
//! citizen is real HTTP and a real WebSocket client in this test. One app start covers: a wrong
//! password shown plainly, sign-in, going online; a realtime question appears in the inbox with its
//! countdown (6.2.2.1 a), is picked up and answered over the chat, with a quick template (6.2.2.3.1
//! b), and closed; another one left unanswered turns red once overdue; a 留言 (6.2.1.1) whose first reply fails the rules (6.2.1.2, problems listed and
//! nothing sent) and then passes; a remote mediation (6.2.4) accepted and its room entered in time
//! (6.2.4.2 a); the history with the citizen's rating; the figures panels say "暂无数据" where the server has nothing for
//! a lawyer; sign-out. Screenshots: target/e2e-screenshots/lawyer-desk-*.png (docs/screenshots with
//! UPDATE_SCREENSHOTS=1); measurements: target/measurements/lawyer-desk.json.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use desktop_test::{AppSession, Locator};
use serde_json::json;

const T: Duration = Duration::from_secs(10);

fn root() -> PathBuf {
    desktop_test::workspace_root()
}

fn app_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_lawyer-desk"))
}

async fn shot(s: &AppSession, name: &str) -> Result<()> {
    let out = desktop_test::docs_screenshot_dir(&root()).join(format!("lawyer-desk-{name}.png"));
    s.screenshot(&out).await.with_context(|| format!("screenshot {name}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lawyer_desk_end_to_end() -> Result<()> {
    if !desktop_test::display_available("lawyer-desk e2e") {
        return Ok(());
    }
    let mut node = support::start_node().await;
    let env = [
        ("LAWYER_DESK_SERVER", node.base.clone()),
        ("LAWYER_DESK_POLL_MS", "500".to_owned()),
    ];
    let s = AppSession::start(&app_binary(), &env, &[]).await?;
    s.client.set_window_size(1440, 900).await?;
    let result = scenario(&s, &node).await;
    if result.is_err() {
        let _ = s
            .screenshot(&root().join("target/e2e-screenshots/lawyer-desk-failure.png"))
            .await;
    }
    s.close().await;
    node.stop().await;
    result
}

async fn scenario(s: &AppSession, node: &support::Node) -> Result<()> {
    s.wait_for("#signin-form", Duration::from_secs(30)).await?;
    let start_ms = s.started.elapsed().as_secs_f64() * 1000.0;

    // A wrong password is said plainly, on the form.
    s.fill("#signin-server", &node.base).await?;
    s.fill("#signin-login", "lawyer").await?;
    s.fill("#signin-password", "wrong").await?;
    s.click("#signin-submit").await?;
    s.wait_text("#signin-error", "密码错误", T).await?;
    shot(s, "signin-error").await?;
    s.fill("#signin-password", support::PASSWORD).await?;
    s.click("#signin-submit").await?;
    s.wait_for("#online-toggle", T).await?;

    // Online with specialties: clearly shown.
    s.fill("#specialties", "labour，family").await?;
    s.click("#online-toggle").await?;
    s.wait_for(r#"#online-status[data-online="true"]"#, T).await?;
    s.wait_text("#online-status", "在线接单中", T).await?;

    // A question nobody will pick up in time: its countdown turns red at 20 s (6.2.2.1 a).
    let late_asked = Instant::now();
    let (late, _) = support::ask(node, "realtime", "labour", "试用期被辞退有补偿吗？").await;

    // A citizen asks a realtime question: it shows in the inbox with the pickup countdown.
    let asked = Instant::now();
    let (id, token) = support::ask(node, "realtime", "labour", "公司拖欠我三个月工资怎么办？").await;
    let pick = format!(r#"[data-open="{id}"]"#);
    s.wait_for(&pick, T).await?;
    let ask_to_inbox_ms = asked.elapsed().as_secs_f64() * 1000.0;
    let countdown = s.wait_text(&format!(r#"[data-countdown="{id}"]"#), "剩余", T).await?;
    shot(s, "inbox").await?;

    // Pick up and talk: the citizen's socket and the desk see each other's messages.
    s.click(&pick).await?;
    s.wait_for("#chat", T).await?;
    s.wait_text("#chat-status", "咨询中", T).await?;
    let mut citizen = support::citizen_ws(node, &id, &token).await;
    let said = Instant::now();
    support::citizen_says(&mut citizen, "已经三个月没发了，我有劳动合同。").await;
    s.wait_text("#chat-messages", "我有劳动合同", T).await?;
    let citizen_to_desk_ms = said.elapsed().as_secs_f64() * 1000.0;
    s.fill(
        "#chat-input",
        "您好，请保留劳动合同和工资记录，可以向劳动争议仲裁委员会申请仲裁。",
    )
    .await?;
    let sent = Instant::now();
    s.click("#chat-send").await?;
    support::citizen_sees(&mut citizen, "lawyer", "申请仲裁").await;
    let desk_to_citizen_ms = sent.elapsed().as_secs_f64() * 1000.0;
    s.click("#tpl-reassurance").await?;
    s.click("#chat-send").await?;
    support::citizen_sees(&mut citizen, "lawyer", "耐心等待").await;
    support::citizen_says(&mut citizen, "好的，谢谢律师。").await;
    s.wait_text("#chat-messages", "谢谢律师", T).await?;
    shot(s, "chat").await?;
    s.click("#chat-close").await?;
    s.wait_text("#chat-status", "已结束", T).await?;

    // A 留言: the first reply fails the rules and nothing is sent; the corrected one is.
    let (mid, mtoken) = support::ask(node, "message", "family", "离婚后孩子的抚养权一般怎么判？").await;
    let open = format!(r#"[data-open="{mid}"]"#);
    s.wait_for(&open, T).await?;
    s.wait_text(&format!(r#"[data-countdown="{mid}"]"#), "剩余 1:5", T)
        .await?;
    s.click(&open).await?;
    s.wait_for("#reply-editor", T).await?;
    s.wait_text("#reply-opening", "您好", T).await?;
    s.fill("#reply-judgement", "可以争取抚养权。").await?;
    s.fill("#reply-basis", "民法典").await?;
    s.click("#reply-send").await?;
    let refused = s.wait_text("#reply-refused", "未发送", T).await?;
    for clause in ["6.2.1.2 b", "6.2.1.2 d", "6.2.1.2 e"] {
        if !refused.contains(clause) {
            bail!("the refusal does not name {clause}: {refused}");
        }
    }
    let v = support::citizen_view(node, &mid, &mtoken).await;
    if v["messages"].as_array().map_or(0, Vec::len) != 1 {
        bail!("a reply that fails the rules was sent: {v}");
    }
    shot(s, "reply-refused").await?;
    let (j, b, a) = support::good_parts();
    s.fill("#reply-judgement", &j).await?;
    s.fill("#reply-basis", &b).await?;
    s.fill("#reply-advice", &a).await?;
    s.wait_for("#reply-check-ok", T).await?;
    s.click("#reply-send").await?;
    s.wait_for("#reply-sent", T).await?;
    let v = support::citizen_view(node, &mid, &mtoken).await;
    if v["status"] != "answered" {
        bail!("the 留言 is not answered: {v}");
    }
    shot(s, "reply-sent").await?;

    // The unanswered realtime question is overdue now: red, and says so.
    let left = Duration::from_secs(21).saturating_sub(late_asked.elapsed());
    tokio::time::sleep(left).await;
    s.wait_text(&format!(r#"[data-countdown="{late}"]"#), "已超时", T)
        .await?;
    s.wait_for(&format!(r#"article.overdue[data-consultation="{late}"]"#), T)
        .await?;
    shot(s, "inbox-overdue").await?;

    // The citizen rates the chat (6.1 a); the history shows it with the average.
    let (st, v) = node
        .req("POST", &format!("/api/v1/consultations/{id}/rating"))
        .header("x-consultation-token", &token)
        .json(json!({"level": 5, "comment": "很专业"}))
        .send()
        .await;
    if st != 200 {
        bail!("rating refused: {v}");
    }

    // A remote mediation (6.2.4) booked and assigned by the operation centre appears with the
    // countdown to its join-by time; the lawyer accepts it and enters the room in time (6.2.4.2 a).
    let op = node.login("operator").await;
    let (st, v) = node
        .req("POST", "/api/v1/mediations")
        .bearer(&op)
        .json(json!({"committee": "道里区人民调解委员会", "parties": ["王某", "李某"],
            "matter": "相邻房屋漏水赔偿纠纷", "specialty": "labour",
            "starts_at": support::real_now() + 10 * 86_400_000}))
        .send()
        .await;
    if st != 201 {
        bail!("booking refused: {v}");
    }
    let med = v["id"].as_str().context("mediation id")?.to_owned();
    for (path, body) in [
        ("verify", json!({"approved": true})),
        ("assign", json!({"lawyer_id": "LAWYER"})),
    ] {
        let (st, v) = node
            .req("POST", &format!("/api/v1/mediations/{med}/{path}"))
            .bearer(&op)
            .json(body)
            .send()
            .await;
        if st != 200 {
            bail!("{path} refused: {v}");
        }
    }
    s.wait_for(&format!(r#"[data-accept="{med}"]"#), T).await?;
    s.click(&format!(r#"[data-accept="{med}"]"#)).await?;
    s.wait_for(&format!(r#"[data-join="{med}"]"#), T).await?;
    s.wait_text(&format!(r#"[data-countdown="{med}"]"#), "剩余", T).await?;
    shot(s, "mediation").await?;
    s.click(&format!(r#"[data-join="{med}"]"#)).await?;
    s.wait_text(&format!(r#"[data-joined="{med}"]"#), "已按时进入调解室", T)
        .await?;
    let (_, v) = node
        .req("GET", &format!("/api/v1/mediations/{med}"))
        .bearer(&op)
        .send()
        .await;
    if !v["joined_at"].is_number() || v["join_late"] != false {
        bail!("the join is not recorded in time on the server: {v}");
    }

    // Figures: the lawyer sees "暂无数据" where the server offers nothing (no made-up numbers).
    s.click("#nav-figures").await?;
    let lawyer = node.login("lawyer").await;
    for (panel, path) in [
        ("stats", "/lawyer/stats"),
        ("qc", "/lawyer/qc"),
        ("profile", "/lawyer/profile"),
    ] {
        let (st, _) = node.req("GET", &format!("/api/v1{path}")).bearer(&lawyer).send().await;
        if st == 200 {
            s.wait_for(&format!("#figures-{panel} table.rows"), T).await?;
        } else {
            s.wait_text(&format!("#figures-{panel}"), "暂无数据", T).await?;
        }
    }
    s.wait_for(&format!(r#"[data-history="{id}"]"#), T).await?;
    s.wait_for(&format!(r#"[data-history="{mid}"]"#), T).await?;
    s.wait_text("#history-rating", "5.0", T).await?;
    shot(s, "figures").await?;

    let (app_kb, web_kb) = desktop_test::memory_kb("lawyer-desk", &format!("LAWYER_DESK_SERVER={}", node.base));

    // Sign out: offline on the server, back to the form.
    s.click("#sign-out").await?;
    s.wait_for("#signin-form", T).await?;
    if s.client.find(Locator::Css("#inbox")).await.is_ok() {
        bail!("the inbox is still shown after signing out");
    }

    let m = json!({
        "start_to_interactive_ms": start_ms,
        "ask_to_inbox_ms": ask_to_inbox_ms,
        "citizen_to_desk_ms": citizen_to_desk_ms,
        "desk_to_citizen_ms": desk_to_citizen_ms,
        "first_countdown": countdown,
        "memory_kb": {"app": app_kb, "webkit_children": web_kb, "total": app_kb + web_kb},
    });
    let dir = root().join("target/measurements");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("lawyer-desk.json"), serde_json::to_vec_pretty(&m)?)?;
    println!("lawyer-desk measurements: {m}");
    Ok(())
}
