//! The wall's voice: the `voice` crate's announcer behind the configured sink, and a thread that turns
//! its events into the audio chip's status and the call → voice latencies.

use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use app_types::hall_wall::{AudioStatus, WallMetrics};
use voice::{Announcer, AnnouncerEvent, Call, Library};

use crate::config::HallSettings;

#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("播报 / voice: {0}")]
    Voice(#[from] voice::VoiceError),
}

#[derive(Default)]
struct Counters {
    status: AudioStatus,
    metrics: WallMetrics,
}

/// Speaks calls in order (never overlapping: the announcer's single worker) or, with `--audio none`,
/// only counts them.
pub struct Voice {
    announcer: Option<Announcer>,
    counters: Arc<Mutex<Counters>>,
}

fn lock(c: &Mutex<Counters>) -> MutexGuard<'_, Counters> {
    // Counters are reports; a panic elsewhere must not silence the wall.
    c.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Voice {
    /// Loads the clips (every one checked now, so a broken file is named at start) and starts the
    /// announcer. `on_change` runs after every announcer event (the wall re-sends its view).
    pub fn start(settings: &HallSettings, on_change: impl Fn() + Send + 'static) -> Result<Voice, AudioError> {
        let counters = Arc::new(Mutex::new(Counters {
            status: AudioStatus {
                output: settings.audio.label(),
                ..AudioStatus::default()
            },
            metrics: WallMetrics::default(),
        }));
        let Some(sink) = settings.audio.sink()? else {
            return Ok(Voice {
                announcer: None,
                counters,
            });
        };
        let library = Library::load_languages(&settings.voice_dir, &settings.announcer.languages)?;
        let (announcer, events) = Announcer::start(library, settings.announcer.clone(), sink)?;
        let c = Arc::clone(&counters);
        std::thread::Builder::new()
            .name("voice-events".into())
            .spawn(move || drain(&events, &c, &on_change))
            .map_err(|e| voice::VoiceError::Config(format!("无法启动播报状态线程 / cannot start: {e}")))?;
        Ok(Voice {
            announcer: Some(announcer),
            counters,
        })
    }

    /// Queues a call. A call that cannot be spoken (a character without a clip) is counted as failed
    /// and reported in the audio chip, never spoken with a part missing.
    pub fn announce(&self, number: &str, window: &str, called_at_ms: i64) {
        let Some(a) = &self.announcer else { return };
        let at = SystemTime::UNIX_EPOCH + Duration::from_millis(u64::try_from(called_at_ms).unwrap_or(0));
        if let Err(e) = a.announce(Call::new(number, window), at) {
            tracing::warn!(%number, %window, error = %e, "call not announced");
            let mut c = lock(&self.counters);
            c.metrics.failed += 1;
            c.status.last_failure = Some(e.to_string());
        }
    }

    pub fn status(&self) -> AudioStatus {
        let mut s = lock(&self.counters).status.clone();
        if let Some(a) = &self.announcer {
            let st = a.status();
            s.waiting = u32::try_from(st.waiting).unwrap_or(u32::MAX) + u32::from(st.playing.is_some());
        }
        s
    }

    pub fn metrics(&self) -> WallMetrics {
        lock(&self.counters).metrics.clone()
    }

    /// Waits until nothing is waiting or playing (tests, shutdown).
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        self.announcer.as_ref().is_none_or(|a| a.wait_idle(timeout))
    }
}

fn drain(events: &Receiver<AnnouncerEvent>, counters: &Mutex<Counters>, on_change: &impl Fn()) {
    while let Ok(ev) = events.recv() {
        {
            let mut c = lock(counters);
            match ev {
                AnnouncerEvent::Queued { .. } => {}
                AnnouncerEvent::Started { delay, .. } => {
                    c.metrics
                        .announce_delays_ms
                        .push(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX));
                }
                AnnouncerEvent::Finished { .. } => {
                    c.status.spoken += 1;
                    c.status.last_failure = None;
                }
                AnnouncerEvent::Skipped { call, why, .. } => {
                    tracing::info!(display = %call.display, ?why, "announcement skipped");
                    c.metrics.skipped += 1;
                }
                AnnouncerEvent::Failed { error, .. } => {
                    tracing::warn!(%error, "announcement failed");
                    c.metrics.failed += 1;
                    c.status.last_failure = Some(error.to_string());
                }
            }
        }
        on_change();
    }
}
