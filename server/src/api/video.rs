//! The signalling socket of a video consultation (issue 7, standard 6.1 c, 6.2.3); the relay itself
//! is `crate::lawyer::video`. Consultations are created, picked up and closed as in `consultations.rs`.

use std::sync::Arc;

use axum::extract::ws::{WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use domain::time::Millis;
use lawyer::sla::{PickupBand, PickupSample, ServiceKind};

use super::consultations::{Party, WsQuery, header_token, load, party};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::lawyer::ConsultKind;
use crate::lawyer::chat::read;
use crate::lawyer::video::{MAX_FRAME_BYTES, Side, signal_socket};
pub use hall_api::video::{VideoPickup, VideoStats};

/// WebRTC signalling for a video consultation: relays SDP offer/answer and ICE candidates between
/// the citizen (token) and the consultation's lawyer, never anyone else; `video_unavailable` turns
/// the consultation into a realtime text chat with a system message to both (frames: see
/// `lawyer::video`). 409 if the consultation is not (or no longer) a video one.
#[utoipa::path(get, path = "/api/v1/consultations/{id}/signal", params(("id" = String, Path, description = "consultation id"),
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
        .on_upgrade(move |socket| signal_socket(app, id, side, me, socket))
        .into_response())
}

/// Video figures for `[from, to)` (`GET /lawyer/stats`).
pub async fn stats(app: &AppState, from: i64, to: i64) -> Result<VideoStats, ApiError> {
    let rows = read(app, move |r| r.video_requests(from, to)).await?;
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
