//! Clip loading (every malformed file is named) and rendering.

use std::fs;
use std::path::{Path, PathBuf};

use voice::{Call, ClipId, Lang, Library, Part, Pcm, VoiceError, clips};

fn clip_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/voice")
}

/// A copy of the committed clips that a test may break.
fn copy_clips() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for lang in ["zh", "en"] {
        fs::create_dir(dir.path().join(lang)).expect("mkdir");
        for entry in fs::read_dir(clip_root().join(lang)).expect("read clips") {
            let entry = entry.expect("entry");
            fs::copy(entry.path(), dir.path().join(lang).join(entry.file_name())).expect("copy");
        }
    }
    dir
}

fn write_wav(path: &Path, spec: hound::WavSpec) {
    let mut writer = hound::WavWriter::create(path, spec).expect("create");
    for i in 0..100 {
        if spec.bits_per_sample == 8 {
            writer.write_sample(i as i8).expect("sample");
        } else {
            writer.write_sample(i as i16).expect("sample");
        }
    }
    writer.finalize().expect("finalize");
}

fn spec(sample_rate: u32, channels: u16, bits: u16) -> hound::WavSpec {
    hound::WavSpec {
        channels,
        sample_rate,
        bits_per_sample: bits,
        sample_format: hound::SampleFormat::Int,
    }
}

#[test]
fn the_committed_clips_load_completely() {
    let lib = Library::load(clip_root()).expect("load");
    assert_eq!(lib.languages(), [Lang::Zh, Lang::En]);
    for lang in Lang::ALL {
        for id in ClipId::required(lang) {
            assert!(lib.samples(id).is_some_and(|s| !s.is_empty()), "{id:?}");
        }
    }
}

#[test]
fn a_clip_of_another_format_is_named() {
    for (name, bad) in [
        ("stereo", spec(16_000, 2, 16)),
        ("8 kHz", spec(8_000, 1, 16)),
        ("8 bit", spec(16_000, 1, 8)),
    ] {
        let dir = copy_clips();
        let broken = dir.path().join("zh/digit_3.wav");
        write_wav(&broken, bad);
        let err = Library::load(dir.path()).expect_err(name);
        match &err {
            VoiceError::ClipFormat { path, .. } => assert_eq!(path, &broken, "{name}"),
            other => panic!("{name}: {other:?}"),
        }
        assert!(err.to_string().contains("digit_3.wav"), "{err}");
    }
}

#[test]
fn an_unreadable_or_missing_clip_is_named() {
    let dir = copy_clips();
    let garbage = dir.path().join("en/go_to_window.wav");
    fs::write(&garbage, b"not a wav file at all").expect("write");
    let err = Library::load(dir.path()).expect_err("garbage");
    assert!(
        matches!(&err, VoiceError::ClipUnreadable { path, .. } if path == &garbage),
        "{err:?}"
    );
    assert!(err.to_string().contains("go_to_window.wav"), "{err}");

    let dir = copy_clips();
    let missing = dir.path().join("zh/shi.wav");
    fs::remove_file(&missing).expect("remove");
    let err = Library::load(dir.path()).expect_err("missing");
    assert!(
        matches!(&err, VoiceError::ClipMissing { path } if path == &missing),
        "{err:?}"
    );

    let empty = tempfile::tempdir().expect("tempdir");
    assert!(matches!(
        Library::load(empty.path()),
        Err(VoiceError::NoLanguages { .. })
    ));
}

#[test]
fn render_puts_the_gap_between_clips_only() {
    let lib = Library::load(clip_root()).expect("load");
    let ids = [
        ClipId::new(Lang::En, Part::Number),
        ClipId::new(Lang::En, Part::Digit(7)),
    ];
    let a = lib.samples(ids[0]).expect("number").to_vec();
    let b = lib.samples(ids[1]).expect("7").to_vec();
    let pcm = lib.render(&ids, 250).expect("render");
    assert_eq!(pcm.samples, [a.clone(), vec![0; 4_000], b.clone()].concat());
    assert_eq!(lib.render(&ids, 0).expect("render").samples, [a, b].concat());
    assert!(lib.render(&[], 250).expect("empty").samples.is_empty());

    let zh_only = Library::load_languages(clip_root(), &[Lang::Zh]).expect("zh");
    assert!(matches!(
        zh_only.render(&ids, 0),
        Err(VoiceError::LanguageNotLoaded(Lang::En))
    ));
}

#[test]
fn wav_bytes_round_trip() {
    let lib = Library::load(clip_root()).expect("load");
    let pcm = lib
        .render(&clips(&Call::new("A023", "5"), Lang::Zh).expect("clips"), 40)
        .expect("render");
    let bytes = pcm.to_wav_bytes().expect("wav");
    assert_eq!(bytes.len(), 44 + 2 * pcm.samples.len());
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("a.wav");
    fs::write(&path, &bytes).expect("write");
    assert_eq!(Pcm::read_wav_file(&path).expect("read"), pcm);
}
