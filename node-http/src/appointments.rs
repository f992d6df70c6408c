//! Appointments: open slots, booking, cancel, reschedule, check-in (which issues the ticket).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::appointment::{Appointment, AppointmentStatus, Slot};
use domain::config::Role;
use domain::decide::BookAppointment;
use domain::ids::*;
use domain::{Command, Millis};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::{TicketView, parse_day};
use crate::caller::Caller;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;
pub use hall_api::appointments::{
    AppointmentView, BookRequest, LookupRequest, LookupResponse, RescheduleRequest, SlotsQuery,
};

/// This area's routes, each registered once with its OpenAPI description (paths relative to `/api/v1`).
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(slots))
        .routes(routes!(book))
        .routes(routes!(by_code))
        .routes(routes!(lookup))
        .routes(routes!(cancel))
        .routes(routes!(reschedule))
        .routes(routes!(check_in))
}

const BOOKERS: [Role; 4] = [Role::Admin, Role::HallManager, Role::WindowStaff, Role::Operator];
const BOOKING_DEVICES: [&str; 2] = ["kiosk", "window_terminal"];

/// Open slots of an item in a hall on a day, with what is left.
#[utoipa::path(get, path = "/halls/{hall}/items/{item}/slots", params(("hall" = String, Path), ("item" = String, Path), SlotsQuery),
    responses((status = 200, body = [Slot]), (status = 422, body = crate::error::ErrorBody)), security(("device_signature" = []), ("session" = [])))]
pub async fn slots(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path((hall, item)): Path<(String, String)>,
    Query(q): Query<SlotsQuery>,
) -> Result<Json<Vec<Slot>>, ApiError> {
    caller.staff_or_device(
        &[
            Role::Admin,
            Role::HallManager,
            Role::WindowStaff,
            Role::Operator,
            Role::Leader,
        ],
        &BOOKING_DEVICES,
    )?;
    let day = parse_day(&q.day).ok_or_else(|| ApiError::invalid("day", "expected YYYY-MM-DD"))?;
    let (hall, item) = (HallId::new(hall), ItemId::new(item));
    let cfg = app.engine.shared.cfg.read().clone();
    cfg.hall(&hall).ok_or_else(|| ApiError::not_found("hall", "hall"))?;
    cfg.item(&item)
        .ok_or_else(|| ApiError::not_found("service item", "item"))?;
    let st = app.engine.shared.state.read();
    let h = st.halls.get(&hall);
    let mut out = domain::appointment::template_slots(&cfg, &hall, &item, day);
    for s in &mut out {
        s.booked = h.map_or(0, |h| h.slot_booked(&item, day, s.start_minute));
    }
    Ok(Json(out))
}

/// Book a slot.
#[utoipa::path(post, path = "/appointments", request_body = BookRequest,
    responses((status = 201, body = AppointmentView), (status = 409, description = "slot full or already booked", body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("device_signature" = []), ("session" = [])))]
pub async fn book(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    ApiJson(req): ApiJson<BookRequest>,
) -> Result<(StatusCode, Json<AppointmentView>), ApiError> {
    caller.staff_or_device(&BOOKERS, &BOOKING_DEVICES)?;
    let hall = HallId::new(req.hall_id);
    caller.in_hall(&hall)?;
    let day = parse_day(&req.day).ok_or_else(|| ApiError::invalid("day", "expected YYYY-MM-DD"))?;
    let citizen_key = citizen_key(&app, &req.id_number)?;
    let id = AppointmentId::new(uuid::Uuid::now_v7().to_string());
    let cmd = Command::Book(BookAppointment {
        appointment_id: id.clone(),
        code: node_core::crypto::random_token(),
        hall_id: hall.clone(),
        item_id: ItemId::new(req.item_id),
        day,
        start_minute: req.start_minute,
        citizen_key,
    });
    app.engine.execute(hall.clone(), caller.actor(), cmd, None).await?;
    let cfg = app.engine.shared.cfg.read().clone();
    let st = app.engine.shared.state.read();
    let a = st
        .halls
        .get(&hall)
        .and_then(|h| h.appointments.get(&id))
        .ok_or_else(|| ApiError::internal("booking vanished"))?;
    Ok((StatusCode::CREATED, Json(AppointmentView::new(&cfg, a))))
}

/// The keyed digest that stands for a citizen's ID number (checked first, GB 11643): what bookings and
/// cases keep instead of the number. Errors name `id_number`.
/// The keyed digest of an ID number (errors name `id_number`).
pub fn citizen_key(app: &AppState, id_number: &str) -> Result<String, ApiError> {
    Ok(node_core::service::citizens::citizen_key(app, id_number)?)
}

fn find(app: &AppState, pred: impl Fn(&Appointment) -> bool) -> Result<(HallId, AppointmentView), ApiError> {
    let cfg = app.engine.shared.cfg.read().clone();
    let st = app.engine.shared.state.read();
    st.halls
        .values()
        .find_map(|h| {
            h.appointments
                .values()
                .find(|a| pred(a))
                .map(|a| (h.hall_id.clone(), AppointmentView::new(&cfg, a)))
        })
        .ok_or_else(|| ApiError::not_found("appointment", "id"))
}

/// Look an appointment up by the code the citizen shows.
#[utoipa::path(get, path = "/appointments/by-code/{code}", params(("code" = String, Path)),
    responses((status = 200, body = AppointmentView), (status = 404, body = crate::error::ErrorBody)), security(("device_signature" = []), ("session" = [])))]
