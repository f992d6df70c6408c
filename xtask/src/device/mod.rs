//! `xtask device`: a simulated hall device as its own process, so that the chaos run can `kill -9` it
//! at any point and start it again on the same data directory.
//!
//! Everything the device must remember lives in its `EdgeStore` (identity, outbox, offline series,
//! cursor). Beside it, two small files are for the chaos run only: `stats.json` (running totals across
//! restarts, rewritten atomically) and, for terminals, `acked.jsonl` (every call the hall answered).
//! A file `quiesce` in the data directory tells the device to stop producing and only sync; it answers
//! with a file `quiesced` once nothing of its own is in flight.

mod kiosk;
mod stats;
mod terminal;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use edge::client::{ClientConfig, ClientError, SyncClient};
use edge::store::{EdgeStore, Identity};
use edge::{Syncer, SyncerConfig};

pub use stats::{DeviceStats, STATS_FILE};
pub use terminal::{ACKED_FILE, AckedCall};

/// The file that tells a device to stop producing.
pub const QUIESCE_FILE: &str = "quiesce";
/// The file a device writes once it has stopped producing (nothing of its own is in flight then).
pub const QUIESCED_FILE: &str = "quiesced";
/// The environment variable the staff password may come in (keeps it out of `ps`).
pub const PASSWORD_ENV: &str = "XTASK_DEVICE_PASSWORD";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DeviceRole {
    /// Issues offline tickets (device series) into its outbox and sends heartbeats.
    Kiosk,
    /// Signs a clerk in at a window and calls and finishes tickets over the HTTP API.
    Terminal,
}

