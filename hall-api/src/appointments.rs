//! Appointments: slots, booking, lookup, reschedule (`/appointments…`, `/halls/{hall}/items/{item}/slots`).

use serde::{Deserialize, Serialize};

use domain::Millis;
use domain::appointment::{Appointment, AppointmentStatus};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct SlotsQuery {
    /// YYYY-MM-DD
    pub day: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BookRequest {
    pub hall_id: String,
    pub item_id: String,
    /// YYYY-MM-DD
    pub day: String,
    /// Minutes after local midnight of the slot start (540 = 09:00).
    pub start_minute: u16,
    /// The citizen's ID number: kept only as a keyed digest (one booking per person, item and day).
    pub id_number: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppointmentView {
    pub id: String,
    /// Shown as a QR code; used to check in.
    pub code: String,
    pub hall_id: String,
    pub item_id: String,
    pub hall_name: Option<String>,
    pub item_name: Option<String>,
    pub day: String,
    pub start_minute: u16,
    pub end_minute: u16,
    pub status: AppointmentStatus,
    pub ticket_id: Option<String>,
    /// Check-in is refused before this instant (ms): slot start − the hall's `early_minutes`.
    pub checkin_opens_at: Millis,
    /// Minutes after local midnight of `day` when check-in opens.
    pub checkin_opens_minute: u16,
    /// A check-in after this instant (ms) joins the normal queue: slot start + the hall's `late_minutes`.
    pub late_after: Millis,
    /// Minutes after local midnight of `day` after which a check-in is late.
    pub late_after_minute: u16,
    pub early_minutes: u16,
    pub late_minutes: u16,
    /// The rule in words for the kiosk, e.g. "签到时间为 08:30 起；迟到超过 15 分钟（09:15 后）将按普通号排队".
    pub checkin_rule: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RescheduleRequest {
    pub day: String,
    pub start_minute: u16,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LookupRequest {
    pub hall_id: String,
    /// The citizen's ID number as the kiosk's reader gives it: compared by its keyed digest only, never
    /// stored or logged. Or give `citizen_code` instead (exactly one of the two).
    pub id_number: Option<String>,
    /// The citizen's one-code-service code (一码通办, tender 2844–2862 "替代身份证读取登录") instead of
    /// `id_number`.
    pub citizen_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LookupResponse {
    /// Today's and later bookings still waiting for check-in, soonest first.
    pub appointments: Vec<AppointmentView>,
}

impl AppointmentView {
    pub fn new(cfg: &domain::Config, a: &Appointment) -> AppointmentView {
        let hall = cfg.hall(&a.hall_id);
        let rules = hall.map(|h| h.appointments.clone()).unwrap_or_default();
        let offset = hall.map_or(480, |h| h.utc_offset_minutes);
        let window = domain::appointment::CheckInWindow::of(a, &rules);
        let clock = domain::appointment::clock_text;
        AppointmentView {
            id: a.id.to_string(),
            code: a.code.clone(),
            hall_id: a.hall_id.to_string(),
            item_id: a.item_id.to_string(),
            hall_name: hall.map(|h| h.name.clone()),
            item_name: cfg.item(&a.item_id).map(|i| i.name.clone()),
            day: a.day.date().to_string(),
            start_minute: a.start_minute,
            end_minute: a.end_minute,
            status: a.status,
            ticket_id: a.ticket_id.as_ref().map(ToString::to_string),
            checkin_opens_at: a.day.at_minute(window.opens_minute, offset),
            checkin_opens_minute: window.opens_minute,
            late_after: a.day.at_minute(window.late_after_minute, offset),
            late_after_minute: window.late_after_minute,
            early_minutes: rules.early_minutes,
            late_minutes: rules.late_minutes,
            checkin_rule: format!(
                "签到时间为 {} 起；迟到超过 {} 分钟（{} 后）将按普通号排队",
                clock(window.opens_minute),
                rules.late_minutes,
                clock(window.late_after_minute)
            ),
        }
    }
}
