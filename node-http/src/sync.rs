//! The sync protocol's upstream side (see `protocol::sync`): push, pull, and resumable blob upload.
//! Devices push to their hall node; a hall node pushes its log to the city node the same way.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::config::Role;
use protocol::sync::{
    self as wire, BlobStatus, Change, ConfigDoc, PROTOCOL_HEADER, PROTOCOL_VERSION, PullResponse, PushRequest,
    PushResponse, SequenceGap,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::caller::Caller;
use crate::error::{ApiError, ApiJson};
use crate::state::{AppState, Role as NodeRole};
pub use hall_api::sync::{ChunkQuery, PullQuery};
use node_core::auth::DeviceCtx;
use node_core::blobs::BlobError;
use node_core::engine::{Producer, ProducerKind, PushAnswer};

pub use node_core::auth::HALL_NODE_KIND;

/// This area's routes, each registered once with its OpenAPI description (paths relative to `/api/v1`).
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(push))
        .routes(routes!(pull))
        .routes(routes!(blob_status))
        .routes(routes!(blob_get, blob_put))
}

/// Refuses clients that speak another protocol version, with words that say what to do.
fn check_protocol(headers: &HeaderMap) -> Result<(), ApiError> {
    let upgrade =
        |msg: String| ApiError::new(StatusCode::UPGRADE_REQUIRED, "upgrade_needed", msg).field(PROTOCOL_HEADER);
    let Some(v) = headers.get(PROTOCOL_HEADER) else {
        return Err(upgrade(format!(
            "this server speaks sync protocol {PROTOCOL_VERSION} and needs the {PROTOCOL_HEADER} header; upgrade the device software"
        )));
    };
    let v: u32 = v
        .to_str()
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .ok_or_else(|| ApiError::invalid(PROTOCOL_HEADER, "expected a protocol version number"))?;
    if v < wire::MIN_PROTOCOL_VERSION {
        return Err(upgrade(format!(
            "sync protocol {v} is no longer served (this server speaks {}–{PROTOCOL_VERSION}); upgrade the device software",
            wire::MIN_PROTOCOL_VERSION
        )));
    }
    if v > PROTOCOL_VERSION {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "server_too_old",
            format!("this server speaks sync protocol up to {PROTOCOL_VERSION}, the client {v}; upgrade the server"),
        )
        .field(PROTOCOL_HEADER));
    }
    Ok(())
}

fn device(caller: &Caller) -> Result<&Arc<DeviceCtx>, ApiError> {
    match (&caller.device, &caller.staff) {
        (Some(d), _) => Ok(d),
        (None, Some(_)) => Err(ApiError::forbidden("sync is for enrolled devices, not staff sessions")),
        (None, None) => Err(ApiError::unauthorized(
            "sync requests must be signed by an enrolled device",
        )),
    }
}

fn validate(req: &PushRequest) -> Result<(), ApiError> {
    if req.events.len() > wire::MAX_PUSH_EVENTS {
        return Err(ApiError::invalid(
            "events",
            format!("at most {} events per push", wire::MAX_PUSH_EVENTS),
        ));
    }
    let first = req.events.first().map_or(1, |e| e.seq);
    for (i, e) in req.events.iter().enumerate() {
        let expected = first + i64::try_from(i).unwrap_or(i64::MAX);
        if e.seq < 1 || e.seq != expected {
            return Err(ApiError::invalid(
                &format!("events[{i}].seq"),
                format!("expected {expected}: sequences start at 1 and a push carries consecutive ones"),
            ));
        }
        if e.id.is_empty() || e.id.len() > 64 {
            return Err(ApiError::invalid(&format!("events[{i}].id"), "expected a UUID"));
        }
        if e.kind.is_empty() || e.kind.len() > 64 {
            return Err(ApiError::invalid(
                &format!("events[{i}].kind"),
                "expected an event kind",
            ));
        }
    }
    Ok(())
}

/// Push a producer's events, in order. Each is applied exactly once; a resent one is answered with
/// what happened the first time.
#[utoipa::path(post, path = "/sync/push", request_body = PushRequest,
    responses((status = 200, body = PushResponse), (status = 409, description = "sequence gap", body = SequenceGap),
        (status = 426, description = "upgrade needed", body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("device_signature" = [])))]
pub async fn push(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(req): ApiJson<PushRequest>,
) -> Result<Response, ApiError> {
    let d = device(&caller)?;
    check_protocol(&headers)?;
    if req.producer != d.id.as_str() {
        return Err(ApiError::forbidden(format!("device {} may push only its own events", d.id)).field("producer"));
    }
    validate(&req)?;
    let kind = if d.kind == HALL_NODE_KIND {
        if app.config.role == NodeRole::Hall {
            return Err(ApiError::forbidden(
                "hall nodes forward to the city node, not to another hall node",
            ));
        }
        ProducerKind::HallNode
    } else {
        ProducerKind::Device {
            device_kind: d.kind.clone(),
            letter: d.letter.chars().next(),
        }
    };
    let producer = Producer {
        id: d.id.to_string(),
        hall: d.hall_id.clone(),
        kind,
    };
    let n = req.events.len();
    let answer = app.engine.push(producer, req.events).await?;
    let m = &app.engine.shared.metrics;
    Ok(match answer {
        PushAnswer::Settled(r) => {
            m.sync_pushed.inc_by(u64::try_from(n).unwrap_or(0));
            Json(r).into_response()
        }
        PushAnswer::Gap { expected } => (
            StatusCode::CONFLICT,
            Json(SequenceGap {
                code: "sequence_gap".into(),
                message: format!("events must arrive in order without holes; send sequence {expected} next"),
                expected,
            }),
        )
            .into_response(),
    })
}

