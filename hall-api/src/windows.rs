//! Window actions (`/windows/{id}/…`).

use serde::{Deserialize, Serialize};

use crate::views::{TicketView, WindowView};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WindowActionResponse {
    pub window: WindowView,
    /// The ticket the action was about (for call-next: the ticket called).
    pub ticket: Option<TicketView>,
    /// Kinds of the events this action appended, in order.
    pub events: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PauseRequest {
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CallTicketRequest {
    pub ticket_id: String,
}
