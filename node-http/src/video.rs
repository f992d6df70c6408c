//! The signalling socket of a video consultation (issue 7, standard 6.1 c, 6.2.3); the relay itself
//! is `lawyer_platform::video`. Consultations are created, picked up and closed as in `consultations.rs`.

use std::sync::Arc;

use axum::extract::ws::{WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use domain::time::Millis;
use lawyer::sla::{PickupBand, PickupSample, ServiceKind};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::consultations::{Party, WsQuery, header_token, load, party};
use crate::caller::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::ws::{Message, WebSocket};
pub use hall_api::video::{VideoPickup, VideoStats};
use lawyer_platform::ConsultKind;
use lawyer_platform::chat::read;
use lawyer_platform::video::{MAX_FRAME_BYTES, Relayed, Side};
use node_core::error::{Kind, NodeError};
use tokio::sync::broadcast;

/// This area's routes, each registered once with its OpenAPI description (paths relative to `/api/v1`).
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new().routes(routes!(signal))
}

/// WebRTC signalling for a video consultation: relays SDP offer/answer and ICE candidates between
/// the citizen (token) and the consultation's lawyer, never anyone else; `video_unavailable` turns
/// the consultation into a realtime text chat with a system message to both (frames: see
/// `lawyer::video`). 409 if the consultation is not (or no longer) a video one.
#[utoipa::path(get, path = "/consultations/{id}/signal", params(("id" = String, Path, description = "consultation id"),
        ("token" = Option<String>, Query, description = "consultation token")),
    responses((status = 101, description = "WebSocket"), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 426, body = crate::error::ErrorBody)),
    security(("consultation_token" = []), ("session" = [])))]
pub async fn signal(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<WsQuery>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let row = load(&app, &id).await?;
    let token = header_token(&headers).or(q.token);
    let (side, me) = match party(&caller, token.as_deref(), &row)? {
        Party::Citizen => (Side::Citizen, None),
        Party::Lawyer(s) => (Side::Lawyer, Some(s)),
        Party::Operator => {
            return Err(ApiError::forbidden(
                "运营中心不参与视频通话 (operators are not in the call)",
            ));
        }
    };
    if row.kind != ConsultKind::Video {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_video",
            "该咨询不是视频咨询，或已转为文字咨询 (not a video consultation, or it continues as a text chat)",
        ));
    }
    let upgrade =
        upgrade.map_err(|e| ApiError::new(StatusCode::UPGRADE_REQUIRED, "websocket_required", e.body_text()))?;
    // Frames a little over the limit still arrive, so the sender gets a clear `too_large` error
    // rather than a dropped connection.
    Ok(upgrade
        .max_message_size(MAX_FRAME_BYTES * 4)
        .on_upgrade(move |socket| signal_socket(app.lawyer.clone(), id, side, me, socket))
        .into_response())
}

/// Video figures for `[from, to)` (`GET /lawyer/stats`).
pub async fn stats(app: &AppState, from: i64, to: i64) -> Result<VideoStats, ApiError> {
    let rows = read(&app.lawyer, move |r| r.video_requests(from, to)).await?;
    let sla = &app.lawyer.config.sla;
    let samples: Vec<PickupSample> = rows
        .iter()
        .filter_map(|v| {
            v.picked_at.map(|p| PickupSample {
                kind: ServiceKind::Video,
                requested_at: Millis(v.requested_at),
                picked_up_at: Millis(p),
            })
        })
        .collect();
    let rate = lawyer::Ratio::new(samples.len() as u64, rows.len() as u64);
    let pickup = lawyer::sla::pickup_averages(&samples, 480, sla)
        .into_iter()
        .map(|a| VideoPickup {
            band: if a.band == PickupBand::Night { "night" } else { "day" }.into(),
            samples: a.samples,
            average_secs: a.average_secs(),
            target_secs: a.target_secs,
            met: a.met,
        })
        .collect();
    Ok(VideoStats {
        requested: rows.len() as u64,
        connected: samples.len() as u64,
        fell_back: rows.iter().filter(|v| v.fell_back).count() as u64,
        connection_rate_percent: rate.percent(),
        connection_ok: lawyer::sla::connection_ok(rate, sla),
        pickup,
    })
}

/// A refused frame as the socket tells it: `{"type":"error","error":{code,message,field}}`.
fn error_frame(e: NodeError) -> String {
    serde_json::json!({"type": "error", "error": ApiError::from(e).body}).to_string()
}

/// One side's signalling socket, until it closes or the node stops. `me`: the lawyer's staff id.
pub async fn signal_socket(
    app: Arc<lawyer_platform::Lawyer>,
    id: String,
    side: Side,
    me: Option<String>,
    mut socket: WebSocket,
) {
    let hub = &app.signals;
    let mut rx = hub.tx.subscribe();
    let mut stopping = app.stopping.subscribe();
    let consultation: Arc<str> = Arc::from(id.as_str());
    let ready = serde_json::json!({"type": "ready", "you": side.as_str()}).to_string();
    if socket.send(Message::Text(ready.into())).await.is_err() {
        return;
    }
    // The other side, if already there, learns it can (re)send its offer now. A citizen's notice goes
    // to the consultation's current lawyer only.
    let i = id.clone();
    let current = read(&app, move |r| r.consultation(&i))
        .await
        .ok()
        .flatten()
        .and_then(|r| r.lawyer_id);
    let _ = hub.tx.send(Relayed {
        consultation: consultation.clone(),
        from: side,
        to_lawyer: current.map(|l| Arc::from(l.as_str())),
        both: false,
        frame: serde_json::json!({"type": "peer_joined", "from": side.as_str()})
            .to_string()
            .into(),
    });
    loop {
        tokio::select! {
            got = rx.recv() => {
                let r = match got {
                    Ok(r) => r,
                    // Signalling is retried by the peers (a new offer); a lost frame is not fatal.
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => break,
                };
                let for_me = r.consultation == consultation
                    && (r.from != side || r.both)
                    && (side == Side::Citizen || r.to_lawyer.as_deref() == me.as_deref());
                if for_me && socket.send(Message::Text(r.frame.to_string().into())).await.is_err() {
                    break;
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(t))) => {
                    if let Err(e) = lawyer_platform::video::relay(&app, &consultation, side, me.as_deref(), t.as_str()).await
                        && socket.send(Message::Text(error_frame(e).into())).await.is_err()
                    {
                        break;
                    }
                }
                Some(Ok(Message::Binary(_))) => {
                    let e = NodeError::new(Kind::BadRequest, "bad_json", "信令应为 JSON 文本帧 (send JSON text frames)");
                    if socket.send(Message::Text(error_frame(e).into())).await.is_err() {
                        break;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            // The guard `wait_for` returns is not `Send`: drop it inside.
            _ = async { drop(stopping.wait_for(|s| *s).await) } => break,
        }
    }
}
