//! Start-up configuration: flags, each with a `CC_*` environment equivalent (an end-to-end test sets
//! them through the app's environment; a hall PC's autostart entry usually uses flags).

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Parser, ValueEnum};

/// What the wall shows. Only the hall wall exists today; `city` (the leaders' command wall over the
/// city feed) gets its own module beside `hall/` and answers "not yet implemented" until then.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    Hall,
    City,
}

#[derive(Debug, Clone, Parser)]
#[command(name = "command-center", about = "大厅综合屏 / hall display wall")]
pub struct Args {
    /// `hall` (the hall's display wall) or `city` (command wall, not yet implemented).
    #[arg(long, env = "CC_MODE", value_enum, default_value = "hall")]
    pub mode: Mode,
    /// The hall node's base URL, e.g. http://10.0.0.2:8080 (first start; kept in the edge store).
    #[arg(long, env = "CC_HALL_URL")]
    pub hall_url: Option<String>,
    /// One-time enrollment code (kind `hall_display`) for the first start.
    #[arg(long, env = "CC_ENROLL_CODE")]
    pub enroll_code: Option<String>,
    /// Where the identity (edge store) is kept.
    #[arg(long, env = "CC_DATA_DIR", default_value = "./command-center-data")]
    pub data_dir: PathBuf,
    /// `aplay` (default), `file:PATH` (append to a WAV file), `file-paced:PATH` (same, taking as long
    /// as the audio), `none`, or `cmd:PROGRAM ARGS…` (a player reading a WAV on stdin).
    #[arg(long, env = "CC_AUDIO", default_value = "aplay")]
    pub audio: String,
    /// Announcement languages in order, e.g. `zh,en`.
    #[arg(long, env = "CC_LANGS", default_value = "zh,en")]
    pub langs: String,
    /// How often each announcement is spoken (all languages).
    #[arg(long, env = "CC_REPEATS", default_value_t = 2)]
    pub repeats: u32,
    /// Notices: a text file (one per line) or a TOML file (`notices = ["…"]`).
    #[arg(long, env = "CC_NOTICES")]
    pub notices: Option<PathBuf>,
    /// The recorded clips (`assets/voice`); by default next to the binary or in the source tree.
    #[arg(long, env = "CC_VOICE_DIR")]
    pub voice_dir: Option<PathBuf>,
    /// Calls kept on the wall.
    #[arg(long, env = "CC_MAX_CALLS", default_value_t = 10)]
    pub max_calls: usize,
    /// A normal window instead of full screen (development, tests).
    #[arg(long, env = "CC_WINDOWED")]
    pub windowed: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("城市指挥大屏模式尚未实现 / city mode is not yet implemented (use --mode hall)")]
    CityNotImplemented,
    #[error("播报设置 / announcements: {0}")]
    Voice(#[from] voice::VoiceError),
    #[error("无法读取公告文件 {path} / cannot read notices: {source}")]
    NoticesRead { path: PathBuf, source: std::io::Error },
    #[error("公告文件 {path} 格式错误 / bad notices TOML: {message}")]
    NoticesToml { path: PathBuf, message: String },
}

/// Where announcements go: the audio output (`voice::AudioOutput`: aplay, file:, file-paced:, cmd:, none).
pub use voice::AudioOutput;

/// The validated configuration of the hall wall.
#[derive(Debug, Clone)]
pub struct HallSettings {
    pub hall_url: Option<String>,
    pub enroll_code: Option<String>,
    pub data_dir: PathBuf,
    pub audio: AudioOutput,
    pub announcer: voice::AnnouncerConfig,
    pub notices: Vec<String>,
    pub voice_dir: PathBuf,
    pub max_calls: usize,
}

/// The announcer's configuration for `langs` and `repeats` (the test renders its expected audio with
/// the same function, so both sides agree on pauses and gaps).
pub fn announcer_config(langs: &[voice::Lang], repeats: u32) -> voice::AnnouncerConfig {
    voice::AnnouncerConfig {
        languages: langs.to_vec(),
        repeats,
        // A hall's queue can back up during a long outage; old calls are skipped by `max_age`, and
        // more than this many waiting is noise, not information.
        max_queue: 50,
        max_age: Duration::from_secs(120),
        ..voice::AnnouncerConfig::default()
    }
}

