//! The terminal's logic, free of Tauri: enrollment, staff session, window actions, ID card, scans,
//! confirmation and evaluation, the hall link. Commands (`commands.rs`) only forward to it, so the
//! mock-runtime tests and the real app run the same code.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use app_types::window_terminal::*;
use app_types::{CommandError, LinkStatus};
use base64::Engine;
use edge::{EdgeStore, SyncClient, Syncer, SyncerConfig};
use hall_api::access::SessionResponse;
use hall_api::counter::StaffCardView;
use hall_api::paths;
use hall_api::windows::WindowActionResponse;
use reqwest::Method;
use serde_json::{Value, json};

use crate::config::Config;
use crate::devices::{DeviceError, Devices};
use crate::evaluator::{Evaluator, Stage};
use crate::hall::{self, ActionResult};
use drivers::evaluator::{PadServer, PadServerConfig};

mod evaluation;
mod health;
mod scans;
mod session;
mod window;

/// How the terminal tells the windows that something changed (Tauri's `emit` in the app).
pub type Emit = Arc<dyn Fn(&'static str, Value) + Send + Sync>;

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn store_err(e: impl std::fmt::Display) -> CommandError {
    CommandError::new("storage", format!("本机存储出错 / local storage failed: {e}"))
}

fn device_err(e: DeviceError) -> CommandError {
    let code = match e {
        DeviceError::Absent(..) => "device_absent",
        DeviceError::NoCard => "no_card",
        DeviceError::NoDocument(_) => "no_document",
        _ => "device_fault",
    };
    CommandError::new(code, e.to_string())
}

#[derive(Default)]
struct Session {
    token: Option<String>,
    staff: Option<StaffInfo>,
    panel: Panel,
    current: Option<TicketInfo>,
    calls: u32,
    rated: u32,
    /// Bumped whenever an action sets the panel, so a refresh that raced it is dropped.
    panel_gen: u64,
}

struct PendingScan {
    id: u64,
    jpeg: Vec<u8>,
}

pub struct Terminal {
    pub config: Config,
    store: EdgeStore,
    pub devices: Arc<Devices>,
    client: Mutex<Option<Arc<SyncClient>>>,
    syncer: Mutex<Option<Arc<Syncer>>>,
    session: Mutex<Session>,
    eval: Mutex<Evaluator>,
    link: Mutex<LinkStatus>,
    scan: Mutex<Option<PendingScan>>,
    scan_seq: Mutex<u64>,
    measurements: Arc<Mutex<SimMeasurements>>,
    emit: Mutex<Emit>,
    /// The network evaluator pad's server (`--evaluator pad:HOST:PORT`).
    pad: Option<Arc<PadServer>>,
    /// Device polling, chips last sent and heartbeats.
    health: Mutex<edge::health::HealthTracker>,
    /// This terminal, for work that outlives a command (the pad's evaluation); set by [`Terminal::attach`].
    this: Mutex<Weak<Terminal>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A poisoned lock means a command panicked; the data is still consistent enough to go on.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Terminal {
    pub fn open(config: Config) -> anyhow::Result<Terminal> {
        check_evaluator(&config.evaluator)?;
        let pad = match config.evaluator.strip_prefix("pad:") {
            Some(addr) => {
                if config.pad_key.is_empty() {
                    anyhow::bail!("网络评价器需要登录密钥 --pad-key / the network evaluator pad needs --pad-key");
                }
                let pads = HashMap::from([(config.window.clone(), config.pad_key.clone())]);
                let pad_config = PadServerConfig {
                    pads,
                    rating_timeout: Duration::from_secs(config.rating_timeout_secs),
                    ..PadServerConfig::default()
                };
                Some(Arc::new(PadServer::bind(addr, pad_config)?))
            }
            None => None,
        };
        std::fs::create_dir_all(&config.data_dir)?;
        let store = EdgeStore::open(&config.data_dir)?;
        let devices = Devices::open(&crate::devices::DeviceSettings {
            idcard: &config.idcard,
            camera: &config.camera,
            led: &config.led,
            led_addr: config.led_addr,
            evaluator: &config.evaluator,
            printer: &config.printer,
            scanner: &config.scanner,
        })?;
        let t = Terminal {
            config,
            store,
            devices: Arc::new(devices),
            client: Mutex::new(None),
            syncer: Mutex::new(None),
            session: Mutex::new(Session::default()),
            eval: Mutex::new(Evaluator::default()),
            link: Mutex::new(LinkStatus {
                online: true,
                since_ms: None,
                waiting_events: 0,
                waiting_blobs: 0,
                error: None,
            }),
            scan: Mutex::new(None),
            scan_seq: Mutex::new(0),
            measurements: Arc::new(Mutex::new(SimMeasurements::default())),
            emit: Mutex::new(Arc::new(|_, _| {})),
            pad,
            health: Mutex::new(edge::health::HealthTracker::default()),
            this: Mutex::new(Weak::new()),
        };
        if let Some(id) = t.store.identity()? {
            t.connect(&id)?;
        }
        Ok(t)
    }

    /// Lets background work (the pad's evaluation) reach this terminal; [`crate::setup`] calls it.
    pub fn attach(self: &Arc<Self>) {
        *lock(&self.this) = Arc::downgrade(self);
        self.forward_scans();
    }

    /// Where the network evaluator pad connects (`--evaluator pad:…`).
    pub fn pad_addr(&self) -> Option<std::net::SocketAddr> {
        self.pad.as_ref().map(|p| p.local_addr())
    }

    /// The device chips; with a network pad, the evaluator chip says whether the pad is logged in.
    pub fn device_status(&self) -> Vec<app_types::DeviceStatus> {
        let mut list = self.devices.status();
        if let Some(pad) = &self.pad {
            let online = pad.is_online(&self.config.window);
            if let Some(chip) = list.iter_mut().find(|d| d.device == "evaluator")
                && !online
            {
                chip.health = app_types::DeviceHealth::Fault;
                chip.detail = Some("评价器未连接 / the evaluator pad is not connected".into());
            }
        }
        list
    }

    pub fn set_emitter(&self, emit: Emit) {
        *lock(&self.emit) = emit;
    }

    fn emit(&self, name: &'static str, v: impl serde::Serialize) {
        let f = lock(&self.emit).clone();
        if let Ok(v) = serde_json::to_value(v) {
            f(name, v);
        }
    }

    fn connect(&self, id: &edge::Identity) -> anyhow::Result<()> {
        let cfg = SyncerConfig {
            client: edge::ClientConfig {
                connect_timeout: Duration::from_secs(2),
                request_timeout: Duration::from_secs(5),
            },
            ..SyncerConfig::default()
        };
        let client = SyncClient::from_identity(id, &cfg.client)?;
        *lock(&self.client) = Some(Arc::new(client));
        let syncer = Syncer::new(self.store.clone(), cfg)?;
        *lock(&self.syncer) = Some(Arc::new(syncer));
        Ok(())
    }

    fn client(&self) -> Result<Arc<SyncClient>, CommandError> {
        lock(&self.client)
            .clone()
            .ok_or_else(|| CommandError::new("not_enrolled", "本终端尚未注册 / this terminal is not enrolled yet"))
    }

    fn token(&self) -> Result<String, CommandError> {
        lock(&self.session)
            .token
            .clone()
            .ok_or_else(|| CommandError::new("not_signed_in", "请先登录 / sign in first"))
    }

    pub fn startup(&self) -> Result<Startup, CommandError> {
        let id = self.store.identity().map_err(store_err)?;
        let s = lock(&self.session);
        Ok(Startup {
            enrolled: id.is_some(),
            window_id: self.config.window.clone(),
            hall_id: id.as_ref().map(|i| i.hall_id.clone()),
            device_id: id.as_ref().map(|i| i.device_id.clone()),
            upstream: id.as_ref().map(|i| i.upstream.clone()),
            staff: s.staff.clone(),
            devices: self.device_status(),
            link: lock(&self.link).clone(),
        })
    }

    pub async fn enroll(&self, address: &str, code: &str) -> Result<Startup, CommandError> {
        let address = address.trim();
        if !(address.starts_with("http://") || address.starts_with("https://")) {
            return Err(CommandError::new(
                "invalid",
                "地址应以 http:// 或 https:// 开头 / address must start with http(s)://",
            )
            .field("address"));
        }
        if code.trim().is_empty() {
            return Err(CommandError::new("invalid", "请输入注册码 / enter the one-time code").field("code"));
        }
        let name = format!("窗口终端 {}", self.config.window);
        let enrollment = SyncClient::enroll(address, code.trim(), &name)
            .await
            .map_err(|e| match e {
                edge::ClientError::Refused { .. } => {
                    CommandError::new("enroll_refused", format!("注册码无效或已使用 / code refused: {e}")).field("code")
                }
                other => hall::unreachable(&other),
            })?;
        if enrollment.kind != "window_terminal" {
            return Err(CommandError::new(
                "wrong_kind",
                format!(
                    "该注册码用于 {}，不是窗口终端 / code is for a {} device",
                    enrollment.kind, enrollment.kind
                ),
            )
            .field("code"));
        }
        let identity = enrollment.into_identity(address);
        self.store.save_identity(&identity).map_err(store_err)?;
        self.connect(&identity).map_err(store_err)?;
        self.startup()
    }

    /// The configuration replica as the hall rules read it; `None` before the first pull (or if it
    /// cannot be read).
    fn replica(&self) -> Option<domain::CityConfig> {
        let (_, cfg) = self.store.config().ok().flatten()?;
        serde_json::from_value(cfg).ok()
    }

    fn queue_names(&self) -> impl Fn(&str) -> String + use<> {
        let names: HashMap<String, String> = self
            .replica()
            .map(|c| c.queues.into_iter().map(|q| (q.id.0, q.name)).collect())
            .unwrap_or_default();
        move |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }

    pub fn panel(&self) -> Panel {
        let s = lock(&self.session);
        let mut p = s.panel.clone();
        p.current = s.current.clone();
        p.calls_today = s.calls;
        p.rated_today = s.rated;
        p
    }

    fn mark_link(&self, result: &Result<Value, CommandError>) {
        let offline = matches!(result, Err(e) if e.code == "unreachable");
        let changed = {
            let mut l = lock(&self.link);
            let was = l.online;
            if offline && was {
                l.online = false;
                l.since_ms = Some(now_ms());
            } else if !offline && !was && result.is_ok() {
                l.online = true;
                l.since_ms = None;
            }
            was != l.online
        };
        if changed {
            self.emit(EVENT_LINK, lock(&self.link).clone());
        }
    }

    pub fn measurements(&self) -> SimMeasurements {
        let mut m = lock(&self.measurements).clone();
        m.led_text = self.devices.sim_led_text();
        m
    }

    pub fn link(&self) -> LinkStatus {
        lock(&self.link).clone()
    }

    /// One sync round: pushes the outbox and blobs, pulls configuration; updates the link status.
    pub async fn sync_round(&self) {
        // Chips (the pad's login included) and heartbeats first: they matter enrolled or not.
        self.check_devices().await;
        let syncer = lock(&self.syncer).clone();
        let Some(syncer) = syncer else { return };
        let result = syncer.sync_once().await;
        let (events, blobs) = (
            self.store.waiting_events().unwrap_or(0),
            self.store.waiting_blobs().unwrap_or(0),
        );
        let changed = {
            let mut l = lock(&self.link);
            let before = l.clone();
            match &result {
                Err(e) if e.is_unreachable() => {
                    if l.online {
                        l.since_ms = Some(now_ms());
                    }
                    l.online = false;
                    l.error = Some(e.to_string());
                }
                _ => {
                    l.online = true;
                    l.since_ms = None;
                    l.error = result.as_ref().err().map(ToString::to_string);
                }
            }
            l.waiting_events = events;
            l.waiting_blobs = blobs;
            *l != before
        };
        if changed {
            self.emit(EVENT_LINK, self.link());
        }
        let expired = lock(&self.eval).expire(now_ms());
        if expired {
            self.emit_evaluator();
        }
        if self.refresh_panel().await {
            self.emit(EVENT_PANEL, self.panel());
        }
    }
}

/// The evaluator settings this terminal honours: `window`, `none`, `pad:HOST:PORT`; anything else is
/// refused at start rather than accepted and ignored.
pub fn check_evaluator(evaluator: &str) -> anyhow::Result<()> {
    match evaluator {
        "window" | "none" => Ok(()),
        pad if pad.strip_prefix("pad:").is_some_and(|a| a.contains(':')) => Ok(()),
        pad if pad.starts_with("pad:") => anyhow::bail!(
            "网络评价器地址应为 pad:HOST:PORT / the network evaluator pad needs pad:HOST:PORT (got {pad})"
        ),
        other => anyhow::bail!(
            "评价器设置无效，请使用 --evaluator window、none 或 pad:HOST:PORT / unknown evaluator {other:?}; use --evaluator window, none or pad:HOST:PORT"
        ),
    }
}
