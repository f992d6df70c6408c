//! A hall node's link to its city node: store-and-forward of the hall's event log (the hall is just a
//! producer to the city, its log sequence the producer sequence) and configuration pulled down by
//! version. The city tells the hall what it has settled on every answer, so the hall keeps no cursor
//! of its own: after a crash, a cut link or a city restore it simply resends from there.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use edge::client::{ClientConfig, ClientError, SyncClient};
use protocol::sync::{MAX_PUSH_EVENTS, OutboxEvent, PushRequest, PushStatus, kinds};
use serde::{Deserialize, Serialize};

use crate::app::AppState;

/// How often an idle link asks the city for a newer configuration.
const CONFIG_POLL: Duration = Duration::from_secs(5);
/// How often an idle link looks for new log events to forward.
const IDLE_POLL: Duration = Duration::from_millis(500);

/// The hall node's enrollment at the city node, kept in `DATA/keys/upstream.json` (mode 0600).
#[derive(Clone, Serialize, Deserialize)]
struct Credentials {
    device_id: String,
    key: String,
    hall_id: String,
    upstream: String,
}

#[derive(Debug, thiserror::Error)]
enum LinkError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error("{0}")]
    Local(String),
}

struct Link {
    app: Arc<AppState>,
    client: Option<SyncClient>,
    /// What the city has settled of our log; `None` until it told us.
    settled: Option<i64>,
    last_config_check: Option<std::time::Instant>,
}

fn creds_path(app: &AppState) -> PathBuf {
    app.config.data.join("keys").join("upstream.json")
}

/// The city's configuration version last installed here. The hall numbers its own versions (its
/// first start installs a local one), so the city's number is kept beside them, not compared with them.
fn city_version_path(app: &AppState) -> PathBuf {
    app.config.data.join("upstream-config-version")
}

fn read_city_version(app: &AppState) -> i64 {
    std::fs::read_to_string(city_version_path(app))
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

fn write_city_version(app: &AppState, version: i64) -> std::io::Result<()> {
    let path = city_version_path(app);
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, version.to_string())?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, &path)
}

impl Link {
    async fn client(&mut self) -> Result<&SyncClient, LinkError> {
        if self.client.is_none() {
            let up = self
                .app
                .config
                .upstream
                .clone()
                .ok_or_else(|| LinkError::Local("no upstream configured".into()))?;
            let path = creds_path(&self.app);
            let creds = if path.exists() {
                let text =
                    std::fs::read_to_string(&path).map_err(|e| LinkError::Local(format!("{}: {e}", path.display())))?;
                serde_json::from_str::<Credentials>(&text)
                    .map_err(|e| LinkError::Local(format!("{}: {e}", path.display())))?
            } else {
                let code = self.app.config.upstream_code.clone().ok_or_else(|| {
                    LinkError::Local(
                        "not enrolled at the city node: set upstream_code (a hall_node enrollment code from the city admin)"
                            .into(),
                    )
                })?;
                let e = SyncClient::enroll(&up, &code, &self.app.config.node_name).await?;
                if e.kind != crate::auth::HALL_NODE_KIND {
                    return Err(LinkError::Local(format!(
                        "the enrollment code was for a {}, not a {}",
                        e.kind,
                        crate::auth::HALL_NODE_KIND
                    )));
                }
                let c = Credentials {
                    device_id: e.device_id.clone(),
                    key: e.key.clone(),
                    hall_id: e.hall_id.clone(),
                    upstream: up.clone(),
                };
                let text = serde_json::to_vec(&c).map_err(|e| LinkError::Local(e.to_string()))?;
                crate::crypto::write_private(&path, &text)
                    .map_err(|e| LinkError::Local(format!("{}: {e}", path.display())))?;
                tracing::info!(device_id = %c.device_id, hall = %c.hall_id, "enrolled at the city node");
                c
            };
            let client = SyncClient::new(&up, &creds.device_id, &creds.key, &ClientConfig::default())?;
            self.client = Some(client);
        }
        self.client.as_ref().ok_or_else(|| LinkError::Local("no client".into()))
    }

