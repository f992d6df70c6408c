//! The clip library (every clip of each language, checked once at start) and `Pcm`, rendered audio.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::VoiceError;
use crate::sequence::{ClipId, Lang};

/// The one clip format (what `scripts/voice-clips` writes). Fixed rather than "whatever the first file
/// has", so a wrong file is named as wrong even when it happens to be read first.
pub const SAMPLE_RATE: u32 = 16_000;
const EXPECTED: &str = "16000 Hz, 单声道 mono, 16 bit PCM";

/// Mono 16-bit PCM samples.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pcm {
    pub sample_rate: u32,
    pub samples: Vec<i16>,
}

impl Pcm {
    pub fn new(sample_rate: u32) -> Self {
        Pcm {
            sample_rate,
            samples: Vec::new(),
        }
    }

    /// Number of samples in `ms` milliseconds at `sample_rate`.
    pub fn samples_for_ms(sample_rate: u32, ms: u32) -> usize {
        (u64::from(sample_rate) * u64::from(ms) / 1000) as usize
    }

    pub fn push_silence(&mut self, ms: u32) {
        let n = Self::samples_for_ms(self.sample_rate, ms);
        self.samples.resize(self.samples.len() + n, 0);
    }

    pub fn append(&mut self, other: &Pcm) -> Result<(), VoiceError> {
        if other.sample_rate != self.sample_rate {
            return Err(VoiceError::SampleRateMismatch {
                left: self.sample_rate,
                right: other.sample_rate,
            });
        }
        self.samples.extend_from_slice(&other.samples);
        Ok(())
    }

    pub fn duration(&self) -> Duration {
        if self.sample_rate == 0 {
            return Duration::ZERO;
        }
        Duration::from_secs_f64(self.samples.len() as f64 / f64::from(self.sample_rate))
    }

    pub fn wav_spec(&self) -> hound::WavSpec {
        hound::WavSpec {
            channels: 1,
            sample_rate: self.sample_rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        }
    }

    /// A complete WAV file (RIFF header + samples), what a player reads from its stdin.
    pub fn to_wav_bytes(&self) -> Result<Vec<u8>, VoiceError> {
        let mut out = Cursor::new(Vec::with_capacity(44 + self.samples.len() * 2));
        let mut writer = hound::WavWriter::new(&mut out, self.wav_spec())?;
        for &s in &self.samples {
            writer.write_sample(s)?;
        }
        writer.finalize()?;
        Ok(out.into_inner())
    }

    /// Reads a mono 16-bit PCM WAV file of any sample rate; any other format is a `ClipFormat` error
    /// naming the file.
    pub fn read_wav_file(path: &Path) -> Result<Pcm, VoiceError> {
        if !path.is_file() {
            return Err(VoiceError::ClipMissing { path: path.to_owned() });
        }
        let unreadable = |source| VoiceError::ClipUnreadable {
            path: path.to_owned(),
            source,
        };
        let mut reader = hound::WavReader::open(path).map_err(unreadable)?;
        let spec = reader.spec();
        if spec.channels != 1 || spec.bits_per_sample != 16 || spec.sample_format != hound::SampleFormat::Int {
            return Err(VoiceError::ClipFormat {
                path: path.to_owned(),
                found: format!(
                    "{} Hz, {} 声道 channels, {} bit {:?}",
                    spec.sample_rate, spec.channels, spec.bits_per_sample, spec.sample_format
                ),
                expected: EXPECTED.into(),
            });
        }
        let samples = reader
            .samples::<i16>()
            .collect::<Result<Vec<_>, _>>()
            .map_err(unreadable)?;
        Ok(Pcm {
            sample_rate: spec.sample_rate,
            samples,
        })
    }
}

/// Every required clip of the loaded languages, in memory (a language is ~1 MB).
#[derive(Clone, Debug)]
pub struct Library {
    root: PathBuf,
    languages: Vec<Lang>,
    clips: HashMap<ClipId, Vec<i16>>,
}

impl Library {
    /// Loads every language whose directory (`<dir>/zh`, `<dir>/en`) exists. Each loaded language must
    /// have all its clips (`ClipId::required`), all 16 kHz mono 16-bit; the first file that is missing,
    /// unreadable or of another format is named in the error.
    pub fn load(dir: impl AsRef<Path>) -> Result<Library, VoiceError> {
        let dir = dir.as_ref();
        let present: Vec<Lang> = Lang::ALL.into_iter().filter(|l| dir.join(l.code()).is_dir()).collect();
        if present.is_empty() {
            return Err(VoiceError::NoLanguages { path: dir.to_owned() });
        }
        Self::load_languages(dir, &present)
    }

    /// Loads exactly these languages (each must be complete).
    pub fn load_languages(dir: impl AsRef<Path>, languages: &[Lang]) -> Result<Library, VoiceError> {
        let root = dir.as_ref().to_owned();
        let mut clips = HashMap::new();
        let mut loaded = Vec::new();
        for &lang in languages {
            if loaded.contains(&lang) {
                continue;
            }
            for id in ClipId::required(lang) {
                let path = root.join(id.relative_path());
                let pcm = Pcm::read_wav_file(&path)?;
                if pcm.sample_rate != SAMPLE_RATE {
                    return Err(VoiceError::ClipFormat {
                        path,
                        found: format!("{} Hz", pcm.sample_rate),
                        expected: EXPECTED.into(),
                    });
                }
                clips.insert(id, pcm.samples);
            }
            loaded.push(lang);
        }
        Ok(Library {
            root,
            languages: loaded,
            clips,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn languages(&self) -> &[Lang] {
        &self.languages
    }

    pub fn sample_rate(&self) -> u32 {
        SAMPLE_RATE
    }

    pub fn contains(&self, id: ClipId) -> bool {
        self.clips.contains_key(&id)
    }

    pub fn samples(&self, id: ClipId) -> Option<&[i16]> {
        self.clips.get(&id).map(Vec::as_slice)
    }

    /// The clips one after another with `gap_ms` of silence between consecutive clips (none before the
    /// first or after the last). The clips already carry 20 ms of padding each side, so 0 is usable.
    pub fn render(&self, clips: &[ClipId], gap_ms: u32) -> Result<Pcm, VoiceError> {
        let mut pcm = Pcm::new(SAMPLE_RATE);
        for (i, &id) in clips.iter().enumerate() {
            let samples = self.clips.get(&id).ok_or_else(|| {
                if self.languages.contains(&id.lang) {
                    VoiceError::ClipMissing {
                        path: self.root.join(id.relative_path()),
                    }
                } else {
                    VoiceError::LanguageNotLoaded(id.lang)
                }
            })?;
            if i > 0 {
                pcm.push_silence(gap_ms);
            }
            pcm.samples.extend_from_slice(samples);
        }
        Ok(pcm)
    }
}
