//! The Tauri IPC contract: the shapes a desktop app's Rust shell returns from its commands and emits as
//! events, and that its Leptos UI deserializes. Both sides depend on this crate, so a renamed field is a
//! compile error instead of an empty screen. Pure serde: builds for wasm32.
//!
//! Shared shapes live here at the top; each app has its own module.

use serde::{Deserialize, Serialize};

/// The error every command returns: a stable code for the UI's logic, a Chinese-first message for
/// people, and the field at fault when the input was wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandError {
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub field: Option<String>,
}

impl CommandError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> CommandError {
        CommandError {
            code: code.into(),
            message: message.into(),
            field: None,
        }
    }

    pub fn field(mut self, field: impl Into<String>) -> CommandError {
        self.field = Some(field.into());
        self
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CommandError {}

/// How a peripheral is doing, for the device-status chips.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceHealth {
    Ok,
    /// Works, but needs attention soon (paper near end).
    Warning,
    /// Not usable (unplugged, paper out, cover open).
    Fault,
    /// Not configured on this terminal.
    Absent,
}

/// One device-status chip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceStatus {
    /// `idcard`, `camera`, `printer`, `scanner`, `led`, `evaluator`, `audio`.
    pub device: String,
    pub health: DeviceHealth,
    /// Chinese-first detail, e.g. "纸将尽".
    #[serde(default)]
    pub detail: Option<String>,
}

/// Whether the hall node answers, for the offline banner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkStatus {
    pub online: bool,
    /// Since when it is unreachable (ms since the epoch), when offline.
    #[serde(default)]
    pub since_ms: Option<i64>,
    /// Events and blobs kept locally until the hall node takes them.
    #[serde(default)]
    pub waiting_events: u64,
    #[serde(default)]
    pub waiting_blobs: u64,
    #[serde(default)]
    pub error: Option<String>,
}

pub mod hall_wall;
pub mod kiosk;
pub mod lawyer_desk;
pub mod window_terminal;