/// Pull configuration (when newer) and the state changes of the caller's hall after a cursor.
#[utoipa::path(get, path = "/sync/pull", params(PullQuery),
    responses((status = 200, body = PullResponse), (status = 426, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody)),
    security(("device_signature" = [])))]
pub async fn pull(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    Query(q): Query<PullQuery>,
) -> Result<Json<PullResponse>, ApiError> {
    let d = device(&caller)?.clone();
    check_protocol(&headers)?;
    if q.after < 0 {
        return Err(ApiError::invalid("after", "expected a cursor ≥ 0"));
    }
    let limit = q
        .limit
        .unwrap_or(wire::MAX_PULL_CHANGES)
        .clamp(1, wire::MAX_PULL_CHANGES);
    // The head first: every event up to it is committed and visible to the query below, because the
    // single writer commits in sequence order and publishes the head only after a commit.
    let head = app.engine.shared.head_seq.load(Ordering::SeqCst);
    let reader = app.reader.clone();
    let hall_node = d.kind == HALL_NODE_KIND;
    let (after, config_version) = (q.after, q.config_version);
    let device_id = d.id.to_string();
    let hall = d.hall_id.to_string();
    let (config, rows, producer_last_seq) = tokio::task::spawn_blocking(move || {
        let config = reader.config_version()?.filter(|(v, _)| *v > config_version);
        // A hall node takes only configuration: its hall's state is its own.
        let rows = if hall_node {
            Vec::new()
        } else {
            reader.events_after(after, Some(&hall), limit)?
        };
        Ok::<_, node_core::store::StoreError>((config, rows, reader.producer_last_seq(&device_id)?))
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))??;
    let full = rows.len() >= limit;
    let last = rows.last().map_or(after, |r| r.seq);
    let next = if full { last } else { last.max(head) }.max(after);
    let changes = rows
        .into_iter()
        .filter_map(|r| {
            let data = serde_json::from_str(r.public.as_deref()?).ok()?;
            Some(Change {
                seq: r.seq,
                hall_id: r.hall_id,
                kind: r.kind,
                at: r.at,
                data,
            })
        })
        .collect();
    let config = match config {
        None => None,
        Some((version, body)) => Some(ConfigDoc {
            version,
            body: serde_json::from_str(&body).map_err(|e| ApiError::internal(format!("stored configuration: {e}")))?,
        }),
    };
    app.engine.shared.metrics.sync_pulls.inc();
    Ok(Json(PullResponse {
        config,
        changes,
        next,
        head: head.max(last),
        producer_last_seq,
    }))
}

fn blob_error(e: BlobError) -> ApiError {
    match e {
        BlobError::BadDigest => ApiError::invalid("digest", e.to_string()),
        BlobError::BadTotal => ApiError::invalid("total", e.to_string()),
        BlobError::TooLong { .. } => ApiError::invalid("body", e.to_string()),
        BlobError::OffsetMismatch { .. } => {
            ApiError::new(StatusCode::CONFLICT, "offset_mismatch", e.to_string()).field("offset")
        }
        BlobError::DigestMismatch { .. } => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "digest_mismatch", e.to_string())
        }
        BlobError::Io(_) | BlobError::Sealed(_) => ApiError::internal(e.to_string()),
    }
}

/// How much of a blob has arrived (resume from `received`).
#[utoipa::path(get, path = "/blobs/{digest}/status", params(("digest" = String, Path, description = "hex SM3")),
    responses((status = 200, body = BlobStatus), (status = 401, body = crate::error::ErrorBody)),
    security(("device_signature" = [])))]
pub async fn blob_status(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    Path(digest): Path<String>,
) -> Result<Json<BlobStatus>, ApiError> {
    device(&caller)?;
    check_protocol(&headers)?;
    app.blobs.status(&digest).await.map(Json).map_err(blob_error)
}

/// Upload one chunk of a blob (body: raw bytes). The last chunk completes it: the SM3 digest is
/// checked and a mismatch discards the upload.
#[utoipa::path(put, path = "/blobs/{digest}", params(("digest" = String, Path, description = "hex SM3"), ChunkQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = BlobStatus), (status = 409, description = "offset mismatch", body = crate::error::ErrorBody),
        (status = 422, description = "digest mismatch", body = crate::error::ErrorBody)),
    security(("device_signature" = [])))]
pub async fn blob_put(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    Path(digest): Path<String>,
    Query(q): Query<ChunkQuery>,
    body: Bytes,
) -> Result<Json<BlobStatus>, ApiError> {
    device(&caller)?;
    check_protocol(&headers)?;
    if body.len() > wire::BLOB_CHUNK {
        return Err(ApiError::invalid(
            "body",
            format!("chunks are at most {} bytes", wire::BLOB_CHUNK),
        ));
    }
    let st = app
        .blobs
        .put(&digest, q.offset, q.total, &body)
        .await
        .map_err(blob_error)?;
    if st.complete {
        app.engine.shared.metrics.sync_blobs.inc();
    }
    Ok(Json(st))
}

/// A blob's bytes, for staff who handle the case (scans show ID cards: never for devices or citizens).
#[utoipa::path(get, path = "/blobs/{digest}", params(("digest" = String, Path, description = "hex SM3")),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn blob_get(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(digest): Path<String>,
) -> Result<Response, ApiError> {
    caller.staff(&[Role::Admin, Role::HallManager, Role::WindowStaff])?;
    match app.blobs.get(&digest).await.map_err(blob_error)? {
        Some(bytes) => Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response()),
        None => Err(ApiError::not_found("blob", "digest")),
    }
}
