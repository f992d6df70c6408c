//! A device's running totals for the chaos run, kept in `stats.json` across restarts, and the two
//! cursor checks:
//!
//! - `cursor_regressions`: pull pages that ended behind the device's cursor (upstream went back in
//!   time) — exactly the rounds in which edge's `SyncReport.cursor_regressions` grows. `Syncer::run`
//!   keeps its reports to itself, so they are counted from the warning the syncer logs at that very
//!   spot (a tracing layer below);
//! - `cursor_back`: the cursor in the store seen lower than before, also across a `kill -9` and
//!   restart (the highest value seen is saved here, and only after the store had it).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use anyhow::Context as _;
use edge::store::EdgeStore;
use serde::{Deserialize, Serialize};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer};

pub const STATS_FILE: &str = "stats.json";

/// The words of the syncer's warning for a pull page behind the cursor (edge `syncer/phases.rs`).
const REGRESSION_WARNING: &str = "pull page ends behind our cursor";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeviceStats {
    /// Process starts (1 + restarts).
    pub starts: u64,
    /// Kiosk: offline tickets issued into the outbox.
    pub issued: u64,
    pub heartbeats: u64,
    /// Terminal: calls the hall answered (each also in `acked.jsonl`), finishes answered, call-next
    /// refused because the window still had a ticket (a lost answer, found again), attempts that could
    /// not reach the hall, and sign-ins.
    pub calls: u64,
    pub finishes: u64,
    pub busy_recovered: u64,
    pub unreachable: u64,
    pub logins: u64,
    /// The highest pull cursor seen in the store.
    pub cursor_high: i64,
    /// Times the stored cursor was seen lower than `cursor_high`.
    pub cursor_back: u64,
    /// Pull pages behind the cursor (see the module comment).
    pub cursor_regressions: u64,
}

