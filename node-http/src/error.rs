//! The one error shape of the API: `{code, message, field}` with the right HTTP status.

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::DomainError;
use serde::de::DeserializeOwned;

pub use hall_api::error::ErrorBody;
use node_core::engine::EngineError;
use node_core::error::{Kind, NodeError};
use node_core::store::StoreError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody {
                code: code.into(),
                message: message.into(),
                field: None,
            },
        }
    }
    pub fn field(mut self, field: impl Into<String>) -> ApiError {
        self.body.field = Some(field.into());
        self
    }
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }
    pub fn not_found(what: &str, field: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("no such {what}")).field(field)
    }
    pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message).field(field)
    }
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body)).into_response()
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> ApiError {
        let status = match &e {
            DomainError::Unknown { .. } => StatusCode::NOT_FOUND,
            DomainError::Invalid { .. } | DomainError::IdCardRequired { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::CONFLICT,
        };
        ApiError {
            status,
            body: ErrorBody {
                code: e.code().into(),
                message: e.to_string(),
                field: e.field().map(Into::into),
            },
        }
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> ApiError {
        match e {
            EngineError::Domain(d) => d.into(),
            EngineError::Store(StoreError::Conflict(m)) | EngineError::Refused(m) => {
                ApiError::new(StatusCode::CONFLICT, "conflict", m)
            }
            EngineError::Store(s) => {
                tracing::error!(error = %s, "storage error");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "storage_unavailable",
                    "storage failed; nothing was saved, try again",
                )
            }
            EngineError::NotQueueOwner => ApiError::new(
                StatusCode::CONFLICT,
                "hall_owns_queue",
                EngineError::NotQueueOwner.to_string(),
            ),
            EngineError::Unavailable => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "the server is shutting down",
            ),
        }
    }
}

impl From<NodeError> for ApiError {
    fn from(e: NodeError) -> ApiError {
        match e {
            NodeError::Domain(d) => d.into(),
            NodeError::Engine(e) => e.into(),
            NodeError::Refused {
                kind,
                code,
                message,
                field,
            } => {
                let status = match kind {
                    Kind::Unauthorized => StatusCode::UNAUTHORIZED,
                    Kind::Forbidden => StatusCode::FORBIDDEN,
                    Kind::NotFound => StatusCode::NOT_FOUND,
                    Kind::BadRequest => StatusCode::BAD_REQUEST,
                    Kind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
                    Kind::Conflict => StatusCode::CONFLICT,
                    Kind::Gone => StatusCode::GONE,
                    Kind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                    Kind::UnsupportedMedia => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
                    Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
                };
                ApiError {
                    status,
                    body: ErrorBody { code, message, field },
                }
            }
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        EngineError::Store(e).into()
    }
}

/// JSON body extractor whose errors name the field at fault (`items[2].code: invalid type …`).
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "bad_content_type",
                "expected Content-Type: application/json",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", e.body_text()))?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de).map(ApiJson).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            // A missing field is reported at its parent's path: name the field itself.
            let missing = inner
                .to_string()
                .strip_prefix("missing field `")
                .and_then(|r| r.split('`').next())
                .map(str::to_owned);
            let field = match (path.as_str(), missing) {
                (".", None) => None,
                (".", Some(m)) => Some(m),
                (_, Some(m)) => Some(format!("{path}.{m}")),
                (_, None) => Some(path),
            };
            let code = if inner.is_syntax() || inner.is_eof() {
                "bad_json"
            } else {
                "invalid"
            };
            ApiError {
                status: StatusCode::BAD_REQUEST,
                body: ErrorBody {
                    code: code.into(),
                    message: inner.to_string(),
                    field,
                },
            }
        })
    }
}
