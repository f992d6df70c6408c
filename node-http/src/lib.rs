//! HTTP API under `/api/v1`, JSON, described by the OpenAPI document at `/api/v1/openapi.json`.

pub mod access;
pub mod appointments;
pub mod caller;
pub mod cases;
pub mod citizen_codes;
pub mod consultations;
pub mod counter;
pub mod devices;
pub mod error;
pub mod halls;
pub mod kiosk;
pub mod lawyer;
pub mod lawyer_import;
pub mod lawyer_people;
pub mod lawyer_quality;
pub mod lawyer_report_archive;
pub mod lawyer_reports;
pub mod lawyer_words;
pub mod mediation;
pub mod state;
pub mod sync;
pub mod tickets;
pub mod video;
pub mod views;
pub mod web;
pub mod windows;

use std::sync::Arc;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use utoipa::OpenApi;

use crate::state::AppState;
use node_core::metrics::HttpLabels;

#[derive(OpenApi)]
#[openapi(
    info(title = "Service hall node API", version = "1", description = "Queue, windows, appointments, live feeds and access for hall and city nodes. Errors are always {code, message, field}."),
    paths(
        tickets::issue, tickets::status_by_token, tickets::get_ticket, tickets::void, tickets::transfer, tickets::rate,
        tickets::attach_citizen, tickets::evidence, counter::panel, counter::staff_card, devices::hall_devices,
        windows::call_next, windows::call_ticket, windows::recall, windows::start, windows::finish, windows::no_show,
        windows::park, windows::open, windows::pause, windows::close, windows::sign_in, windows::sign_out,
        appointments::slots, appointments::book, appointments::by_code, appointments::cancel, appointments::reschedule,
        appointments::check_in, appointments::lookup,
        kiosk::guides, kiosk::preview, cases::open, cases::change_stage, cases::by_receipt, cases::lookup,
        citizen_codes::issue, citizen_codes::resolve,
        lawyer::set_status, lawyer::inbox, lawyer::stats, lawyer::history, consultations::create, consultations::get_one,
        consultations::post_message, consultations::pickup, consultations::close, consultations::rate, consultations::ws,
        lawyer_report_archive::archive, lawyer_report_archive::archived,
        lawyer_words::list_actions, lawyer_words::get_action, lawyer_words::review, lawyer_words::appeal,
        lawyer_words::decide_appeal, lawyer_words::stats, lawyer_words::reload,
        lawyer_people::own_profile, lawyer_people::profile, lawyer_people::admit, lawyer_people::get_admission,
        lawyer_people::decide_probation, lawyer_people::add_training, lawyer_people::list_trainings,
        lawyer_import::import,
        mediation::book, mediation::list, mediation::get_one, mediation::verify, mediation::assign, mediation::accept,
        mediation::decline,
        mediation::join, mediation::rate, video::signal,
        lawyer_quality::file_complaint, lawyer_quality::complaints, lawyer_quality::flag_complaint, lawyer_quality::tasks,
        lawyer_quality::my_tasks, lawyer_quality::complete_task, lawyer_quality::qc::queue, lawyer_quality::qc::review,
        lawyer_quality::qc::alerts_in_range, lawyer_quality::qc::my_qc, lawyer_reports::report,
        halls::get_config, halls::put_config, halls::snapshot, halls::city_events, halls::hall_events,
        access::login, access::logout, access::enrollment_code, access::enroll, access::set_password,
        sync::push, sync::pull, sync::blob_status, sync::blob_put, sync::blob_get,
        healthz, readyz, metrics,
    ),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&SecurityAddon),
)]
pub struct ApiDoc;

/// The OpenAPI document served at `/api/v1/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

struct SecurityAddon;

impl utoipa::Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "session",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        c.add_security_scheme(
            "consultation_token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "x-consultation-token",
                "the citizen's key to one consultation, returned when it is created",
            ))),
        );
        c.add_security_scheme(
            "device_signature",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "x-signature",
                "hex HMAC-SM3 with the device key over METHOD\\nPATH?QUERY\\nhex(SM3(body))\\nX-Timestamp\\nX-Nonce; with x-device-id, x-timestamp (ms), x-nonce",
            ))),
        );
    }
}

