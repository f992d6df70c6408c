//! `Syncer`: the loop every app runs. One round (`sync_once`) uploads blobs, pushes the outbox and
//! pulls configuration and changes; `run` repeats rounds until shutdown, backing off after failures.
//!
//! The loop has exactly two exits, shutdown and "upgrade needed". Every other outcome, including a
//! panic inside a round, ends in a timer that fires another round (PowerSync's clients wedged because
//! a failed upload left no timer armed).

mod phases;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use protocol::sync::{MAX_PULL_CHANGES, MAX_PUSH_EVENTS};
use tokio::sync::watch;

use crate::backoff::{next_delay, random_jitter};
use crate::client::{ClientConfig, ClientError, SyncClient};
use crate::status::{DEFAULT_UTC_OFFSET_MINUTES, SyncState, SyncStatus, Upstream};
use crate::store::{EdgeStore, StoreError, now_ms};

#[derive(Debug, Clone)]
pub struct SyncerConfig {
    pub client: ClientConfig,
    /// How often to sync when nothing new is waiting (pulls bring other devices' changes).
    pub poll_interval: Duration,
    /// Events per push (at most `MAX_PUSH_EVENTS`).
    pub push_batch: usize,
    /// Changes per pull page (at most `MAX_PULL_CHANGES`).
    pub pull_limit: usize,
    /// How often settled rows and uploaded blobs are pruned.
    pub prune_interval: Duration,
    pub upstream: Upstream,
    pub utc_offset_minutes: i32,
}

impl Default for SyncerConfig {
    fn default() -> Self {
        SyncerConfig {
            client: ClientConfig::default(),
            poll_interval: Duration::from_secs(2),
            push_batch: MAX_PUSH_EVENTS,
            pull_limit: MAX_PULL_CHANGES,
            prune_interval: Duration::from_secs(600),
            upstream: Upstream::HallNode,
            utc_offset_minutes: DEFAULT_UTC_OFFSET_MINUTES,
        }
    }
}

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Events sent (re-sends included).
    pub pushed: u64,
    pub applied: u64,
    pub rejected: u64,
    /// Answers upstream had given before (a response lost on the way).
    pub duplicates: u64,
    /// Changes stored.
    pub pulled: u64,
    /// Events marked for re-sending because upstream lost them (restored from a backup).
    pub healed: u64,
    pub blobs_uploaded: u64,
    /// A newer configuration version stored in this round.
    pub config_version: Option<i64>,
    /// Pull pages that ended behind our cursor (upstream went back in time); ignored.
    pub cursor_regressions: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("this device is not enrolled yet")]
    NotEnrolled,
    #[error("blob {digest} was refused twice by upstream (digest mismatch): {detail}")]
    BlobRejected { digest: String, detail: &'static str },
    #[error("sync task failed: {0}")]
    Task(String),
}

impl SyncError {
    pub fn is_upgrade_needed(&self) -> bool {
        matches!(self, SyncError::Client(ClientError::UpgradeNeeded(_)))
    }

    pub fn is_unreachable(&self) -> bool {
        matches!(self, SyncError::Client(ClientError::Unreachable(_)))
    }

    /// Errors after which the other phases of a round cannot succeed either.
    fn ends_round(&self) -> bool {
        self.is_unreachable() || self.is_upgrade_needed()
    }
}

/// Runs rounds of sync for one enrolled device. Cheap to clone (shared).
#[derive(Clone)]
pub struct Syncer {
    inner: Arc<Inner>,
}

struct Inner {
    store: EdgeStore,
    client: SyncClient,
    config: SyncerConfig,
    status: watch::Sender<SyncStatus>,
    /// One round at a time, whoever asks (the loop, or an app's "sync now" button).
    round: tokio::sync::Mutex<()>,
    last_prune: parking_lot::Mutex<Option<Instant>>,
}

impl Syncer {
    /// A syncer for the identity saved in `store`.
    pub fn new(store: EdgeStore, config: SyncerConfig) -> Result<Syncer, SyncError> {
        let identity = store.identity()?.ok_or(SyncError::NotEnrolled)?;
        let client = SyncClient::from_identity(&identity, &config.client)?;
        Ok(Syncer::with_client(store, client, config))
    }

    /// A syncer over a given client (e.g. a hall node syncing with its city node under its own id).
    pub fn with_client(store: EdgeStore, client: SyncClient, mut config: SyncerConfig) -> Syncer {
        config.push_batch = config.push_batch.clamp(1, MAX_PUSH_EVENTS);
        config.pull_limit = config.pull_limit.clamp(1, MAX_PULL_CHANGES);
        let status = SyncStatus::new(config.upstream, config.utc_offset_minutes);
        Syncer {
            inner: Arc::new(Inner {
                store,
                client,
                status: watch::Sender::new(status),
                config,
                round: tokio::sync::Mutex::new(()),
                last_prune: parking_lot::Mutex::new(None),
            }),
        }
    }

    /// The current status; `changed().await` on the receiver to follow it.
    pub fn status(&self) -> watch::Receiver<SyncStatus> {
        self.inner.status.subscribe()
    }

    /// One round: blobs, push, pull. Updates the status.
    pub async fn sync_once(&self) -> Result<SyncReport, SyncError> {
        self.inner.sync_once().await
    }

