//! Sign-in, device enrollment and passwords (`/sessions`, `/devices/enroll…`, `/staff/{id}/password`).

use serde::{Deserialize, Serialize};

use domain::config::Role;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub staff_id: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub hall_id: Option<String>,
    pub expires_at: i64,
    /// Set when signed in from a device: the session is valid only on requests that device signs.
    pub device_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EnrollmentCodeRequest {
    pub hall_id: String,
    /// kiosk, window_terminal, evaluator, hall_display, command_wall
    pub kind: String,
    /// How long the code stays valid (default 60, at most 7 days).
    pub ttl_minutes: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrollmentCodeResponse {
    /// One-time code to type into the device at first start.
    pub code: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    pub code: String,
    /// What the hall calls this device, e.g. "1号自助机".
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrollResponse {
    pub device_id: String,
    /// The device key (hex, 32 bytes). Shown once; keep it in the device's protected store.
    pub key: String,
    pub hall_id: String,
    pub kind: String,
    /// Kiosks: the letter of this device's offline number series (A-K001 …).
    pub letter: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordRequest {
    pub password: String,
}
