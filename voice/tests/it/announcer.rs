//! The announcer end to end: rendered samples, order, no overlap, skips and failures.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use voice::{
    AnnouncementId, Announcer, AnnouncerConfig, AnnouncerEvent, AudioSink, Call, CommandSink, Lang, Library, Pcm,
    SkipReason, VoiceError, WavFileSink,
};

fn clip_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/voice")
}

fn library() -> Library {
    Library::load(clip_root()).expect("the committed clips load")
}

/// Samples of one clip file, read with hound directly (independent of `Library`).
fn clip(lang: &str, stem: &str) -> Vec<i16> {
    let path = clip_root().join(lang).join(format!("{stem}.wav"));
    let mut reader = hound::WavReader::open(&path).expect("clip opens");
    reader.samples::<i16>().collect::<Result<_, _>>().expect("clip samples")
}

fn silence(ms: u32) -> Vec<i16> {
    vec![0; (16_000 * ms / 1000) as usize]
}

fn sentence(lang: &str, stems: &[&str], gap_ms: u32) -> Vec<i16> {
    let mut out = Vec::new();
    for (i, stem) in stems.iter().enumerate() {
        if i > 0 {
            out.extend(silence(gap_ms));
        }
        out.extend(clip(lang, stem));
    }
    out
}

fn wav_samples(path: &Path) -> Vec<i16> {
    let mut reader = hound::WavReader::open(path).expect("recording opens");
    assert_eq!(reader.spec().sample_rate, 16_000);
    assert_eq!(reader.spec().channels, 1);
    reader
        .samples::<i16>()
        .collect::<Result<_, _>>()
        .expect("recording samples")
}

fn drain(events: &Receiver<AnnouncerEvent>) -> Vec<AnnouncerEvent> {
    events.try_iter().collect()
}

/// The ids of the announcements that started, in order.
fn started_ids(events: &[AnnouncerEvent]) -> Vec<AnnouncementId> {
    events
        .iter()
        .filter_map(|e| match e {
            AnnouncerEvent::Started { id, .. } => Some(*id),
            _ => None,
        })
        .collect()
}

fn config(languages: Vec<Lang>, repeats: u32) -> AnnouncerConfig {
    AnnouncerConfig {
        languages,
        repeats,
        gap_ms: 40,
        language_pause_ms: 300,
        repeat_pause_ms: 500,
        max_age: Duration::from_secs(60),
        max_queue: 10,
    }
}

#[test]
fn recording_equals_the_expected_clips_with_gaps() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("announcements.wav");
    let cfg = config(vec![Lang::Zh, Lang::En], 2);
    let (announcer, events) = Announcer::start(library(), cfg, WavFileSink::new(&out)).expect("start");
    let calls = [("A023", "5"), ("B101", "12"), ("A023", "5"), ("C7", "23")];
    let now = SystemTime::now();
    for (display, window) in calls {
        announcer.announce(Call::new(display, window), now).expect("announce");
    }
    assert!(announcer.wait_idle(Duration::from_secs(30)));
    announcer.shutdown();

    // Written out by hand, not through `clips`, so a wrong sequence cannot confirm itself.
    let zh_a023 = [
        "qing",
        "letter_A",
        "digit_0",
        "digit_2",
        "digit_3",
        "hao_dao",
        "digit_5",
        "hao_chuangkou_banli",
    ];
    let en_a023 = [
        "number",
        "letter_A",
        "digit_0",
        "digit_2",
        "digit_3",
        "go_to_window",
        "digit_5",
    ];
    let zh_b101 = [
        "qing",
        "letter_B",
        "digit_1",
        "digit_0",
        "digit_1",
        "hao_dao",
        "shi",
        "digit_2",
        "hao_chuangkou_banli",
    ];
    let en_b101 = [
        "number",
        "letter_B",
        "digit_1",
        "digit_0",
        "digit_1",
        "go_to_window",
        "digit_1",
        "digit_2",
    ];
    let zh_c7 = [
        "qing",
        "letter_C",
        "digit_7",
        "hao_dao",
        "digit_2",
        "shi",
        "digit_3",
        "hao_chuangkou_banli",
    ];
    let en_c7 = ["number", "letter_C", "digit_7", "go_to_window", "digit_2", "digit_3"];
    let announcement = |zh: &[&str], en: &[&str]| {
        let once = [sentence("zh", zh, 40), silence(300), sentence("en", en, 40)].concat();
        [once.clone(), silence(500), once].concat()
    };
    let expected = [
        announcement(&zh_a023, &en_a023),
        announcement(&zh_b101, &en_b101),
        announcement(&zh_a023, &en_a023),
        announcement(&zh_c7, &en_c7),
    ]
    .concat();
    let recorded = wav_samples(&out);
    assert_eq!(recorded.len(), expected.len());
    assert!(recorded == expected, "recorded samples differ from the expected clips");

    let events = drain(&events);
    let started = started_ids(&events);
    let finished = events
        .iter()
        .filter(|e| matches!(e, AnnouncerEvent::Finished { .. }))
        .count();
    assert_eq!(started, [1, 2, 3, 4]);
    assert_eq!(finished, 4);
}

