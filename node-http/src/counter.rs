//! What the counter's window terminal and the evaluator need in one request each: the counter panel
//! (tender 15(1) "登录窗口叫号平板后，即可获得当前窗口信息、窗口工作人员信息、排队信息") and the staff card of
//! the evaluator's idle screen (13(1) "显示窗口受理人员部门、工号、姓名、座右铭等宣传内容").

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use domain::config::Role;
use domain::hall::WindowStatus;
use domain::ids::*;
use domain::ticket::TicketStatus;
use domain::{Actor, Millis};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::{CitizenView, CitizenViewExt, TicketView, WindowView};
use crate::caller::Caller;
use crate::error::ApiError;
use crate::state::AppState;
pub use hall_api::counter::{
    PanelQueue, PanelResponse, PanelToday, RatingSummary, StaffCardView, TargetStaff, TargetWindow, TransferTargets,
};

/// This area's routes, each registered once with its OpenAPI description (paths relative to `/api/v1`).
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new().routes(routes!(panel)).routes(routes!(staff_card))
}

/// The staff card for the evaluator's idle screen (tender 13(1)). Devices of the staff member's hall
/// and signed-in staff in scope.
#[utoipa::path(get, path = "/staff/{id}/card", params(("id" = String, Path, description = "staff id")),
    responses((status = 200, body = StaffCardView), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("device_signature" = []), ("session" = [])))]
