//! End-to-end support for the desktop apps: the real app binary in a real webview (WebKitGTK) under
//! Xvfb, driven over WebDriver through `tauri-driver`.
//!
//! - [`display_available`]: tests skip cleanly (with a message) where there is no `DISPLAY`; the test
//!   script runs them under `xvfb-run`, where they must run (`E2E_REQUIRED=1` turns a skip into a
//!   failure, so CI cannot pass by skipping).
//! - [`AppSession::start`]: free ports, `tauri-driver` started with the app's environment (the app
//!   inherits it through WebKitWebDriver), a WebDriver session on the app's main window.
//! - [`AppSession::screenshot`]: waits two animation frames first (WebKitGTK otherwise returns the
//!   previous frame).
//! - `tauri-driver` is stopped with SIGTERM, never SIGKILL: only then does it stop its WebKitWebDriver,
//!   which would otherwise keep the native port.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
pub use fantoccini::{Client, Locator};

#[cfg(feature = "ipc")]
pub mod ipc;

/// The workspace root (this crate sits directly in it): screenshots and measurements go below it.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The tauri-driver version the scripts install (under `$HOME/.cache/tools`).
pub const TAURI_DRIVER_VERSION: &str = "2.1.0";

/// True where a display exists. Without one the caller should return early (skip), unless
/// `E2E_REQUIRED` is set, in which case this panics: a required end-to-end run must not pass by
/// skipping.
pub fn display_available(test: &str) -> bool {
    if std::env::var_os("DISPLAY").is_some() {
        return true;
    }
    assert!(
        std::env::var_os("E2E_REQUIRED").is_none(),
        "{test}: E2E_REQUIRED is set but there is no DISPLAY (run under xvfb-run)"
    );
    eprintln!("SKIP {test}: no DISPLAY (run under xvfb-run)");
    false
}

/// `tauri-driver`: `$TAURI_DRIVER`, else the scripts' install under `$HOME/.cache/tools`, else `PATH`.
pub fn tauri_driver() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    if let Some(home) = std::env::var_os("HOME") {
        let p = PathBuf::from(home).join(format!(
            ".cache/tools/tauri-driver-{TAURI_DRIVER_VERSION}/bin/tauri-driver"
        ));
        if p.exists() {
            return p;
        }
    }
    PathBuf::from("tauri-driver")
}

pub fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

async fn wait_port(port: u16, within: Duration) -> Result<()> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("nothing listens on port {port} after {within:?}")
}

/// WebKitGTK's minimal browser, installed with the library (Debian/Ubuntu multiarch path).
pub const MINIBROWSER: &str = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        // SIGTERM: tauri-driver then stops its WebKitWebDriver child; SIGKILL would orphan it.
        let _ = Command::new("kill").arg(self.0.id().to_string()).status();
        let _ = self.0.wait();
    }
}

/// One running app under WebDriver.
pub struct AppSession {
    pub client: Client,
    /// When the session request was sent (the app is started by it).
    pub started: Instant,
    _driver: Driver,
}

