//! Who is calling. Devices sign every request (HMAC-SM3 over method, path, SM3 of the body, time and
//! nonce; stale or replayed requests are refused). Staff sign in with a password (argon2) and carry a
//! session token; a session opened from a device is bound to it and only valid with its signature.

use std::collections::HashMap;
use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use domain::Actor;
use domain::config::Role;
use domain::ids::{DeviceId, HallId, StaffId};
use parking_lot::{Mutex, RwLock};
use zeroize::Zeroizing;

use crate::app::AppState;
use crate::crypto;
use crate::error::ApiError;

/// How far a device's clock may be from ours before its requests are refused as stale.
pub const MAX_SKEW_MS: i64 = 5 * 60 * 1000;
pub const SESSION_TTL_MS: i64 = 12 * 60 * 60 * 1000;
pub const MAX_BODY: usize = 1024 * 1024;

pub const DEVICE_KINDS: [&str; 6] = [
    "kiosk",
    "window_terminal",
    "evaluator",
    "hall_display",
    "command_wall",
    crate::api::sync::HALL_NODE_KIND,
];

#[derive(Debug)]
pub struct DeviceCtx {
    pub id: DeviceId,
    pub hall_id: HallId,
    pub kind: String,
    pub letter: String,
    key: Zeroizing<Vec<u8>>,
}

#[derive(Debug)]
pub struct StaffCtx {
    pub id: StaffId,
    pub login: String,
    pub roles: Vec<Role>,
    pub hall_id: Option<HallId>,
    pub token_hash: String,
    pub device: Option<String>,
    pub expires_at: i64,
}

impl StaffCtx {
    pub fn has(&self, roles: &[Role]) -> bool {
        self.roles.iter().any(|r| roles.contains(r))
    }
}

/// The authenticated caller of one request (both parts optional; handlers demand what they need).
#[derive(Debug, Clone, Default)]
pub struct Caller {
    pub device: Option<Arc<DeviceCtx>>,
    pub staff: Option<Arc<StaffCtx>>,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Caller>().cloned().unwrap_or_default())
    }
}

impl Caller {
    /// A signed-in person with one of `roles`.
    pub fn staff(&self, roles: &[Role]) -> Result<&StaffCtx, ApiError> {
        let s = self
            .staff
            .as_deref()
            .ok_or_else(|| ApiError::unauthorized("sign in first (Authorization: Bearer <session token>)"))?;
        if !s.has(roles) {
            let need: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            return Err(ApiError::forbidden(format!(
                "this needs one of the roles: {}",
                need.join(", ")
            )));
        }
        Ok(s)
    }

    /// A person with one of `roles`, or an enrolled device of one of `kinds`.
    pub fn staff_or_device(&self, roles: &[Role], kinds: &[&str]) -> Result<(), ApiError> {
        if let Some(d) = &self.device
            && self.staff.is_none()
        {
            return if kinds.contains(&d.kind.as_str()) {
                Ok(())
            } else {
                Err(ApiError::forbidden(format!("a {} device may not do this", d.kind)))
            };
        }
        if self.staff.is_none() && self.device.is_none() {
            return Err(ApiError::unauthorized(
                "sign the request with a device key or sign in first",
            ));
        }
        self.staff(roles).map(|_| ())
    }

    /// Whether the caller may act in `hall`: admins and city-wide staff anywhere; hall staff and
    /// devices only in their own hall.
    pub fn in_hall(&self, hall: &HallId) -> Result<(), ApiError> {
        if let Some(s) = &self.staff {
            return match &s.hall_id {
                None => Ok(()),
                Some(h) if h == hall => Ok(()),
                Some(h) => Err(ApiError::forbidden(format!("you work in hall {h}, not {hall}"))),
            };
        }
        match &self.device {
            Some(d) if &d.hall_id == hall => Ok(()),
            Some(d) => Err(ApiError::forbidden(format!(
                "this device belongs to hall {}, not {hall}",
                d.hall_id
            ))),
            None => Err(ApiError::unauthorized("not signed in")),
        }
    }

    pub fn actor(&self) -> Actor {
        match (&self.staff, &self.device) {
            (Some(s), _) => Actor::Staff(s.id.clone()),
            (None, Some(d)) => Actor::Device(d.id.clone()),
            (None, None) => Actor::Citizen,
        }
    }
}

