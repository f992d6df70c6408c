//! Who is calling. Devices sign every request (HMAC-SM3 over method, path, SM3 of the body, time and
//! nonce; stale or replayed requests are refused). Staff sign in with a password (argon2) and carry a
//! session token; a session opened from a device is bound to it and only valid with its signature.

use std::collections::HashMap;
use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use domain::config::Role;
use domain::ids::{DeviceId, HallId, StaffId};
use parking_lot::{Mutex, RwLock};
use zeroize::Zeroizing;

use crate::crypto;
use crate::error::{Kind, NodeError};
use crate::node::Node;

/// How far a device's clock may be from ours before its requests are refused as stale.
pub const MAX_SKEW_MS: i64 = 5 * 60 * 1000;
pub const SESSION_TTL_MS: i64 = 12 * 60 * 60 * 1000;
pub const MAX_BODY: usize = 1024 * 1024;

/// The device kind a hall node enrolls as at its city node.
pub const HALL_NODE_KIND: &str = "hall_node";

pub const DEVICE_KINDS: [&str; 6] = [
    "kiosk",
    "window_terminal",
    "evaluator",
    "hall_display",
    "command_wall",
    HALL_NODE_KIND,
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
    pub(crate) fn fresh_nonce(&self, device: &str, nonce: &str, now: i64) -> bool {
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

pub fn hash_password(password: &str) -> Result<String, crate::error::NodeError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| crate::error::NodeError::internal(format!("password hashing failed: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A device's signed request as it arrived: the signature headers and what was signed.
pub struct SignedRequest<'a> {
    pub device_id: &'a str,
    pub method: &'a str,
    /// The path and query the device signed (before any router prefix was stripped).
    pub path_and_query: &'a str,
    pub body: &'a [u8],
    pub timestamp: Option<&'a str>,
    pub nonce: Option<&'a str>,
    pub signature: Option<&'a str>,
}

/// Checks a device's signature, its time and its nonce; the device must be enrolled and not revoked.
pub async fn verify_device(node: &Node, req: &SignedRequest<'_>, now: i64) -> Result<Arc<DeviceCtx>, NodeError> {
    let missing = |h: &str| NodeError::unauthorized(format!("signed requests need the {h} header")).field(h.to_owned());
    let ts_s = req.timestamp.ok_or_else(|| missing("x-timestamp"))?;
    let nonce = req.nonce.ok_or_else(|| missing("x-nonce"))?;
    let sig = req.signature.ok_or_else(|| missing("x-signature"))?;
    let ts: i64 = ts_s
        .parse()
        .map_err(|_| NodeError::unauthorized("x-timestamp: expected milliseconds since 1970").field("x-timestamp"))?;
    // Refuse anything signed before this process started: the nonce memory starts empty, so an older
    // request could otherwise be replayed across a restart. Devices re-sign on retry.
    if (now - ts).abs() > MAX_SKEW_MS || ts < node.started_at_ms {
        return Err(NodeError::new(
            Kind::Unauthorized,
            "stale_request",
            format!(
                "request time {ts} is outside the accepted window (server time {now}); check the device clock and re-sign"
            ),
        ));
    }
    if !(8..=128).contains(&nonce.len()) {
        return Err(NodeError::unauthorized("x-nonce: expected 8–128 characters").field("x-nonce"));
    }
    let device = load_device(node, req.device_id).await?;
    let sig =
        hex::decode(sig).map_err(|_| NodeError::unauthorized("x-signature: expected hex").field("x-signature"))?;
    let signed = string_to_sign(req.method, req.path_and_query, req.body, ts_s, nonce);
    if !crypto::hmac_sm3_verify(&device.key, signed.as_bytes(), &sig) {
        return Err(NodeError::new(
            Kind::Unauthorized,
            "bad_signature",
            "the request signature does not match",
        ));
    }
    // Only a correctly signed request may consume a nonce, so nobody can burn a device's nonces.
    if !node.auth.fresh_nonce(req.device_id, nonce, now) {
        return Err(NodeError::new(
            Kind::Unauthorized,
            "replayed_request",
            "this nonce was already used",
        ));
    }
    Ok(device)
}

async fn load_device(app: &Node, id: &str) -> Result<Arc<DeviceCtx>, NodeError> {
    if let Some(d) = app.auth.devices.read().get(id) {
        return Ok(d.clone());
    }
    let reader = app.reader.clone();
    let key_id = id.to_owned();
    let row = tokio::task::spawn_blocking(move || reader.device(&key_id))
        .await
        .map_err(|e| NodeError::internal(e.to_string()))??;
    let row = row
        .filter(|r| !r.revoked)
        .ok_or_else(|| NodeError::unauthorized(format!("device {id} is not enrolled")))?;
    let key = app
        .sealer
        .open(&row.key_sealed)
        .map_err(|e| NodeError::internal(e.to_string()))?;
    let key =
        Zeroizing::new(hex::decode(key.as_str()).map_err(|_| NodeError::internal("stored device key is malformed"))?);
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

/// The staff member of a session token, if the session is open and unexpired.
pub async fn verify_session(app: &Node, token: &str, now: i64) -> Result<Arc<StaffCtx>, NodeError> {
    let token_hash = crypto::sm3_hex(token.as_bytes());
    let cached = app.auth.sessions.read().get(&token_hash).cloned();
    let s = match cached {
        Some(s) => s,
        None => {
            let reader = app.reader.clone();
            let th = token_hash.clone();
            let row = tokio::task::spawn_blocking(move || reader.session(&th))
                .await
                .map_err(|e| NodeError::internal(e.to_string()))??;
            let row = row
                .filter(|r| !r.revoked)
                .ok_or_else(|| NodeError::unauthorized("the session is unknown or signed out"))?;
            let cfg = app.engine.shared.cfg.read().clone();
            let staff = cfg
                .staff(&StaffId::new(row.staff_id.clone()))
                .ok_or_else(|| NodeError::unauthorized("this account no longer exists"))?;
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
        return Err(NodeError::unauthorized("the session has expired; sign in again"));
    }
    Ok(s)
}