/// Wraps a sink and logs when each `play` ran (the device's view of the timeline).
struct TimingSink<S> {
    inner: S,
    log: Arc<Mutex<Vec<(Instant, Instant, usize)>>>,
}

impl<S: AudioSink> AudioSink for TimingSink<S> {
    fn play(&mut self, pcm: &Pcm) -> Result<(), VoiceError> {
        let start = Instant::now();
        let result = self.inner.play(pcm);
        self.log
            .lock()
            .expect("log")
            .push((start, Instant::now(), pcm.samples.len()));
        result
    }
}

#[test]
fn paced_announcements_never_overlap_and_keep_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("paced.wav");
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = TimingSink {
        inner: WavFileSink::new(&out).paced(true),
        log: Arc::clone(&log),
    };
    let lib = library();
    let cfg = AnnouncerConfig {
        gap_ms: 0,
        ..config(vec![Lang::En], 1)
    };
    let calls = [Call::new("A1", "2"), Call::new("B22", "3"), Call::new("C3", "4")];
    let lengths: Vec<usize> = calls
        .iter()
        .map(|c| voice::render_announcement(&lib, c, &cfg).map(|p| p.samples.len()))
        .collect::<Result<_, _>>()
        .expect("render");
    let (announcer, events) = Announcer::start(lib, cfg, sink).expect("start");
    // Queued back to back from another thread while the first is already playing.
    for call in calls {
        announcer.announce(call, SystemTime::now()).expect("announce");
    }
    assert!(announcer.wait_idle(Duration::from_secs(30)));
    announcer.shutdown();

    let log = log.lock().expect("log").clone();
    assert_eq!(
        log.iter().map(|l| l.2).collect::<Vec<_>>(),
        lengths,
        "played in queue order"
    );
    for (i, (start, end, samples)) in log.iter().enumerate() {
        let audio = Duration::from_secs_f64(*samples as f64 / 16_000.0);
        assert!(*end - *start >= audio, "paced: play {i} lasted as long as its audio");
        if let Some((next_start, _, _)) = log.get(i + 1) {
            assert!(
                next_start >= end,
                "announcement {} started before {} ended",
                i + 2,
                i + 1
            );
        }
    }
    // The events tell the same story: started n+1 not before finished n.
    let mut last_finish = None;
    let mut order = Vec::new();
    for event in drain(&events) {
        match event {
            AnnouncerEvent::Started { id, at, .. } => {
                if let Some(finished) = last_finish {
                    assert!(at >= finished);
                }
                order.push(id);
            }
            AnnouncerEvent::Finished { at, .. } => last_finish = Some(at),
            _ => {}
        }
    }
    assert_eq!(order, [1, 2, 3]);
}

#[test]
fn a_too_old_call_is_skipped_and_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("old.wav");
    let cfg = config(vec![Lang::En], 1);
    let lib = library();
    let fresh = voice::render_announcement(&lib, &Call::new("A2", "1"), &cfg).expect("render");
    let (announcer, events) = Announcer::start(lib, cfg, WavFileSink::new(&out)).expect("start");
    let ten_minutes_ago = SystemTime::now() - Duration::from_secs(600);
    announcer
        .announce(Call::new("A1", "1"), ten_minutes_ago)
        .expect("announce old");
    announcer
        .announce(Call::new("A2", "1"), SystemTime::now())
        .expect("announce fresh");
    assert!(announcer.wait_idle(Duration::from_secs(10)));
    announcer.shutdown();

    let events = drain(&events);
    assert!(events.iter().any(|e| matches!(
        e,
        AnnouncerEvent::Skipped { id: 1, why: SkipReason::TooOld { age }, .. } if *age >= Duration::from_secs(600)
    )));
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, AnnouncerEvent::Started { id: 1, .. }))
    );
    assert_eq!(wav_samples(&out), fresh.samples, "only the fresh call was played");
}

