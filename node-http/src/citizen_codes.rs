//! One-code-service citizen codes (一码通办): tender 2844–2862 "建设一码通办服务系统 … (1) 扫码登录。需要具备
//! 用户在线下一码通办服务窗口办事，通过一码通办窗口扫码登录，替代身份证读取登录". The citizen shows a QR code
//! from the city's app at a kiosk or a window instead of the ID card; the code stands for the ID number
//! (and name) for a few minutes. It is resolved here (`/citizen-codes/resolve`, masked), and taken by
//! `POST /tickets` (`citizen_code`, the same sealed citizen and elderly priority as with the card) and by
//! the appointment and case lookups (`citizen_code` instead of `id_number`).
//!
//! The store keeps only the SM3 of the code, the keyed digest of the ID number (as appointments and
//! cases do), the SM4-sealed number and name (as tickets do) and the birth date.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::Millis;
use domain::config::Role;
use domain::ids::HallId;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::caller::Caller;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;
pub use hall_api::citizen_codes::{IssueCodeRequest, IssueCodeResponse, ResolveRequest, ResolvedCitizen};
use node_core::crypto::{mask_id_number, mask_name};

/// This area's routes, each registered once with its OpenAPI description (paths relative to `/api/v1`).
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new().routes(routes!(issue)).routes(routes!(resolve))
}

/// Staff who serve citizens: they may issue a code (standing in for the city app) and resolve one.
const SERVERS: [Role; 3] = [Role::Admin, Role::HallManager, Role::WindowStaff];
pub use node_core::service::citizens::{CODE_PREFIX, CodeCitizen, DEFAULT_TTL_MINUTES, MAX_TTL_MINUTES};

/// The citizen a code stands for (`node_core::service::citizens::resolve_code`), as the API answers:
/// 422 `invalid`, 404 `not_found`, 410 `expired`, each naming `field`.
pub async fn resolve_code(app: &AppState, code: &str, field: &str) -> Result<CodeCitizen, ApiError> {
    Ok(node_core::service::citizens::resolve_code(app, code, field).await?)
}

/// The keyed digest of the citizen a lookup names, by ID number or citizen code (exactly one).
pub async fn citizen_key_of(
    app: &AppState,
    id_number: Option<&str>,
    citizen_code: Option<&str>,
) -> Result<String, ApiError> {
    Ok(node_core::service::citizens::citizen_key_of(app, id_number, citizen_code).await?)
}

/// Issue a citizen code (一码通办, tender 2844–2862 "(1) 扫码登录…替代身份证读取登录") for an ID number. The
/// real issuer is the city's app, which is out of scope here: on this node the staff who serve citizens
/// (window staff, hall managers, admins) issue codes, e.g. for a citizen without the app, for tests and
/// for the demo. Recorded through the writer as a `citizen_code_issued` audit row (no code, no citizen).
#[utoipa::path(post, path = "/citizen-codes", request_body = IssueCodeRequest,
    responses((status = 201, body = IssueCodeResponse), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn issue(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    ApiJson(req): ApiJson<IssueCodeRequest>,
) -> Result<(StatusCode, Json<IssueCodeResponse>), ApiError> {
    // No device kind: a kiosk or terminal alone is refused (403), not asked to sign in.
    caller.staff_or_device(&SERVERS, &[])?;
    let actor = node_core::engine::actor_str(&caller.actor());
    let out = issue_code(&app, &actor, &req.id_number, req.name.as_deref(), req.ttl_minutes).await?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// Checks the input, seals the citizen and records a new code (also used by the demo). Errors name
/// `id_number`, `name` or `ttl_minutes`.
pub async fn issue_code(
    app: &AppState,
    actor: &str,
    id_number: &str,
    name: Option<&str>,
    ttl_minutes: Option<u32>,
) -> Result<IssueCodeResponse, ApiError> {
    let out = node_core::service::citizens::issue_code(app, actor, id_number, name, ttl_minutes).await?;
    Ok(IssueCodeResponse {
        code: out.code,
        expires_at: Millis(out.expires_at),
    })
}

/// Who a scanned citizen code (一码通办, tender 2844–2862 "(1) 扫码登录…替代身份证读取登录") stands for: the
/// masked name and number, age and whether the hall's elderly priority applies — what a kiosk or window
/// shows before it takes a ticket or looks bookings and cases up with the code. Kiosks and window
/// terminals of the hall, and its staff. Unknown code: 404 `not_found`; expired or revoked: 410
/// `expired` (both with field `code`).
#[utoipa::path(post, path = "/citizen-codes/resolve", request_body = ResolveRequest,
    responses((status = 200, body = ResolvedCitizen), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 410, description = "expired or revoked", body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("device_signature" = []), ("session" = [])))]
pub async fn resolve(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    ApiJson(req): ApiJson<ResolveRequest>,
) -> Result<Json<ResolvedCitizen>, ApiError> {
    caller.staff_or_device(&SERVERS, &["kiosk", "window_terminal"])?;
    let hall = HallId::new(req.hall_id);
    caller.in_hall(&hall)?;
    let (offset, rules) = {
        let cfg = app.engine.shared.cfg.read();
        let hc = cfg.hall(&hall).ok_or_else(|| ApiError::not_found("hall", "hall_id"))?;
        (hc.utc_offset_minutes, hc.priority.clone())
    };
    let who = resolve_code(&app, &req.code, "code").await?;
    let open = |v: &Option<String>| v.as_deref().and_then(|x| app.sealer.open(x).ok());
    let id = open(&who.sealed.id_number).ok_or_else(|| ApiError::internal("stored citizen code: sealed number"))?;
    let today = Millis((app.clock)()).business_day(offset).date();
    Ok(Json(ResolvedCitizen {
        name_masked: open(&who.sealed.name).as_deref().map(mask_name),
        id_masked: mask_id_number(&id),
        age: who.birth.age_on(today),
        elderly: rules.elderly(who.birth, today),
        birth: who.birth.to_string(),
        expires_at: Millis(who.expires_at),
    }))
}
