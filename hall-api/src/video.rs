//! Video consultation figures (part of `/lawyer/stats`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VideoPickup {
    /// `day` (09:00–22:00) or `night`.
    pub band: String,
    pub samples: u64,
    pub average_secs: f64,
    pub target_secs: u32,
    pub met: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VideoStats {
    /// Video consultations asked for (those that fell back to text or became 留言 included).
    pub requested: u64,
    /// Of them, picked up by a lawyer.
    pub connected: u64,
    /// Of them, continued as a text chat because a side could not do video.
    pub fell_back: u64,
    pub connection_rate_percent: Option<f64>,
    /// 6.2.3.1 c: above 95%.
    pub connection_ok: Option<bool>,
    /// 6.2.3.1 a: average pickup per band against its target.
    pub pickup: Vec<VideoPickup>,
}
