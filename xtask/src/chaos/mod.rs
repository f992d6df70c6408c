//! `cargo xtask chaos`: the sync under real faults, with real processes.
//!
//! A city node and a hall node (`server serve`, roles city and hall) and simulated devices
//! (`xtask device`, kiosks and window terminals), each its own process with its own SQLite files.
//! Every link goes through a fault proxy: devices → hall (one proxy per device) and hall → city. Each
//! cycle runs traffic while the proxies switch between random faults, and at a random moment one of
//! {hall, city, a device} is killed with SIGKILL and started again on the same data directory. After
//! the last cycle the faults stop, the devices stop producing, and the run waits until everything
//! converged (every outbox settled, the city's log holding the hall's), timing it. Then the invariants
//! are checked against the files (see [`check`]).
//!
//! The last line printed is `chaos: cycles=… produced=… applied=… duplicates=… lost=… double_calls=…
//! converge_ms=…`:
//! - `produced`: events the devices put into their outboxes (offline tickets, heartbeats);
//! - `applied`: those the hall applied (the rest were rejected, and are listed by reason);
//! - `duplicates`: `duplicate` results the upstreams sent in push answers — a resent event answered
//!   from the stored result instead of being applied again. Counted on the wire by the proxies (push
//!   answers from hall to devices and from city to hall), because `Syncer::run` keeps its per-round
//!   reports to itself; an answer a fault cut after that point still counts;
//! - `lost`: outbox events never settled + acknowledged events missing from the hall's log + from the
//!   city's log + hall events never forwarded + terminal calls the hall acknowledged but did not log;
//! - `double_calls`: tickets called while already called or in service (the worse of the two logs);
//! - `converge_ms`: from the moment the faults stopped until everything converged.

pub mod check;
mod procs;
pub mod replay;
mod run;
mod setup;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, bail};

pub use run::run;

use crate::proxy::FaultPlan;

/// Enrollment gives kiosks letters from a list of 24 per hall, counting every device of the hall.
pub const MAX_DEVICES: u32 = 24;

#[derive(Debug, Clone, clap::Args)]
pub struct ChaosArgs {
    /// Fault-and-kill cycles.
    #[arg(long, default_value_t = 10)]
    pub cycles: u32,
    /// Simulated devices: a quarter of them (at least one) window terminals, the rest kiosks.
    #[arg(long, default_value_t = 5)]
    pub devices: u32,
    /// Seed of the fault schedule, the kill victims and moments (printed, for a re-run).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Keep every data directory and log here (it must not exist yet, or be empty). Without it a
    /// temporary directory is used, removed when the run passes and kept when it fails.
    #[arg(long)]
    pub keep: Option<PathBuf>,
    /// The server binary to run; built with `cargo build -p server --bin server` when not given.
    #[arg(long)]
    pub server_bin: Option<PathBuf>,
    /// The binary that runs `device` (default: this one).
    #[arg(long, hide = true)]
    pub device_bin: Option<PathBuf>,
    /// Offline tickets per second per kiosk.
    #[arg(long, default_value_t = 2.0)]
    pub rate: f64,
    /// Shortest and longest cycle, in milliseconds.
    #[arg(long, default_value_t = 1500)]
    pub cycle_min_ms: u64,
    #[arg(long, default_value_t = 4000)]
    pub cycle_max_ms: u64,
    /// How long everything may take to converge after the faults stopped.
    #[arg(long, default_value_t = 120)]
    pub converge_timeout_secs: u64,
    /// `RUST_LOG` of the nodes (e.g. `info,node_http=debug` logs every request with its duration).
    #[arg(long, default_value = "info")]
    pub node_log: String,
    /// `RUST_LOG` of the devices.
    #[arg(long, default_value = "info")]
    pub device_log: String,
}

impl ChaosArgs {
    /// The defaults, with this many cycles and devices.
    pub fn new(cycles: u32, devices: u32) -> ChaosArgs {
        ChaosArgs {
            cycles,
            devices,
            seed: None,
            keep: None,
            server_bin: None,
            device_bin: None,
            rate: 2.0,
            cycle_min_ms: 1500,
            cycle_max_ms: 4000,
            converge_timeout_secs: 120,
            node_log: "info".to_owned(),
            device_log: "info".to_owned(),
        }
    }
}

/// Everything a run needs, resolved.
#[derive(Debug, Clone)]
pub struct ChaosOptions {
    pub cycles: u32,
    pub devices: u32,
    pub seed: u64,
    pub dir: PathBuf,
    pub server_bin: PathBuf,
    pub device_bin: PathBuf,
    pub rate: f64,
    pub cycle_ms: (u64, u64),
    pub converge_timeout: Duration,
    pub plan: FaultPlan,
    pub node_log: String,
    pub device_log: String,
}

