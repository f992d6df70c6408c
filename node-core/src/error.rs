//! The node's error, without HTTP: what the services and the features return. The HTTP layer turns a
//! [`Kind`] into a status in one place (`error.rs`); nothing below it knows a status.

use domain::DomainError;

use crate::engine::EngineError;
use crate::store::StoreError;

/// What kind of refusal: the HTTP layer answers 401, 403, 404, 400, 422, 409, 410, 413, 415, 503, 500.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Nobody (valid) is signed in.
    Unauthorized,
    /// Signed in, but not allowed.
    Forbidden,
    NotFound,
    /// The request cannot be read at all (not JSON, wrong frame type).
    BadRequest,
    /// A field's value is not acceptable.
    Invalid,
    /// The state does not allow it now.
    Conflict,
    /// It existed and is gone for good.
    Gone,
    TooLarge,
    UnsupportedMedia,
    /// Try again later (shutting down, a dependency down).
    Unavailable,
    Internal,
}

/// An error of the node's services and features.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A refusal with a stable code, a message for people and the input field at fault.
    #[error("{message}")]
    Refused {
        kind: Kind,
        code: String,
        message: String,
        field: Option<String>,
    },
}

impl From<StoreError> for NodeError {
    fn from(e: StoreError) -> NodeError {
        NodeError::Engine(EngineError::Store(e))
    }
}

impl NodeError {
    pub fn new(kind: Kind, code: &str, message: impl Into<String>) -> NodeError {
        NodeError::Refused {
            kind,
            code: code.into(),
            message: message.into(),
            field: None,
        }
    }
    /// Names the input field at fault (a refusal only; other errors carry their own).
    pub fn field(mut self, name: impl Into<String>) -> NodeError {
        if let NodeError::Refused { field, .. } = &mut self {
            *field = Some(name.into());
        }
        self
    }
    pub fn unauthorized(message: impl Into<String>) -> NodeError {
        NodeError::new(Kind::Unauthorized, "unauthorized", message)
    }
    pub fn forbidden(message: impl Into<String>) -> NodeError {
        NodeError::new(Kind::Forbidden, "forbidden", message)
    }
    pub fn not_found(what: &str, field: &str) -> NodeError {
        NodeError::new(Kind::NotFound, "not_found", format!("no such {what}")).field(field)
    }
    pub fn invalid(field: &str, message: impl Into<String>) -> NodeError {
        NodeError::new(Kind::Invalid, "invalid", message).field(field)
    }
    pub fn internal(message: impl Into<String>) -> NodeError {
        NodeError::new(Kind::Internal, "internal", message)
    }
}