    /// Syncs until `shutdown` completes, or until upstream says this software must be upgraded.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut failures: u32 = 0;
        loop {
            // Each round runs as its own task so that even a panic in it comes back here as an error
            // and the loop goes on.
            let inner = Arc::clone(&self.inner);
            let mut round = tokio::spawn(async move { inner.sync_once().await });
            let outcome = tokio::select! {
                () = &mut shutdown => {
                    round.abort();
                    return;
                }
                joined = &mut round => match joined {
                    Ok(outcome) => outcome,
                    Err(e) => {
                        let outcome = Err(SyncError::Task(e.to_string()));
                        self.inner.record(&outcome).await;
                        outcome
                    }
                },
            };
            let wait = match &outcome {
                Ok(_) => {
                    failures = 0;
                    None
                }
                Err(e) if e.is_upgrade_needed() => {
                    tracing::error!(error = %e, "sync stopped: upstream needs a newer version of this software");
                    return;
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    let delay = next_delay(failures, random_jitter());
                    tracing::warn!(error = %e, failures, retry_in_ms = delay.as_millis(), "sync failed");
                    Some(delay)
                }
            };
            match wait {
                // In sync: go again when something new waits, or after the poll interval.
                None => tokio::select! {
                    () = &mut shutdown => return,
                    () = self.inner.store.outbox_changed() => {}
                    () = tokio::time::sleep(self.inner.config.poll_interval) => {}
                },
                // Failing: wait out the backoff (new events do not cut it short, or an outage would be
                // hammered), but keep the waiting counts people see up to date.
                Some(delay) => {
                    let deadline = tokio::time::Instant::now() + delay;
                    loop {
                        tokio::select! {
                            () = &mut shutdown => return,
                            () = tokio::time::sleep_until(deadline) => break,
                            () = self.inner.store.outbox_changed() => self.inner.refresh_counts().await,
                        }
                    }
                }
            }
        }
    }
}

impl Inner {
    async fn sync_once(&self) -> Result<SyncReport, SyncError> {
        let _round = self.round.lock().await;
        let outcome = self.round_phases().await;
        self.record(&outcome).await;
        outcome
    }

    async fn round_phases(&self) -> Result<SyncReport, SyncError> {
        let mut report = SyncReport::default();
        let mut first_error = None;
        // Blobs first, so that events naming a blob find it upstream.
        if let Err(e) = self.upload_blobs(&mut report).await {
            defer(e, &mut first_error)?;
        }
        if let Err(e) = self.push_all(&mut report).await {
            defer(e, &mut first_error)?;
        }
        match self.pull_all(&mut report).await {
            Ok(upstream_last_seq) => {
                // Upstream may have lost events it had settled (restored from a backup) without any
                // push of ours noticing (nothing was waiting): compare and re-send.
                match self.blocking(move |s| s.reconcile_upstream(upstream_last_seq)).await {
                    Ok(0) => {}
                    Ok(n) => {
                        report.healed += n;
                        if let Err(e) = self.push_all(&mut report).await {
                            defer(e, &mut first_error)?;
                        }
                    }
                    Err(e) => defer(e, &mut first_error)?,
                }
            }
            Err(e) => defer(e, &mut first_error)?,
        }
        self.maybe_prune().await;
        match first_error {
            Some(e) => Err(e),
            None => Ok(report),
        }
    }

    /// Runs a store call off the async threads (SQLite commits wait for fsync).
    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&EdgeStore) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, SyncError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|e| SyncError::Task(e.to_string()))?
            .map_err(SyncError::from)
    }

    async fn maybe_prune(&self) {
        let due = {
            let mut last = self.last_prune.lock();
            let due = last.is_none_or(|t| t.elapsed() >= self.config.prune_interval);
            if due {
                *last = Some(Instant::now());
            }
            due
        };
        if due {
            // Pruning is housekeeping: its failure must not fail the round.
            match self.blocking(|s| s.prune(now_ms())).await {
                Ok(pruned) => tracing::debug!(?pruned, "pruned"),
                Err(e) => tracing::warn!(error = %e, "pruning failed"),
            }
        }
    }

    async fn refresh_counts(&self) {
        if let Ok((events, blobs)) = self.blocking(|s| Ok((s.waiting_events()?, s.waiting_blobs()?))).await {
            self.status.send_modify(|st| {
                st.waiting_events = events;
                st.waiting_blobs = blobs;
            });
        }
    }

    async fn record(&self, outcome: &Result<SyncReport, SyncError>) {
        self.refresh_counts().await;
        let now = now_ms();
        self.status.send_modify(|st| match outcome {
            Ok(_) => {
                st.state = SyncState::Online;
                st.last_sync_ms = Some(now);
                st.last_error = None;
            }
            Err(e) => {
                st.last_error = Some(e.to_string());
                st.state = match (e, &st.state) {
                    // "Unreachable since" is when the outage began, not the latest attempt.
                    (e, SyncState::Unreachable { since_ms }) if e.is_unreachable() => {
                        SyncState::Unreachable { since_ms: *since_ms }
                    }
                    (e, _) if e.is_unreachable() => SyncState::Unreachable { since_ms: now },
                    (e, _) if e.is_upgrade_needed() => SyncState::UpgradeNeeded,
                    (e, _) => SyncState::Error { message: e.to_string() },
                };
            }
        });
    }
}

/// Keeps a phase's error and lets the round go on (a refused blob must not hold back events, nor a
/// stuck push the configuration), unless upstream cannot be talked to at all.
fn defer(e: SyncError, first: &mut Option<SyncError>) -> Result<(), SyncError> {
    if e.ends_round() {
        return Err(e);
    }
    tracing::warn!(error = %e, "sync phase failed; going on with the others");
    first.get_or_insert(e);
    Ok(())
}

#[cfg(test)]
mod fake;
#[cfg(test)]
mod tests;
