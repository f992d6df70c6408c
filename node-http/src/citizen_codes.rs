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
use domain::time::Date;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::appointments::citizen_key;
use super::views::{SealedCitizen, parse_day};
use crate::caller::Caller;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;
pub use hall_api::citizen_codes::{IssueCodeRequest, IssueCodeResponse, ResolveRequest, ResolvedCitizen};
use node_core::crypto::{mask_id_number, mask_name};
use node_core::store::Record;
use node_core::store::citizen_codes::CitizenCode;

/// This area's routes, each registered once with its OpenAPI description (paths relative to `/api/v1`).
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new().routes(routes!(issue)).routes(routes!(resolve))
}

/// Staff who serve citizens: they may issue a code (standing in for the city app) and resolve one.
const SERVERS: [Role; 3] = [Role::Admin, Role::HallManager, Role::WindowStaff];
/// Every code this node issues starts with this (version 1 of the format).
pub const CODE_PREFIX: &str = "YM1-";
/// How long a code lives unless asked otherwise (the city app refreshes it on screen).
pub const DEFAULT_TTL_MINUTES: u32 = 5;
/// The longest a code may live (one day).
pub const MAX_TTL_MINUTES: u32 = 24 * 60;
/// Longest code accepted for resolving (codes are opaque; this only bounds the input).
const MAX_CODE_LEN: usize = 64;

/// A valid code's citizen, for the handlers that take a code instead of an ID card.
#[derive(Debug, Clone)]
pub struct CodeCitizen {
    /// The keyed digest of the ID number (what appointments and cases are found by).
    pub citizen_key: String,
    /// The sealed number and name, exactly as a ticket issued with the ID card seals them.
    pub sealed: SealedCitizen,
    pub birth: Date,
    pub expires_at: i64,
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
    let ttl = ttl_minutes.unwrap_or(DEFAULT_TTL_MINUTES);
    if ttl == 0 || ttl > MAX_TTL_MINUTES {
        return Err(ApiError::invalid(
            "ttl_minutes",
            format!("expected 1 … {MAX_TTL_MINUTES} minutes"),
        ));
    }
    let mut sealed = SealedCitizen::default();
    let parsed = super::tickets::seal_id_card(app, id_number, name, ("id_number", "name"), &mut sealed)?;
    let citizen_key = citizen_key(app, id_number)?;
    let sealed = serde_json::to_string(&sealed).map_err(|e| ApiError::internal(e.to_string()))?;
    let code = format!(
        "{CODE_PREFIX}{}",
        hex::encode_upper(node_core::crypto::random_bytes::<12>())
    );
    let expires_at = (app.clock)() + i64::from(ttl) * 60_000;
    let record = Record::CitizenCodeIssued(CitizenCode {
        code_hash: code_hash(&code),
        citizen_key,
        sealed,
        birth: parsed.birth.to_string(),
        expires_at,
    });
    app.engine.record("", actor, record).await?;
    Ok(IssueCodeResponse {
        code,
        expires_at: Millis(expires_at),
    })
}

/// What is stored for a code: the SM3 of its trimmed, upper-case spelling.
fn code_hash(code: &str) -> String {
    node_core::crypto::sm3_hex(code.trim().to_ascii_uppercase().as_bytes())
}

/// The citizen a code stands for. Errors name `field`: 422 `invalid` (not a code at all), 404
/// `not_found` (no such code), 410 `expired` (expired or revoked).
pub async fn resolve_code(app: &AppState, code: &str, field: &str) -> Result<CodeCitizen, ApiError> {
    let c = code.trim();
    if c.is_empty() || c.len() > MAX_CODE_LEN || !c.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::invalid(
            field,
            "不是一码通办码 / not a citizen code: 1–64 printable characters",
        ));
    }
    let hash = code_hash(c);
    let reader = app.reader.clone();
    let row = tokio::task::spawn_blocking(move || reader.citizen_code(&hash))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "未找到该一码通办码，请刷新后重新出示 / no such citizen code",
            )
            .field(field)
        })?;
    let gone = |message: &str| Err(ApiError::new(StatusCode::GONE, "expired", message).field(field));
    if row.revoked {
        return gone("该一码通办码已作废，请刷新后重新出示 / the citizen code was revoked");
    }
    if (app.clock)() >= row.expires_at {
        return gone("该一码通办码已过期，请刷新后重新出示 / the citizen code has expired");
    }
    let sealed: SealedCitizen =
        serde_json::from_str(&row.sealed).map_err(|e| ApiError::internal(format!("stored citizen code: {e}")))?;
    let birth = parse_day(&row.birth)
        .ok_or_else(|| ApiError::internal("stored citizen code: birth date"))?
        .date();
    Ok(CodeCitizen {
        citizen_key: row.citizen_key,
        sealed,
        birth,
        expires_at: row.expires_at,
    })
}

/// The keyed digest of the citizen a lookup names: by `id_number` (the ID card) or by `citizen_code`
/// (一码通办), exactly one of them. Neither names `id_number`, both name `citizen_code`.
pub async fn citizen_key_of(
    app: &AppState,
    id_number: Option<&str>,
    citizen_code: Option<&str>,
) -> Result<String, ApiError> {
    match (id_number, citizen_code) {
        (Some(_), Some(_)) => Err(ApiError::invalid(
            "citizen_code",
            "give either id_number or citizen_code, not both",
        )),
        (None, None) => Err(ApiError::invalid(
            "id_number",
            "give id_number (the ID card) or citizen_code (一码通办)",
        )),
        (Some(n), None) => citizen_key(app, n),
        (None, Some(c)) => Ok(resolve_code(app, c, "citizen_code").await?.citizen_key),
    }
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