impl DeviceRole {
    /// The device kind the enrollment code must be for.
    fn kind(self) -> &'static str {
        match self {
            DeviceRole::Kiosk => "kiosk",
            DeviceRole::Terminal => "window_terminal",
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct DeviceArgs {
    /// The device's data directory (its EdgeStore and the chaos side files).
    #[arg(long)]
    pub data: PathBuf,
    /// The hall node (or a proxy in front of it), e.g. http://127.0.0.1:8080. Saved at enrollment with
    /// the identity; later starts use the saved one.
    #[arg(long)]
    pub upstream: String,
    /// One-time enrollment code; needed on the first start only.
    #[arg(long)]
    pub code: Option<String>,
    #[arg(long, value_enum)]
    pub role: DeviceRole,
    /// Kiosk: tickets per second. Terminal: at most this many call attempts per second.
    #[arg(long, default_value_t = 2.0)]
    pub rate: f64,
    /// Terminal: the window to work at.
    #[arg(long)]
    pub window: Option<String>,
    /// Terminal: the clerk's login.
    #[arg(long)]
    pub staff: Option<String>,
    /// Terminal: the clerk's password.
    #[arg(long, env = PASSWORD_ENV, hide_env_values = true)]
    pub password: Option<String>,
    /// Seconds between heartbeats.
    #[arg(long, default_value_t = 3)]
    pub heartbeat_secs: u64,
}

/// What the role loops share.
pub(crate) struct Ctx {
    pub args: DeviceArgs,
    pub store: EdgeStore,
    pub identity: Identity,
    pub stats: Arc<stats::StatsFile>,
}

impl Ctx {
    /// Whether to stop producing. Called at the top of each loop round, so when it first says yes no
    /// request of this device's own is in flight: that moment is acknowledged with a file.
    pub fn quiesced(&self) -> bool {
        if !self.args.data.join(QUIESCE_FILE).exists() {
            return false;
        }
        let ack = self.args.data.join(QUIESCED_FILE);
        if !ack.exists()
            && let Err(e) = std::fs::write(&ack, b"")
        {
            tracing::warn!(error = %e, "could not acknowledge the quiesce request");
        }
        true
    }
}

/// The device process: enroll if needed, then sync and produce until killed.
pub async fn run(args: DeviceArgs) -> anyhow::Result<()> {
    if !(args.rate > 0.0 && args.rate.is_finite()) {
        bail!("--rate must be a positive number");
    }
    std::fs::create_dir_all(&args.data).with_context(|| format!("creating {}", args.data.display()))?;
    let regressions = stats::init_logging();
    let store = EdgeStore::open(&args.data).with_context(|| format!("opening the store in {}", args.data.display()))?;
    let identity = match store.identity()? {
        Some(id) => id,
        None => enroll(&args, &store).await?,
    };
    let stats = Arc::new(stats::StatsFile::load(&args.data, regressions)?);
    stats.update(|s| s.starts += 1);
    tracing::info!(device = %identity.device_id, role = ?args.role, "device started");

    let syncer = Syncer::new(store.clone(), syncer_config()).context("starting the syncer")?;
    tokio::spawn(syncer.run(std::future::pending::<()>()));
    tokio::spawn(stats::watch_cursor(store.clone(), Arc::clone(&stats)));
    tokio::spawn(Arc::clone(&stats).flush_loop());
    tokio::spawn(exit_with_parent());

    let ctx = Ctx {
        args,
        store,
        identity,
        stats,
    };
    match ctx.args.role {
        DeviceRole::Kiosk => kiosk::run(&ctx).await,
        DeviceRole::Terminal => terminal::run(&ctx).await,
    }
}

/// Timeouts short enough for a chaos cycle of a few seconds (a real device would wait longer), and a
/// quick poll so pulls meet the faults too.
fn syncer_config() -> SyncerConfig {
    SyncerConfig {
        client: client_config(),
        poll_interval: Duration::from_millis(300),
        ..SyncerConfig::default()
    }
}

pub(crate) fn client_config() -> ClientConfig {
    ClientConfig {
        connect_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(3),
    }
}

/// Enrolls with the one-time code, retrying while the hall cannot be reached. A refusal (bad or used
/// code) ends the process: retrying cannot fix it.
async fn enroll(args: &DeviceArgs, store: &EdgeStore) -> anyhow::Result<Identity> {
    let code = args
        .code
        .as_deref()
        .context("this device is not enrolled yet: pass --code with an enrollment code")?;
    let name = format!(
        "chaos {} {}",
        args.role.kind(),
        args.data.file_name().and_then(|n| n.to_str()).unwrap_or("device")
    );
    let mut attempt = 0u32;
    let enrollment = loop {
        match SyncClient::enroll_with(&args.upstream, code, &name, &client_config()).await {
            Ok(e) => break e,
            // A cut answer may have used the code up; that shows as a refusal on the next try and is
            // reported as such (enrollment is one-shot by design).
            Err(ClientError::Unreachable(e)) if attempt < 60 => {
                attempt += 1;
                tracing::warn!(error = %e, attempt, "enrollment: hall unreachable; retrying");
                tokio::time::sleep(edge::backoff::next_delay(attempt.min(3), 0.0)).await;
            }
            Err(e) => return Err(e).context("enrollment refused"),
        }
    };
    if enrollment.kind != args.role.kind() {
        bail!(
            "the enrollment code is for a {}, not a {}",
            enrollment.kind,
            args.role.kind()
        );
    }
    let identity = enrollment.into_identity(&args.upstream);
    store.save_identity(&identity)?;
    tracing::info!(device = %identity.device_id, letter = ?identity.letter, "enrolled");
    Ok(identity)
}

/// A device started by the chaos run must not outlive it (a crashed run would leave it producing).
/// (The chaos run is Unix-only anyway: it is about `kill -9`.)
async fn exit_with_parent() {
    let parent = std::os::unix::process::parent_id();
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        if std::os::unix::process::parent_id() != parent {
            tracing::warn!("the process that started this device is gone; exiting");
            std::process::exit(0);
        }
    }
}

/// Milliseconds since 1970 (the devices' clock, as the server's).
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Appends a heartbeat to the outbox (it travels like every other event).
pub(crate) async fn heartbeat(ctx: &Ctx) -> anyhow::Result<()> {
    let status = serde_json::json!({
        "status": {
            "printer": "ok",
            "reader": "ok",
            "role": ctx.args.role.kind(),
            "pid": std::process::id(),
        }
    });
    let store = ctx.store.clone();
    // The append commits with fsync: keep it off the async workers.
    tokio::task::spawn_blocking(move || store.append(protocol::sync::kinds::DEVICE_HEARTBEAT, 1, now_ms(), &status))
        .await
        .context("the heartbeat task failed")??;
    ctx.stats.update(|s| s.heartbeats += 1);
    Ok(())
}

/// The interval between two actions at `rate` per second.
pub(crate) fn interval(rate: f64) -> Duration {
    Duration::from_secs_f64((1.0 / rate).clamp(0.001, 60.0))
}