#[derive(Debug, Default)]
pub struct Summary {
    pub cycles: u32,
    pub produced: u64,
    pub applied: u64,
    pub rejected: u64,
    pub duplicates: u64,
    pub lost: u64,
    pub double_calls: u64,
    /// Whether everything converged within the timeout (if not, `converge_ms` is how long it waited).
    pub converged: bool,
    pub converge_ms: u64,
    pub faults: u64,
    pub failures: Vec<check::Failure>,
    pub notes: Vec<String>,
}

impl Summary {
    pub fn passed(&self) -> bool {
        self.failures.is_empty() && self.lost == 0 && self.double_calls == 0 && self.converged
    }

    /// The last line of the output.
    pub fn last_line(&self) -> String {
        format!(
            "chaos: cycles={} produced={} applied={} duplicates={} lost={} double_calls={} converge_ms={}",
            self.cycles, self.produced, self.applied, self.duplicates, self.lost, self.double_calls, self.converge_ms
        )
    }

    /// Everything but the last line: notes, then each failed invariant with its evidence.
    pub fn report(&self) -> Vec<String> {
        let mut out: Vec<String> = self.notes.iter().map(|n| format!("  {n}")).collect();
        out.push(format!(
            "  faults injected: {}, rejected: {}",
            self.faults, self.rejected
        ));
        for f in &self.failures {
            out.push(format!("FAILED: {} ({} findings)", f.invariant, f.count));
            out.extend(f.evidence.iter().map(|e| format!("    {e}")));
        }
        out.push(if self.passed() {
            "all invariants hold".to_owned()
        } else {
            "INVARIANTS FAILED".to_owned()
        });
        out
    }
}

/// `cargo xtask chaos`: resolves the binaries and the directory, runs, prints the report and the last
/// line.
pub async fn main(args: ChaosArgs) -> anyhow::Result<Summary> {
    if args.devices < 2 || args.devices > MAX_DEVICES {
        bail!("--devices must be 2 … {MAX_DEVICES} (at least one kiosk and one terminal)");
    }
    if args.cycle_min_ms == 0 || args.cycle_min_ms > args.cycle_max_ms {
        bail!("--cycle-min-ms must be positive and at most --cycle-max-ms");
    }
    let seed = args.seed.unwrap_or_else(rand::random);
    let server_bin = match args.server_bin {
        Some(p) => p,
        None => build_server()?,
    };
    let device_bin = match args.device_bin {
        Some(p) => p,
        None => std::env::current_exe().context("locating this program")?,
    };
    let (dir, temporary) = match args.keep {
        Some(d) => (d, false),
        None => (
            std::env::temp_dir().join(format!("xtask-chaos-{}-{seed}", std::process::id())),
            true,
        ),
    };
    prepare_dir(&dir)?;
    let opts = ChaosOptions {
        cycles: args.cycles,
        devices: args.devices,
        seed,
        dir: dir.clone(),
        server_bin,
        device_bin,
        rate: args.rate,
        cycle_ms: (args.cycle_min_ms, args.cycle_max_ms),
        converge_timeout: Duration::from_secs(args.converge_timeout_secs),
        plan: FaultPlan::default(),
        node_log: args.node_log,
        device_log: args.device_log,
    };
    println!(
        "chaos: seed {seed}, {} cycles, {} devices, data in {}",
        opts.cycles,
        opts.devices,
        dir.display()
    );
    let summary = run(&opts).await?;
    for line in summary.report() {
        println!("{line}");
    }
    if summary.passed() && temporary {
        if let Err(e) = std::fs::remove_dir_all(&dir) {
            println!("  (could not remove {}: {e})", dir.display());
        }
    } else {
        println!("  data and logs kept in {}", dir.display());
    }
    println!("{}", summary.last_line());
    Ok(summary)
}

fn prepare_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .with_context(|| format!("reading {}", dir.display()))?
            .next()
            .is_some()
    {
        bail!("{} is not empty; a run needs fresh data directories", dir.display());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

/// `cargo build -p server --bin server`, returning the executable cargo reports (wherever the target
/// directory is).
pub fn build_server() -> anyhow::Result<PathBuf> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("the workspace directory")?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = std::process::Command::new(cargo)
        .current_dir(workspace)
        .args(["build", "-p", "server", "--bin", "server", "--message-format=json"])
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("running cargo build")?;
    if !out.status.success() {
        bail!("cargo build -p server failed ({})", out.status);
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "server")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .context("cargo did not report the server executable")
}
