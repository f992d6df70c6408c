//! Spoken prompts for the elderly mode (issue 6: "spoken prompts from local clips"): whole-sentence
//! clips from `assets/voice/<lang>/prompt_*.wav` (generated offline by `scripts/voice-clips`, never
//! text-to-speech), played by one worker so prompts never overlap; a newer prompt replaces one still
//! waiting (the citizen has moved on), never one already playing.

use std::sync::mpsc::{Receiver, Sender, channel};

use app_types::CommandError;
use voice::{AudioOutput, AudioSink, Lang, Library, Pcm, Prompt, prompt_clips};

use super::Kiosk;

/// Silence between two prompts of one utterance, and between a prompt and the number.
const GAP_MS: u32 = 250;

pub struct Speaker {
    tx: Option<Sender<Pcm>>,
    library: Option<Library>,
}

impl Speaker {
    /// `--audio none` is silent (prompts are accepted and dropped). The clips are checked now, so a
    /// missing or malformed file is named at start.
    pub fn start(output: &AudioOutput, voice_dir: &std::path::Path) -> Result<Speaker, voice::VoiceError> {
        let Some(sink) = output.sink()? else {
            return Ok(Speaker {
                tx: None,
                library: None,
            });
        };
        let library = Library::load(voice_dir)?;
        let (tx, rx) = channel();
        std::thread::Builder::new()
            .name("kiosk-voice".into())
            .spawn(move || play(&rx, sink))
            .map_err(|e| voice::VoiceError::Config(format!("无法启动语音线程 / cannot start: {e}")))?;
        Ok(Speaker {
            tx: Some(tx),
            library: Some(library),
        })
    }

    /// Renders `prompts` (the number follows `your_number`) in `lang` and queues it.
    pub fn say(&self, prompts: &[Prompt], number: Option<&str>, lang: Lang) -> Result<(), voice::VoiceError> {
        let (Some(tx), Some(library)) = (&self.tx, &self.library) else {
            return Ok(());
        };
        let mut clips = Vec::new();
        for &p in prompts {
            let n = (p == Prompt::YourNumber).then_some(number).flatten();
            clips.extend(prompt_clips(p, n, lang)?);
        }
        let pcm = library.render(&clips, GAP_MS)?;
        // The worker ends only with the kiosk; a send error then has nobody to tell.
        let _ = tx.send(pcm);
        Ok(())
    }
}

fn play(rx: &Receiver<Pcm>, mut sink: Box<dyn AudioSink>) {
    while let Ok(mut pcm) = rx.recv() {
        while let Ok(newer) = rx.try_recv() {
            pcm = newer;
        }
        if let Err(e) = sink.play(&pcm) {
            tracing::warn!("prompt not played: {e}");
        }
    }
}

impl Kiosk {
    /// Speaks prompts by name (`place_card`, `choose_item`, `take_ticket`, `number_on_screen`,
    /// `scan_code`, `your_number` + `number`) in `lang` (`zh`, `en`).
    pub fn speak(&self, prompts: &[String], number: Option<&str>, lang: &str) -> Result<(), CommandError> {
        let lang: Lang = lang
            .parse()
            .map_err(|e: voice::VoiceError| CommandError::new("invalid", e.to_string()).field("lang"))?;
        let prompts = prompts
            .iter()
            .map(|p| p.parse::<Prompt>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| CommandError::new("invalid", e.to_string()).field("prompts"))?;
        self.speaker
            .say(&prompts, number, lang)
            .map_err(|e| CommandError::new("voice", e.to_string()))
    }
}
