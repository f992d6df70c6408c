//! Staff sessions and passwords.

use domain::ids::StaffId;

use crate::auth::{self, DeviceCtx};
use crate::crypto;
use crate::error::NodeError;
use crate::node::Node;
use crate::store::Record;

/// A session just opened: the token is shown once (only its SM3 is stored).
#[derive(Debug, Clone)]
pub struct OpenedSession {
    pub token: String,
    pub staff: domain::config::Staff,
    pub expires_at: i64,
    /// Set when signed in from a device: the session is valid only on requests that device signs.
    pub device_id: Option<String>,
}

/// Checks the login and password and opens a session (bound to `device` when signed in from one). A
/// wrong login or password is recorded and answered alike.
pub async fn open_session(
    node: &Node,
    device: Option<&DeviceCtx>,
    login: &str,
    password: &str,
) -> Result<OpenedSession, NodeError> {
    let l = login.to_owned();
    let creds = node.query(move |r| r.credentials(&l)).await?;
    let pw = password.to_owned();
    // argon2 is deliberately slow: keep it off the async workers.
    let ok = match creds.clone() {
        Some((_, hash)) => tokio::task::spawn_blocking(move || auth::verify_password(&pw, &hash))
            .await
            .unwrap_or(false),
        None => false,
    };
    let cfg = node.engine.shared.cfg.read().clone();
    let staff = creds
        .filter(|_| ok)
        .and_then(|(id, _)| cfg.staff(&StaffId::new(id)).cloned());
    let Some(staff) = staff else {
        node.engine
            .record(
                "",
                "citizen",
                Record::LoginFailed {
                    login: login.chars().take(64).collect(),
                },
            )
            .await?;
        return Err(NodeError::unauthorized("wrong login or password"));
    };
    let token = crypto::random_token() + &crypto::random_token();
    let expires_at = node.now() + auth::SESSION_TTL_MS;
    let device_id = device.map(|d| d.id.to_string());
    let hall = staff.hall_id.as_ref().map_or(String::new(), ToString::to_string);
    node.engine
        .record(
            hall,
            format!("staff:{}", staff.id),
            Record::SessionOpened {
                token_hash: crypto::sm3_hex(token.as_bytes()),
                staff_id: staff.id.to_string(),
                device_id: device_id.clone(),
                expires_at,
            },
        )
        .await?;
    Ok(OpenedSession {
        token,
        staff,
        expires_at,
        device_id,
    })
}

/// Sets a staff member's password (at least 8 characters).
pub async fn set_staff_password(node: &Node, actor: &str, staff_id: &str, password: &str) -> Result<(), NodeError> {
    if password.chars().count() < 8 {
        return Err(NodeError::invalid("password", "at least 8 characters"));
    }
    let staff = node
        .engine
        .shared
        .cfg
        .read()
        .staff(&StaffId::new(staff_id))
        .cloned()
        .ok_or_else(|| NodeError::not_found("staff member", "id"))?;
    let pw = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&pw))
        .await
        .map_err(|e| NodeError::internal(e.to_string()))??;
    set_password_hash(node, actor, &staff, hash).await
}

/// Records an already hashed password (the demo's accounts, a first-start admin).
pub async fn set_password_hash(
    node: &Node,
    actor: &str,
    staff: &domain::config::Staff,
    hash: String,
) -> Result<(), NodeError> {
    node.engine
        .record(
            "",
            actor,
            Record::Password {
                staff_id: staff.id.to_string(),
                login: staff.login.clone(),
                hash,
            },
        )
        .await?;
    Ok(())
}
