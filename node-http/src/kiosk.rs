//! What the citizen kiosk (自助终端) reads besides tickets and appointments: the hall's service guides
//! (tender 21(2) "办事指南打印") and a preview of the ticket before it is taken (21(2) "排队取号";
//! 2818–2826 "显示办理事项、排队人数等信息…预约数量限制").

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use domain::appointment::{BOOKING_HORIZON_DAYS, clock_text, next_open_slot};
use domain::config::Role;
use domain::ids::*;
use domain::routing::Class;
use domain::{Config, HallState, Millis};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::caller::Caller;
use crate::error::ApiError;
use crate::state::AppState;
pub use hall_api::kiosk::{GuideItem, HallGuides, QuotaView, SlotView, TicketPreview};

/// This area's routes, each registered once with its OpenAPI description (paths relative to `/api/v1`).
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new().routes(routes!(guides)).routes(routes!(preview))
}

/// Staff who may read what a kiosk reads.
const STAFF_READERS: [Role; 5] = [
    Role::Admin,
    Role::HallManager,
    Role::WindowStaff,
    Role::Operator,
    Role::Leader,
];

/// The hall's service items with their guides (办事指南), in queue order: tender 21(2) "办事指南打印"
/// and 2818–2826 "显示办理事项". Kiosks and window terminals of the hall, and its staff.
#[utoipa::path(get, path = "/halls/{hall}/guides", params(("hall" = String, Path, description = "hall id")),
    responses((status = 200, body = HallGuides), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("device_signature" = []), ("session" = [])))]
pub async fn guides(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(hall): Path<String>,
) -> Result<Json<HallGuides>, ApiError> {
    caller.staff_or_device(&STAFF_READERS, &["kiosk", "window_terminal"])?;
    let hall = HallId::new(hall);
    caller.in_hall(&hall)?;
    let cfg = app.engine.shared.cfg.read().clone();
    cfg.hall(&hall).ok_or_else(|| ApiError::not_found("hall", "hall"))?;
    let mut items = Vec::new();
    for q in cfg.queues_of_hall(&hall) {
        let window_numbers: Vec<String> = cfg
            .windows_of_hall(&hall)
            .filter(|w| w.profile.serves(&q.id))
            .map(|w| w.number.clone())
            .collect();
        for it in q.item_ids.iter().filter_map(|i| cfg.item(i)) {
            items.push(GuideItem {
                item_id: it.id.to_string(),
                code: it.code.clone(),
                name: it.name.clone(),
                department: department_name(&cfg, &it.department_id),
                id_card_required: it.id_card_required,
                daily_quota: it.daily_quota,
                queue_id: q.id.to_string(),
                queue_name: q.name.clone(),
                window_numbers: window_numbers.clone(),
                guide: it.guide.clone(),
            });
        }
    }
    Ok(Json(HallGuides {
        hall_id: hall.to_string(),
        items,
    }))
}

fn department_name(cfg: &Config, id: &DepartmentId) -> Option<String> {
    cfg.data
        .departments
        .iter()
        .find(|d| &d.id == id)
        .map(|d| d.name.clone())
}

/// What a ticket for the item would say if taken now: people ahead, estimated wait, today's quota and
/// the next free appointment slot (tender 2818–2826 "显示办理事项、排队人数等信息…预约数量限制"). Kiosks of the
/// hall and its staff.
#[utoipa::path(get, path = "/halls/{hall}/items/{item}/preview", params(("hall" = String, Path), ("item" = String, Path)),
    responses((status = 200, body = TicketPreview), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("device_signature" = []), ("session" = [])))]
pub async fn preview(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path((hall, item)): Path<(String, String)>,
) -> Result<Json<TicketPreview>, ApiError> {
    caller.staff_or_device(&STAFF_READERS, &["kiosk"])?;
    let (hall, item) = (HallId::new(hall), ItemId::new(item));
    caller.in_hall(&hall)?;
    let cfg = app.engine.shared.cfg.read().clone();
    let hc = cfg.hall(&hall).ok_or_else(|| ApiError::not_found("hall", "hall"))?;
    let it = cfg
        .item(&item)
        .ok_or_else(|| ApiError::not_found("service item", "item"))?;
    let queue = cfg
        .queue_for_item(&hall, &item)
        .ok_or_else(|| ApiError::invalid("item", format!("{} is not offered in {}", it.name, hc.name)))?;
    let now = Millis((app.clock)());
    let today = now.business_day(hc.utc_offset_minutes);
    let st = app.engine.shared.state.read();
    let empty;
    let h = match st.halls.get(&hall) {
        Some(h) => h,
        None => {
            empty = HallState::new(hall.clone(), hc.utc_offset_minutes);
            &empty
        }
    };
    let est = domain::estimate::estimate_new(&cfg, h, &queue.id, Class::Normal);
    // The quota counts today's tickets only (the first ticket of a new day starts it again).
    let issued = if h.day == today { h.issued_today(&item) } else { 0 };
    let next = next_open_slot(&cfg, Some(h), &hall, &item, now, BOOKING_HORIZON_DAYS);
    Ok(Json(TicketPreview {
        item_id: item.to_string(),
        item_name: it.name.clone(),
        queue_id: queue.id.to_string(),
        queue_name: queue.name.clone(),
        people_ahead: est.people_ahead,
        estimated_wait_secs: est.estimated_wait_secs,
        windows_serving: est.windows_serving,
        id_card_required: it.id_card_required,
        quota: QuotaView {
            limit: it.daily_quota,
            issued,
            remaining: it.daily_quota.map(|q| q.saturating_sub(issued)),
        },
        next_slot: next.as_ref().map(SlotView::from),
    }))
}

/// A refused issue because the day's quota is used up says when the next appointment slot is
/// (`quota_exhausted`, tender 2818–2826 "预约数量限制"); any other error passes unchanged.
pub fn explain_quota(app: &AppState, hall: &HallId, item: Option<&ItemId>, mut err: ApiError) -> ApiError {
    let Some(item) = item.filter(|_| err.body.code == "quota_exhausted") else {
        return err;
    };
    let cfg = app.engine.shared.cfg.read().clone();
    let now = Millis((app.clock)());
    let next = {
        let st = app.engine.shared.state.read();
        next_open_slot(&cfg, st.halls.get(hall), hall, item, now, BOOKING_HORIZON_DAYS)
    };
    err.body.message = match next {
        Some(s) => {
            let (day, from, to) = (s.day.date(), clock_text(s.start_minute), clock_text(s.end_minute));
            let left = s.capacity.saturating_sub(s.booked);
            format!(
                "今日取号名额已满，可预约最近时段：{day} {from}–{to}（剩余 {left} 个） / {}; next appointment slot: {day} {from}–{to} ({left} left)",
                err.body.message
            )
        }
        None => format!(
            "今日取号名额已满，{BOOKING_HORIZON_DAYS} 日内暂无可预约时段 / {}; no appointment slot in the next {BOOKING_HORIZON_DAYS} days",
            err.body.message
        ),
    };
    err
}
