//! The lawyer's own endpoints (`/lawyer/status`, `/lawyer/inbox`, `/lawyer/stats`, `/lawyer/consultations`).

use serde::{Deserialize, Serialize};

use crate::consultations::{ConsultKind, ConsultStatus, Due};
use crate::mediation::LawyerMediation;
use crate::video::VideoStats;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    pub online: bool,
    /// Replaces the lawyer's specialties (e.g. `labour`, `family`; `general` takes what no specialist
    /// can); left out: unchanged.
    pub specialties: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileView {
    pub staff_id: String,
    pub online: bool,
    /// Since when (ms), while online.
    pub online_since: Option<i64>,
    /// Online time so far, the current stretch included (tiers count online hours, 附录 A).
    pub online_secs: i64,
    pub specialties: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxItem {
    pub id: String,
    pub kind: ConsultKind,
    pub status: ConsultStatus,
    pub status_label: String,
    pub specialty: String,
    pub question: String,
    pub created_at: i64,
    /// `None`: an unclaimed 留言 any lawyer of the specialty may answer.
    pub lawyer_id: Option<String>,
    /// The next thing owed and its deadline.
    pub due: Option<Due>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Templates {
    pub opening: String,
    pub disclaimer: String,
    pub closing: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxResponse {
    pub profile: ProfileView,
    /// Most urgent first.
    pub items: Vec<InboxItem>,
    /// The fixed parts the desk app wraps around a 留言 reply (6.2.1.2 a, f).
    pub templates: Templates,
    /// Remote mediations assigned to the lawyer and still ahead, soonest first, with the countdown to
    /// the join-by time (6.2.4.2 a: in the room 10 min early).
    pub mediations: Vec<LawyerMediation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatsQuery {
    /// From (ms, inclusive); default 24 h before `to`.
    pub from: Option<i64>,
    /// To (ms, exclusive); default now.
    pub to: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatsResponse {
    pub from: i64,
    pub to: i64,
    /// Realtime questions asked (those later offered as 留言 included).
    pub realtime_requested: u64,
    /// Of them, picked up by a lawyer.
    pub realtime_connected: u64,
    /// Connected ÷ requested, in percent; `None` without requests.
    pub connection_rate_percent: Option<f64>,
    /// 6.2.2.1 c: above 95%.
    pub connection_ok: Option<bool>,
    /// 6.2.2.1 a: average seconds from question to pickup, and whether it is within 20 s.
    pub pickup_average_secs: Option<f64>,
    pub pickup_ok: Option<bool>,
    /// The same for video consultations (6.2.3.1), by day and night band.
    pub video: VideoStats,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryQuery {
    /// Most rows (default 50, at most 200).
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryItem {
    pub id: String,
    pub kind: ConsultKind,
    pub status: ConsultStatus,
    pub status_label: String,
    pub specialty: String,
    pub question: String,
    pub created_at: i64,
    pub picked_at: Option<i64>,
    pub answered_at: Option<i64>,
    pub closed_at: Option<i64>,
    /// The citizen's rating, 1 非常不满意 … 5 非常满意 (6.1).
    pub rating: Option<u8>,
    pub rating_comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryResponse {
    /// Newest first.
    pub items: Vec<HistoryItem>,
    /// Of the rows returned, how many the citizen rated, and their average (`None` without ratings).
    pub rated: u64,
    pub average_rating: Option<f64>,
}