pub async fn by_code(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<Json<AppointmentView>, ApiError> {
    caller.staff_or_device(&BOOKERS, &BOOKING_DEVICES)?;
    let (hall, v) = find(&app, |a| a.code == code)?;
    caller.in_hall(&hall)?;
    Ok(Json(v))
}

async fn appointment_command(
    app: &Arc<AppState>,
    caller: &Caller,
    id: &str,
    make: impl FnOnce(AppointmentId) -> Command,
) -> Result<(HallId, Vec<domain::Event>), ApiError> {
    caller.staff_or_device(&BOOKERS, &BOOKING_DEVICES)?;
    let (hall, _) = find(app, |a| a.id.as_str() == id)?;
    caller.in_hall(&hall)?;
    let done = app
        .engine
        .execute(hall.clone(), caller.actor(), make(AppointmentId::new(id)), None)
        .await?;
    Ok((hall, done.events.into_iter().map(|(_, e)| e).collect()))
}

fn view_of(app: &AppState, hall: &HallId, id: &str) -> Result<Json<AppointmentView>, ApiError> {
    let cfg = app.engine.shared.cfg.read().clone();
    let st = app.engine.shared.state.read();
    st.halls
        .get(hall)
        .and_then(|h| h.appointments.get(&AppointmentId::new(id)))
        .map(|a| Json(AppointmentView::new(&cfg, a)))
        .ok_or_else(|| ApiError::not_found("appointment", "id"))
}

/// Cancel a booking (frees the slot).
#[utoipa::path(post, path = "/appointments/{id}/cancel", params(("id" = String, Path)),
    responses((status = 200, body = AppointmentView), (status = 404, body = crate::error::ErrorBody)), security(("device_signature" = []), ("session" = [])))]
pub async fn cancel(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<AppointmentView>, ApiError> {
    let (hall, _) = appointment_command(&app, &caller, &id, |appointment| Command::CancelAppointment {
        appointment,
    })
    .await?;
    view_of(&app, &hall, &id)
}

/// Move a booking to another slot.
#[utoipa::path(post, path = "/appointments/{id}/reschedule", params(("id" = String, Path)), request_body = RescheduleRequest,
    responses((status = 200, body = AppointmentView), (status = 409, body = crate::error::ErrorBody)), security(("device_signature" = []), ("session" = [])))]
pub async fn reschedule(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RescheduleRequest>,
) -> Result<Json<AppointmentView>, ApiError> {
    let day = parse_day(&req.day).ok_or_else(|| ApiError::invalid("day", "expected YYYY-MM-DD"))?;
    let (hall, _) = appointment_command(&app, &caller, &id, |appointment| Command::Reschedule {
        appointment,
        day,
        start_minute: req.start_minute,
    })
    .await?;
    view_of(&app, &hall, &id)
}

/// Check in: issues the ticket. Inside the early/late window around the slot it is called first; later
/// it joins the normal queue; too early is refused with the time check-in opens.
#[utoipa::path(post, path = "/appointments/{id}/check-in", params(("id" = String, Path)),
    responses((status = 200, body = TicketView), (status = 409, body = crate::error::ErrorBody)), security(("device_signature" = []), ("session" = [])))]
pub async fn check_in(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<TicketView>, ApiError> {
    let ticket_id = TicketId::new(uuid::Uuid::now_v7().to_string());
    let token = node_core::crypto::ordered_token();
    let tid = ticket_id.clone();
    let (hall, _) = appointment_command(&app, &caller, &id, |appointment| Command::CheckIn {
        appointment,
        ticket_id: tid,
        token,
    })
    .await?;
    let cfg = app.engine.shared.cfg.read().clone();
    let st = app.engine.shared.state.read();
    let h = st.halls.get(&hall);
    let t = h
        .and_then(|h| h.ticket(&ticket_id))
        .ok_or_else(|| ApiError::internal("ticket vanished"))?;
    let mut v = TicketView::new(&cfg, h, t, Millis((app.clock)()));
    v.token = Some(t.token.clone());
    Ok(Json(v))
}

/// A citizen's bookings in this hall, found by the ID card (tender 21(2) "预约履约", 2818–2826
/// "群众多渠道预约、刷身份证取号") or by the citizen code (一码通办, 2844–2862 "扫码登录"): today's and later, not
/// cancelled and not yet checked in, soonest first. Kiosks of the hall (and booking staff).
#[utoipa::path(post, path = "/appointments/lookup", request_body = LookupRequest,
    responses((status = 200, body = LookupResponse), (status = 403, body = crate::error::ErrorBody), (status = 404, description = "unknown citizen code", body = crate::error::ErrorBody),
        (status = 410, description = "expired citizen code", body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("device_signature" = []), ("session" = [])))]
pub async fn lookup(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    ApiJson(req): ApiJson<LookupRequest>,
) -> Result<Json<LookupResponse>, ApiError> {
    caller.staff_or_device(&BOOKERS, &["kiosk"])?;
    let hall = HallId::new(req.hall_id);
    caller.in_hall(&hall)?;
    let key = super::citizen_codes::citizen_key_of(&app, req.id_number.as_deref(), req.citizen_code.as_deref()).await?;
    let cfg = app.engine.shared.cfg.read().clone();
    let hc = cfg.hall(&hall).ok_or_else(|| ApiError::not_found("hall", "hall_id"))?;
    let today = Millis((app.clock)()).business_day(hc.utc_offset_minutes);
    let st = app.engine.shared.state.read();
    let mut found: Vec<&Appointment> = st.halls.get(&hall).map_or_else(Vec::new, |h| {
        h.appointments
            .values()
            .filter(|a| a.citizen_key == key && a.status == AppointmentStatus::Booked && a.day >= today)
            .collect()
    });
    found.sort_by_key(|a| (a.day, a.start_minute, a.id.clone()));
    Ok(Json(LookupResponse {
        appointments: found.into_iter().map(|a| AppointmentView::new(&cfg, a)).collect(),
    }))
}
