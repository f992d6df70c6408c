//! Hall mode: the wall of one hall. `state` is the plain-data fold (tested without GUI or network),
//! `link` keeps it in step with the hall node, `audio` speaks the calls. [`Wall`] ties them together
//! for the Tauri commands.

pub mod audio;
pub mod link;
pub mod state;

use std::sync::{Arc, Mutex, MutexGuard};

use app_types::CommandError;
use app_types::hall_wall::{SetupRequest, WallMetrics, WallView};
use edge::EdgeStore;
use tokio::sync::{Notify, watch};

use crate::config::HallSettings;
use audio::Voice;
use state::{Announce, WallState};

/// The shared wall: state, voice, change notifications.
pub struct Wall {
    pub settings: HallSettings,
    state: Mutex<WallState>,
    voice: Voice,
    store: EdgeStore,
    /// Bumped after every change; the shell re-sends the view to the page.
    changed: Arc<watch::Sender<u64>>,
    /// Wakes the link after the setup screen enrolled this PC.
    enrolled: Notify,
}

#[derive(Debug, thiserror::Error)]
pub enum WallError {
    #[error(transparent)]
    Audio(#[from] audio::AudioError),
    #[error("无法打开本机数据目录 / cannot open the data directory: {0}")]
    Store(#[from] edge::StoreError),
}

fn bump(changed: &watch::Sender<u64>) {
    changed.send_modify(|v| *v = v.wrapping_add(1));
}

impl Wall {
    /// Opens the edge store under `data_dir` and starts the voice. The link to the hall node is
    /// started separately ([`link::run`]) so the mock-runtime tests can drive the wall without one.
    pub fn new(settings: HallSettings) -> Result<Arc<Wall>, WallError> {
        // `open` creates the directory.
        let store = EdgeStore::open(&settings.data_dir)?;
        let (changed, _) = watch::channel(0u64);
        let changed = Arc::new(changed);
        let c = Arc::clone(&changed);
        let voice = Voice::start(&settings, move || bump(&c))?;
        let mut state = WallState::new(settings.max_calls, settings.notices.clone());
        if let Some(id) = store.identity()? {
            // Enrolled before: show the hall (offline until the first answer) instead of the setup.
            state.phase = app_types::hall_wall::WallPhase::Running;
            state.hall_id = id.hall_id;
        }
        Ok(Arc::new(Wall {
            settings,
            state: Mutex::new(state),
            voice,
            store,
            changed,
            enrolled: Notify::new(),
        }))
    }

    fn lock(&self) -> MutexGuard<'_, WallState> {
        // The state is replaced field by field; a panic mid-update at worst shows a stale row.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn view(&self) -> WallView {
        let audio = self.voice.status();
        self.lock().view(audio)
    }

    pub fn metrics(&self) -> WallMetrics {
        self.voice.metrics()
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    pub fn voice(&self) -> &Voice {
        &self.voice
    }

    pub fn store(&self) -> &EdgeStore {
        &self.store
    }

    /// Changes the state and tells the page.
    pub fn update<T>(&self, f: impl FnOnce(&mut WallState) -> T) -> T {
        let out = f(&mut self.lock());
        bump(&self.changed);
        out
    }

    /// Applies one feed event; a call is queued for the voice (after the state lock is released).
    pub fn apply_event(&self, id: i64, kind: &str, data: &serde_json::Value) {
        let announce: Option<Announce> = self.update(|s| s.apply_event(id, kind, data));
        if let Some(a) = announce {
            self.voice.announce(&a.display, &a.window, a.called_at_ms);
        }
    }

    /// The setup screen: enroll with the hall node, keep the identity, wake the link.
    pub async fn setup(&self, req: &SetupRequest) -> Result<WallView, CommandError> {
        if self.store.identity().ok().flatten().is_some() {
            return Err(CommandError::new(
                "already_enrolled",
                "本机已登记，无需重复登记 / this PC is already enrolled",
            ));
        }
        let url = req.hall_url.trim();
        let code = req.code.trim();
        if url.is_empty() {
            return Err(
                CommandError::new("invalid", "请填写大厅服务器地址 / hall node address required").field("hall_url"),
            );
        }
        if code.is_empty() {
            return Err(CommandError::new("invalid", "请填写登记码 / enrollment code required").field("code"));
        }
        match link::enroll(&self.store, url, code).await {
            Ok(hall_id) => {
                self.update(|s| {
                    s.phase = app_types::hall_wall::WallPhase::Running;
                    s.hall_id = hall_id;
                    s.error = None;
                });
                self.enrolled.notify_one();
                Ok(self.view())
            }
            Err(e) => {
                let err = e.to_command_error();
                self.update(|s| s.error = Some(err.message.clone()));
                Err(err)
            }
        }
    }

    /// Completes once this PC has an identity (at once when it has one).
    pub async fn wait_enrolled(&self) -> Option<edge::Identity> {
        loop {
            // Registered before the check, so a setup completing in between is not missed.
            let notified = self.enrolled.notified();
            if let Ok(Some(id)) = self.store.identity() {
                return Some(id);
            }
            notified.await;
        }
    }
}
