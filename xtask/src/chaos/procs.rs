//! The processes of a chaos run: nodes (`server serve`) and devices (`xtask device`), each started
//! again on the same data directory after a `kill -9`. Output goes to a log file per process (appended
//! across restarts); a process still running when its handle is dropped is killed, so a failed run
//! leaves nothing behind.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

/// How long a node may take to print its address.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// What `server serve` prints once it listens.
const SERVING: &str = "serving on http://";

/// A process that can be killed and started again with the same command line.
pub struct Proc {
    pub name: String,
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    pub log: PathBuf,
    child: Option<Child>,
    pub starts: u32,
}

impl Proc {
    pub fn new(name: &str, program: &Path, args: Vec<String>, log: PathBuf) -> Proc {
        Proc {
            name: name.to_owned(),
            program: program.to_path_buf(),
            args,
            env: Vec::new(),
            log,
            child: None,
            starts: 0,
        }
    }

    pub fn env(mut self, key: &str, value: &str) -> Proc {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    pub fn set_args(&mut self, args: Vec<String>) {
        self.args = args;
    }

    /// Starts the process; returns the length of its log before it started (its new output follows).
    pub fn spawn(&mut self) -> anyhow::Result<u64> {
        if self.child.is_some() {
            bail!("{} is already running", self.name);
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .with_context(|| format!("opening {}", self.log.display()))?;
        let offset = log.metadata().map(|m| m.len()).unwrap_or(0);
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log));
        // A node reads SERVER_* from the environment: only what this run sets may count.
        for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("SERVER_")) {
            cmd.env_remove(k);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let child = cmd
            .spawn()
            .with_context(|| format!("starting {} ({})", self.name, self.program.display()))?;
        self.child = Some(child);
        self.starts += 1;
        Ok(offset)
    }

    /// `kill -9` (SIGKILL: no shutdown code runs) and reap.
    pub fn kill9(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            // Already gone is fine: the point is that it is not running afterwards.
            let _ = child.kill();
            child.wait().with_context(|| format!("reaping {}", self.name))?;
        }
        Ok(())
    }

    /// Whether the process is running; an exit is reported with its status.
    pub fn check_alive(&mut self) -> Result<(), String> {
        let Some(child) = self.child.as_mut() else {
            return Err("not started".to_owned());
        };
        match child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => {
                self.child = None;
                Err(format!("exited on its own ({status})"))
            }
            Err(e) => Err(format!("cannot tell: {e}")),
        }
    }

    /// The last lines of the log, for evidence.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.kill9();
    }
}

/// A node process and where it listens now (a new port after every restart).
pub struct Node {
    pub proc: Proc,
    pub data: PathBuf,
    pub addr: Option<SocketAddr>,
}

impl Node {
    pub fn new(name: &str, server_bin: &Path, data: &Path, args: Vec<String>, log_filter: &str) -> Node {
        let log = data.with_extension("log");
        Node {
            proc: Proc::new(name, server_bin, args, log)
                .env("RUST_LOG", log_filter)
                .env("NO_COLOR", "1"),
            data: data.to_path_buf(),
            addr: None,
        }
    }

    pub fn base(&self) -> anyhow::Result<String> {
        self.addr
            .map(|a| format!("http://{a}"))
            .with_context(|| format!("{} is not running", self.proc.name))
    }

    /// Starts the node and waits until it says where it listens.
    pub async fn start(&mut self) -> anyhow::Result<SocketAddr> {
        self.addr = None;
        let offset = self.proc.spawn()?;
        let started = Instant::now();
        loop {
            if let Some(addr) = serving_addr(&self.proc.log, offset)? {
                self.addr = Some(addr);
                return Ok(addr);
            }
            if let Err(e) = self.proc.check_alive() {
                bail!(
                    "{} did not start: {e}\n--- {} ---\n{}",
                    self.proc.name,
                    self.proc.log.display(),
                    self.proc.log_tail(30)
                );
            }
            if started.elapsed() > START_TIMEOUT {
                bail!(
                    "{} did not say where it listens within {START_TIMEOUT:?}",
                    self.proc.name
                );
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    pub fn kill9(&mut self) -> anyhow::Result<()> {
        self.addr = None;
        self.proc.kill9()
    }

    pub fn db(&self) -> PathBuf {
        self.data.join("node.db")
    }
}

/// The address in the first "serving on http://…" line after `offset` in the log, if it is there yet.
fn serving_addr(log: &Path, offset: u64) -> anyhow::Result<Option<SocketAddr>> {
    let bytes = std::fs::read(log).with_context(|| format!("reading {}", log.display()))?;
    let from = usize::try_from(offset).unwrap_or(usize::MAX).min(bytes.len());
    let text = String::from_utf8_lossy(&bytes[from..]);
    for line in text.lines() {
        if let Some(rest) = line.split(SERVING).nth(1) {
            let addr = rest.split_whitespace().next().unwrap_or_default();
            return addr
                .parse()
                .map(Some)
                .with_context(|| format!("unreadable address in {line:?}"));
        }
    }
    Ok(None)
}

/// Waits for a file the node writes on first start (e.g. `initial-admin-password`) and returns its
/// trimmed content.
pub async fn wait_for_file(path: &Path, timeout: Duration) -> anyhow::Result<String> {
    let started = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            let text = text.trim();
            if !text.is_empty() {
                return Ok(text.to_owned());
            }
        }
        if started.elapsed() > timeout {
            bail!("{} did not appear within {timeout:?}", path.display());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_address_is_read_from_the_new_output_only() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("n.log");
        std::fs::write(&log, "serving on http://127.0.0.1:1111 (API: /api/v1/openapi.json)\n").unwrap();
        let offset = std::fs::metadata(&log).unwrap().len();
        assert_eq!(serving_addr(&log, offset).unwrap(), None);
        let mut text = std::fs::read_to_string(&log).unwrap();
        text.push_str("WARN something\nserving on http://127.0.0.1:2222 (API: /api/v1/openapi.json)\n");
        std::fs::write(&log, text).unwrap();
        assert_eq!(
            serving_addr(&log, offset).unwrap(),
            Some("127.0.0.1:2222".parse().unwrap())
        );
        assert_eq!(serving_addr(&log, 0).unwrap(), Some("127.0.0.1:1111".parse().unwrap()));
    }
}
