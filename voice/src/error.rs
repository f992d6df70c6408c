//! The crate's one error type. Messages are Chinese first (they reach the hall's operators through the
//! app's audio status), with the English meaning after a slash for the logs.

use std::path::PathBuf;

use crate::sequence::Lang;

#[derive(Debug, thiserror::Error)]
pub enum VoiceError {
    /// A character of a ticket number or window name that no clip can speak. Never skipped silently:
    /// a wall that announces "A 2 3" for "A#23" would send the citizen to the wrong place.
    #[error("无法朗读{field}「{text}」中的字符 {ch:?}（{lang}）/ cannot speak character {ch:?} of {field} {text:?}")]
    Unspeakable {
        field: &'static str,
        text: String,
        ch: char,
        lang: Lang,
    },
    #[error("{field}为空 / empty {field}")]
    Empty { field: &'static str },
    #[error("缺少语音片段 {path} / missing clip", path = .path.display())]
    ClipMissing { path: PathBuf },
    #[error("无法读取语音片段 {path}: {source} / unreadable clip", path = .path.display())]
    ClipUnreadable { path: PathBuf, source: hound::Error },
    #[error("语音片段格式不符 {path}: 为 {found}，应为 {expected} / wrong clip format", path = .path.display())]
    ClipFormat {
        path: PathBuf,
        found: String,
        expected: String,
    },
    #[error("语音库未加载语言 {0} / language not loaded")]
    LanguageNotLoaded(Lang),
    #[error("目录 {path} 中没有任何语言的语音片段 / no language directory found", path = .path.display())]
    NoLanguages { path: PathBuf },
    #[error("音频采样率不一致: {left} Hz 与 {right} Hz / sample rates differ")]
    SampleRateMismatch { left: u32, right: u32 },
    #[error("WAV 编码失败: {0} / WAV encoding failed")]
    Wav(#[from] hound::Error),
    #[error("找不到播放程序「{program}」/ audio player not found")]
    PlayerNotFound { program: String },
    #[error("无法启动播放程序「{program}」: {source} / cannot start audio player")]
    PlayerStart { program: String, source: std::io::Error },
    #[error("播放失败「{program}」{status}: {stderr} / audio player failed")]
    PlayerFailed {
        program: String,
        status: String,
        stderr: String,
    },
    #[error("播放程序「{program}」超时（{timeout_ms} ms）已终止 / audio player timed out")]
    PlayerTimeout { program: String, timeout_ms: u128 },
    #[error("录音文件 {path} 写入失败: {source} / cannot write recording", path = .path.display())]
    Recording { path: PathBuf, source: hound::Error },
    #[error("录音文件 {path} 的格式与播报不同 / recording has another format", path = .path.display())]
    RecordingFormat { path: PathBuf },
    #[error("播报配置无效: {0} / invalid announcer configuration")]
    Config(String),
    #[error("播报已停止 / announcer is shut down")]
    Closed,
}