/// Blocks in `play` until the test lets it go, so the queue can fill up.
struct GateSink {
    entered: mpsc::Sender<()>,
    gate: Arc<Mutex<Receiver<()>>>,
}

impl AudioSink for GateSink {
    fn play(&mut self, _pcm: &Pcm) -> Result<(), VoiceError> {
        let _ = self.entered.send(());
        let _ = self.gate.lock().expect("gate").recv();
        Ok(())
    }
}

#[test]
fn a_full_queue_drops_its_oldest_and_reports_it() {
    let (entered_tx, entered) = mpsc::channel();
    let (release, gate) = mpsc::channel();
    let sink = GateSink {
        entered: entered_tx,
        gate: Arc::new(Mutex::new(gate)),
    };
    let cfg = AnnouncerConfig {
        max_queue: 2,
        ..config(vec![Lang::Zh], 1)
    };
    let (announcer, events) = Announcer::start(library(), cfg, sink).expect("start");
    let now = SystemTime::now();
    announcer.announce(Call::new("A1", "1"), now).expect("announce");
    entered.recv_timeout(Duration::from_secs(5)).expect("first is playing");
    for n in 2..=4 {
        announcer
            .announce(Call::new(format!("A{n}"), "1"), now)
            .expect("announce");
    }
    assert_eq!(announcer.status().waiting, 2);
    assert_eq!(announcer.status().playing, Some(1));
    for _ in 0..3 {
        release.send(()).expect("release");
    }
    assert!(announcer.wait_idle(Duration::from_secs(10)));
    announcer.shutdown();
    let events = drain(&events);
    let skipped: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            AnnouncerEvent::Skipped {
                id,
                call,
                why: SkipReason::QueueFull,
            } => Some((*id, call.display.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(skipped, [(2, "A2".to_owned())]);
    let started = started_ids(&events);
    assert_eq!(started, [1, 3, 4]);
}

#[test]
fn a_missing_player_is_reported_and_the_announcer_goes_on() {
    let sink = CommandSink::new("/nonexistent/voice-player", ["-"]);
    let (announcer, events) = Announcer::start(library(), config(vec![Lang::En], 1), sink).expect("start");
    announcer
        .announce(Call::new("A1", "1"), SystemTime::now())
        .expect("announce");
    announcer
        .announce(Call::new("A2", "1"), SystemTime::now())
        .expect("announce");
    assert!(announcer.wait_idle(Duration::from_secs(10)));
    let failure = announcer.status().last_failure.expect("status shows the failure");
    assert!(failure.contains("/nonexistent/voice-player"), "{failure}");
    let failed: Vec<_> = drain(&events)
        .into_iter()
        .filter_map(|e| match e {
            AnnouncerEvent::Failed {
                id,
                error: VoiceError::PlayerNotFound { program },
            } => Some((id, program)),
            _ => None,
        })
        .collect();
    assert_eq!(failed.len(), 2, "both announcements were attempted and reported");
}

#[test]
fn an_unspeakable_call_is_refused_with_its_character() {
    let (announcer, events) = Announcer::start(
        library(),
        config(vec![Lang::Zh, Lang::En], 1),
        WavFileSink::new("/dev/null"),
    )
    .expect("start");
    let err = announcer
        .announce(Call::new("A#1", "5"), SystemTime::now())
        .expect_err("refused");
    assert!(matches!(err, VoiceError::Unspeakable { ch: '#', .. }), "{err:?}");
    assert!(err.to_string().contains("'#'"), "{err}");
    let err = announcer
        .announce(Call::new("A1", "五"), SystemTime::now())
        .expect_err("refused");
    assert!(matches!(err, VoiceError::Unspeakable { ch: '五', .. }), "{err:?}");
    announcer.shutdown();
    assert!(drain(&events).is_empty(), "nothing was queued");
}

#[test]
fn a_configured_language_must_be_loaded() {
    let lib = Library::load_languages(clip_root(), &[Lang::Zh]).expect("zh only");
    let err = Announcer::start(lib, config(vec![Lang::Zh, Lang::En], 1), WavFileSink::new("/dev/null")).err();
    assert!(matches!(err, Some(VoiceError::LanguageNotLoaded(Lang::En))), "{err:?}");
}
