//! The probes at the root, outside `/api/v1`: liveness, readiness, Prometheus metrics.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The probes, each registered once with its OpenAPI description (paths from the root).
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
}

/// Liveness: 200 while the process serves HTTP.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "serving")))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: 200 when the store answers and the writer accepts work.
#[utoipa::path(get, path = "/readyz", responses((status = 200, description = "ready"), (status = 503, description = "not ready")))]
pub async fn readyz(State(app): State<Arc<AppState>>) -> Response {
    let reader = app.reader.clone();
    let db = tokio::task::spawn_blocking(move || reader.events_after(i64::MAX - 1, None, 1)).await;
    match db {
        Ok(Ok(_)) if !*app.stopping.borrow() => (StatusCode::OK, "ready").into_response(),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "not ready").into_response(),
    }
}

/// Prometheus text exposition.
#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "Prometheus text format")))]
pub async fn metrics(State(app): State<Arc<AppState>>) -> Response {
    let shared = &app.engine.shared;
    shared
        .metrics
        .feed_subscribers
        .set(i64::try_from(shared.feed.subscribers()).unwrap_or(0));
    let mut body = shared.metrics.render();
    if body.ends_with("# EOF\n") {
        body.truncate(body.len() - "# EOF\n".len());
    }
    let waiting: usize = shared
        .state
        .read()
        .halls
        .values()
        .map(|h| {
            h.tickets
                .values()
                .filter(|t| t.status == domain::ticket::TicketStatus::Waiting)
                .count()
        })
        .sum();
    body.push_str(&format!(
        "# HELP hall_tickets_waiting Tickets waiting in all halls.\n# TYPE hall_tickets_waiting gauge\nhall_tickets_waiting {waiting}\n# HELP hall_log_head Sequence number of the last event.\n# TYPE hall_log_head gauge\nhall_log_head {}\n",
        shared.head_seq.load(std::sync::atomic::Ordering::Relaxed)
    ));
    body.push_str("# EOF\n");
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        body,
    )
        .into_response()
}
