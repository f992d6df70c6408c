//! The sinks: a player command gets exactly the WAV bytes; failures are clear errors.

use std::fs;
use std::time::{Duration, Instant};

use voice::{AudioSink, CommandSink, Pcm, VoiceError, WavFileSink};

fn tone(ms: u32) -> Pcm {
    let n = Pcm::samples_for_ms(16_000, ms);
    Pcm {
        sample_rate: 16_000,
        samples: (0..n).map(|i| ((i % 64) as i16 - 32) * 500).collect(),
    }
}

#[test]
fn a_command_gets_the_wav_on_stdin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("played.wav");
    let pcm = tone(300);
    let mut sink = CommandSink::new("sh", ["-c".to_owned(), format!("cat > '{}'", out.display())]);
    sink.play(&pcm).expect("play");
    assert_eq!(fs::read(&out).expect("read"), pcm.to_wav_bytes().expect("wav"));

    let out2 = dir.path().join("tee.wav");
    let mut sink = CommandSink::from_command_line(&format!("tee {}", out2.display())).expect("line");
    sink.play(&pcm).expect("play");
    assert_eq!(fs::read(&out2).expect("read"), pcm.to_wav_bytes().expect("wav"));
}

#[test]
fn a_missing_player_is_a_clear_error() {
    let err = CommandSink::new("no-such-player-xyz", ["-q"])
        .play(&tone(10))
        .expect_err("missing");
    assert!(
        matches!(&err, VoiceError::PlayerNotFound { program } if program == "no-such-player-xyz"),
        "{err:?}"
    );
    assert!(err.to_string().contains("no-such-player-xyz"), "{err}");
    assert!(CommandSink::from_command_line("   ").is_err());
}

#[test]
fn a_failing_player_reports_its_status_and_stderr() {
    let script = "cat > /dev/null; echo 'audio open error: No such device' >&2; exit 3";
    let err = CommandSink::new("sh", ["-c", script])
        .play(&tone(10))
        .expect_err("fails");
    match &err {
        VoiceError::PlayerFailed { stderr, status, .. } => {
            assert_eq!(stderr, "audio open error: No such device");
            assert!(status.contains('3'), "{status}");
        }
        other => panic!("{other:?}"),
    }
    // A player that exits without reading is a failure too, not a hang.
    let err = CommandSink::new("sh", ["-c", "exit 1"])
        .play(&tone(3_000))
        .expect_err("fails");
    assert!(matches!(err, VoiceError::PlayerFailed { .. }), "{err:?}");
}

#[test]
fn a_stuck_player_is_killed_at_the_deadline() {
    let started = Instant::now();
    let mut sink = CommandSink::new("sleep", ["30"]).with_slack(Duration::from_millis(200));
    let err = sink.play(&tone(100)).expect_err("timeout");
    assert!(matches!(err, VoiceError::PlayerTimeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn the_wav_file_sink_appends_and_paces() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("rec.wav");
    let (a, b) = (tone(200), tone(300));
    let mut sink = WavFileSink::new(&path).paced(true);
    let started = Instant::now();
    sink.play(&a).expect("a");
    sink.play(&b).expect("b");
    assert!(started.elapsed() >= Duration::from_millis(500), "paced at real time");
    let both = Pcm {
        sample_rate: 16_000,
        samples: [a.samples, b.samples].concat(),
    };
    assert_eq!(Pcm::read_wav_file(&path).expect("read"), both);

    let other_rate = Pcm {
        sample_rate: 8_000,
        samples: vec![1, 2, 3],
    };
    assert!(matches!(
        sink.play(&other_rate),
        Err(VoiceError::RecordingFormat { .. })
    ));
}
