//! Tickets and their lifecycle.

use serde::{Deserialize, Serialize};

use crate::config::PriorityReason;
use crate::ids::*;
use crate::routing::Class;
use crate::time::{BusinessDay, Millis};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Kiosk,
    Window,
    Mobile,
    Appointment,
}

/// issued → waiting → called (recalls counted) → serving → done | no_show | voided | transferred (back to
/// waiting elsewhere) | parked; `expired` closes what is left when a business day ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    Waiting,
    Called,
    Serving,
    Parked,
    Done,
    NoShow,
    Voided,
    Expired,
}

impl TicketStatus {
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            TicketStatus::Done | TicketStatus::NoShow | TicketStatus::Voided | TicketStatus::Expired
        )
    }
    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Waiting => "waiting",
            TicketStatus::Called => "called",
            TicketStatus::Serving => "serving",
            TicketStatus::Parked => "parked",
            TicketStatus::Done => "done",
            TicketStatus::NoShow => "no_show",
            TicketStatus::Voided => "voided",
            TicketStatus::Expired => "expired",
        }
    }
}

/// Where a number comes from. The hall node numbers A001, A002 …; a device that cannot reach its hall
/// node numbers from its own letter series, A-K001 …, which can never collide with the hall's series or
/// another device's (each device has its own letter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "series", rename_all = "snake_case")]
pub enum TicketNumber {
    Hall { seq: u32 },
    Device { letter: char, seq: u32 },
}

impl TicketNumber {
    pub fn display(self, prefix: &str) -> String {
        match self {
            TicketNumber::Hall { seq } => format!("{prefix}{seq:03}"),
            TicketNumber::Device { letter, seq } => format!("{prefix}-{letter}{seq:03}"),
        }
    }
}

/// Who a transferred ticket goes to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "to", content = "id", rename_all = "snake_case")]
pub enum TransferTarget {
    Queue(QueueId),
    Window(WindowId),
    Staff(StaffId),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ticket {
    pub id: TicketId,
    /// Opaque token printed as the QR code; the citizen's handle for status queries.
    pub token: String,
    pub hall_id: HallId,
    pub queue_id: QueueId,
    /// `None` for a ticket issued for a whole queue (e.g. by a window for a walk-in).
    pub item_id: Option<ItemId>,
    pub day: BusinessDay,
    pub number: TicketNumber,
    pub display: String,
    pub channel: Channel,
    pub status: TicketStatus,
    pub class: Class,
    pub priority: Option<PriorityReason>,
    pub appointment_id: Option<AppointmentId>,
    /// Whether the citizen's ID card was read at issue (the ID itself never enters the domain).
    pub has_id_card: bool,
    /// The hall's arrival order: lower is older. Kept across transfers, so a transferred citizen does not
    /// lose their place in line.
    pub arrival: u64,
    pub issued_at: Millis,
    pub called_at: Option<Millis>,
    pub started_at: Option<Millis>,
    pub finished_at: Option<Millis>,
    pub window_id: Option<WindowId>,
    pub staff_id: Option<StaffId>,
    pub recall_count: u32,
    /// Times a later ticket was called ahead of this one by a window that serves its queue.
    pub overtaken: u32,
    /// Set when transferred to a particular window or person.
    pub target: Option<TransferTarget>,
    pub transfers: u32,
    pub rating: Option<u8>,
}

impl Ticket {
    pub fn waited_secs(&self, now: Millis) -> u32 {
        self.called_at.unwrap_or(now).secs_since(self.issued_at)
    }
}
