//! One chaos run: bring the topology up, run the cycles, stop the faults, wait for convergence, stop
//! everything and check.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rusqlite::Connection;
use tokio::sync::watch;

use super::check::{self, DeviceDir, Failure};
use super::procs::{Node, Proc, wait_for_file};
use super::setup::{self, Admin};
use super::{ChaosOptions, Summary};
use crate::device::{DeviceRole, PASSWORD_ENV, QUIESCE_FILE, QUIESCED_FILE};
use crate::proxy::{Proxy, spawn_scheduler};

/// What the proxies count in answers: a push result given from the stored result of an event that had
/// been settled before (serde writes no spaces).
const DUPLICATE_RESULT: &[u8] = br#""status":"duplicate""#;
/// Setup steps (a node's first start, a device's enrollment) may take this long.
const SETUP_TIMEOUT: Duration = Duration::from_secs(60);

struct Device {
    name: String,
    dir: PathBuf,
    role: DeviceRole,
    proc: Proc,
    proxy: Arc<Proxy>,
}

struct Topology {
    city: Node,
    hall: Node,
    city_proxy: Arc<Proxy>,
    devices: Vec<Device>,
    /// Processes that exited on their own (each is a failure: nothing here may crash).
    crashes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Victim {
    Hall,
    City,
    Device(usize),
}

impl fmt::Display for Victim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Victim::Hall => write!(f, "hall node"),
            Victim::City => write!(f, "city node"),
            Victim::Device(i) => write!(f, "device #{i}"),
        }
    }
}

