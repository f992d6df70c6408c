//! The citizens' web page for legal consultation (issue 7: "the citizen asks from a kiosk or a web
//! page"; standard 6.1 a): served with a strict content security policy, calling only routes the
//! API documents, and — in a real browser (WebKitGTK's MiniBrowser under Xvfb) — asking a question
//! that a lawyer answers live, replying, ending and rating it.

use std::time::Duration;

use node_testkit::*;
use serde_json::{Value, json};

const T: Duration = Duration::from_secs(10);

#[tokio::test]
async fn the_page_is_locked_down_and_calls_only_documented_routes() {
    let n = Node::start().await;
    let get = |path: &str| reqwest::get(format!("{}{path}", n.base));
    let page = get("/consult").await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    let html = page.text().await.unwrap();
    assert!(
        html.contains(r#"<script src="/consult/app.js">"#) && !html.contains("<script>"),
        "no inline script"
    );

    let js = get("/consult/app.js").await.unwrap().text().await.unwrap();
    // The citizen's and the lawyer's text is shown as text, never parsed as HTML.
    assert!(!js.contains("innerHTML") && !js.contains("insertAdjacentHTML"));
    let (_, api) = n.req("GET", "/api/v1/openapi.json").send().await;
    let paths: Vec<&str> = api["paths"].as_object().unwrap().keys().map(String::as_str).collect();
    assert!(js.contains(r#"const API = "/api/v1/consultations";"#));
    assert!(paths.contains(&"/api/v1/consultations"));
    for suffix in ["messages", "close", "rating", "ws"] {
        assert!(js.contains(&format!(r#""/{suffix}"#)), "the page uses /{suffix}");
        let route = format!("/api/v1/consultations/{{id}}/{suffix}");
        assert!(paths.contains(&route.as_str()), "{route} is not a documented route");
    }
    assert_eq!(get("/consult/app.css").await.unwrap().status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_asks_on_the_web_and_a_lawyer_answers() {
    if !desktop_test::display_available("web consultation e2e") {
        return;
    }
    let n = Node::start().await;
    let lawyer = n.login("lawyer").await;
    let (st, v) = n
        .req("PUT", "/api/v1/lawyer/status")
        .bearer(&lawyer)
        .json(json!({"online": true, "specialties": ["labour"]}))
        .send()
        .await;
    assert_eq!(st, 200, "{v}");

    let s = desktop_test::AppSession::browse(&format!("{}/consult", n.base))
        .await
        .unwrap();
    let result = async {
        s.wait_for("#question", T).await?;
        s.client
            .find(fantoccini::Locator::Css("#specialty"))
            .await?
            .select_by_value("labour")
            .await?;
        s.fill("#question", "单位拖欠我三个月工资，我该怎么办？").await?;
        s.click("#submit").await?;
        s.wait_text("#status", "待接单", T).await?;
        let form = s.client.find(fantoccini::Locator::Css("#ask")).await?;
        anyhow::ensure!(
            !form.is_displayed().await?,
            "the question form stays on screen during the chat"
        );

        // The lawyer finds it in the inbox, picks it up and answers: the page shows it live.
        let (_, inbox) = n.req("GET", "/api/v1/lawyer/inbox").bearer(&lawyer).send().await;
        let id = inbox["items"][0]["id"].as_str().unwrap().to_owned();
        n.req("POST", &format!("/api/v1/consultations/{id}/pickup"))
            .bearer(&lawyer)
            .send()
            .await;
        n.req("POST", &format!("/api/v1/consultations/{id}/messages"))
            .bearer(&lawyer)
            .json(json!({"body": "您好，请问您和单位签了劳动合同吗？"}))
            .send()
            .await;
        s.wait_text("#messages", "劳动合同", T).await?;
        s.fill("#input", "签了，两年期的。").await?;
        s.click("#send").await?;
        s.wait_text("#messages", "两年期", T).await?;
        let shot = desktop_test::docs_screenshot_dir(&desktop_test::workspace_root()).join("web-consult.png");
        s.screenshot(&shot).await?;
        let (_, c) = n
            .req("GET", &format!("/api/v1/consultations/{id}"))
            .bearer(&lawyer)
            .send()
            .await;
        let bodies: Vec<&str> = c["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|m| m["body"].as_str())
            .collect();
        anyhow::ensure!(
            bodies.contains(&"签了，两年期的。"),
            "the citizen's reply is not on the node: {bodies:?}"
        );

        // End and rate (7.1.4).
        s.click("#close").await?;
        s.wait_text("#status", "已结束", T).await?;
        s.click(r#"#rating button[data-level="5"]"#).await?;
        s.wait_text("#rating", "感谢", T).await?;
        let (_, c): (u16, Value) = n
            .req("GET", &format!("/api/v1/consultations/{id}"))
            .bearer(&lawyer)
            .send()
            .await;
        anyhow::ensure!(c["rating"]["level"] == 5, "rating not on the node: {c}");
        anyhow::Ok(())
    }
    .await;
    if result.is_err() {
        let _ = s
            .screenshot(&desktop_test::workspace_root().join("target/e2e-screenshots/web-consult-failure.png"))
            .await;
    }
    s.close().await;
    result.unwrap();
}
