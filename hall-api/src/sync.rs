//! Query strings of the sync endpoints (the bodies are in `protocol::sync`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct PullQuery {
    /// The cursor from the last pull (0 the first time).
    #[serde(default)]
    pub after: i64,
    /// The configuration version the caller has (0: none).
    #[serde(default)]
    pub config_version: i64,
    /// Page size (default and maximum 5000).
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct ChunkQuery {
    /// Where this chunk starts (must equal the bytes received so far).
    pub offset: u64,
    /// The whole blob's size.
    pub total: u64,
}
