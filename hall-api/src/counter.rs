//! The window terminal's panel and staff card (`/windows/{id}/panel`, `/staff/{id}/card`).

use serde::{Deserialize, Serialize};

use crate::views::{TicketView, WindowView};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffCardView {
    pub staff_id: String,
    pub name: String,
    pub department: Option<String>,
    /// 工号: the configured staff number, else the sign-in name.
    pub staff_number: String,
    pub motto: Option<String>,
    /// SM3 hex digest of the photo blob (`GET /api/v1/blobs/{digest}`), if one is configured.
    pub photo_digest: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PanelQueue {
    pub id: String,
    pub name: String,
    pub prefix: String,
    /// Tickets waiting that anyone serving the queue may call.
    pub waiting: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingSummary {
    pub count: u32,
    /// Mean level (1–5), `None` without ratings.
    pub avg: Option<f64>,
}

/// The signed-in staff member's figures for the current business day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PanelToday {
    pub staff_id: Option<String>,
    pub served: u32,
    pub no_shows: u32,
    /// Mean of service start (or call) to finish, over the tickets served.
    pub avg_service_secs: Option<u32>,
    pub ratings: RatingSummary,
    /// Transfers this person made today.
    pub transferred: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetWindow {
    pub id: String,
    pub number: String,
    pub staff_id: Option<String>,
    pub staff_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetStaff {
    pub staff_id: String,
    pub name: String,
    pub window_id: String,
    pub window_number: String,
}

/// Where the current ticket can go (`POST /tickets/{id}/transfer` with `{"to": "queue"|"window"|"staff", "id"}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransferTargets {
    pub queues: Vec<PanelQueue>,
    /// Open windows of the hall other than this one.
    pub windows: Vec<TargetWindow>,
    /// Staff signed in anywhere in the hall, other than this window's.
    pub staff: Vec<TargetStaff>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PanelResponse {
    pub window: WindowView,
    /// The ticket called to or served at this window, with the citizen (full for window staff).
    pub current: Option<TicketView>,
    /// The queues this window serves.
    pub queues: Vec<PanelQueue>,
    pub today: PanelToday,
    pub transfer_targets: TransferTargets,
}
