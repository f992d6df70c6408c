//! What the citizen kiosk reads besides tickets and appointments: guides and the ticket preview.

use serde::{Deserialize, Serialize};

use domain::appointment::Slot;
use domain::guide::ServiceGuide;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HallGuides {
    pub hall_id: String,
    pub items: Vec<GuideItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GuideItem {
    pub item_id: String,
    /// The item code in the province catalogue.
    pub code: String,
    pub name: String,
    /// The department's name.
    pub department: Option<String>,
    pub id_card_required: bool,
    pub daily_quota: Option<u32>,
    pub queue_id: String,
    pub queue_name: String,
    /// Numbers of the windows whose work profile serves the item's queue (where the citizen is called).
    pub window_numbers: Vec<String>,
    /// `null` when the item has no guide configured.
    pub guide: Option<ServiceGuide>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuotaView {
    /// The item's daily quota; `null` = unlimited.
    pub limit: Option<u32>,
    /// Tickets issued for the item today.
    pub issued: u32,
    /// `null` when unlimited; 0 when a ticket would be refused with `quota_exhausted`.
    pub remaining: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlotView {
    /// YYYY-MM-DD
    pub day: String,
    /// Minutes after local midnight (540 = 09:00).
    pub start_minute: u16,
    pub end_minute: u16,
    /// Bookings the slot still takes.
    pub left: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketPreview {
    pub item_id: String,
    pub item_name: String,
    pub queue_id: String,
    pub queue_name: String,
    /// What the ticket would say if taken now (no priority group): the issue's own estimate.
    pub people_ahead: u32,
    /// `null` while no window serving the queue is open.
    pub estimated_wait_secs: Option<u32>,
    /// Open windows that call from the queue.
    pub windows_serving: u32,
    pub id_card_required: bool,
    pub quota: QuotaView,
    /// The earliest appointment slot with room left from now on (within the booking horizon), whether
    /// or not the quota is used up: the kiosk offers it when `quota.remaining` is 0.
    pub next_slot: Option<SlotView>,
}

impl From<&Slot> for SlotView {
    fn from(s: &Slot) -> SlotView {
        SlotView {
            day: s.day.date().to_string(),
            start_minute: s.start_minute,
            end_minute: s.end_minute,
            left: s.capacity.saturating_sub(s.booked),
        }
    }
}