pub async fn staff_card(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<StaffCardView>, ApiError> {
    caller.staff_or_device(&Role::ALL, &node_core::auth::DEVICE_KINDS)?;
    let cfg = app.engine.shared.cfg.read().clone();
    let s = cfg
        .staff(&StaffId::new(id))
        .ok_or_else(|| ApiError::not_found("staff member", "id"))?;
    if let Some(hall) = &s.hall_id {
        caller.in_hall(hall)?;
    }
    Ok(Json(StaffCardView {
        staff_id: s.id.to_string(),
        name: s.name.clone(),
        department: s.card.department.clone(),
        staff_number: s.card.staff_number.clone().unwrap_or_else(|| s.login.clone()),
        motto: s.card.motto.clone(),
        photo_digest: s.card.photo.clone(),
    }))
}

/// Everything the counter's window terminal shows, in one request (tender 15(1)): the window, its
/// current ticket with the citizen, its queues, the signed-in person's day and the transfer targets.
/// The window's own staff, hall managers, admins.
#[utoipa::path(get, path = "/windows/{id}/panel", params(("id" = String, Path, description = "window id")),
    responses((status = 200, body = PanelResponse), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn panel(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<PanelResponse>, ApiError> {
    let me = caller.staff(&[Role::Admin, Role::HallManager, Role::WindowStaff])?;
    let window = WindowId::new(id.clone());
    let cfg = app.engine.shared.cfg.read().clone();
    let w = cfg.window(&window).ok_or_else(|| ApiError::not_found("window", "id"))?;
    let hall = w.hall_id.clone();
    caller.in_hall(&hall)?;
    let offset = cfg.hall(&hall).map_or(480, |h| h.utc_offset_minutes);
    let now = Millis((app.clock)());
    let today = now.business_day(offset);
    let queue_row = |q: &domain::config::Queue, h: Option<&domain::HallState>| PanelQueue {
        id: q.id.to_string(),
        name: q.name.clone(),
        prefix: q.prefix.clone(),
        waiting: h.map_or(0, |h| h.waiting_in(&q.id)),
    };
    let (view, current, queues, mut day, targets, staff_at) = {
        let st = app.engine.shared.state.read();
        let h = st.halls.get(&hall);
        let ws = h.map(|h| h.window(&window)).unwrap_or_default();
        if !me.has(&[Role::Admin, Role::HallManager]) && ws.staff.as_ref() != Some(&me.id) {
            return Err(ApiError::forbidden(format!("you are not signed in at window {id}")));
        }
        let view = WindowView::new(&cfg, h, &window).ok_or_else(|| ApiError::not_found("window", "id"))?;
        let current = ws
            .current
            .as_ref()
            .and_then(|t| h?.ticket(t))
            .map(|t| TicketView::new(&cfg, h, t, now));
        let queues: Vec<PanelQueue> = w
            .profile
            .queues
            .iter()
            .filter_map(|q| cfg.queue(q))
            .map(|q| queue_row(q, h))
            .collect();
        let mut day = PanelToday {
            staff_id: ws.staff.as_ref().map(ToString::to_string),
            served: 0,
            no_shows: 0,
            avg_service_secs: None,
            ratings: RatingSummary { count: 0, avg: None },
            transferred: 0,
        };
        if let (Some(h), Some(staff)) = (h, &ws.staff) {
            let (mut service_ms, mut rating_sum) = (0i64, 0u32);
            for t in h
                .tickets
                .values()
                .filter(|t| t.day == today && t.staff_id.as_ref() == Some(staff))
            {
                match t.status {
                    TicketStatus::Done => {
                        day.served += 1;
                        let began = t.started_at.or(t.called_at).unwrap_or(t.issued_at);
                        service_ms += t.finished_at.map_or(0, |f| (f.0 - began.0).max(0));
                    }
                    TicketStatus::NoShow => day.no_shows += 1,
                    _ => {}
                }
                if let Some(level) = t.rating {
                    day.ratings.count += 1;
                    rating_sum += u32::from(level);
                }
            }
            if day.served > 0 {
                day.avg_service_secs = u32::try_from(service_ms / i64::from(day.served) / 1000).ok();
            }
            if day.ratings.count > 0 {
                let avg = f64::from(rating_sum) / f64::from(day.ratings.count);
                day.ratings.avg = Some((avg * 100.0).round() / 100.0);
            }
        }
        let mut windows = Vec::new();
        let mut staff = Vec::new();
        for other in cfg.windows_of_hall(&hall) {
            let os = h.map(|h| h.window(&other.id)).unwrap_or_default();
            let name = os.staff.as_ref().and_then(|s| cfg.staff(s)).map(|s| s.name.clone());
            if other.id != window && os.status == WindowStatus::Open {
                windows.push(TargetWindow {
                    id: other.id.to_string(),
                    number: other.number.clone(),
                    staff_id: os.staff.as_ref().map(ToString::to_string),
                    staff_name: name.clone(),
                });
            }
            if let Some(s) = &os.staff
                && Some(s) != ws.staff.as_ref()
            {
                staff.push(TargetStaff {
                    staff_id: s.to_string(),
                    name: name.unwrap_or_else(|| s.to_string()),
                    window_id: other.id.to_string(),
                    window_number: other.number.clone(),
                });
            }
        }
        let targets = TransferTargets {
            queues: cfg.queues_of_hall(&hall).map(|q| queue_row(q, h)).collect(),
            windows,
            staff,
        };
        (view, current, queues, day, targets, ws.staff)
    };
    let reader = app.reader.clone();
    let current_id = current.as_ref().map(|t| t.id.clone());
    let since = today.at_minute(0, offset).0;
    let actor = staff_at.map(|s| node_core::engine::actor_str(&Actor::Staff(s)));
    let h = hall.to_string();
    let (sealed, transferred) = tokio::task::spawn_blocking(move || {
        let sealed = match current_id {
            Some(t) => reader.sealed_of_ticket(&t)?,
            None => None,
        };
        let transferred = match actor {
            Some(a) => reader.transfers_by(&h, &a, since)?,
            None => 0,
        };
        Ok::<_, node_core::store::StoreError>((sealed, transferred))
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))??;
    day.transferred = transferred;
    let current = current.map(|mut t| {
        t.citizen = sealed
            .as_deref()
            .and_then(|s| CitizenView::from_sealed(s, &app.sealer, &caller));
        t
    });
    Ok(Json(PanelResponse {
        window: view,
        current,
        queues,
        today: day,
        transfer_targets: targets,
    }))
}
