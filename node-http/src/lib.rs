//! HTTP API under `/api/v1`, JSON, described by the OpenAPI document at `/api/v1/openapi.json`.
//!
//! Each area's file has a `router()` that registers each of its routes once, together with the route's
//! `#[utoipa::path]` description (`utoipa-axum`'s `routes!`; paths relative to `/api/v1`). [`router`]
//! merges them under `/api/v1` and splits the document out of the merged router, so the document lists
//! exactly the routes served. Served but not documented, on purpose: the document itself and the
//! citizens' web page ([`web`]).

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
pub mod ops;
pub mod state;
pub mod sync;
pub mod tickets;
pub mod video;
pub mod views;
pub mod web;
pub mod windows;

use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;
use node_core::metrics::HttpLabels;

/// The document's head: what no route says (title, the shared error body, the security schemes). The
/// paths come from the routers ([`openapi`]).
#[derive(OpenApi)]
#[openapi(
    info(title = "Service hall node API", version = "1", description = "Queue, windows, appointments, live feeds and access for hall and city nodes. Errors are always {code, message, field}."),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&SecurityAddon),
)]
pub struct ApiDoc;

/// The routes of one area (or of all of them), with their OpenAPI descriptions.
pub type Routes = OpenApiRouter<Arc<AppState>>;

/// The OpenAPI document served at `/api/v1/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    documented(api()).into_openapi()
}

/// The areas under `/api/v1` (paths relative to it), each with the tag of its operations (its module
/// path), in the order of the hand-kept list they replace.
pub fn areas() -> Vec<(&'static str, Routes)> {
    vec![
        ("tickets", tickets::router()),
        ("counter", counter::router()),
        ("devices", devices::router()),
        ("windows", windows::router()),
        ("appointments", appointments::router()),
        ("kiosk", kiosk::router()),
        ("cases", cases::router()),
        ("citizen_codes", citizen_codes::router()),
        ("lawyer", lawyer::router()),
        ("consultations", consultations::router()),
        ("lawyer_report_archive", lawyer_report_archive::router()),
        ("lawyer_words", lawyer_words::router()),
        ("lawyer_people", lawyer_people::router()),
        ("lawyer_import", lawyer_import::router()),
        ("mediation", mediation::router()),
        ("video", video::router()),
        ("lawyer_quality", lawyer_quality::router()),
        ("lawyer_reports", lawyer_reports::router()),
        ("halls", halls::router()),
        ("access", access::router()),
        ("sync", sync::router()),
    ]
}

/// Every documented route under `/api/v1`. Merged from the last area to the first: where two areas'
/// types share a schema name, the later area's schema is the one in the document (`merge` keeps the
/// schema it already has), as it was with the hand-kept list; `tests/routes.rs` lists those clashes.
fn api() -> Routes {
    areas()
        .into_iter()
        .rev()
        .fold(OpenApiRouter::new(), |api, (tag, area)| api.merge(tagged(area, tag)))
}

/// `api` (the documented routes plus what the document does not show) under `/api/v1`, and the probes
/// at the root, outside `/api/v1` and its authentication, untagged.
fn documented(api: Routes) -> Routes {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", api)
        .merge(tagged(ops::router(), ""))
}

/// Tags each operation of `area` that has no tag of its own with `tag`, the area's module path: the
/// tag the `#[derive(OpenApi)]` list of paths gave them (`""`: none, but an empty list all the same).
pub(crate) fn tagged(mut area: Routes, tag: &str) -> Routes {
    for item in area.get_openapi_mut().paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            let tags = operation.tags.get_or_insert_with(Vec::new);
            if tags.is_empty() && !tag.is_empty() {
                tags.push(tag.to_owned());
            }
        }
    }
    area
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
    // The document comes out of the router below, which also serves it.
    let document = Arc::new(OnceLock::new());
    let served = document.clone();
    let api = api()
        .route("/openapi.json", get(move || openapi_json(served.clone())))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(app.clone(), crate::caller::authenticate));
    let (router, openapi) = documented(api)
        .merge(web::router())
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(app.clone(), observe))
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .split_for_parts();
    // Set once, here, before the router exists for anyone to call.
    let _ = document.set(openapi.to_pretty_json().unwrap_or_default());
    router.with_state(app)
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

async fn openapi_json(document: Arc<OnceLock<String>>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        document.get().cloned().unwrap_or_default(),
    )
}
