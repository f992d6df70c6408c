//! The citizens' web page for legal consultation (issue 7: "the citizen asks from a kiosk or a web
//! page"): plain HTML, CSS and JavaScript compiled into the binary, talking to the same public API
//! as any other client (`POST /api/v1/consultations`, the chat WebSocket). Served with a strict
//! content security policy: nothing but this origin's scripts, styles and sockets.

use std::sync::Arc;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

const HTML: &str = include_str!("../assets/web/consult.html");
const JS: &str = include_str!("../assets/web/consult.js");
const CSS: &str = include_str!("../assets/web/consult.css");

/// `connect-src 'self'` covers the page's own `ws:`/`wss:` origin in current browsers; older WebKit
/// needs the scheme spelled out, hence `ws: wss:` beside it.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; \
                   img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The page's routes, at the root. Not in the OpenAPI document: they are a client of the API, not part of it.
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .route("/consult", get(consult_page))
        .route("/consult/app.js", get(consult_js))
        .route("/consult/app.css", get(consult_css))
}

fn page(content_type: &'static str, body: &'static str) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    r
}

pub async fn consult_page() -> Response {
    page("text/html; charset=utf-8", HTML)
}

pub async fn consult_js() -> Response {
    page("text/javascript; charset=utf-8", JS)
}

pub async fn consult_css() -> Response {
    page("text/css; charset=utf-8", CSS)
}
