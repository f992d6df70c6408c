//! Who is calling, for the HTTP layer: the middleware that checks a device's signature and a staff
//! session (`node_core::auth` does the checking) and puts a [`Caller`] into the request, and the checks
//! handlers make on it (roles, hall scope).

use std::sync::Arc;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use domain::Actor;
use domain::config::Role;
use domain::ids::HallId;

use crate::error::ApiError;
use crate::state::AppState;
use node_core::auth::{self, DeviceCtx, MAX_BODY, StaffCtx};

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
        let s = auth::verify_session(&app, &token, now).await?;
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
    // Inside a nested router the URI has lost its prefix; verify the path the device sent.
    let uri = parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map_or(&parts.uri, |o| &o.0);
    let path = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned());
    let req = auth::SignedRequest {
        device_id: id,
        method: parts.method.as_str(),
        path_and_query: &path,
        body,
        timestamp: header(parts, "x-timestamp"),
        nonce: header(parts, "x-nonce"),
        signature: header(parts, "x-signature"),
    };
    Ok(auth::verify_device(app, &req, now).await?)
}