/// Caches of device keys and sessions, and the nonces seen within the skew window.
#[derive(Default)]
pub struct AuthCache {
    devices: RwLock<HashMap<String, Arc<DeviceCtx>>>,
    sessions: RwLock<HashMap<String, Arc<StaffCtx>>>,
    nonces: Mutex<Nonces>,
}

/// Nonces seen, with when. Entries older than twice the skew window can never match an acceptable
/// request again and are pruned — but only when the memory has grown past `prune_above`, so that a
/// steady stream of signed requests (more than 100,000 live nonces) costs amortised O(1) per request
/// instead of a full sweep of the map on every one.
#[derive(Default)]
struct Nonces {
    seen: HashMap<(String, String), i64>,
    prune_above: usize,
}

const NONCE_PRUNE_MIN: usize = 100_000;

impl AuthCache {
    pub fn forget_session(&self, token_hash: &str) {
        self.sessions.write().remove(token_hash);
    }
    /// After a configuration change roles may differ: sessions are re-read on next use.
    pub fn forget_all_sessions(&self) {
        self.sessions.write().clear();
    }

    /// Records a nonce; false if it was already used within the window (a replay).
    fn fresh_nonce(&self, device: &str, nonce: &str, now: i64) -> bool {
        let mut n = self.nonces.lock();
        if n.seen.len() > n.prune_above.max(NONCE_PRUNE_MIN) {
            n.seen.retain(|_, t| *t > now - 2 * MAX_SKEW_MS);
            // Sweep again only once the memory has doubled (what is left is all still live).
            n.prune_above = n.seen.len() * 2;
        }
        n.seen.insert((device.to_owned(), nonce.to_owned()), now).is_none()
    }
}

pub use protocol::sign::string_to_sign;

pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::internal(format!("password hashing failed: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

fn header<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

/// Middleware: buffers the body (needed for the signature), authenticates, and puts a [`Caller`] into
/// the request. Requests without credentials pass through as anonymous; handlers refuse them.
pub async fn authenticate(State(app): State<Arc<AppState>>, req: Request, next: Next) -> Result<Response, ApiError> {
    let (mut parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| {
        ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("bodies are limited to {MAX_BODY} bytes"),
        )
    })?;
    let now = (app.clock)();
    let mut caller = Caller::default();
    if let Some(id) = header(&parts, "x-device-id") {
        caller.device = Some(verify_device(&app, &parts, id, &bytes, now).await?);
    }
    let token = header(&parts, "authorization")
        .and_then(|v| v.strip_prefix("Bearer ").map(str::to_owned))
        .or_else(|| {
            // EventSource cannot set headers: live feeds also take ?access_token=.
            parts
                .uri
                .path()
                .ends_with("/events")
                .then(|| query_param(parts.uri.query(), "access_token"))
                .flatten()
        });
    if let Some(token) = token {
        let s = verify_session(&app, &token, now).await?;
        if let Some(bound) = &s.device
            && caller.device.as_ref().is_none_or(|d| d.id.as_str() != bound)
        {
            return Err(ApiError::unauthorized(format!(
                "this session was opened on device {bound}; its requests must be signed by that device"
            )));
        }
        caller.staff = Some(s);
    }
    parts.extensions.insert(caller);
    Ok(next
        .run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await)
}

fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?
        .split('&')
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('=').map(str::to_owned))
}

