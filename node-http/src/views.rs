//! Response shapes. Personal data appears only masked unless the caller's role needs it.

use domain::config::{PriorityReason, Role};
use domain::estimate::WaitEstimate;
use domain::hall::{HallState, WindowStatus};
use domain::routing::Class;
use domain::ticket::{Channel, Ticket, TicketStatus};
use domain::{Config, Millis};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::caller::Caller;
use node_core::crypto::{Sealer, mask_id_number, mask_name, mask_phone};

/// Personal data as sealed in the event log (each field SM4-GCM sealed).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SealedCitizen {
    pub id_number: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CitizenView {
    pub id_number: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    /// True when the values are masked.
    pub masked: bool,
}

impl CitizenView {
    /// Window staff handle the citizen's matter and see the full values; everyone else sees masks.
    pub fn from_sealed(sealed: &str, sealer: &Sealer, caller: &Caller) -> Option<CitizenView> {
        let s: SealedCitizen = serde_json::from_str(sealed).ok()?;
        let open = |v: &Option<String>| v.as_deref().and_then(|x| sealer.open(x).ok());
        let full = caller.staff.as_ref().is_some_and(|s| s.has(&[Role::WindowStaff]));
        let (id, name, phone) = (open(&s.id_number), open(&s.name), open(&s.phone));
        Some(if full {
            CitizenView {
                id_number: id,
                name,
                phone,
                masked: false,
            }
        } else {
            CitizenView {
                id_number: id.as_deref().map(mask_id_number),
                name: name.as_deref().map(mask_name),
                phone: phone.as_deref().map(mask_phone),
                masked: true,
            }
        })
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
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
    pub confirmations: Option<Vec<node_core::store::ConfirmationRow>>,
    /// The QR token, only in the answer to whoever just obtained the ticket.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
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

#[derive(Debug, Clone, Serialize, ToSchema)]
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

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueueWaiting {
    pub queue_id: String,
    pub waiting: usize,
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

/// Parses "YYYY-MM-DD".
pub fn parse_day(s: &str) -> Option<domain::BusinessDay> {
    let mut it = s.split('-');
    let (y, m, d) = (
        it.next()?.parse().ok()?,
        it.next()?.parse().ok()?,
        it.next()?.parse().ok()?,
    );
    if it.next().is_some() {
        return None;
    }
    domain::time::Date::new(y, m, d).map(|d| domain::BusinessDay(d.days()))
}
