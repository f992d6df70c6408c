//! Views shared by several responses: tickets, windows, citizens. Personal data appears only masked
//! unless the caller's role needs it (the server decides).

use serde::{Deserialize, Serialize};

use domain::config::PriorityReason;
use domain::estimate::WaitEstimate;
use domain::hall::{HallState, WindowStatus};
use domain::routing::Class;
use domain::ticket::{Channel, Ticket, TicketStatus};
use domain::{Config, Millis};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CitizenView {
    pub id_number: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    /// True when the values are masked.
    pub masked: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketView {
    pub id: String,
    pub display: String,
    pub hall_id: String,
    pub queue_id: String,
    pub queue_name: Option<String>,
    pub item_id: Option<String>,
    pub item_name: Option<String>,
    pub status: TicketStatus,
    pub class: Class,
    pub priority: Option<PriorityReason>,
    pub channel: Channel,
    pub appointment_id: Option<String>,
    pub window_id: Option<String>,
    pub window_number: Option<String>,
    pub issued_at: Millis,
    pub called_at: Option<Millis>,
    pub recall_count: u32,
    pub transfers: u32,
    pub waited_secs: u32,
    pub rating: Option<u8>,
    /// A negative rating (1–2) holds the service's evidence (`GET /tickets/{id}/evidence`).
    pub evidence_requested: bool,
    /// People ahead and estimated wait, while waiting.
    pub estimate: Option<WaitEstimate>,
    pub citizen: Option<CitizenView>,
    /// The citizen's answers on the citizen-facing screen (双屏确认), in the ticket detail only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmations: Option<Vec<ConfirmationRow>>,
    /// The QR token, only in the answer to whoever just obtained the ticket.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WindowView {
    pub id: String,
    pub hall_id: String,
    pub number: String,
    pub status: WindowStatus,
    pub staff_id: Option<String>,
    pub staff_name: Option<String>,
    pub pause_reason: Option<String>,
    pub current: Option<String>,
    pub served_today: u32,
    /// Waiting tickets per queue this window serves.
    pub waiting: Vec<QueueWaiting>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueWaiting {
    pub queue_id: String,
    pub waiting: usize,
}

/// A citizen's confirmation as recorded (one audit row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfirmationRow {
    /// The audit log sequence of the record.
    pub seq: i64,
    pub device_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub fields: serde_json::Value,
    pub digest: String,
    pub outcome: String,
    /// When the citizen answered (device clock, ms).
    pub at: i64,
    /// When the hall node recorded it (ms).
    pub recorded_at: i64,
}

impl TicketView {
    pub fn new(cfg: &Config, h: Option<&HallState>, t: &Ticket, now: Millis) -> TicketView {
        let estimate = (t.status == TicketStatus::Waiting)
            .then(|| h.map(|h| domain::estimate::estimate(cfg, h, t)))
            .flatten();
        TicketView {
            id: t.id.to_string(),
            display: t.display.clone(),
            hall_id: t.hall_id.to_string(),
            queue_id: t.queue_id.to_string(),
            queue_name: cfg.queue(&t.queue_id).map(|q| q.name.clone()),
            item_id: t.item_id.as_ref().map(ToString::to_string),
            item_name: t.item_id.as_ref().and_then(|i| cfg.item(i)).map(|i| i.name.clone()),
            status: t.status,
            class: t.class,
            priority: t.priority,
            channel: t.channel,
            appointment_id: t.appointment_id.as_ref().map(ToString::to_string),
            window_id: t.window_id.as_ref().map(ToString::to_string),
            window_number: t
                .window_id
                .as_ref()
                .and_then(|w| cfg.window(w))
                .map(|w| w.number.clone()),
            issued_at: t.issued_at,
            called_at: t.called_at,
            recall_count: t.recall_count,
            transfers: t.transfers,
            waited_secs: t.waited_secs(now),
            rating: t.rating,
            evidence_requested: t.rating.is_some_and(|l| l <= 2),
            estimate,
            citizen: None,
            confirmations: None,
            token: None,
        }
    }
}

impl WindowView {
    pub fn new(cfg: &Config, h: Option<&HallState>, window: &domain::ids::WindowId) -> Option<WindowView> {
        let w = cfg.window(window)?;
        let ws = h.map(|h| h.window(window)).unwrap_or_default();
        Some(WindowView {
            id: w.id.to_string(),
            hall_id: w.hall_id.to_string(),
            number: w.number.clone(),
            status: ws.status,
            staff_id: ws.staff.as_ref().map(ToString::to_string),
            staff_name: ws.staff.as_ref().and_then(|s| cfg.staff(s)).map(|s| s.name.clone()),
            pause_reason: ws.pause_reason.clone(),
            current: ws
                .current
                .as_ref()
                .and_then(|t| h?.ticket(t))
                .map(|t| t.display.clone()),
            served_today: ws.served_today,
            waiting: w
                .profile
                .queues
                .iter()
                .map(|q| QueueWaiting {
                    queue_id: q.to_string(),
                    waiting: h.map_or(0, |h| h.waiting_in(q)),
                })
                .collect(),
        })
    }
}
