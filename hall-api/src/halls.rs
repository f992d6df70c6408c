//! Configuration and the hall snapshot (`/config`, `/halls/{hall}/snapshot`).

use serde::{Deserialize, Serialize};

use domain::{CityConfig, Millis};

use crate::views::WindowView;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfigResponse {
    pub version: i64,
    pub config: CityConfig,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueSnapshot {
    pub id: String,
    pub prefix: String,
    pub name: String,
    pub waiting: usize,
    /// The number that would be called next by strict order (for the wall).
    pub next: Option<String>,
    pub avg_service_secs: u32,
    pub today: Counters,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecentCall {
    pub display: String,
    pub window_number: Option<String>,
    pub called_at: Millis,
    pub recall_count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HallSnapshot {
    pub hall_id: String,
    pub name: String,
    pub day: String,
    pub windows: Vec<WindowView>,
    pub queues: Vec<QueueSnapshot>,
    /// Newest first.
    pub recent_calls: Vec<RecentCall>,
    pub open_windows: usize,
    pub waiting_total: usize,
    /// Sequence of the last event included: resume the hall feed from here.
    pub last_event_id: i64,
}

#[derive(Debug, Clone, PartialEq, Copy, Default, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Counters {
    pub issued: i64,
    pub called: i64,
    pub done: i64,
    pub no_show: i64,
    pub voided: i64,
}