fn serve_args(role: &str, data: &Path, upstream: Option<&str>, code: Option<&str>) -> Vec<String> {
    let mut args: Vec<String> = ["serve", "--role", role, "--listen", "127.0.0.1:0", "--data"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    args.push(data.display().to_string());
    if let Some(u) = upstream {
        args.extend(["--upstream".to_owned(), u.to_owned()]);
    }
    if let Some(c) = code {
        args.extend(["--upstream-code".to_owned(), c.to_owned()]);
    }
    args
}

/// Runs the whole thing. `Err` is a harness failure (something could not even be set up or read);
/// broken invariants come back in the summary.
pub async fn run(o: &ChaosOptions) -> anyhow::Result<Summary> {
    let mut rng = StdRng::seed_from_u64(o.seed);
    let terminals = usize::try_from((o.devices / 4).max(1)).unwrap_or(1);
    let started = Instant::now();
    let mut topo = bring_up(o, terminals).await?;
    println!(
        "  up in {} ms: city, hall, {} kiosks, {terminals} terminals",
        started.elapsed().as_millis(),
        topo.devices.len() - terminals
    );

    let (stop_tx, stop_rx) = watch::channel(false);
    let proxies: Vec<Arc<Proxy>> = std::iter::once(Arc::clone(&topo.city_proxy))
        .chain(topo.devices.iter().map(|d| Arc::clone(&d.proxy)))
        .collect();
    let schedulers: Vec<_> = proxies
        .iter()
        .zip(1u64..)
        .map(|(p, i)| {
            // Each proxy its own stream of faults, all derived from the run's seed.
            let seed = o.seed.wrapping_add(i).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            spawn_scheduler(
                Arc::clone(p),
                o.plan.clone(),
                StdRng::seed_from_u64(seed),
                stop_rx.clone(),
            )
        })
        .collect();

    // Every kind of victim once early on (in random order), then at random.
    let mut kinds = [Victim::Hall, Victim::City, Victim::Device(0)];
    kinds.shuffle(&mut rng);
    for cycle in 1..=o.cycles {
        let len = Duration::from_millis(rng.gen_range(o.cycle_ms.0..=o.cycle_ms.1));
        let kill_at = len.mul_f64(rng.gen_range(0.2..0.8));
        let kind = kinds
            .get(usize::try_from(cycle - 1).unwrap_or(usize::MAX))
            .copied()
            .unwrap_or_else(|| kinds[rng.gen_range(0..kinds.len())]);
        let victim = match kind {
            Victim::Device(_) => Victim::Device(rng.gen_range(0..topo.devices.len())),
            other => other,
        };
        let down = Duration::from_millis(rng.gen_range(0..300));
        let t = Instant::now();
        tokio::time::sleep(kill_at).await;
        let back = topo.kill_and_restart(victim, down).await?;
        tokio::time::sleep(len.saturating_sub(t.elapsed())).await;
        topo.restart_crashed().await?;
        let name = match victim {
            Victim::Device(i) => topo.devices[i].name.clone(),
            other => other.to_string(),
        };
        println!(
            "  cycle {cycle}/{}: {} ms, killed {name} at {} ms, back after {} ms",
            o.cycles,
            t.elapsed().as_millis(),
            kill_at.as_millis(),
            back.as_millis()
        );
    }

    stop_tx.send_replace(true);
    let mut summary = Summary {
        cycles: o.cycles,
        ..Summary::default()
    };
    for s in schedulers {
        summary.faults += s.await.context("a fault scheduler failed")?;
    }
    let faults_stopped = Instant::now();
    for d in &topo.devices {
        std::fs::write(d.dir.join(QUIESCE_FILE), b"").context("asking a device to stop producing")?;
    }
    let mut notes = Vec::new();
    let outcome = topo.wait_converged(o.converge_timeout, &mut notes).await?;
    summary.converge_ms = u64::try_from(faults_stopped.elapsed().as_millis()).unwrap_or(u64::MAX);
    summary.notes.extend(notes);
    summary.converged = outcome.is_ok();
    summary.duplicates = proxies.iter().map(|p| p.stats().needle_hits).sum();
    let cuts: u64 = proxies.iter().map(|p| p.stats().cut).sum();
    summary.notes.push(format!(
        "duplicates: {} to devices, {} to the hall; connections cut: {cuts}",
        summary.duplicates - topo.city_proxy.stats().needle_hits,
        topo.city_proxy.stats().needle_hits
    ));

    // Everything stops the hard way too: the files must be consistent after any kill.
    for d in &mut topo.devices {
        d.proc.kill9()?;
    }
    topo.hall.kill9()?;
    topo.city.kill9()?;

    let devices: Vec<DeviceDir> = topo
        .devices
        .iter()
        .map(|d| DeviceDir {
            name: d.name.clone(),
            dir: d.dir.clone(),
            role: d.role,
        })
        .collect();
    let findings = check::check(&check::Input {
        hall_data: &topo.hall.data,
        city_data: &topo.city.data,
        devices: &devices,
        server_bin: &o.server_bin,
    })?;
    summary.produced = findings.produced;
    summary.applied = findings.applied;
    summary.rejected = findings.rejected;
    summary.lost = findings.lost;
    summary.double_calls = findings.double_calls;
    summary.notes.extend(findings.notes);
    summary.failures = findings.failures;
    if let Err(waiting) = outcome {
        summary.failures.push(Failure {
            invariant: "everything converges after the faults stop",
            count: waiting.len(),
            evidence: waiting,
        });
    }
    if !topo.crashes.is_empty() {
        summary.failures.push(Failure {
            invariant: "no process exits on its own",
            count: topo.crashes.len(),
            evidence: std::mem::take(&mut topo.crashes),
        });
    }
    Ok(summary)
}

/// City node with the configuration, hall node enrolled there with the city's configuration, clerks'
/// passwords, devices enrolled (one at a time: kiosks' series letters are handed out in order).
async fn bring_up(o: &ChaosOptions, terminals: usize) -> anyhow::Result<Topology> {
    let city_dir = o.dir.join("city");
    let mut city = Node::new(
        "city",
        &o.server_bin,
        &city_dir,
        serve_args("city", &city_dir, None, None),
        &o.node_log,
    );
    city.start().await?;
    let city_password = wait_for_file(&city_dir.join("initial-admin-password"), SETUP_TIMEOUT).await?;
    let city_admin = Admin::login(&city.base()?, &city_password).await?;
    let config = setup::city_config(&city_admin.config().await?, terminals)?;
    city_admin.put_config(&config).await?;
    let hall_code = city_admin.enrollment_code("hall_node").await?;
    let city_proxy = Arc::new(Proxy::start("city", city.addr, DUPLICATE_RESULT).await?);

    // The hall's first start is on its own: it makes its administrator before any configuration
    // arrives from the city (started with the upstream at once, the link could install the city's
    // configuration first, and then no initial administrator is made).
    let hall_dir = o.dir.join("hall");
    let mut hall = Node::new(
        "hall",
        &o.server_bin,
        &hall_dir,
        serve_args("hall", &hall_dir, None, None),
        &o.node_log,
    );
    hall.start().await?;
    let hall_password = wait_for_file(&hall_dir.join("initial-admin-password"), SETUP_TIMEOUT).await?;
    hall.kill9()?;
    let upstream = city_proxy.url();
    hall.proc
        .set_args(serve_args("hall", &hall_dir, Some(&upstream), Some(&hall_code)));
    hall.start().await?;
    // Restarts need no code: the enrollment is kept in DATA/keys/upstream.json.
    hall.proc.set_args(serve_args("hall", &hall_dir, Some(&upstream), None));
    let hall_admin = Admin::login(&hall.base()?, &hall_password).await?;
    hall_admin.wait_for_hall_config(SETUP_TIMEOUT).await?;
    hall_admin.set_clerk_passwords(terminals).await?;

    let mut devices = Vec::new();
    let count = usize::try_from(o.devices).unwrap_or(0);
    for i in 0..count {
        let (role, name) = if i < terminals {
            (DeviceRole::Terminal, format!("terminal{}", i + 1))
        } else {
            (DeviceRole::Kiosk, format!("kiosk{}", i + 1 - terminals))
        };
        let kind = if role == DeviceRole::Kiosk {
            "kiosk"
        } else {
            "window_terminal"
        };
        let code = hall_admin.enrollment_code(kind).await?;
        let proxy = Arc::new(Proxy::start(&name, hall.addr, DUPLICATE_RESULT).await?);
        let dir = o.dir.join("devices").join(&name);
        std::fs::create_dir_all(&dir)?;
        let mut args: Vec<String> = vec![
            "device".into(),
            "--data".into(),
            dir.display().to_string(),
            "--upstream".into(),
            proxy.url(),
            "--code".into(),
            code,
            "--heartbeat-secs".into(),
            "2".into(),
        ];
        match role {
            DeviceRole::Kiosk => args.extend(["--role".into(), "kiosk".into(), "--rate".into(), o.rate.to_string()]),
            DeviceRole::Terminal => args.extend([
                "--role".into(),
                "terminal".into(),
                "--rate".into(),
                "10".into(),
                "--window".into(),
                setup::window_id(i + 1),
                "--staff".into(),
                setup::clerk_login(i + 1),
            ]),
        }
        let mut proc = Proc::new(&name, &o.device_bin, args, dir.with_extension("log"))
            .env(PASSWORD_ENV, setup::CLERK_PASSWORD)
            .env("RUST_LOG", &o.device_log);
        proc.spawn()?;
        wait_until(&format!("{name} enrolled"), &mut proc, || {
            Ok(device_query(&dir, "SELECT COUNT(*) FROM sync_state WHERE key = 'device_id'")? > 0)
        })
        .await?;
        devices.push(Device {
            name,
            dir,
            role,
            proc,
            proxy,
        });
    }
    // Kiosks number tickets only once they have the configuration: wait, so every cycle has traffic.
    for d in devices.iter_mut().filter(|d| d.role == DeviceRole::Kiosk) {
        let dir = d.dir.clone();
        wait_until(&format!("{} has the configuration", d.name), &mut d.proc, || {
            Ok(device_query(&dir, "SELECT COUNT(*) FROM config")? > 0)
        })
        .await?;
    }
    Ok(Topology {
        city,
        hall,
        city_proxy,
        devices,
        crashes: Vec::new(),
    })
}

/// Polls `ready` until it says yes, failing early if the process exits.
async fn wait_until(
    what: &str,
    proc: &mut Proc,
    mut ready: impl FnMut() -> anyhow::Result<bool>,
) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        // Not ready yet includes "the file is not there yet".
        if ready().unwrap_or(false) {
            return Ok(());
        }
        if let Err(e) = proc.check_alive() {
            bail!("waiting for {what}: {} {e}\n{}", proc.name, proc.log_tail(20));
        }
        if started.elapsed() > SETUP_TIMEOUT {
            bail!("timed out waiting for {what}\n{}", proc.log_tail(20));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn device_query(dir: &Path, sql: &str) -> anyhow::Result<i64> {
    let path = dir.join("edge.sqlite3");
    if !path.exists() {
        bail!("{} does not exist yet", path.display());
    }
    let c = Connection::open(&path)?;
    c.busy_timeout(Duration::from_secs(5))?;
    Ok(c.query_row(sql, [], |r| r.get(0))?)
}

impl Topology {
    /// `kill -9` and start again after `down`; returns how long the victim was gone.
    async fn kill_and_restart(&mut self, victim: Victim, down: Duration) -> anyhow::Result<Duration> {
        let t = Instant::now();
        match victim {
            Victim::Hall => {
                self.hall.kill9()?;
                // Its port may go to another process now; nobody must be sent there meanwhile.
                for d in &self.devices {
                    d.proxy.set_target(None);
                }
                tokio::time::sleep(down).await;
                self.start_hall().await?;
            }
            Victim::City => {
                self.city.kill9()?;
                self.city_proxy.set_target(None);
                tokio::time::sleep(down).await;
                self.start_city().await?;
            }
            Victim::Device(i) => {
                let d = &mut self.devices[i];
                d.proc.kill9()?;
                tokio::time::sleep(down).await;
                d.proc.spawn()?;
            }
        }
        Ok(t.elapsed())
    }

    async fn start_hall(&mut self) -> anyhow::Result<()> {
        let addr = self.hall.start().await?;
        for d in &self.devices {
            d.proxy.set_target(Some(addr));
        }
        Ok(())
    }

    async fn start_city(&mut self) -> anyhow::Result<()> {
        let addr = self.city.start().await?;
        self.city_proxy.set_target(Some(addr));
        Ok(())
    }

    /// Notes every process that exited on its own (with its log's end, as evidence) and starts it again.
    async fn restart_crashed(&mut self) -> anyhow::Result<()> {
        if let Err(e) = self.hall.proc.check_alive() {
            self.crashes
                .push(format!("hall node {e}: {}", self.hall.proc.log_tail(5)));
            self.start_hall().await?;
        }
        if let Err(e) = self.city.proc.check_alive() {
            self.crashes
                .push(format!("city node {e}: {}", self.city.proc.log_tail(5)));
            self.start_city().await?;
        }
        for d in &mut self.devices {
            if let Err(e) = d.proc.check_alive() {
                self.crashes.push(format!("{} {e}: {}", d.name, d.proc.log_tail(5)));
                d.proc.spawn()?;
            }
        }
        Ok(())
    }

    /// Waits until every device stopped producing and settled its outbox, and the city's log holds
    /// every event of the hall's. `Ok(Err(what))` lists what was still not there at the timeout. Also
    /// notes what took longest (what the convergence time is made of).
    async fn wait_converged(
        &mut self,
        timeout: Duration,
        notes: &mut Vec<String>,
    ) -> anyhow::Result<Result<(), Vec<String>>> {
        let started = Instant::now();
        // When each thing was last seen waiting.
        let mut last_seen: HashMap<String, Duration> = HashMap::new();
        loop {
            self.restart_crashed().await?;
            let waiting = self.still_waiting();
            let now = started.elapsed();
            for (what, _) in &waiting {
                last_seen.insert(what.clone(), now);
            }
            if waiting.is_empty() {
                let mut slowest: Vec<(String, Duration)> = last_seen.into_iter().collect();
                slowest.sort_by_key(|(_, t)| std::cmp::Reverse(*t));
                let slowest: Vec<String> = slowest
                    .iter()
                    .take(3)
                    .map(|(what, t)| format!("{what} ({} ms)", t.as_millis()))
                    .collect();
                notes.push(format!(
                    "converged in {} ms; took longest: {}",
                    now.as_millis(),
                    if slowest.is_empty() {
                        "nothing".to_owned()
                    } else {
                        slowest.join(", ")
                    }
                ));
                return Ok(Ok(()));
            }
            if now > timeout {
                return Ok(Err(waiting.into_iter().map(|(_, detail)| detail).collect()));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// What has not converged yet: (a stable name, the details).
    fn still_waiting(&self) -> Vec<(String, String)> {
        let mut waiting = Vec::new();
        for d in &self.devices {
            if !d.dir.join(QUIESCED_FILE).exists() {
                waiting.push((
                    format!("{} stopping", d.name),
                    format!("{} has not stopped producing", d.name),
                ));
            }
            let outbox = format!("{}'s outbox", d.name);
            match device_query(&d.dir, "SELECT COUNT(*) FROM outbox WHERE status IS NULL") {
                Ok(0) => {}
                Ok(n) => waiting.push((outbox, format!("{}: {n} outbox events not settled", d.name))),
                Err(e) => waiting.push((outbox, format!("{}: {e}", d.name))),
            }
        }
        let city = "the city's copy of the hall's log".to_owned();
        match hall_events_missing_at_city(&self.hall.db(), &self.city.db()) {
            Ok(0) => {}
            Ok(n) => waiting.push((city, format!("{n} hall events not yet in the city's log"))),
            Err(e) => waiting.push((city, format!("comparing the logs: {e}"))),
        }
        waiting
    }
}

fn hall_events_missing_at_city(hall: &Path, city: &Path) -> anyhow::Result<i64> {
    let c = Connection::open(hall)?;
    c.busy_timeout(Duration::from_secs(5))?;
    c.execute("ATTACH DATABASE ?1 AS city", [city.display().to_string()])?;
    Ok(c.query_row(
        "SELECT COUNT(*) FROM main.events WHERE event_id NOT IN (SELECT event_id FROM city.events)",
        [],
        |r| r.get(0),
    )?)
}
