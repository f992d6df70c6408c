//! Every ticket of [A-Z0-9]{1,6} at every window 1–99 is speakable with the committed clips.

use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use voice::{Call, Lang, Library, clips};

fn library() -> &'static Library {
    static LIB: OnceLock<Library> = OnceLock::new();
    LIB.get_or_init(|| Library::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/voice")).expect("load"))
}

proptest! {
    #[test]
    fn every_clip_of_a_call_exists(display in "[A-Z0-9]{1,6}", window in 1u8..=99) {
        let call = Call::new(display.clone(), window.to_string());
        for lang in Lang::ALL {
            let ids = clips(&call, lang).expect("speakable");
            prop_assert!(ids.len() >= display.len() + 3);
            for id in &ids {
                prop_assert!(library().contains(*id), "{:?} missing", id);
                prop_assert_eq!(id.lang, lang);
            }
            prop_assert!(library().render(&ids, 40).is_ok());
        }
    }

    #[test]
    fn a_character_outside_the_clips_is_named(prefix in "[A-Z0-9]{0,3}", ch in "[^A-Za-z0-9-]", window in 1u8..=99) {
        let display = format!("{prefix}{ch}");
        let bad = ch.chars().next().expect("one char");
        for lang in Lang::ALL {
            let err = clips(&Call::new(display.clone(), window.to_string()), lang).expect_err("unspeakable");
            prop_assert!(
                matches!(err, voice::VoiceError::Unspeakable { ch, .. } if ch == bad),
                "{:?}", err
            );
        }
    }
}
