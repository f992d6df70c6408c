//! What the public live feed (`GET /halls/{hall}/events`, `GET /events`) says about an event: the `data`
//! of each server-sent event. Numbers, windows and counts only — never a name, an ID number or a token.
//!
//! The node writes it as a JSON object with its keys in alphabetical order (it goes through
//! `serde_json::Value`); members without a value are left out, not `null` (except `window.number`).

use domain::BusinessDay;
use domain::hall::WindowStatus;
use domain::routing::Class;
use domain::ticket::{TicketStatus, TransferTarget};
use serde::{Deserialize, Serialize};

/// One event as the public sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicEvent {
    /// The event kind, e.g. `ticket_called`, `ticket_recalled`, `window_opened`.
    pub kind: String,
    pub hall_id: String,
    /// When the event happened (ms since the epoch, the hall node's clock).
    pub at: i64,
    /// The ticket the event is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<PublicTicket>,
    /// With `ticket`: the tickets waiting in its queue after the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_in_queue: Option<usize>,
    /// The window of the event, or the ticket's window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<PublicWindow>,
    /// `ticket_transferred`: where to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<TransferTarget>,
    /// `ticket_rated`: the level (1–5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<u8>,
    /// `appointment_booked`: what was booked (no citizen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appointment: Option<PublicAppointment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicTicket {
    pub id: String,
    pub display: String,
    pub queue_id: String,
    pub status: TicketStatus,
    pub class: Class,
    pub recall_count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicWindow {
    pub id: String,
    /// `null` when the window is not in the configuration.
    pub number: Option<String>,
    pub status: WindowStatus,
    /// Someone is signed in at the window.
    pub staffed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicAppointment {
    pub item_id: String,
    pub day: BusinessDay,
    pub start_minute: u16,
}

impl PublicEvent {
    /// The `data` line of the server-sent event: compact JSON, keys in alphabetical order at every level
    /// (as the node always wrote it).
    pub fn to_data(&self) -> String {
        serde_json::to_value(self).map_or_else(|_| String::new(), |v| v.to_string())
    }
}
