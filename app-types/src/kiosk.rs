//! The citizen kiosk (`kiosk-app`): what its commands return and its events carry. Personal data
//! crosses this boundary only masked; the ID number itself stays in the shell.

use serde::{Deserialize, Serialize};

use crate::{DeviceStatus, LinkStatus};

/// Event carrying [`LinkStatus`] whenever the hall link changes.
pub const EVENT_LINK: &str = "kiosk://link";
/// Event carrying `Vec<DeviceStatus>` when a device changes.
pub const EVENT_DEVICES: &str = "kiosk://devices";
/// Event carrying [`Scanned`] when the QR scanner reads a code.
pub const EVENT_SCANNED: &str = "kiosk://scanned";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Startup {
    pub enrolled: bool,
    #[serde(default)]
    pub hall_id: Option<String>,
    #[serde(default)]
    pub hall_name: Option<String>,
    #[serde(default)]
    pub device_id: Option<String>,
    /// The kiosk's own offline letter (A–Z).
    #[serde(default)]
    pub letter: Option<char>,
    pub devices: Vec<DeviceStatus>,
    pub link: LinkStatus,
    /// Seconds without a touch before the kiosk goes home and forgets the citizen.
    pub idle_secs: u32,
}

/// A service item as the home screen offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemInfo {
    pub id: String,
    pub name: String,
    pub queue_id: String,
    pub queue_name: String,
    pub id_card_required: bool,
    /// Tickets this kiosk issued for the item (the home screen ranks by it).
    pub uses: u32,
}

/// The citizen whose card was read, masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardHolder {
    pub name_masked: String,
    pub id_masked: String,
    pub age: u32,
    /// Priority from the card (age ≥ the hall's elderly age).
    pub elderly: bool,
}

/// What the citizen is told before a ticket is issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    pub item_id: String,
    pub item_name: String,
    pub queue_name: String,
    #[serde(default)]
    pub people_ahead: Option<u32>,
    #[serde(default)]
    pub wait_minutes: Option<u32>,
    pub id_card_required: bool,
    /// No tickets left today for this item.
    pub quota_exhausted: bool,
    #[serde(default)]
    pub quota_left: Option<u32>,
    /// The earliest appointment slot with room, e.g. "2026-11-25 09:00–09:30".
    #[serde(default)]
    pub next_slot: Option<String>,
    /// The hall node cannot be reached: the ticket would come from this kiosk's own series.
    pub offline: bool,
    /// The printer cannot print now: the ticket would be shown on screen instead.
    pub printer_down: bool,
}

/// An issued ticket and how it reached the citizen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issued {
    pub ticket_id: String,
    pub number: String,
    pub queue_name: String,
    #[serde(default)]
    pub people_ahead: Option<u32>,
    #[serde(default)]
    pub wait_minutes: Option<u32>,
    /// The QR token (for the on-screen ticket).
    pub token: String,
    /// Issued from the kiosk's own letter series while the hall node was unreachable.
    pub offline: bool,
    pub printed: bool,
    /// Why it was not printed (out of paper, cover open…): the on-screen ticket is the alternative
    /// and the citizen confirms it.
    #[serde(default)]
    pub print_problem: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    /// Local time of issue, "HH:MM".
    pub issued_at: String,
}

/// A booked appointment found by code or ID card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentInfo {
    pub id: String,
    pub item_name: String,
    /// "2026-11-24 09:00–09:30".
    pub slot: String,
    /// "08:30": check-in opens.
    pub opens_at: String,
    /// "09:15": after this the ticket joins the normal queue.
    pub late_after: String,
    /// `early` (not open yet), `on_time`, `late`.
    pub timing: String,
}

/// One stage of a case, plainly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseStage {
    pub label: String,
    /// "2026-11-24 10:12".
    pub at: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// A case's progress (办件进度).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseInfo {
    pub receipt: String,
    pub item_name: String,
    pub stage_label: String,
    pub stages: Vec<CaseStage>,
}

/// A service guide (办事指南).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuideInfo {
    pub item_id: String,
    pub name: String,
    pub department: String,
    /// "身份证 原件 1 份（…）".
    pub materials: Vec<String>,
    pub fee: String,
    pub time_limit: String,
    pub windows: Vec<String>,
    #[serde(default)]
    pub conditions: Option<String>,
}

/// What a scanned code turned out to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scanned {
    /// A one-code-service (一码通办) citizen code: it stands for the ID card for this visit.
    Citizen {
        holder: CardHolder,
    },
    Appointment {
        appointment: AppointmentInfo,
    },
    Case {
        case: CaseInfo,
    },
    /// Not a code this kiosk knows (shown plainly, nothing else happens).
    Unknown {
        message: String,
    },
}

/// Event carrying the whole [`Consultation`] whenever the citizen's legal consultation changes (a
/// message arrives, the status moves, the connection drops).
pub const EVENT_CONSULT: &str = "kiosk://consultation";

/// One message of a legal consultation as the kiosk shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsultMessage {
    /// 1, 2, 3 … within the consultation.
    pub seq: i64,
    /// `citizen`, `lawyer` or `system`.
    pub author: String,
    /// `text`, `consent`, `reassurance`, `template`.
    pub kind: String,
    pub body: String,
    pub at: i64,
}

/// The citizen's legal consultation at this kiosk (one visit; forgotten with the card).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consultation {
    pub id: String,
    /// `realtime` or `message` (留言).
    pub kind: String,
    /// `queued`, `assigned`, `active`, `waiting_reply`, `answered`, `closed`.
    pub status: String,
    /// The status in Chinese, as the hall node names it.
    pub status_label: String,
    pub messages: Vec<ConsultMessage>,
    /// The live connection to the hall node is up (messages arrive as they are written).
    pub live: bool,
    /// A rating was given.
    pub rated: bool,
}
