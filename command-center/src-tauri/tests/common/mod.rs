//! A real hall node in-process for the wall's tests: the demo city's configuration (哈尔滨市, hall
//! H00), the system clock (the wall's announcer measures call age against it), passwords only for
//! the accounts the tests use, and a restart on the same address (the wall keeps its URL).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::path::PathBuf;

use serde_json::{Value, json};
use server::app::ServerConfig;

pub const HALL: &str = "H00";
pub const PASSWORD: &str = server::demo::city::DEMO_PASSWORD;

pub struct HallNode {
    running: Option<server::Running>,
    pub addr: SocketAddr,
    pub base: String,
    dir: PathBuf,
    _tmp: tempfile::TempDir,
    http: reqwest::Client,
}

fn config(dir: PathBuf, listen: String) -> ServerConfig {
    ServerConfig {
        data: dir,
        listen,
        ..ServerConfig::default()
    }
}

impl HallNode {
    pub async fn start() -> HallNode {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let running = server::start(
            config(dir.clone(), "127.0.0.1:0".into()),
            server::engine::system_clock(),
        )
        .await
        .unwrap();
        let app = running.app.clone();
        let city = server::demo::city::harbin();
        server::api::halls::install_config(&app, domain_actor(), city.clone())
            .await
            .unwrap();
        let hash = server::auth::hash_password(PASSWORD).unwrap();
        let needed = ["admin", "hrb0001", "hrb0005", "h00-manager"];
        for s in city.staff.iter().filter(|s| needed.contains(&s.login.as_str())) {
            server::api::access::set_password_hash(&app, "system", s, hash.clone())
                .await
                .unwrap();
        }
        let addr = running.addr;
        HallNode {
            running: Some(running),
            addr,
            base: format!("http://{addr}"),
            dir,
            _tmp: tmp,
            http: reqwest::Client::new(),
        }
    }

    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    pub async fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
    }

    /// Starts again on the same data directory and the same address.
    pub async fn restart(&mut self) {
        self.stop().await;
        let mut last = None;
        // The port was just released; a moment's retry covers a slow close.
        for _ in 0..50 {
            match server::start(
                config(self.dir.clone(), self.addr.to_string()),
                server::engine::system_clock(),
            )
            .await
            {
                Ok(r) => {
                    self.running = Some(r);
                    return;
                }
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("hall node did not restart on {}: {last:?}", self.addr);
    }

    pub async fn request(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
        let mut rb = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.base));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let resp = rb.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn login(&self, login: &str) -> String {
        let (st, v) = self
            .request(
                "POST",
                "/api/v1/sessions",
                None,
                Some(json!({"login": login, "password": PASSWORD})),
            )
            .await;
        assert_eq!(st, 201, "login {login}: {v}");
        v["token"].as_str().unwrap().to_owned()
    }

    /// A one-time enrollment code for a device of `kind` in hall H00.
    pub async fn enrollment_code(&self, kind: &str) -> String {
        let admin = self.login("admin").await;
        let (st, v) = self
            .request(
                "POST",
                "/api/v1/devices/enrollment-codes",
                Some(&admin),
                Some(json!({"hall_id": HALL, "kind": kind})),
            )
            .await;
        assert_eq!(st, 201, "{v}");
        v["code"].as_str().unwrap().to_owned()
    }

    /// Signs `staff` in at `window` and opens it.
    pub async fn open_window(&self, staff: &str, window: &str) -> String {
        let t = self.login(staff).await;
        for action in ["sign-in", "open"] {
            let (st, v) = self
                .request("POST", &format!("/api/v1/windows/{window}/{action}"), Some(&t), None)
                .await;
            assert_eq!(st, 200, "{action} {window}: {v}");
        }
        t
    }

    /// Issues a ticket for a whole queue (as the hall manager at the counter would).
    pub async fn issue(&self, token: &str, queue: &str) -> Value {
        let (st, v) = self
            .request(
                "POST",
                "/api/v1/tickets",
                Some(token),
                Some(json!({"hall_id": HALL, "queue_id": queue, "channel": "kiosk"})),
            )
            .await;
        assert_eq!(st, 201, "issue {queue}: {v}");
        v
    }

    pub async fn window_action(&self, token: &str, window: &str, action: &str) -> (u16, Value) {
        self.request("POST", &format!("/api/v1/windows/{window}/{action}"), Some(token), None)
            .await
    }
}

fn domain_actor() -> domain::Actor {
    domain::Actor::System
}