impl DeviceStats {
    /// Reads a device's `stats.json`; a missing file is all zeros (the device never got that far).
    pub fn read(dir: &Path) -> anyhow::Result<DeviceStats> {
        let path = dir.join(STATS_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).with_context(|| format!("reading {}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(DeviceStats::default()),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }
}

/// The totals of this process, written out when they changed.
pub(crate) struct StatsFile {
    path: PathBuf,
    stats: Mutex<DeviceStats>,
    dirty: AtomicBool,
    /// Regression warnings seen by this process (counted by the tracing layer).
    regressions: Arc<AtomicU64>,
    /// The total from earlier runs of the device.
    regressions_before: u64,
}

impl StatsFile {
    pub fn load(dir: &Path, regressions: Arc<AtomicU64>) -> anyhow::Result<StatsFile> {
        let stats = DeviceStats::read(dir)?;
        Ok(StatsFile {
            path: dir.join(STATS_FILE),
            regressions_before: stats.cursor_regressions,
            stats: Mutex::new(stats),
            dirty: AtomicBool::new(true),
            regressions,
        })
    }

    fn lock(&self) -> MutexGuard<'_, DeviceStats> {
        // A panic while holding the lock leaves plain counters behind: still usable.
        self.stats.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn update(&self, f: impl FnOnce(&mut DeviceStats)) {
        f(&mut self.lock());
        self.dirty.store(true, Ordering::Release);
    }

    /// Writes the totals if they changed (to a temporary file, then renamed: a `kill -9` leaves the
    /// old or the new file, never half of one).
    pub fn flush(&self) -> anyhow::Result<()> {
        let regressions = self.regressions_before + self.regressions.load(Ordering::Acquire);
        let snapshot = {
            let mut s = self.lock();
            if s.cursor_regressions != regressions {
                s.cursor_regressions = regressions;
                self.dirty.store(true, Ordering::Release);
            }
            if !self.dirty.swap(false, Ordering::AcqRel) {
                return Ok(());
            }
            s.clone()
        };
        let tmp = self.path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(&snapshot)?)
            .with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, &self.path).with_context(|| format!("renaming to {}", self.path.display()))?;
        Ok(())
    }

    pub async fn flush_loop(self: Arc<Self>) {
        loop {
            if let Err(e) = self.flush() {
                tracing::warn!(error = %e, "could not write the stats file");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Watches the stored cursor: it must never be lower than the highest value seen before.
pub(crate) async fn watch_cursor(store: EdgeStore, stats: Arc<StatsFile>) {
    loop {
        let s = store.clone();
        match tokio::task::spawn_blocking(move || s.cursor()).await {
            Ok(Ok(cursor)) => {
                let mut moved_back = None;
                stats.update(|st| {
                    if cursor < st.cursor_high {
                        st.cursor_back += 1;
                        moved_back = Some(st.cursor_high);
                    } else {
                        st.cursor_high = cursor;
                    }
                });
                if let Some(high) = moved_back {
                    tracing::error!(cursor, high, "the stored pull cursor moved back");
                    // Evidence must survive a kill that may come any moment.
                    if let Err(e) = stats.flush() {
                        tracing::warn!(error = %e, "could not write the stats file");
                    }
                }
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "reading the cursor"),
            Err(e) => tracing::warn!(error = %e, "reading the cursor"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Logs to stderr (`RUST_LOG`, default info) and counts the syncer's cursor-regression warnings.
pub(crate) fn init_logging() -> Arc<AtomicU64> {
    let count = Arc::new(AtomicU64::new(0));
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_filter(filter);
    // Its own filter, so that it does not switch on every debug event of every crate.
    let counter = RegressionCounter {
        count: Arc::clone(&count),
    }
    .with_filter(tracing_subscriber::filter::filter_fn(|m| {
        *m.level() == tracing::Level::WARN && m.target().starts_with("edge")
    }));
    // `try_init`: a second call (tests) keeps the first subscriber.
    let _ = tracing_subscriber::registry().with(fmt).with(counter).try_init();
    count
}

struct RegressionCounter {
    count: Arc<AtomicU64>,
}

impl<S: tracing::Subscriber> Layer<S> for RegressionCounter {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        if *meta.level() != tracing::Level::WARN || !meta.target().starts_with("edge") {
            return;
        }
        let mut message = MessageField(String::new());
        event.record(&mut message);
        if message.0.contains(REGRESSION_WARNING) {
            self.count.fetch_add(1, Ordering::AcqRel);
        }
    }
}

struct MessageField(String);

impl Visit for MessageField {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            value.clone_into(&mut self.0);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_counter_sees_the_syncers_regression_warning_and_nothing_else() {
        let count = Arc::new(AtomicU64::new(0));
        let layer = RegressionCounter {
            count: Arc::clone(&count),
        };
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, || {
            // The same call shape as in edge/src/syncer/phases.rs.
            tracing::warn!(target: "edge::syncer::phases", cursor = 5, next = 3, head = 3, "pull page ends behind our cursor; ignored");
            tracing::warn!(target: "edge::syncer", "sync failed");
            tracing::info!(target: "edge::syncer::phases", "pull page ends behind our cursor; ignored");
            tracing::warn!(target: "server", "pull page ends behind our cursor; ignored");
        });
        assert_eq!(count.load(Ordering::Acquire), 1);
    }

    #[test]
    fn totals_survive_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let first = StatsFile::load(dir.path(), Arc::new(AtomicU64::new(2))).unwrap();
        first.update(|s| {
            s.issued = 10;
            s.cursor_high = 40;
        });
        first.flush().unwrap();
        let second = StatsFile::load(dir.path(), Arc::new(AtomicU64::new(1))).unwrap();
        second.update(|s| s.issued += 1);
        second.flush().unwrap();
        let s = DeviceStats::read(dir.path()).unwrap();
        assert_eq!((s.issued, s.cursor_high, s.cursor_regressions), (11, 40, 3));
    }
}