async fn verify_device(
    app: &AppState,
    parts: &Parts,
    id: &str,
    body: &[u8],
    now: i64,
) -> Result<Arc<DeviceCtx>, ApiError> {
    let missing = |h: &str| ApiError::unauthorized(format!("signed requests need the {h} header")).field(h.to_owned());
    let ts_s = header(parts, "x-timestamp").ok_or_else(|| missing("x-timestamp"))?;
    let nonce = header(parts, "x-nonce").ok_or_else(|| missing("x-nonce"))?;
    let sig = header(parts, "x-signature").ok_or_else(|| missing("x-signature"))?;
    let ts: i64 = ts_s
        .parse()
        .map_err(|_| ApiError::unauthorized("x-timestamp: expected milliseconds since 1970").field("x-timestamp"))?;
    // Refuse anything signed before this process started: the nonce memory starts empty, so an older
    // request could otherwise be replayed across a restart. Devices re-sign on retry.
    if (now - ts).abs() > MAX_SKEW_MS || ts < app.started_at_ms {
        return Err(ApiError::new(
            axum::http::StatusCode::UNAUTHORIZED,
            "stale_request",
            format!(
                "request time {ts} is outside the accepted window (server time {now}); check the device clock and re-sign"
            ),
        ));
    }
    if !(8..=128).contains(&nonce.len()) {
        return Err(ApiError::unauthorized("x-nonce: expected 8–128 characters").field("x-nonce"));
    }
    let device = load_device(app, id).await?;
    let sig = hex::decode(sig).map_err(|_| ApiError::unauthorized("x-signature: expected hex").field("x-signature"))?;
    // Inside a nested router the URI has lost its prefix; sign and verify the path the device sent.
    let uri = parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map_or(&parts.uri, |o| &o.0);
    let path = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned());
    let signed = string_to_sign(parts.method.as_str(), &path, body, ts_s, nonce);
    if !crypto::hmac_sm3_verify(&device.key, signed.as_bytes(), &sig) {
        return Err(ApiError::new(
            axum::http::StatusCode::UNAUTHORIZED,
            "bad_signature",
            "the request signature does not match",
        ));
    }
    // Only a correctly signed request may consume a nonce, so nobody can burn a device's nonces.
    if !app.auth.fresh_nonce(id, nonce, now) {
        return Err(ApiError::new(
            axum::http::StatusCode::UNAUTHORIZED,
            "replayed_request",
            "this nonce was already used",
        ));
    }
    Ok(device)
}

async fn load_device(app: &AppState, id: &str) -> Result<Arc<DeviceCtx>, ApiError> {
    if let Some(d) = app.auth.devices.read().get(id) {
        return Ok(d.clone());
    }
    let reader = app.reader.clone();
    let key_id = id.to_owned();
    let row = tokio::task::spawn_blocking(move || reader.device(&key_id))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
    let row = row
        .filter(|r| !r.revoked)
        .ok_or_else(|| ApiError::unauthorized(format!("device {id} is not enrolled")))?;
    let key = app
        .sealer
        .open(&row.key_sealed)
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let key =
        Zeroizing::new(hex::decode(key.as_str()).map_err(|_| ApiError::internal("stored device key is malformed"))?);
    let d = Arc::new(DeviceCtx {
        id: DeviceId::new(row.id),
        hall_id: HallId::new(row.hall_id),
        kind: row.kind,
        letter: row.letter,
        key,
    });
    app.auth.devices.write().insert(id.to_owned(), d.clone());
    Ok(d)
}

async fn verify_session(app: &AppState, token: &str, now: i64) -> Result<Arc<StaffCtx>, ApiError> {
    let token_hash = crypto::sm3_hex(token.as_bytes());
    let cached = app.auth.sessions.read().get(&token_hash).cloned();
    let s = match cached {
        Some(s) => s,
        None => {
            let reader = app.reader.clone();
            let th = token_hash.clone();
            let row = tokio::task::spawn_blocking(move || reader.session(&th))
                .await
                .map_err(|e| ApiError::internal(e.to_string()))??;
            let row = row
                .filter(|r| !r.revoked)
                .ok_or_else(|| ApiError::unauthorized("the session is unknown or signed out"))?;
            let cfg = app.engine.shared.cfg.read().clone();
            let staff = cfg
                .staff(&StaffId::new(row.staff_id.clone()))
                .ok_or_else(|| ApiError::unauthorized("this account no longer exists"))?;
            let s = Arc::new(StaffCtx {
                id: staff.id.clone(),
                login: staff.login.clone(),
                roles: staff.roles.clone(),
                hall_id: staff.hall_id.clone(),
                token_hash: token_hash.clone(),
                device: row.device_id,
                expires_at: row.expires_at,
            });
            app.auth.sessions.write().insert(token_hash, s.clone());
            s
        }
    };
    if s.expires_at <= now {
        return Err(ApiError::unauthorized("the session has expired; sign in again"));
    }
    Ok(s)
}
