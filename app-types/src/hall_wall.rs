//! The hall wall (`command-center`, hall mode): what the shell sends its full-screen page.
//!
//! The shell owns the wall's state (the UI only draws it): one [`WallView`] answered by
//! [`CMD_WALL_STATE`] and pushed whole on every change as event [`EVENT_WALL_CHANGED`]. The view is a
//! few kilobytes, so sending it whole keeps the page free of merge logic.

use serde::{Deserialize, Serialize};

use crate::LinkStatus;

/// Command: the current [`WallView`].
pub const CMD_WALL_STATE: &str = "wall_state";
/// Command: enroll this PC with a hall node (`{ request: SetupRequest }`), answers the new [`WallView`].
pub const CMD_WALL_SETUP: &str = "wall_setup";
/// Command: the shell's measurements ([`WallMetrics`]).
pub const CMD_WALL_METRICS: &str = "wall_metrics";
/// Event: the whole [`WallView`] after every change.
pub const EVENT_WALL_CHANGED: &str = "wall-changed";

/// One call on the wall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WallCall {
    /// Stable per call and recall (`ticket id` + `#recall count`): the page keys rows on it and
    /// highlights a recall like a new call.
    pub key: String,
    /// The number as printed on the ticket, e.g. `A023`.
    pub display: String,
    /// The window's number, e.g. `5` (empty when the hall node did not say).
    pub window: String,
    /// When the hall node made the call (ms since the epoch).
    pub called_at_ms: i64,
    pub recall_count: u32,
}

/// Waiting count of one queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WallQueue {
    pub id: String,
    /// The ticket letter(s), e.g. `A`.
    pub prefix: String,
    pub name: String,
    pub waiting: u32,
}

/// The announcer's state, for the small audio chip.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudioStatus {
    /// `aplay`, `file:/path`, `none`, or a player command.
    pub output: String,
    /// Announcements waiting to be spoken.
    pub waiting: u32,
    /// Announcements spoken since start.
    pub spoken: u64,
    /// The last playback failure (cleared by the next success).
    #[serde(default)]
    pub last_failure: Option<String>,
}

/// Whether the wall still needs enrollment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WallPhase {
    /// No identity yet: the setup screen asks for the hall node's address and a one-time code.
    Setup,
    /// Enrolled; showing the hall (online or not, see `link`).
    Running,
}

/// Everything the wall shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WallView {
    pub phase: WallPhase,
    pub hall_id: String,
    pub hall_name: String,
    /// Newest first; the first is highlighted.
    pub calls: Vec<WallCall>,
    pub queues: Vec<WallQueue>,
    /// Notices (from the local notices file).
    pub notices: Vec<String>,
    pub link: LinkStatus,
    pub audio: AudioStatus,
    /// The last hall-feed event applied (resume point).
    #[serde(default)]
    pub last_event_id: Option<i64>,
    /// A problem to show on the setup screen (failed enrollment) or in the footer.
    #[serde(default)]
    pub error: Option<String>,
}

/// The setup screen's form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupRequest {
    /// The hall node's base URL, e.g. `http://10.0.0.2:8080`.
    pub hall_url: String,
    /// The one-time enrollment code (kind `hall_display`) from the hall's administrator.
    pub code: String,
}

/// What the shell measured, for the end-to-end test's report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WallMetrics {
    /// Per spoken announcement: ms from the call (hall node's time) to playback start.
    pub announce_delays_ms: Vec<u64>,
    /// Announcements skipped (too old, queue full).
    pub skipped: u64,
    /// Announcements that failed in the sink.
    pub failed: u64,
}
