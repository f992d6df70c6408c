//! The one error shape of the API: `{code, message, field}`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `quota_exhausted`, `window_not_open`, `unauthorized`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// The input field at fault, when one is.
    pub field: Option<String>,
}
