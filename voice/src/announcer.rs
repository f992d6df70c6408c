//! The announcement queue: calls are rendered when queued and played, in order, by one worker thread.

use std::collections::VecDeque;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime};

use crate::error::VoiceError;
use crate::library::{Library, Pcm};
use crate::sequence::{Call, Lang, clips};
use crate::sink::AudioSink;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnnouncerConfig {
    /// Spoken one after another in this order, e.g. `[Zh, En]`.
    pub languages: Vec<Lang>,
    /// How often the whole announcement (all languages) is spoken; at least 1.
    pub repeats: u32,
    /// Silence between the clips of one sentence.
    pub gap_ms: u32,
    /// Silence between two languages.
    pub language_pause_ms: u32,
    /// Silence between two repeats.
    pub repeat_pause_ms: u32,
    /// A call older than this when its turn comes is skipped (a feed resume replays old calls; a
    /// citizen called ten minutes ago is no longer waiting for the voice).
    pub max_age: Duration,
    /// At most this many waiting announcements; a new one drops the oldest.
    pub max_queue: usize,
}

impl Default for AnnouncerConfig {
    fn default() -> Self {
        AnnouncerConfig {
            languages: vec![Lang::Zh, Lang::En],
            repeats: 2,
            gap_ms: 40,
            language_pause_ms: 500,
            repeat_pause_ms: 800,
            max_age: Duration::from_secs(120),
            max_queue: 20,
        }
    }
}

impl AnnouncerConfig {
    fn check(&self, library: &Library) -> Result<(), VoiceError> {
        if self.languages.is_empty() {
            return Err(VoiceError::Config("没有配置播报语言 / no language".into()));
        }
        if self.repeats == 0 {
            return Err(VoiceError::Config(
                "重复次数至少为 1 / repeats must be at least 1".into(),
            ));
        }
        if self.max_queue == 0 {
            return Err(VoiceError::Config(
                "队列长度至少为 1 / max_queue must be at least 1".into(),
            ));
        }
        match self.languages.iter().find(|l| !library.languages().contains(l)) {
            Some(&lang) => Err(VoiceError::LanguageNotLoaded(lang)),
            None => Ok(()),
        }
    }
}

/// The whole announcement of `call`: every language in order, repeated, with the configured pauses.
pub fn render_announcement(library: &Library, call: &Call, config: &AnnouncerConfig) -> Result<Pcm, VoiceError> {
    let mut sentences = Vec::with_capacity(config.languages.len());
    for &lang in &config.languages {
        sentences.push(library.render(&clips(call, lang)?, config.gap_ms)?);
    }
    let mut pcm = Pcm::new(library.sample_rate());
    for repeat in 0..config.repeats {
        if repeat > 0 {
            pcm.push_silence(config.repeat_pause_ms);
        }
        for (i, sentence) in sentences.iter().enumerate() {
            if i > 0 {
                pcm.push_silence(config.language_pause_ms);
            }
            pcm.append(sentence)?;
        }
    }
    Ok(pcm)
}

/// Numbers announcements in the order they were queued.
pub type AnnouncementId = u64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// Its call was this old when its turn came.
    TooOld { age: Duration },
    /// The queue was full and this was the oldest waiting announcement.
    QueueFull,
    /// The announcer was shut down before its turn.
    ShuttingDown,
}

#[derive(Debug)]
pub enum AnnouncerEvent {
    Queued {
        id: AnnouncementId,
        call: Call,
    },
    /// Playback began; `delay` is the time from the call to now (the app's call → voice latency).
    Started {
        id: AnnouncementId,
        at: SystemTime,
        delay: Duration,
    },
    Finished {
        id: AnnouncementId,
        at: SystemTime,
    },
    Skipped {
        id: AnnouncementId,
        call: Call,
        why: SkipReason,
    },
    /// The sink failed (no player, broken device); the announcer goes on with the next call.
    Failed {
        id: AnnouncementId,
        error: VoiceError,
    },
}

/// What the app's audio status shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AnnouncerStatus {
    pub waiting: usize,
    pub playing: Option<AnnouncementId>,
    /// The message of the last failed playback, cleared by the next one that succeeds.
    pub last_failure: Option<String>,
}

struct Pending {
    id: AnnouncementId,
    call: Call,
    called_at: SystemTime,
    pcm: Pcm,
}

struct State {
    queue: VecDeque<Pending>,
    next_id: AnnouncementId,
    playing: Option<AnnouncementId>,
    last_failure: Option<String>,
    closed: bool,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    events: Sender<AnnouncerEvent>,
    max_age: Duration,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave `State` half-updated in a way that matters more
        // than losing announcements altogether, so a poisoned lock is taken over.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn send(&self, event: AnnouncerEvent) {
        // Nobody listening is fine: events are reports, not control.
        let _ = self.events.send(event);
    }
}

