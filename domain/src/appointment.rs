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

/// How many days ahead (today included) the booking channels offer slots: what a kiosk searches for the
/// next free slot.
pub const BOOKING_HORIZON_DAYS: i32 = 14;

/// The earliest slot of `item` in `hall` that has not started at `now` and has capacity left, searching
/// `horizon_days` business days from `now`'s (`booked` filled from the hall state). The same rules as
/// booking: a slot that has started cannot be booked.
pub fn next_open_slot(
    cfg: &Config,
    h: Option<&crate::hall::HallState>,
    hall: &HallId,
    item: &ItemId,
    now: Millis,
    horizon_days: i32,
) -> Option<Slot> {
    let offset = cfg.hall(hall)?.utc_offset_minutes;
    let today = now.business_day(offset);
    (0..horizon_days.max(0)).find_map(|d| {
        let day = BusinessDay(today.0 + d);
        template_slots(cfg, hall, item, day).into_iter().find_map(|mut s| {
            s.booked = h.map_or(0, |h| h.slot_booked(item, day, s.start_minute));
            (day.at_minute(s.start_minute, offset) > now && s.booked < s.capacity).then_some(s)
        })
    })
}

/// When check-in opens and until when an arrival keeps appointment precedence (the rule
/// `decide::CheckIn` applies), in minutes after local midnight of the appointment's day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckInWindow {
    /// Check-in is refused before this minute (slot start − `early_minutes`).
    pub opens_minute: u16,
    /// Arrivals after this minute (slot start + `late_minutes`) join the normal queue.
    pub late_after_minute: u16,
}

impl CheckInWindow {
    pub fn of(a: &Appointment, rules: &crate::config::AppointmentRules) -> CheckInWindow {
        CheckInWindow {
            opens_minute: a.start_minute.saturating_sub(rules.early_minutes),
            late_after_minute: a.start_minute.saturating_add(rules.late_minutes),
        }
    }
}

/// `HH:MM` of a minute after midnight.
pub fn clock_text(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}
