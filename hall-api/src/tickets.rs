//! Tickets: issue, status, void, transfer, rating, evidence (`/tickets…`).

use serde::{Deserialize, Serialize};

use domain::Millis;
use domain::config::PriorityReason;
use domain::ticket::{Channel, TicketStatus, TransferTarget};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IdCardInput {
    /// 18-character resident ID number (GB 11643); checked, then sealed with SM4.
    pub number: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IssueRequest {
    pub hall_id: String,
    /// The service item; or give `queue_id` for a ticket for a whole queue.
    pub item_id: Option<String>,
    pub queue_id: Option<String>,
    pub channel: Channel,
    pub id_card: Option<IdCardInput>,
    /// Instead of `id_card`: the citizen's one-code-service code (一码通办, tender 2844–2862 "替代身份证读取
    /// 登录"), giving the ticket the same sealed citizen and elderly priority as the card. Not with
    /// `id_card`.
    pub citizen_code: Option<String>,
    pub phone: Option<String>,
    /// Declared priority groups (pregnant, disabled, military); elderly comes from the ID birth date.
    #[serde(default)]
    pub claims: Vec<PriorityReason>,
    /// Only for a kiosk that issued while its hall node was unreachable: its own letter series.
    pub offline_number: Option<OfflineNumber>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OfflineNumber {
    pub letter: char,
    pub seq: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssueResponse {
    pub ticket_id: String,
    pub display: String,
    pub hall_id: String,
    pub queue_id: String,
    pub queue_name: Option<String>,
    pub people_ahead: u32,
    pub estimated_wait_secs: Option<u32>,
    /// The citizen's handle for `/tickets/status/{token}`; printed as the QR code.
    pub token: String,
    pub issued_at: Millis,
    pub priority: Option<PriorityReason>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicStatus {
    pub display: String,
    pub status: TicketStatus,
    pub hall_name: Option<String>,
    pub queue_name: Option<String>,
    pub people_ahead: Option<u32>,
    pub estimated_wait_secs: Option<u32>,
    /// Where to go once called.
    pub window_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VoidRequest {
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    /// `{"to": "queue" | "window" | "staff", "id": "..."}`
    pub to: TransferTarget,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RateRequest {
    /// 1 非常不满意 … 5 非常满意
    pub level: u8,
    /// Reasons from the hall's `rating_reasons`; a level of 1 or 2 needs one or a non-blank comment.
    #[serde(default)]
    pub reasons: Vec<String>,
    /// At most 500 characters.
    pub comment: Option<String>,
    /// SM3 hex digest of the photo taken at the moment of rating (uploaded with `PUT /blobs/{digest}`).
    pub photo: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvidenceResponse {
    pub ticket_id: String,
    /// The evidence holds of the ticket (one per negative rating; empty when there is none).
    pub holds: Vec<EvidenceView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvidenceView {
    #[serde(flatten)]
    pub hold: EvidenceHold,
    pub window_number: Option<String>,
    pub staff_name: Option<String>,
}

/// A negative rating's evidence hold: the service's facts and the blobs to keep (tender 13(9)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvidenceHold {
    pub ticket_id: String,
    pub hall_id: String,
    pub window_id: Option<String>,
    pub staff_id: Option<String>,
    pub service_started_at: Option<i64>,
    pub service_finished_at: Option<i64>,
    pub level: u8,
    /// SM3 hex digest of the rating photo.
    pub photo: Option<String>,
    /// `requested` (waiting for the recording) or `recording_linked`.
    pub status: String,
    pub requested_at: i64,
    /// Blobs of the ticket kept as evidence: those attached before the rating and any attached after.
    pub blobs: Vec<EvidenceBlob>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvidenceBlob {
    pub digest: String,
    /// `scan`, `photo` or `recording`.
    pub media: String,
    pub at: i64,
}