/// Queues announcements and plays them one at a time through its sink.
///
/// Ordering guarantee: announcements are played in the order `announce` was called, by a single
/// worker thread that starts the next only after the sink's `play` has returned, so two never overlap.
pub struct Announcer {
    library: Library,
    config: AnnouncerConfig,
    shared: Arc<Shared>,
    worker: Option<JoinHandle<()>>,
}

impl Announcer {
    /// Starts the worker. Events arrive on the returned receiver (unbounded: the app should drain it).
    pub fn start(
        library: Library,
        config: AnnouncerConfig,
        sink: impl AudioSink + 'static,
    ) -> Result<(Announcer, Receiver<AnnouncerEvent>), VoiceError> {
        config.check(&library)?;
        let (events, receiver) = mpsc::channel();
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                next_id: 1,
                playing: None,
                last_failure: None,
                closed: false,
            }),
            changed: Condvar::new(),
            events,
            max_age: config.max_age,
        });
        let worker_shared = Arc::clone(&shared);
        let worker = thread::Builder::new()
            .name("voice-announcer".into())
            .spawn(move || run(&worker_shared, sink))
            .map_err(|e| VoiceError::Config(format!("无法启动播报线程 / cannot start worker: {e}")))?;
        Ok((
            Announcer {
                library,
                config,
                shared,
                worker: Some(worker),
            },
            receiver,
        ))
    }

    pub fn config(&self) -> &AnnouncerConfig {
        &self.config
    }

    /// Queues `call`, made at `called_at` (the event's time, not now: that is what `max_age` measures).
    /// The audio is rendered here, so a call that cannot be spoken is refused at once with the
    /// offending character, and nothing is queued.
    pub fn announce(&self, call: Call, called_at: SystemTime) -> Result<AnnouncementId, VoiceError> {
        let pcm = render_announcement(&self.library, &call, &self.config)?;
        let mut state = self.shared.lock();
        if state.closed {
            return Err(VoiceError::Closed);
        }
        while state.queue.len() >= self.config.max_queue {
            if let Some(dropped) = state.queue.pop_front() {
                let why = SkipReason::QueueFull;
                self.shared.send(AnnouncerEvent::Skipped {
                    id: dropped.id,
                    call: dropped.call,
                    why,
                });
            }
        }
        let id = state.next_id;
        state.next_id += 1;
        // Sent under the lock so `Queued` always precedes the worker's `Started` for the same id.
        self.shared.send(AnnouncerEvent::Queued { id, call: call.clone() });
        state.queue.push_back(Pending {
            id,
            call,
            called_at,
            pcm,
        });
        self.shared.changed.notify_all();
        Ok(id)
    }

    pub fn status(&self) -> AnnouncerStatus {
        let state = self.shared.lock();
        AnnouncerStatus {
            waiting: state.queue.len(),
            playing: state.playing,
            last_failure: state.last_failure.clone(),
        }
    }

    /// Waits until nothing is waiting or playing; false if `timeout` passed first.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut state = self.shared.lock();
        while !state.queue.is_empty() || state.playing.is_some() {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            state = match self.shared.changed.wait_timeout(state, deadline - now) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        true
    }

    /// Stops: waiting announcements are skipped (`ShuttingDown`), the one playing ends normally.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        {
            let mut state = self.shared.lock();
            state.closed = true;
            for dropped in state.queue.drain(..) {
                let why = SkipReason::ShuttingDown;
                self.shared.send(AnnouncerEvent::Skipped {
                    id: dropped.id,
                    call: dropped.call,
                    why,
                });
            }
            self.shared.changed.notify_all();
        }
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

impl Drop for Announcer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn run(shared: &Shared, mut sink: impl AudioSink) {
    loop {
        let next = {
            let mut state = shared.lock();
            loop {
                if let Some(next) = state.queue.pop_front() {
                    state.playing = Some(next.id);
                    break next;
                }
                if state.closed {
                    return;
                }
                state = match shared.changed.wait(state) {
                    Ok(guard) => guard,
                    Err(poisoned) => poisoned.into_inner(),
                };
            }
        };
        let now = SystemTime::now();
        // A call "from the future" (clock skew between nodes) counts as just made.
        let age = now.duration_since(next.called_at).unwrap_or(Duration::ZERO);
        let outcome = if age > shared.max_age {
            shared.send(AnnouncerEvent::Skipped {
                id: next.id,
                call: next.call,
                why: SkipReason::TooOld { age },
            });
            None
        } else {
            shared.send(AnnouncerEvent::Started {
                id: next.id,
                at: now,
                delay: age,
            });
            Some(sink.play(&next.pcm))
        };
        let mut state = shared.lock();
        match outcome {
            Some(Ok(())) => {
                state.last_failure = None;
                shared.send(AnnouncerEvent::Finished {
                    id: next.id,
                    at: SystemTime::now(),
                });
            }
            Some(Err(error)) => {
                state.last_failure = Some(error.to_string());
                shared.send(AnnouncerEvent::Failed { id: next.id, error });
            }
            None => {}
        }
        state.playing = None;
        shared.changed.notify_all();
    }
}