pub fn router(app: Arc<AppState>) -> Router {
    let api = Router::new()
        .route("/tickets", post(tickets::issue))
        .route("/tickets/status/{token}", get(tickets::status_by_token))
        .route("/tickets/{id}", get(tickets::get_ticket))
        .route("/tickets/{id}/void", post(tickets::void))
        .route("/tickets/{id}/transfer", post(tickets::transfer))
        .route("/tickets/{id}/rating", post(tickets::rate))
        .route("/tickets/{id}/citizen", post(tickets::attach_citizen))
        .route("/tickets/{id}/evidence", get(tickets::evidence))
        .route("/windows/{id}/panel", get(counter::panel))
        .route("/staff/{id}/card", get(counter::staff_card))
        .route("/windows/{id}/call-next", post(windows::call_next))
        .route("/windows/{id}/call", post(windows::call_ticket))
        .route("/windows/{id}/recall", post(windows::recall))
        .route("/windows/{id}/start", post(windows::start))
        .route("/windows/{id}/finish", post(windows::finish))
        .route("/windows/{id}/no-show", post(windows::no_show))
        .route("/windows/{id}/park", post(windows::park))
        .route("/windows/{id}/open", post(windows::open))
        .route("/windows/{id}/pause", post(windows::pause))
        .route("/windows/{id}/close", post(windows::close))
        .route("/windows/{id}/sign-in", post(windows::sign_in))
        .route("/windows/{id}/sign-out", post(windows::sign_out))
        .route("/halls/{hall}/items/{item}/slots", get(appointments::slots))
        .route("/appointments", post(appointments::book))
        .route("/appointments/by-code/{code}", get(appointments::by_code))
        .route("/appointments/lookup", post(appointments::lookup))
        .route("/halls/{hall}/guides", get(kiosk::guides))
        .route("/halls/{hall}/items/{item}/preview", get(kiosk::preview))
        .route("/cases", post(cases::open))
        .route("/cases/lookup", post(cases::lookup))
        .route("/cases/by-receipt/{receipt}", get(cases::by_receipt))
        .route("/cases/{id}/stages", post(cases::change_stage))
        .route("/citizen-codes", post(citizen_codes::issue))
        .route("/citizen-codes/resolve", post(citizen_codes::resolve))
        .route("/appointments/{id}/cancel", post(appointments::cancel))
        .route("/appointments/{id}/reschedule", post(appointments::reschedule))
        .route("/appointments/{id}/check-in", post(appointments::check_in))
        .route("/lawyer/status", axum::routing::put(lawyer::set_status))
        .route("/lawyer/inbox", get(lawyer::inbox))
        .route("/lawyer/stats", get(lawyer::stats))
        .route("/lawyer/consultations", get(lawyer::history))
        .route("/consultations", post(consultations::create))
        .route("/consultations/{id}", get(consultations::get_one))
        .route("/consultations/{id}/messages", post(consultations::post_message))
        .route("/consultations/{id}/pickup", post(consultations::pickup))
        .route("/consultations/{id}/close", post(consultations::close))
        .route("/consultations/{id}/rating", post(consultations::rate))
        .route("/consultations/{id}/ws", get(consultations::ws))
        .route("/lawyer-reports/archive", get(lawyer_report_archive::archive))
        .route("/lawyer-reports/archive/{name}", get(lawyer_report_archive::archived))
        .route("/lawyer-words/actions", get(lawyer_words::list_actions))
        .route("/lawyer-words/actions/{id}", get(lawyer_words::get_action))
        .route("/lawyer-words/actions/{id}/review", post(lawyer_words::review))
        .route("/lawyer-words/actions/{id}/appeal", post(lawyer_words::appeal))
        .route(
            "/lawyer-words/actions/{id}/appeal-decision",
            post(lawyer_words::decide_appeal),
        )
        .route("/lawyer-words/stats", get(lawyer_words::stats))
        .route("/lawyer-words/reload", post(lawyer_words::reload))
        .route("/lawyer/profile", get(lawyer_people::own_profile))
        .route("/lawyer/profiles/{staff_id}", get(lawyer_people::profile))
        .route("/lawyer/admissions", post(lawyer_people::admit))
        .route("/lawyer/admissions/{staff_id}", get(lawyer_people::get_admission))
        .route(
            "/lawyer/admissions/{staff_id}/probation",
            post(lawyer_people::decide_probation),
        )
        .route(
            "/lawyer/trainings",
            get(lawyer_people::list_trainings).post(lawyer_people::add_training),
        )
        .route("/lawyer-import/{table}", post(lawyer_import::import))
        .route("/consultations/{id}/signal", get(video::signal))
        .route("/mediations", post(mediation::book).get(mediation::list))
        .route("/mediations/{id}", get(mediation::get_one))
        .route("/mediations/{id}/verify", post(mediation::verify))
        .route("/mediations/{id}/assign", post(mediation::assign))
        .route("/mediations/{id}/accept", post(mediation::accept))
        .route("/mediations/{id}/decline", post(mediation::decline))
        .route("/mediations/{id}/join", post(mediation::join))
        .route("/mediations/{id}/rating", post(mediation::rate))
        .route("/lawyer/tasks", get(lawyer_quality::my_tasks))
        .route("/lawyer/qc", get(lawyer_quality::qc::my_qc))
        .route(
            "/lawyer-quality/complaints",
            get(lawyer_quality::complaints).post(lawyer_quality::file_complaint),
        )
        .route(
            "/lawyer-quality/complaints/{id}/sensitive",
            axum::routing::put(lawyer_quality::flag_complaint),
        )
        .route("/lawyer-quality/tasks", get(lawyer_quality::tasks))
        .route(
            "/lawyer-quality/tasks/{id}/complete",
            post(lawyer_quality::complete_task),
        )
        .route("/lawyer-quality/qc/queue", get(lawyer_quality::qc::queue))
        .route("/lawyer-quality/qc/{id}/review", post(lawyer_quality::qc::review))
        .route("/lawyer-quality/alerts", get(lawyer_quality::qc::alerts_in_range))
        .route("/lawyer-reports", get(lawyer_reports::report))
        .route("/config", get(halls::get_config).put(halls::put_config))
        .route("/halls/{hall}/snapshot", get(halls::snapshot))
        .route("/halls/{hall}/devices", get(devices::hall_devices))
        .route("/events", get(halls::city_events))
        .route("/halls/{hall}/events", get(halls::hall_events))
        .route("/sessions", post(access::login))
        .route("/sessions/current", axum::routing::delete(access::logout))
        .route("/devices/enrollment-codes", post(access::enrollment_code))
        .route("/devices/enroll", post(access::enroll))
        .route("/staff/{id}/password", axum::routing::put(access::set_password))
        .route("/sync/push", post(sync::push))
        .route("/sync/pull", get(sync::pull))
        .route("/blobs/{digest}/status", get(sync::blob_status))
        .route("/blobs/{digest}", get(sync::blob_get).put(sync::blob_put))
        .route("/openapi.json", get(openapi_json))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(app.clone(), crate::caller::authenticate));
    Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/consult", get(web::consult_page))
        .route("/consult/app.js", get(web::consult_js))
        .route("/consult/app.css", get(web::consult_css))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(app.clone(), observe))
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .with_state(app)
}

async fn not_found() -> crate::error::ApiError {
    crate::error::ApiError::new(
        StatusCode::NOT_FOUND,
        "no_route",
        "no such endpoint; see /api/v1/openapi.json",
    )
}

/// Counts requests and logs them (path template only: ids and tokens stay out of the logs).
async fn observe(State(app): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "-".to_owned(), |p| p.as_str().to_owned());
    let started = std::time::Instant::now();
    let resp = next.run(req).await;
    let status = resp.status().as_u16();
    app.engine
        .shared
        .metrics
        .http_requests
        .get_or_create(&HttpLabels {
            method: method.clone(),
            status,
        })
        .inc();
    tracing::debug!(%method, %route, status, micros = started.elapsed().as_micros() as u64, "request");
    resp
}

async fn openapi_json() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        openapi().to_pretty_json().unwrap_or_default(),
    )
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
