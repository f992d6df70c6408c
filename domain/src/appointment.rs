//! Appointments: slots per hall / item / day with a capacity, booked, cancelled, rescheduled and
//! checked in. Slots come from the hall's [`SlotTemplate`]s.

use serde::{Deserialize, Serialize};

use crate::config::{Config, SlotTemplate};
use crate::ids::*;
use crate::time::{BusinessDay, Millis};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Booked,
    Cancelled,
    CheckedIn,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Appointment {
    pub id: AppointmentId,
    /// The code the citizen shows (QR) at check-in.
    pub code: String,
    pub hall_id: HallId,
    pub item_id: ItemId,
    pub day: BusinessDay,
    pub start_minute: u16,
    pub end_minute: u16,
    pub status: AppointmentStatus,
    /// A keyed digest of the citizen's ID number (never the number): one booking per person per item per
    /// day, and check-in by ID card.
    pub citizen_key: String,
    pub booked_at: Millis,
    pub ticket_id: Option<TicketId>,
}

/// One bookable slot with what is left of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Slot {
    pub day: BusinessDay,
    pub start_minute: u16,
    pub end_minute: u16,
    pub capacity: u32,
    pub booked: u32,
}

/// The slots the templates offer for `item` in `hall` on `day` (capacity only; bookings are counted by
/// the hall state).
pub fn template_slots(cfg: &Config, hall: &HallId, item: &ItemId, day: BusinessDay) -> Vec<Slot> {
    let weekday = day.weekday();
    let mut out: Vec<Slot> = cfg
        .slot_templates(hall, item)
        .filter(|t: &&SlotTemplate| t.weekdays.contains(&weekday))
        .flat_map(|t| {
            (0..t.slots).map(move |i| {
                let start = t.first_start + i * t.slot_minutes;
                Slot {
                    day,
                    start_minute: start,
                    end_minute: start + t.slot_minutes,
                    capacity: t.capacity,
                    booked: 0,
                }
            })
        })
        .collect();
    out.sort_by_key(|s| s.start_minute);
    out
}
