//! Events: the only way state changes. Every event that crosses a process boundary carries `v` (its
//! schema version) and `kind` (the tag of [`EventBody`]).

use serde::{Deserialize, Serialize};

use crate::appointment::Appointment;
use crate::ids::*;
use crate::ticket::{Ticket, TransferTarget};
use crate::time::{BusinessDay, Millis};

pub const EVENT_VERSION: u16 = 1;

/// Who caused an event.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Actor {
    Staff(StaffId),
    Device(DeviceId),
    Citizen,
    System,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    pub v: u16,
    pub hall_id: HallId,
    pub at: Millis,
    pub actor: Actor,
    pub body: EventBody,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventBody {
    TicketIssued {
        ticket: Box<Ticket>,
    },
    /// `pool` is the list of queues the calling window served at that moment: the tickets of those
    /// queues that were older than the called one have been overtaken once more.
    TicketCalled {
        ticket: TicketId,
        window: WindowId,
        staff: Option<StaffId>,
        pool: Vec<QueueId>,
    },
    /// A repeated call of the same ticket: never a second `TicketCalled`.
    TicketRecalled {
        ticket: TicketId,
        window: WindowId,
    },
    ServiceStarted {
        ticket: TicketId,
        window: WindowId,
    },
    ServiceFinished {
        ticket: TicketId,
        window: WindowId,
    },
    TicketNoShow {
        ticket: TicketId,
        window: WindowId,
    },
    TicketVoided {
        ticket: TicketId,
        window: Option<WindowId>,
        reason: String,
    },
    TicketTransferred {
        ticket: TicketId,
        from_window: Option<WindowId>,
        to: TransferTarget,
    },
    TicketParked {
        ticket: TicketId,
        window: WindowId,
    },
    /// 好差评 at the end of a service (tender 13(7)). `reasons`/`comment` explain a negative level (1–2);
    /// `photo` is the SM3 hex digest of the picture taken at the moment of rating (13(8) "通过摄像头捕捉
    /// 评价瞬间照片"). The three are absent in logs written before they existed (serde defaults).
    TicketRated {
        ticket: TicketId,
        level: u8,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        reasons: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        photo: Option<String>,
    },
    /// The citizen's ID card was read for a ticket that already exists (at the window: tender 13(2)
    /// "申请人身份证读取", 15(1) "读卡"). The card's data is sealed in the event row, never in the body.
    TicketIdentified {
        ticket: TicketId,
    },
    /// Closes a ticket left open when its business day ended.
    TicketExpired {
        ticket: TicketId,
    },
    WindowOpened {
        window: WindowId,
    },
    WindowPaused {
        window: WindowId,
        reason: Option<String>,
    },
    WindowClosed {
        window: WindowId,
    },
    StaffSignedIn {
        window: WindowId,
        staff: StaffId,
    },
    StaffSignedOut {
        window: WindowId,
        staff: StaffId,
    },
    AppointmentBooked {
        appointment: Box<Appointment>,
    },
    AppointmentCancelled {
        appointment: AppointmentId,
    },
    AppointmentRescheduled {
        appointment: AppointmentId,
        day: BusinessDay,
        start_minute: u16,
        end_minute: u16,
    },
    AppointmentCheckedIn {
        appointment: AppointmentId,
        ticket: TicketId,
        on_time: bool,
    },
}

impl EventBody {
    /// The `kind` tag as stored in the event log's own column.
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::TicketIssued { .. } => "ticket_issued",
            EventBody::TicketCalled { .. } => "ticket_called",
            EventBody::TicketRecalled { .. } => "ticket_recalled",
            EventBody::ServiceStarted { .. } => "service_started",
            EventBody::ServiceFinished { .. } => "service_finished",
            EventBody::TicketNoShow { .. } => "ticket_no_show",
            EventBody::TicketVoided { .. } => "ticket_voided",
            EventBody::TicketTransferred { .. } => "ticket_transferred",
            EventBody::TicketParked { .. } => "ticket_parked",
            EventBody::TicketRated { .. } => "ticket_rated",
            EventBody::TicketExpired { .. } => "ticket_expired",
            EventBody::TicketIdentified { .. } => "ticket_identified",
            EventBody::WindowOpened { .. } => "window_opened",
            EventBody::WindowPaused { .. } => "window_paused",
            EventBody::WindowClosed { .. } => "window_closed",
            EventBody::StaffSignedIn { .. } => "staff_signed_in",
            EventBody::StaffSignedOut { .. } => "staff_signed_out",
            EventBody::AppointmentBooked { .. } => "appointment_booked",
            EventBody::AppointmentCancelled { .. } => "appointment_cancelled",
            EventBody::AppointmentRescheduled { .. } => "appointment_rescheduled",
            EventBody::AppointmentCheckedIn { .. } => "appointment_checked_in",
        }
    }

    /// The ticket this event is about, if any.
    pub fn ticket_id(&self) -> Option<&TicketId> {
        match self {
            EventBody::TicketIssued { ticket } => Some(&ticket.id),
            EventBody::TicketCalled { ticket, .. }
            | EventBody::TicketRecalled { ticket, .. }
            | EventBody::ServiceStarted { ticket, .. }
            | EventBody::ServiceFinished { ticket, .. }
            | EventBody::TicketNoShow { ticket, .. }
            | EventBody::TicketVoided { ticket, .. }
            | EventBody::TicketTransferred { ticket, .. }
            | EventBody::TicketParked { ticket, .. }
            | EventBody::TicketRated { ticket, .. }
            | EventBody::TicketExpired { ticket }
            | EventBody::TicketIdentified { ticket }
            | EventBody::AppointmentCheckedIn { ticket, .. } => Some(ticket),
            _ => None,
        }
    }

    /// The window this event is about, if any.
    pub fn window_id(&self) -> Option<&WindowId> {
        match self {
            EventBody::TicketCalled { window, .. }
            | EventBody::TicketRecalled { window, .. }
            | EventBody::ServiceStarted { window, .. }
            | EventBody::ServiceFinished { window, .. }
            | EventBody::TicketNoShow { window, .. }
            | EventBody::TicketParked { window, .. }
            | EventBody::WindowOpened { window }
            | EventBody::WindowPaused { window, .. }
            | EventBody::WindowClosed { window }
            | EventBody::StaffSignedIn { window, .. }
            | EventBody::StaffSignedOut { window, .. } => Some(window),
            EventBody::TicketVoided { window, .. } => window.as_ref(),
            EventBody::TicketTransferred { from_window, .. } => from_window.as_ref(),
            _ => None,
        }
    }
}
