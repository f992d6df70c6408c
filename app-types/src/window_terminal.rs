//! The counter (`window-terminal`): what its commands return and its events carry. The staff window
//! (label `main`) and the citizen-facing evaluator window (label `evaluator`) both read these.

use serde::{Deserialize, Serialize};

use crate::{DeviceStatus, LinkStatus};

/// Event carrying [`LinkStatus`] whenever the hall link changes.
pub const EVENT_LINK: &str = "wt://link";
/// Event carrying [`EvaluatorView`] to the evaluator window.
pub const EVENT_EVALUATOR: &str = "wt://evaluator";
/// Event carrying `Vec<DeviceStatus>` when a device changes.
pub const EVENT_DEVICES: &str = "wt://devices";
/// Event carrying [`Panel`] after anything at the window changed (e.g. the citizen confirmed).
pub const EVENT_PANEL: &str = "wt://panel";
/// Event carrying [`ScannedCode`] when the counter's scanner reads a code.
pub const EVENT_SCANNED: &str = "wt://scanned";

/// A code the counter's barcode/QR scanner read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScannedCode {
    pub code: String,
    pub at_ms: i64,
}

/// What the terminal knows at start: enrolled or not, which window, who is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Startup {
    pub enrolled: bool,
    pub window_id: String,
    #[serde(default)]
    pub hall_id: Option<String>,
    #[serde(default)]
    pub device_id: Option<String>,
    #[serde(default)]
    pub upstream: Option<String>,
    #[serde(default)]
    pub staff: Option<StaffInfo>,
    pub devices: Vec<DeviceStatus>,
    pub link: LinkStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffInfo {
    pub staff_id: String,
    pub name: String,
}

/// The call panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Panel {
    pub window_id: String,
    pub window_number: String,
    /// `closed`, `open`, `paused` (the domain's window status).
    pub status: String,
    #[serde(default)]
    pub staff_name: Option<String>,
    #[serde(default)]
    pub pause_reason: Option<String>,
    #[serde(default)]
    pub current: Option<TicketInfo>,
    pub waiting: Vec<QueueCount>,
    pub served_today: u32,
    /// Today's ratings given at this terminal (levels 1–5), counted locally.
    pub rated_today: u32,
    /// Calls this session (this terminal).
    pub calls_today: u32,
    /// The signed-in person's day as the hall node counts it (`GET /windows/{id}/panel`).
    #[serde(default)]
    pub today: Option<Today>,
    /// Where the current ticket can be transferred: the hall's queues, open windows, signed-in staff.
    #[serde(default)]
    pub transfer_targets: Vec<TransferTarget>,
}

/// Today's figures of the person signed in at the window, from the hall node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Today {
    pub served: u32,
    pub no_shows: u32,
    #[serde(default)]
    pub avg_service_secs: Option<u32>,
    pub ratings: u32,
    /// Mean rating × 100 (467 = 4.67), none without ratings.
    #[serde(default)]
    pub rating_avg_x100: Option<u32>,
    pub transferred: u32,
}

/// One choice in the transfer dialog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TransferTarget {
    /// `queue`, `window` or `staff` (the `kind` of the `transfer` command).
    pub kind: String,
    pub id: String,
    /// What staff read: queue name, window number (with who sits there), staff name (with window).
    pub label: String,
    /// Tickets waiting (queues only).
    #[serde(default)]
    pub waiting: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueCount {
    pub queue_id: String,
    pub name: String,
    pub waiting: u64,
}

/// The ticket at the window; personal data only masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TicketInfo {
    pub id: String,
    pub display: String,
    /// `called`, `serving`, `done` …
    pub status: String,
    #[serde(default)]
    pub item_name: Option<String>,
    #[serde(default)]
    pub queue_name: Option<String>,
    /// Priority reason code (`elderly`, `disabled` …) when the ticket has one.
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub appointment_id: Option<String>,
    pub waited_secs: u64,
    pub recall_count: u32,
    /// Masked citizen name and ID number, from the ticket or from the card read at the window.
    #[serde(default)]
    pub citizen_name: Option<String>,
    #[serde(default)]
    pub citizen_id: Option<String>,
    /// Scans attached at this terminal (kept locally until uploaded).
    pub scans: u32,
    /// Citizen's answer on the confirmation screen: `confirmed`, `disputed`, or none yet.
    #[serde(default)]
    pub confirmation: Option<String>,
}

/// Result of reading the ID card on the reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardRead {
    pub name_masked: String,
    pub id_masked: String,
    /// Attached to the current ticket (false when there is none).
    pub attached: bool,
    /// `server`: recorded by the hall node; `local`: kept on this terminal (route missing or offline).
    pub stored: String,
}

/// A captured, cropped document awaiting accept/retake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanPreview {
    pub scan_id: u64,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
    pub sm3: String,
    /// `data:image/jpeg;base64,…` for the review screen.
    pub data_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanAccepted {
    pub digest: String,
    pub ticket_id: String,
    /// Blobs still waiting for upload on this terminal.
    pub waiting_blobs: u64,
}

/// The staff card the evaluator shows while idle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct StaffCard {
    pub name: String,
    pub staff_number: String,
    pub department: String,
    pub window_number: String,
    #[serde(default)]
    pub motto: Option<String>,
    /// `data:` URL of the staff photo, when one is known.
    #[serde(default)]
    pub photo: Option<String>,
}

/// Key fields pushed to the citizen for confirmation (双屏确认).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    pub ticket_id: String,
    pub ticket: String,
    pub item: String,
    pub citizen_name: String,
    pub citizen_id: String,
    pub scans: u32,
}

/// What the evaluator window shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum EvaluatorView {
    Idle {
        card: StaffCard,
    },
    Confirm {
        card: StaffCard,
        confirmation: Confirmation,
    },
    Rate {
        card: StaffCard,
        ticket_id: String,
        ticket: String,
        reasons: Vec<String>,
        deadline_ms: i64,
    },
    Thanks {
        card: StaffCard,
        level: u8,
    },
}

/// The citizen's rating as submitted from the evaluator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingInput {
    pub ticket_id: String,
    /// 1 = 非常不满意 … 5 = 非常满意.
    pub level: u8,
    #[serde(default)]
    pub reasons: Vec<String>,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingStored {
    pub ticket_id: String,
    pub level: u8,
    /// SM3 of the photo taken at the moment of rating.
    pub photo_digest: String,
    /// Outbox sequence of the rating event.
    pub seq: i64,
}

/// Test hooks (only with `WT_SIM_CONTROL=1`): timings the app measured itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SimMeasurements {
    /// Call command sent → simulated LED screen shows the number, ms.
    pub led_ms: Vec<f64>,
    /// Call round trip to the hall node, ms.
    pub call_ms: Vec<f64>,
    /// Text on the simulated LED screen now.
    pub led_text: Option<String>,
    pub ratings: u32,
}
