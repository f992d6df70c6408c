//! Where announcements are played: a player process (`CommandSink`) or a WAV file (`WavFileSink`).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::error::VoiceError;
use crate::library::Pcm;

/// Plays one piece of audio. `play` returns only when playback has ended: that is what lets the
/// announcer's single worker guarantee that announcements never overlap.
pub trait AudioSink: Send {
    fn play(&mut self, pcm: &Pcm) -> Result<(), VoiceError>;
}

impl<S: AudioSink + ?Sized> AudioSink for Box<S> {
    fn play(&mut self, pcm: &Pcm) -> Result<(), VoiceError> {
        (**self).play(pcm)
    }
}

/// Spawns a player per announcement, writes the WAV to its stdin and waits for it to exit, e.g.
/// `aplay -q -t wav -` (ALSA) or `paplay` (PulseAudio). A process per announcement keeps a stuck or
/// crashed audio device from taking the announcer with it: the next announcement starts a fresh player.
#[derive(Clone, Debug)]
pub struct CommandSink {
    program: String,
    args: Vec<String>,
    /// Added to the audio's duration to get the deadline after which the player is killed (device
    /// opening, buffering); without it a player blocked on a busy device would stop every later call.
    slack: Duration,
}

impl CommandSink {
    pub fn new(program: impl Into<String>, args: impl IntoIterator<Item = impl Into<String>>) -> Self {
        CommandSink {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
            slack: Duration::from_secs(10),
        }
    }

    /// `aplay -q -t wav -`.
    pub fn aplay() -> Self {
        Self::new("aplay", ["-q", "-t", "wav", "-"])
    }

    /// A command line from configuration, split on whitespace (no shell quoting; for pipes or quoting
    /// use `sh -c '…'` through `new`).
    pub fn from_command_line(line: &str) -> Result<Self, VoiceError> {
        let mut words = line.split_whitespace();
        let program = words
            .next()
            .ok_or_else(|| VoiceError::Config("播放命令为空 / empty player command".into()))?;
        Ok(Self::new(program, words))
    }

    pub fn with_slack(mut self, slack: Duration) -> Self {
        self.slack = slack;
        self
    }
}

impl AudioSink for CommandSink {
    fn play(&mut self, pcm: &Pcm) -> Result<(), VoiceError> {
        let wav = pcm.to_wav_bytes()?;
        let program = self.program.clone();
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| match source.kind() {
                std::io::ErrorKind::NotFound => VoiceError::PlayerNotFound {
                    program: program.clone(),
                },
                _ => VoiceError::PlayerStart {
                    program: program.clone(),
                    source,
                },
            })?;
        // stdin and stderr are served by their own threads so that a player that neither reads nor exits
        // cannot block us past the deadline (the pipe buffer is far smaller than an announcement).
        let writer = child.stdin.take().map(|mut stdin| {
            thread::spawn(move || {
                // A write error means the player exited early; its exit status tells why.
                let _ = stdin.write_all(&wav);
            })
        });
        let reader = child.stderr.take().map(|mut stderr| {
            thread::spawn(move || {
                let mut text = String::new();
                let _ = stderr.read_to_string(&mut text);
                text
            })
        });
        let timeout = pcm.duration() + self.slack;
        let deadline = Instant::now() + timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Ok(status),
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break Err(VoiceError::PlayerTimeout {
                        program: program.clone(),
                        timeout_ms: timeout.as_millis(),
                    });
                }
                Ok(None) => thread::sleep(Duration::from_millis(5)),
                Err(source) => {
                    break Err(VoiceError::PlayerStart {
                        program: program.clone(),
                        source,
                    });
                }
            }
        };
        if let Some(writer) = writer {
            let _ = writer.join();
        }
        let stderr = reader.and_then(|r| r.join().ok()).unwrap_or_default();
        let status = status?;
        if status.success() {
            Ok(())
        } else {
            Err(VoiceError::PlayerFailed {
                program,
                status: status.to_string(),
                stderr: stderr.trim().to_owned(),
            })
        }
    }
}

/// Appends every announcement to one WAV file, finalised after each so the file is valid at any time.
/// With `paced`, `play` also takes as long as the audio lasts, like a real device (tests measure
/// overlap with it; the app's "record announcements" option uses it so timing matches the hall).
#[derive(Clone, Debug)]
pub struct WavFileSink {
    path: PathBuf,
    paced: bool,
}

impl WavFileSink {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        WavFileSink {
            path: path.into(),
            paced: false,
        }
    }

    pub fn paced(mut self, paced: bool) -> Self {
        self.paced = paced;
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn append(&self, pcm: &Pcm) -> Result<(), VoiceError> {
        let failed = |source| VoiceError::Recording {
            path: self.path.clone(),
            source,
        };
        // An empty file (e.g. just created by a temp-file helper) is a fresh recording, not a corrupt one.
        let existing = std::fs::metadata(&self.path).map(|m| m.len() > 0).unwrap_or(false);
        let mut writer = if existing {
            let writer = hound::WavWriter::append(&self.path).map_err(failed)?;
            if writer.spec() != pcm.wav_spec() {
                return Err(VoiceError::RecordingFormat {
                    path: self.path.clone(),
                });
            }
            writer
        } else {
            hound::WavWriter::create(&self.path, pcm.wav_spec()).map_err(failed)?
        };
        for &s in &pcm.samples {
            writer.write_sample(s).map_err(failed)?;
        }
        writer.finalize().map_err(failed)
    }
}

impl AudioSink for WavFileSink {
    fn play(&mut self, pcm: &Pcm) -> Result<(), VoiceError> {
        let started = Instant::now();
        self.append(pcm)?;
        if self.paced {
            let end = started + pcm.duration();
            let now = Instant::now();
            if end > now {
                thread::sleep(end - now);
            }
        }
        Ok(())
    }
}
