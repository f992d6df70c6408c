//! Configuration, hall snapshots and the live feeds.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use domain::config::Role;
use domain::hall::WindowStatus;
use domain::ids::HallId;
use domain::ticket::TicketStatus;
use domain::{CityConfig, Millis};
use futures_util::StreamExt;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::WindowView;
use crate::caller::Caller;
use crate::error::{ApiError, ApiJson};
use crate::state::{AppState, Role as NodeRole};
pub use hall_api::halls::{ConfigResponse, HallSnapshot, QueueSnapshot, RecentCall};

/// This area's routes, each registered once with its OpenAPI description (paths relative to `/api/v1`).
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(get_config, put_config))
        .routes(routes!(snapshot))
        .routes(routes!(city_events))
        .routes(routes!(hall_events))
}

const READERS: [Role; 6] = [
    Role::Admin,
    Role::HallManager,
    Role::WindowStaff,
    Role::Leader,
    Role::Operator,
    Role::Lawyer,
];
const ALL_DEVICES: [&str; 6] = node_core::auth::DEVICE_KINDS;

/// The current configuration and its version.
#[utoipa::path(get, path = "/config", responses((status = 200, body = ConfigResponse), (status = 401, body = crate::error::ErrorBody)),
    security(("device_signature" = []), ("session" = [])))]
pub async fn get_config(State(app): State<Arc<AppState>>, caller: Caller) -> Result<Json<ConfigResponse>, ApiError> {
    caller.staff_or_device(&READERS, &ALL_DEVICES)?;
    let cfg = app.engine.shared.cfg.read().clone();
    Ok(Json(ConfigResponse {
        version: app.engine.shared.cfg_version.load(Ordering::SeqCst),
        config: cfg.data.clone(),
    }))
}

/// Replace the whole configuration (validated first; a configuration that fails changes nothing).
/// Only the city node edits configuration.
#[utoipa::path(put, path = "/config", request_body = CityConfig,
    responses((status = 200, body = ConfigResponse), (status = 400, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn put_config(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    ApiJson(data): ApiJson<CityConfig>,
) -> Result<Json<ConfigResponse>, ApiError> {
    caller.staff(&[Role::Admin])?;
    replace_config(&app, caller.actor(), data).await.map(Json)
}

/// Replaces the configuration as an API caller: refused on hall nodes, whose configuration comes from
/// the city.
pub async fn replace_config(
    app: &AppState,
    actor: domain::Actor,
    data: CityConfig,
) -> Result<ConfigResponse, ApiError> {
    if app.config.role == NodeRole::Hall {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "city_owns_config",
            "configuration is edited on the city node and flows down to halls",
        ));
    }
    install_config(app, actor, data).await
}

/// Validates and installs a configuration (first start, the demo, and configuration received from the
/// city). A configuration that fails validation changes nothing.
pub async fn install_config(
    app: &AppState,
    actor: domain::Actor,
    data: CityConfig,
) -> Result<ConfigResponse, ApiError> {
    let (version, cfg) = node_core::service::config::install_config(app, actor, data).await?;
    Ok(ConfigResponse {
        version,
        config: cfg.data,
    })
}

/// Windows, current calls and waiting counts of one hall: what a hall wall shows.
#[utoipa::path(get, path = "/halls/{hall}/snapshot", params(("hall" = String, Path)),
    responses((status = 200, body = HallSnapshot), (status = 404, body = crate::error::ErrorBody)), security(("device_signature" = []), ("session" = [])))]
