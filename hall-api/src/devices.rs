//! The devices of a hall and their health (`/halls/{hall}/devices`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HallDevices {
    pub hall_id: String,
    pub devices: Vec<DeviceHealthRow>,
}

/// A device of a hall and what its last heartbeat said (device management; kiosk/counter health).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceHealthRow {
    pub id: String,
    pub kind: String,
    pub name: String,
    /// The offline-series letter of a kiosk (empty for other kinds).
    pub letter: String,
    pub revoked: bool,
    pub enrolled_at: i64,
    /// When the hall node applied the latest heartbeat (ms), `None` if none arrived yet.
    pub heartbeat_at: Option<i64>,
    /// The heartbeat's status object as the device sent it (`printer`, `idcard`, `scanner`, `alarms` …).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub status: Option<serde_json::Value>,
}
