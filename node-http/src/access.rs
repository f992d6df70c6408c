//! Staff sessions, device enrollment and passwords.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::config::Role;
use domain::ids::HallId;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::caller::Caller;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;
pub use hall_api::access::{
    EnrollRequest, EnrollResponse, EnrollmentCodeRequest, EnrollmentCodeResponse, LoginRequest, PasswordRequest,
    SessionResponse,
};
use node_core::auth;
use node_core::crypto;
use node_core::store::Record;

/// This area's routes, each registered once with its OpenAPI description (paths relative to `/api/v1`).
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(enrollment_code))
        .routes(routes!(enroll))
        .routes(routes!(set_password))
}

/// Sign in with login and password.
#[utoipa::path(post, path = "/sessions", request_body = LoginRequest,
    responses((status = 201, body = SessionResponse), (status = 401, body = crate::error::ErrorBody)))]
pub async fn login(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<(StatusCode, Json<SessionResponse>), ApiError> {
    open_session(&app, &caller, &req.login, &req.password)
        .await
        .map(|s| (StatusCode::CREATED, Json(s)))
}

pub async fn open_session(
    app: &Arc<AppState>,
    caller: &Caller,
    login: &str,
    password: &str,
) -> Result<SessionResponse, ApiError> {
    let s = node_core::service::access::open_session(app, caller.device.as_deref(), login, password).await?;
    Ok(SessionResponse {
        token: s.token,
        staff_id: s.staff.id.to_string(),
        name: s.staff.name.clone(),
        roles: s.staff.roles.clone(),
        hall_id: s.staff.hall_id.as_ref().map(ToString::to_string),
        expires_at: s.expires_at,
        device_id: s.device_id,
    })
}

/// Sign out (the token stops working at once).
#[utoipa::path(delete, path = "/sessions/current", responses((status = 204), (status = 401, body = crate::error::ErrorBody)), security(("session" = [])))]
pub async fn logout(State(app): State<Arc<AppState>>, caller: Caller) -> Result<StatusCode, ApiError> {
    let s = caller.staff(&Role::ALL)?;
    app.engine
        .record(
            "",
            format!("staff:{}", s.id),
            Record::SessionClosed {
                token_hash: s.token_hash.clone(),
            },
        )
        .await?;
    app.auth.forget_session(&s.token_hash);
    Ok(StatusCode::NO_CONTENT)
}

/// Issue a one-time enrollment code for a new device.
#[utoipa::path(post, path = "/devices/enrollment-codes", request_body = EnrollmentCodeRequest,
    responses((status = 201, body = EnrollmentCodeResponse), (status = 403, body = crate::error::ErrorBody)), security(("session" = [])))]
pub async fn enrollment_code(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    ApiJson(req): ApiJson<EnrollmentCodeRequest>,
) -> Result<(StatusCode, Json<EnrollmentCodeResponse>), ApiError> {
    let s = caller.staff(&[Role::Admin, Role::HallManager])?;
    let hall = HallId::new(req.hall_id.clone());
    caller.in_hall(&hall)?;
    app.engine
        .shared
        .cfg
        .read()
        .hall(&hall)
        .ok_or_else(|| ApiError::not_found("hall", "hall_id"))?;
    if !auth::DEVICE_KINDS.contains(&req.kind.as_str()) {
        return Err(ApiError::invalid(
            "kind",
            format!("expected one of {}", auth::DEVICE_KINDS.join(", ")),
        ));
    }
    let ttl = req.ttl_minutes.unwrap_or(60);
    if ttl == 0 || ttl > 7 * 24 * 60 {
        return Err(ApiError::invalid("ttl_minutes", "expected 1 … 10080 minutes"));
    }
    // Short enough to type, long enough (40 bits, one use, expiring) not to be guessed.
    let raw = crypto::random_bytes::<5>();
    let code = base32(&raw);
    let expires_at = (app.clock)() + i64::from(ttl) * 60_000;
    app.engine
        .record(
            req.hall_id,
            format!("staff:{}", s.id),
            Record::EnrollmentCode {
                code_hash: crypto::sm3_hex(code.as_bytes()),
                hall_id: hall.to_string(),
                kind: req.kind,
                expires_at,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(EnrollmentCodeResponse { code, expires_at })))
}

fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bits: u64 = 0;
    for b in bytes {
        bits = (bits << 8) | u64::from(*b);
    }
    let n = bytes.len() * 8 / 5;
    (0..n)
        .rev()
        .map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char)
        .collect()
}

/// Enroll a device with a one-time code; returns its key.
#[utoipa::path(post, path = "/devices/enroll", request_body = EnrollRequest,
    responses((status = 201, body = EnrollResponse), (status = 409, description = "code unknown, used or expired", body = crate::error::ErrorBody)))]
pub async fn enroll(
    State(app): State<Arc<AppState>>,
    ApiJson(req): ApiJson<EnrollRequest>,
) -> Result<(StatusCode, Json<EnrollResponse>), ApiError> {
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(ApiError::invalid("name", "expected 1–64 characters"));
    }
    let code_hash = crypto::sm3_hex(req.code.trim().to_uppercase().as_bytes());
    let reader = app.reader.clone();
    let ch = code_hash.clone();
    let found = tokio::task::spawn_blocking(move || reader.enrollment_code(&ch))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
    let Some((hall_id, kind, expires_at, used)) = found else {
        return Err(
            ApiError::new(StatusCode::CONFLICT, "bad_enrollment_code", "unknown enrollment code").field("code"),
        );
    };
    if used || expires_at <= (app.clock)() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "bad_enrollment_code",
            "this enrollment code was already used or has expired",
        )
        .field("code"));
    }
    let device_id = format!("dev-{}", uuid::Uuid::now_v7().simple());
    let key = hex::encode(crypto::random_bytes::<32>());
    app.engine
        .record(
            hall_id.clone(),
            format!("device:{device_id}"),
            Record::DeviceEnrolled {
                device_id: device_id.clone(),
                code_hash,
                hall_id: hall_id.clone(),
                kind: kind.clone(),
                name: name.to_owned(),
                // A kiosk's letter is chosen by the writer (see `Writer::record`).
                letter: String::new(),
                key_sealed: app.sealer.seal(&key),
            },
        )
        .await?;
    let reader = app.reader.clone();
    let id = device_id.clone();
    let letter = tokio::task::spawn_blocking(move || reader.device(&id))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??
        .map(|d| d.letter)
        .unwrap_or_default();
    Ok((
        StatusCode::CREATED,
        Json(EnrollResponse {
            device_id,
            key,
            hall_id,
            kind,
            letter: (!letter.is_empty()).then_some(letter),
        }),
    ))
}

/// Set a staff member's password (admins).
#[utoipa::path(put, path = "/staff/{id}/password", params(("id" = String, Path)), request_body = PasswordRequest,
    responses((status = 204), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)), security(("session" = [])))]
pub async fn set_password(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<PasswordRequest>,
) -> Result<StatusCode, ApiError> {
    let s = caller.staff(&[Role::Admin])?;
    let actor = format!("staff:{}", s.id);
    set_staff_password(&app, &actor, &id, &req.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Also here for the harnesses that seed accounts (the use case is the service's).
pub use node_core::service::access::set_password_hash;

pub async fn set_staff_password(app: &AppState, actor: &str, staff_id: &str, password: &str) -> Result<(), ApiError> {
    Ok(node_core::service::access::set_staff_password(app, actor, staff_id, password).await?)
}
