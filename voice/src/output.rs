//! Where the apps send their audio, as configured by one string (`--audio`): shared by the hall wall
//! (call announcements) and the kiosk (spoken prompts).

use std::path::PathBuf;

use crate::error::VoiceError;
use crate::sink::{AudioSink, CommandSink, WavFileSink};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AudioOutput {
    /// `aplay` (alsa-utils) on the default sound card.
    Aplay,
    /// Append to a WAV file (tests, recording); `paced` plays at real time.
    File { path: PathBuf, paced: bool },
    /// Any player reading WAV on standard input.
    Command(String),
    /// Silent.
    None,
}

impl AudioOutput {
    /// `aplay`, `file:PATH`, `file-paced:PATH`, `cmd:PROGRAM ARGS`, `none`.
    pub fn parse(s: &str) -> Result<AudioOutput, VoiceError> {
        let s = s.trim();
        if s == "aplay" {
            Ok(AudioOutput::Aplay)
        } else if s == "none" {
            Ok(AudioOutput::None)
        } else if let Some(p) = s.strip_prefix("file-paced:").filter(|p| !p.is_empty()) {
            Ok(AudioOutput::File {
                path: p.into(),
                paced: true,
            })
        } else if let Some(p) = s.strip_prefix("file:").filter(|p| !p.is_empty()) {
            Ok(AudioOutput::File {
                path: p.into(),
                paced: false,
            })
        } else if let Some(c) = s.strip_prefix("cmd:").filter(|c| !c.trim().is_empty()) {
            Ok(AudioOutput::Command(c.trim().to_owned()))
        } else {
            Err(VoiceError::Config(format!(
                "音频输出设置无效 {s:?}：应为 aplay、file:PATH、file-paced:PATH、cmd:PROGRAM 或 none / \
                 unknown audio output {s:?}; use aplay, file:PATH, file-paced:PATH, cmd:PROGRAM or none"
            )))
        }
    }

    /// How status displays name it.
    pub fn label(&self) -> String {
        match self {
            AudioOutput::Aplay => "aplay".into(),
            AudioOutput::File { path, .. } => format!("file:{}", path.display()),
            AudioOutput::Command(c) => format!("cmd:{c}"),
            AudioOutput::None => "none".into(),
        }
    }

    /// The sink; `None` for silent.
    pub fn sink(&self) -> Result<Option<Box<dyn AudioSink>>, VoiceError> {
        Ok(match self {
            AudioOutput::None => None,
            AudioOutput::Aplay => Some(Box::new(CommandSink::aplay())),
            AudioOutput::Command(line) => Some(Box::new(CommandSink::from_command_line(line)?)),
            AudioOutput::File { path, paced } => Some(Box::new(WavFileSink::new(path).paced(*paced))),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_parses_and_a_typo_is_named() {
        assert_eq!(AudioOutput::parse("aplay").ok(), Some(AudioOutput::Aplay));
        assert_eq!(AudioOutput::parse(" none ").ok(), Some(AudioOutput::None));
        assert_eq!(
            AudioOutput::parse("file-paced:/tmp/x.wav").ok(),
            Some(AudioOutput::File {
                path: "/tmp/x.wav".into(),
                paced: true
            })
        );
        assert_eq!(
            AudioOutput::parse("cmd: paplay").ok(),
            Some(AudioOutput::Command("paplay".into()))
        );
        let e = AudioOutput::parse("speaker").unwrap_err().to_string();
        assert!(e.contains("speaker"), "{e}");
        assert!(AudioOutput::parse("file:").is_err());
    }
}
