use serde::{Deserialize, Serialize};

use crate::ticket::TicketStatus;

/// Why a command was refused. Each carries a stable `code` for clients and, where one input is at
/// fault, the `field` that was wrong. A refused command changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum DomainError {
    #[error("unknown {what}: {id}")]
    Unknown {
        what: &'static str,
        field: &'static str,
        id: String,
    },
    #[error("{message}")]
    Invalid { field: &'static str, message: String },
    #[error("window {window} is {state}; {action} needs an open window")]
    WindowNotOpen {
        window: String,
        state: &'static str,
        action: &'static str,
    },
    #[error("nobody is signed in at window {window}")]
    NotSignedIn { window: String },
    #[error("{staff} may not sign in at window {window}")]
    NotAllowedAtWindow { staff: String, window: String },
    #[error("window {window} is still handling {display}; finish, mark no-show, park or transfer it first")]
    WindowBusy { window: String, display: String },
    #[error("window {window} has no current ticket")]
    NoCurrentTicket { window: String },
    #[error("no ticket is waiting for window {window}")]
    NothingWaiting { window: String },
    #[error("ticket {display} is {from}; cannot {action}")]
    BadTransition {
        display: String,
        from: TicketStatus,
        action: &'static str,
    },
    #[error("the daily quota of {quota} tickets for {item} is used up")]
    QuotaExhausted { item: String, quota: u32 },
    #[error("{item} needs the citizen's ID card")]
    IdCardRequired { item: String },
    #[error("that slot is full ({capacity} bookings)")]
    SlotFull { capacity: u32 },
    #[error("check-in opens at {opens_at_minute_of_day} minutes after midnight ({early} minutes before the slot)")]
    CheckInTooEarly { opens_at_minute_of_day: u16, early: u16 },
    #[error("{what} {id} already exists")]
    Duplicate {
        what: &'static str,
        field: &'static str,
        id: String,
    },
}

impl DomainError {
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Unknown { .. } => "not_found",
            DomainError::Invalid { .. } => "invalid",
            DomainError::WindowNotOpen { .. } => "window_not_open",
            DomainError::NotSignedIn { .. } => "not_signed_in",
            DomainError::NotAllowedAtWindow { .. } => "not_allowed_at_window",
            DomainError::WindowBusy { .. } => "window_busy",
            DomainError::NoCurrentTicket { .. } => "no_current_ticket",
            DomainError::NothingWaiting { .. } => "nothing_waiting",
            DomainError::BadTransition { .. } => "bad_transition",
            DomainError::QuotaExhausted { .. } => "quota_exhausted",
            DomainError::IdCardRequired { .. } => "id_card_required",
            DomainError::SlotFull { .. } => "slot_full",
            DomainError::CheckInTooEarly { .. } => "check_in_too_early",
            DomainError::Duplicate { .. } => "duplicate",
        }
    }

    pub fn field(&self) -> Option<&'static str> {
        match self {
            DomainError::Unknown { field, .. }
            | DomainError::Invalid { field, .. }
            | DomainError::Duplicate { field, .. } => Some(field),
            DomainError::IdCardRequired { .. } => Some("id_card"),
            DomainError::QuotaExhausted { .. } => Some("item_id"),
            DomainError::SlotFull { .. } => Some("start_minute"),
            _ => None,
        }
    }

    pub(crate) fn unknown(what: &'static str, field: &'static str, id: impl std::fmt::Display) -> DomainError {
        DomainError::Unknown {
            what,
            field,
            id: id.to_string(),
        }
    }

    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> DomainError {
        DomainError::Invalid {
            field,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for TicketStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