impl AppSession {
    /// Starts `app` (a built binary) with `env` added to its environment and `args` on its command
    /// line, and opens a WebDriver session on it.
    pub async fn start(app: &Path, env: &[(&str, String)], args: &[String]) -> Result<AppSession> {
        if !app.exists() {
            bail!("app binary not built: {}", app.display());
        }
        let (port, native_port) = (free_port()?, free_port()?);
        let mut cmd = Command::new(tauri_driver());
        cmd.args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let driver = Driver(cmd.spawn().with_context(|| {
            format!(
                "start {} (install: cargo install --locked tauri-driver@{TAURI_DRIVER_VERSION})",
                tauri_driver().display()
            )
        })?);
        wait_port(port, Duration::from_secs(20)).await?;
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app, "args": args }),
        );
        let started = Instant::now();
        let client = fantoccini::ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .context("WebDriver session on the app")?;
        Ok(AppSession {
            client,
            started,
            _driver: driver,
        })
    }

    /// Opens `url` in WebKitGTK's own browser (MiniBrowser, shipped with libwebkit2gtk) under
    /// WebKitWebDriver: the web pages citizens use, tested in the same engine as the apps.
    pub async fn browse(url: &str) -> Result<AppSession> {
        let port = free_port()?;
        let mut cmd = Command::new(std::env::var_os("WEBKIT_WEBDRIVER").unwrap_or_else(|| "WebKitWebDriver".into()));
        cmd.arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        let driver = Driver(
            cmd.spawn()
                .context("start WebKitWebDriver (apt package webkit2gtk-driver)")?,
        );
        wait_port(port, Duration::from_secs(20)).await?;
        let mut caps = serde_json::Map::new();
        caps.insert(
            "webkitgtk:browserOptions".into(),
            serde_json::json!({ "binary": MINIBROWSER, "args": ["--automation"] }),
        );
        let started = Instant::now();
        let client = fantoccini::ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .context("WebDriver session on MiniBrowser")?;
        client.goto(url).await.with_context(|| format!("open {url}"))?;
        Ok(AppSession {
            client,
            started,
            _driver: driver,
        })
    }

    /// Calls a Tauri command from the page (`window.__TAURI__.core.invoke`), as the UI would; a
    /// rejected call is an error carrying the command's error value.
    pub async fn invoke(&self, cmd: &str, args: serde_json::Value) -> Result<serde_json::Value> {
        let r = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1]; \
                 window.__TAURI__.core.invoke(arguments[0], arguments[1]).then(r => done({ok: r === undefined ? null : r}), e => done({err: e}));",
                vec![serde_json::json!(cmd), args],
            )
            .await?;
        if let Some(e) = r.get("err") {
            bail!("{cmd}: {e}");
        }
        Ok(r["ok"].clone())
    }

    /// Ends the session (closes the app) and stops the driver.
    pub async fn close(self) {
        let _ = self.client.close().await;
    }

    /// Waits for an element to exist.
    pub async fn wait_for(&self, css: &str, within: Duration) -> Result<fantoccini::elements::Element> {
        self.client
            .wait()
            .at_most(within)
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("no element {css} within {within:?}"))
    }

    /// Text of the first element matching `css` ("" when none).
    pub async fn text(&self, css: &str) -> String {
        match self.client.find(Locator::Css(css)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Waits until the text of `css` contains `needle`; returns the text.
    pub async fn wait_text(&self, css: &str, needle: &str, within: Duration) -> Result<String> {
        let deadline = Instant::now() + within;
        loop {
            let t = self.text(css).await;
            if t.contains(needle) {
                return Ok(t);
            }
            if Instant::now() > deadline {
                bail!("{css} did not show {needle:?} within {within:?}; it shows {t:?}");
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Waits until an element matching `css` exists and is gone again when `present` is false.
    pub async fn wait_present(&self, css: &str, present: bool, within: Duration) -> Result<()> {
        let deadline = Instant::now() + within;
        loop {
            let found = self.client.find(Locator::Css(css)).await.is_ok();
            if found == present {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "{css} still {} after {within:?}",
                    if present { "absent" } else { "present" }
                );
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    pub async fn click(&self, css: &str) -> Result<()> {
        self.wait_for(css, Duration::from_secs(10))
            .await?
            .click()
            .await
            .with_context(|| format!("click {css}"))?;
        Ok(())
    }

    /// Replaces the value of an input.
    pub async fn fill(&self, css: &str, text: &str) -> Result<()> {
        let e = self.wait_for(css, Duration::from_secs(10)).await?;
        e.clear().await.with_context(|| format!("clear {css}"))?;
        e.send_keys(text).await.with_context(|| format!("type into {css}"))?;
        Ok(())
    }

    /// Sends keys to the focused page (keyboard shortcuts).
    pub async fn keys(&self, keys: &str) -> Result<()> {
        let body = self.client.find(Locator::Css("body")).await?;
        body.send_keys(keys).await?;
        Ok(())
    }

    /// A PNG of the window after two animation frames (so it shows the current state).
    pub async fn screenshot(&self, out: &Path) -> Result<()> {
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1]; \
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            )
            .await?;
        let png = self.client.screenshot().await?;
        if let Some(dir) = out.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(out, &png).with_context(|| format!("write {}", out.display()))?;
        Ok(())
    }

    /// Switches to the window whose title contains `title` (the apps' second windows).
    pub async fn switch_to_title(&self, title: &str, within: Duration) -> Result<()> {
        let deadline = Instant::now() + within;
        loop {
            for h in self.client.windows().await? {
                self.client.switch_to_window(h).await?;
                if self.client.title().await.unwrap_or_default().contains(title) {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                bail!("no window titled {title:?} within {within:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Where the documented screenshots go: `docs/screenshots` when `UPDATE_SCREENSHOTS` is set (to refresh
/// the docs on purpose), else beside the other test output in `target/e2e-screenshots`, so a test run
/// does not modify the work tree.
pub fn docs_screenshot_dir(workspace_root: &Path) -> PathBuf {
    if std::env::var_os("UPDATE_SCREENSHOTS").is_some() {
        workspace_root.join("docs/screenshots")
    } else {
        screenshot_dir(workspace_root)
    }
}

/// Where the end-to-end screenshots go: `$E2E_SCREENSHOTS` or `target/e2e-screenshots`.
pub fn screenshot_dir(workspace_root: &Path) -> PathBuf {
    std::env::var_os("E2E_SCREENSHOTS").map_or_else(|| workspace_root.join("target/e2e-screenshots"), PathBuf::from)
}

/// VmRSS (kB) of the running `exe_name` process whose environment contains `env_needle` (e.g. its
/// data-dir variable, to tell two instances apart) and of its direct children
/// (WebKitWebProcess, WebKitNetworkProcess).
pub fn memory_kb(exe_name: &str, env_needle: &str) -> (u64, u64) {
    let rss = |pid: &str| -> u64 {
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_owned))
            .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
            .unwrap_or(0)
    };
    let pids: Vec<String> = std::fs::read_dir("/proc")
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| n.chars().all(|c| c.is_ascii_digit()))
                .collect()
        })
        .unwrap_or_default();
    let app = pids.iter().find(|p| {
        let exe = std::fs::read_link(format!("/proc/{p}/exe")).unwrap_or_default();
        exe.file_name().is_some_and(|n| n == exe_name)
            && std::fs::read(format!("/proc/{p}/environ"))
                .is_ok_and(|e| String::from_utf8_lossy(&e).contains(env_needle))
    });
    let Some(app) = app else { return (0, 0) };
    let children: u64 = pids
        .iter()
        .filter(|p| {
            std::fs::read_to_string(format!("/proc/{p}/status")).is_ok_and(|s| {
                s.lines()
                    .any(|l| l.starts_with("PPid:") && l.split_whitespace().nth(1) == Some(app.as_str()))
            })
        })
        .map(|p| rss(p))
        .sum();
    (rss(app), children)
}
