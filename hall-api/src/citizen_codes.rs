//! One-code-service codes (一码通办, `/citizen-codes…`).

use serde::{Deserialize, Serialize};

use domain::Millis;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IssueCodeRequest {
    /// 18-character resident ID number (GB 11643): checked, then kept sealed (SM4) and as a keyed digest.
    pub id_number: String,
    /// The citizen's name, 1–64 characters; sealed.
    pub name: Option<String>,
    /// Minutes the code stays valid: 1 … 1440, default 5.
    pub ttl_minutes: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssueCodeResponse {
    /// `YM1-` + 24 upper-case hex characters; shown as the QR code. Only its SM3 is stored.
    pub code: String,
    /// The code is refused from this instant on (ms).
    pub expires_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    /// The hall of the kiosk or window that scanned the code.
    pub hall_id: String,
    /// The scanned code.
    pub code: String,
}

/// Who a code stands for, as a kiosk or window may show it: masked, never the full number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResolvedCitizen {
    /// 张* (`null` when the code carries no name).
    pub name_masked: Option<String>,
    /// 230***********0020
    pub id_masked: String,
    /// Full years on the hall's business day.
    pub age: u32,
    /// Whether a ticket taken with this code gets the elderly priority (the hall's `priority` rules).
    pub elderly: bool,
    /// YYYY-MM-DD
    pub birth: String,
    /// The code is refused from this instant on (ms).
    pub expires_at: Millis,
}
