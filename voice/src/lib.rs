//! Spoken call announcements for the hall wall: 请 A023 号到 5 号窗口办理 / Number A 0 2 3, please go
//! to window 5.
//!
//! **What.** [`sequence::clips`] turns a call (ticket number as displayed, window) into the clips that
//! speak it in one language; [`Library`] holds the clips of `assets/voice/<lang>/` and renders a clip
//! sequence into [`Pcm`]; the [`Announcer`] queues calls and plays each — every configured language, the
//! configured number of times — through an [`AudioSink`]: a player process ([`CommandSink`], e.g.
//! `aplay`) or a WAV file ([`WavFileSink`]). It reports what happened (queued, started, finished,
//! skipped, failed) as [`AnnouncerEvent`]s so the app can show the audio status and measure the time from
//! a call to its announcement.
//!
//! **Why recorded clips, not text-to-speech.** A hall must announce with no network and the same voice
//! every time: no online service, no TTS engine on the wall PC. The clips are generated once by
//! `scripts/voice-clips` (espeak-ng + sox, reproducible byte for byte) and committed; a recorded human
//! voice can replace any clip under the same name and format (16 kHz, mono, 16-bit). The library checks
//! every clip at start, so a missing or malformed file is named before the first call, and a call with a
//! character no clip speaks is refused with that character — never spoken with a part missing.
//!
//! **Ordering guarantee.** Announcements are played in the order they were queued by one worker thread,
//! which starts the next only after the sink's `play` has returned (playback ended): they never overlap.
//! A call older than `max_age` when its turn comes (e.g. replayed after a feed resume) is skipped and
//! reported; a full queue drops its oldest entry, also reported. A failing sink is reported per
//! announcement and the announcer goes on.

mod announcer;
mod error;
mod library;
mod output;
pub mod sequence;
mod sink;

pub use announcer::{
    AnnouncementId, Announcer, AnnouncerConfig, AnnouncerEvent, AnnouncerStatus, SkipReason, render_announcement,
};
pub use error::VoiceError;
pub use library::{Library, Pcm, SAMPLE_RATE};
pub use output::AudioOutput;
pub use sequence::{Call, ClipId, Lang, Part, Prompt, clips, prompt_clips};
pub use sink::{AudioSink, CommandSink, WavFileSink};

/// `assets/voice` beside the executable (installed layout), else the source tree's (development).
pub fn default_dir() -> std::path::PathBuf {
    let beside = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(|d| d.join("assets/voice")));
    match beside {
        Some(p) if p.is_dir() => p,
        _ => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/voice"),
    }
}