    /// One round: learn what the city settled, forward the next page of the log, check configuration.
    /// Returns whether more is waiting.
    async fn step(&mut self) -> Result<bool, LinkError> {
        let due = self.last_config_check.is_none_or(|t| t.elapsed() >= CONFIG_POLL);
        if self.settled.is_none() || due {
            let version = read_city_version(&self.app);
            let page = self.client().await?.pull(0, version, 1).await?;
            self.settled = Some(page.producer_last_seq);
            self.last_config_check = Some(std::time::Instant::now());
            if let Some(doc) = page.config
                && doc.version > version
            {
                let data: domain::CityConfig = serde_json::from_value(doc.body)
                    .map_err(|e| LinkError::Local(format!("configuration {} from the city: {e}", doc.version)))?;
                crate::service::config::install_config(&self.app, domain::Actor::System, data)
                    .await
                    .map_err(|e| LinkError::Local(format!("configuration {} from the city: {e}", doc.version)))?;
                write_city_version(&self.app, doc.version)
                    .map_err(|e| LinkError::Local(format!("{}: {e}", city_version_path(&self.app).display())))?;
                tracing::info!(version = doc.version, "configuration from the city node installed");
            }
        }
        let settled = self.settled.unwrap_or(0);
        let reader = self.app.reader.clone();
        let rows = tokio::task::spawn_blocking(move || reader.events_after(settled, None, MAX_PUSH_EVENTS))
            .await
            .map_err(|e| LinkError::Local(e.to_string()))?
            .map_err(|e| LinkError::Local(e.to_string()))?;
        let head = self
            .app
            .engine
            .shared
            .head_seq
            .load(std::sync::atomic::Ordering::SeqCst);
        let app = self.app.clone();
        let m = &app.engine.shared.metrics;
        m.upstream_settled.set(settled);
        m.upstream_waiting.set(head - settled);
        if rows.is_empty() {
            return Ok(false);
        }
        let full = rows.len() >= MAX_PUSH_EVENTS;
        let events: Vec<OutboxEvent> = rows
            .into_iter()
            .map(|r| {
                // Personal data (`sealed`) never leaves the hall.
                let payload = kinds::HallEvent {
                    event_id: r.event_id.clone(),
                    hall_id: r.hall_id,
                    kind: r.kind,
                    at: r.at,
                    actor: r.actor,
                    ticket_id: r.ticket_id,
                    body: r.body,
                    public: r.public,
                };
                OutboxEvent {
                    seq: r.seq,
                    id: r.event_id,
                    kind: kinds::HALL_EVENT.into(),
                    v: 1,
                    at: r.at,
                    payload: serde_json::to_value(payload).unwrap_or_default(),
                }
            })
            .collect();
        let producer = self.client().await?.device_id().to_owned();
        let req = PushRequest { producer, events };
        match self.client().await?.push(&req).await {
            Ok(resp) => {
                for r in resp.results.iter().filter(|r| r.status == PushStatus::Rejected) {
                    tracing::warn!(seq = r.seq, code = ?r.code, reason = ?r.reason, "the city node rejected a hall event");
                }
                self.settled = Some(resp.last_seq);
                m.upstream_settled.set(resp.last_seq);
                m.upstream_waiting.set(head - resp.last_seq);
                Ok(full || resp.last_seq < head)
            }
            Err(ClientError::Gap { expected }) => {
                // The city has less than we thought (restored from a backup): resend from there.
                tracing::warn!(expected, "the city node expects an earlier event; resending from there");
                self.settled = Some(expected - 1);
                Ok(true)
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// Starts the link when this is a hall node with an upstream; it runs until the node stops.
pub fn spawn(app: Arc<AppState>) -> Option<tokio::task::JoinHandle<()>> {
    if app.config.role != crate::app::Role::Hall || app.config.upstream.is_none() {
        return None;
    }
    Some(tokio::spawn(run(app)))
}

async fn run(app: Arc<AppState>) {
    let mut stopping = app.stopping.subscribe();
    let mut link = Link {
        app: app.clone(),
        client: None,
        settled: None,
        last_config_check: None,
    };
    let mut failures: u32 = 0;
    loop {
        if *stopping.borrow() {
            return;
        }
        // Every path below ends in a wait that always comes back: the link can never stall
        // (the PowerSync failure mode); only the node stopping ends it.
        let wait = match link.step().await {
            Ok(true) => {
                failures = 0;
                Duration::ZERO
            }
            Ok(false) => {
                failures = 0;
                IDLE_POLL
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                if let LinkError::Client(ClientError::Unreachable(_)) = &e {
                    link.settled = None;
                }
                let d = edge::backoff::next_delay(failures, edge::backoff::random_jitter());
                tracing::warn!(error = %e, retry_in_ms = d.as_millis() as u64, "city node link");
                d
            }
        };
        if wait > Duration::ZERO {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stopping.changed() => return,
            }
        }
    }
}