pub fn parse_langs(s: &str) -> Result<Vec<voice::Lang>, ConfigError> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| p.parse::<voice::Lang>().map_err(ConfigError::from))
        .collect()
}

impl Args {
    /// Checks everything that can be checked before a window opens.
    pub fn hall_settings(&self) -> Result<HallSettings, ConfigError> {
        if self.mode == Mode::City {
            return Err(ConfigError::CityNotImplemented);
        }
        let notices = match &self.notices {
            Some(p) => load_notices(p)?,
            None => Vec::new(),
        };
        Ok(HallSettings {
            hall_url: self.hall_url.clone().filter(|s| !s.trim().is_empty()),
            enroll_code: self.enroll_code.clone().filter(|s| !s.trim().is_empty()),
            data_dir: self.data_dir.clone(),
            audio: AudioOutput::parse(&self.audio)?,
            announcer: announcer_config(&parse_langs(&self.langs)?, self.repeats),
            notices,
            voice_dir: self.voice_dir.clone().unwrap_or_else(default_voice_dir),
            max_calls: self.max_calls.max(1),
        })
    }
}

/// The clips: `voice::default_dir()` (beside the executable, else the source tree's).
pub fn default_voice_dir() -> PathBuf {
    voice::default_dir()
}

#[derive(serde::Deserialize)]
struct NoticesToml {
    notices: Vec<String>,
}

/// Notices from a file: TOML (`notices = [...]`) when it ends in `.toml`, else one per non-empty line
/// (`#` starts a comment line).
pub fn load_notices(path: &Path) -> Result<Vec<String>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::NoticesRead {
        path: path.to_owned(),
        source,
    })?;
    if path.extension().is_some_and(|e| e == "toml") {
        let parsed: NoticesToml = toml::from_str(&text).map_err(|e| ConfigError::NoticesToml {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        return Ok(parsed.notices.into_iter().filter(|n| !n.trim().is_empty()).collect());
    }
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: &[&str]) -> Args {
        Args::parse_from([&["command-center"], extra].concat())
    }

    #[test]
    fn audio_outputs_parse() {
        assert_eq!(AudioOutput::parse("aplay").ok(), Some(AudioOutput::Aplay));
        assert_eq!(AudioOutput::parse("none").ok(), Some(AudioOutput::None));
        assert_eq!(
            AudioOutput::parse("file:/tmp/a.wav").ok(),
            Some(AudioOutput::File {
                path: "/tmp/a.wav".into(),
                paced: false
            })
        );
        assert_eq!(
            AudioOutput::parse("file-paced:/tmp/a.wav").ok(),
            Some(AudioOutput::File {
                path: "/tmp/a.wav".into(),
                paced: true
            })
        );
        assert!(AudioOutput::parse("file:").is_err());
        assert!(AudioOutput::parse("speaker").is_err());
    }

    #[test]
    fn city_mode_is_refused_clearly() {
        let err = args(&["--mode", "city"]).hall_settings().err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("not yet implemented")));
    }

    #[test]
    fn languages_and_repeats_reach_the_announcer() {
        let s = args(&["--langs", "en", "--repeats", "3", "--audio", "none"]).hall_settings();
        let s = s.expect("settings");
        assert_eq!(s.announcer.languages, vec![voice::Lang::En]);
        assert_eq!(s.announcer.repeats, 3);
        assert!(args(&["--langs", "fr"]).hall_settings().is_err());
    }

    #[test]
    fn notices_from_lines_and_toml() {
        let dir = tempfile::tempdir().expect("tmp");
        let lines = dir.path().join("n.txt");
        std::fs::write(&lines, "# 注释\n请保管好随身物品\n\n办理业务请携带身份证\n").expect("write");
        assert_eq!(
            load_notices(&lines).expect("lines"),
            vec!["请保管好随身物品", "办理业务请携带身份证"]
        );
        let t = dir.path().join("n.toml");
        std::fs::write(&t, "notices = [\"午间不休息\", \"\"]\n").expect("write");
        assert_eq!(load_notices(&t).expect("toml"), vec!["午间不休息"]);
        std::fs::write(&t, "notices = 3").expect("write");
        assert!(load_notices(&t).is_err());
    }
}