pub async fn snapshot(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(hall): Path<String>,
) -> Result<Json<HallSnapshot>, ApiError> {
    caller.staff_or_device(&READERS, &ALL_DEVICES)?;
    let hall = HallId::new(hall);
    if caller.staff.as_ref().is_none_or(|s| s.hall_id.is_some()) {
        caller.in_hall(&hall)?;
    }
    let cfg = app.engine.shared.cfg.read().clone();
    let hc = cfg.hall(&hall).ok_or_else(|| ApiError::not_found("hall", "hall"))?;
    let now = Millis((app.clock)());
    let day = now.business_day(hc.utc_offset_minutes);
    let reader = app.reader.clone();
    let h2 = hall.to_string();
    let counters = tokio::task::spawn_blocking(move || reader.counters(&h2, day.0))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
    let last_event_id = app.engine.shared.head_seq.load(Ordering::SeqCst);
    let st = app.engine.shared.state.read();
    let h = st.halls.get(&hall);
    let windows: Vec<WindowView> = cfg
        .windows_of_hall(&hall)
        .filter_map(|w| WindowView::new(&cfg, h, &w.id))
        .collect();
    let queues: Vec<QueueSnapshot> = cfg
        .queues_of_hall(&hall)
        .map(|q| QueueSnapshot {
            id: q.id.to_string(),
            prefix: q.prefix.clone(),
            name: q.name.clone(),
            waiting: h.map_or(0, |h| h.waiting_in(&q.id)),
            next: h.and_then(|h| {
                let probe = domain::ticket::TicketStatus::Waiting;
                let mut w: Vec<_> = h
                    .tickets
                    .values()
                    .filter(|t| t.queue_id == q.id && t.status == probe && t.target.is_none())
                    .collect();
                w.sort_by_key(|t| (t.class, t.arrival));
                w.first().map(|t| t.display.clone())
            }),
            avg_service_secs: h.map_or(0, |h| domain::estimate::avg_service_secs(&cfg, h, &q.id)),
            today: counters
                .iter()
                .find(|(id, _)| id == q.id.as_str())
                .map(|(_, c)| *c)
                .unwrap_or_default(),
        })
        .collect();
    let mut calls: Vec<_> = h
        .map(|h| {
            h.tickets
                .values()
                .filter(|t| {
                    t.called_at.is_some()
                        && matches!(
                            t.status,
                            TicketStatus::Called | TicketStatus::Serving | TicketStatus::Done
                        )
                })
                .collect()
        })
        .unwrap_or_else(Vec::new);
    calls.sort_by_key(|t| std::cmp::Reverse(t.called_at));
    let recent_calls = calls
        .into_iter()
        .take(12)
        .map(|t| RecentCall {
            display: t.display.clone(),
            window_number: t
                .window_id
                .as_ref()
                .and_then(|w| cfg.window(w))
                .map(|w| w.number.clone()),
            called_at: t.called_at.unwrap_or_default(),
            recall_count: t.recall_count,
        })
        .collect();
    Ok(Json(HallSnapshot {
        hall_id: hall.to_string(),
        name: hc.name.clone(),
        day: day.date().to_string(),
        open_windows: windows.iter().filter(|w| w.status == WindowStatus::Open).count(),
        waiting_total: queues.iter().map(|q| q.waiting).sum(),
        windows,
        queues,
        recent_calls,
        last_event_id,
    }))
}

fn last_event_id(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    match headers.get("last-event-id").map(|v| v.to_str().map(str::parse::<i64>)) {
        None => Ok(None),
        Some(Ok(Ok(n))) if n >= 0 => Ok(Some(n)),
        _ => Err(ApiError::invalid(
            "Last-Event-ID",
            "expected the numeric id of the last event received",
        )),
    }
}

fn stream(
    app: Arc<AppState>,
    after: Option<i64>,
    hall: Option<String>,
) -> Sse<impl futures_util::Stream<Item = Result<SseEvent, Infallible>>> {
    let mut stopping = app.stopping.subscribe();
    let items = app
        .engine
        .shared
        .feed
        .clone()
        .subscribe(after, hall, app.reader.clone());
    let until = async move {
        let _ = stopping.wait_for(|s| *s).await;
    };
    let events = items
        .map(|it| {
            Ok(SseEvent::default()
                .id(it.seq.to_string())
                .event(it.kind.clone())
                .data(it.data.clone()))
        })
        .take_until(Box::pin(until));
    Sse::new(events).keep_alive(KeepAlive::default())
}

/// The whole city's live feed (Server-Sent Events). Each event has an `id:`; reconnect with
/// `Last-Event-ID` to receive what was missed. `?access_token=` works where headers cannot be set.
#[utoipa::path(get, path = "/events", responses((status = 200, content_type = "text/event-stream", description = "event stream"), (status = 401, body = crate::error::ErrorBody)),
    security(("device_signature" = []), ("session" = [])))]
pub async fn city_events(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
) -> Result<Sse<impl futures_util::Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    let command_wall = caller.staff.is_none() && caller.device.as_ref().is_some_and(|d| d.kind == "command_wall");
    if !command_wall {
        caller.staff(&[Role::Admin, Role::Leader, Role::Operator])?;
    }
    let after = last_event_id(&headers)?;
    Ok(stream(app, after, None))
}

/// One hall's live feed (Server-Sent Events), resumable with `Last-Event-ID`.
#[utoipa::path(get, path = "/halls/{hall}/events", params(("hall" = String, Path)),
    responses((status = 200, content_type = "text/event-stream", description = "event stream"), (status = 401, body = crate::error::ErrorBody)),
    security(("device_signature" = []), ("session" = [])))]
pub async fn hall_events(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(hall): Path<String>,
    headers: HeaderMap,
) -> Result<Sse<impl futures_util::Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    caller.staff_or_device(&READERS, &ALL_DEVICES)?;
    let hall_id = HallId::new(hall.clone());
    if caller.staff.as_ref().is_none_or(|s| s.hall_id.is_some()) {
        caller.in_hall(&hall_id)?;
    }
    app.engine
        .shared
        .cfg
        .read()
        .hall(&hall_id)
        .ok_or_else(|| ApiError::not_found("hall", "hall"))?;
    let after = last_event_id(&headers)?;
    Ok(stream(app, after, Some(hall)))
}
