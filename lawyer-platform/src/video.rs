//! Video consultations (standard 6.1 c, 6.2.3): matched and picked up like realtime ones (pickup
//! target 20 s from 09:00 to 22:00, 30 s otherwise, 6.2.3.1 a — `lawyer::sla::pickup_target`), then
//! a WebRTC call between the citizen's webview and the lawyer's desk. The node does not carry media;
//! it relays the call's signalling (SDP offer/answer, ICE candidates) between exactly the two sides
//! of one consultation over `GET /consultations/{id}/signal`.
//!
//! A side whose webview cannot do WebRTC says `video_unavailable`: the consultation becomes a
//! realtime text chat (kind `realtime`), with a system message telling both sides plainly, and the
//! chat's clocks (6.2.2.3) start from that moment.
//!
//! Frames, client → server (JSON text, at most [`MAX_FRAME_BYTES`]):
//! `{"type":"offer","sdp":…}`, `{"type":"answer","sdp":…}`, `{"type":"candidate","candidate":{…}}`,
//! `{"type":"video_unavailable","reason":…}`. Server → client: the same with `"from":"citizen"|"lawyer"`,
//! `{"type":"ready","you":…}` on connect, `{"type":"peer_joined","from":…}` when the other side
//! connects (the caller then sends, or re-sends, its offer), `{"type":"fallback","message":…}`, and
//! `{"type":"error","error":{code,message,field}}` for a refused frame.

use std::sync::Arc;

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use super::chat::{read, record};
use super::store::LawyerRecord;
use super::{Author, ConsultKind, ConsultStatus, MessageKind};
use crate::Lawyer;
use node_core::error::{Kind, NodeError};
use node_core::store::StoreError;

/// An SDP of a video call with a few codecs is a few KiB; anything this large is not signalling.
pub const MAX_FRAME_BYTES: usize = 32 * 1024;

/// What both sides read when the call cannot be made (Chinese first).
pub fn fallback_text(side: Side) -> String {
    let who = match side {
        Side::Citizen => "咨询人",
        Side::Lawyer => "律师",
    };
    format!(
        "{who}的设备暂不支持视频通话，本次视频咨询已转为文字实时咨询，请在对话框中继续交流。\
(Video is not available on the {}'s device; the consultation continues as a text chat.)",
        side.as_str()
    )
}

/// Which side of a consultation a socket speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Citizen,
    Lawyer,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Citizen => "citizen",
            Side::Lawyer => "lawyer",
        }
    }
}

/// The record of a fallback, through the writer as [`LawyerRecord::VideoFallback`].
#[derive(Debug, Clone)]
pub struct Fallback {
    pub id: String,
    pub message_id: String,
    /// The side that cannot do video.
    pub side: Side,
    pub reason: Option<String>,
    pub body: String,
}

impl Fallback {
    pub fn audit_body(&self) -> serde_json::Value {
        serde_json::json!({"consultation_id": self.id, "message_id": self.message_id, "side": self.side.as_str(),
            "reason": self.reason})
    }
}

/// In the writer, with the consultation: remembers it was asked as video, whatever it becomes.
pub fn opened(c: &Connection, id: &str, at: i64) -> Result<(), StoreError> {
    c.prepare_cached("INSERT INTO lm_video_requests (consultation_id, requested_at) VALUES (?1, ?2)")?
        .execute(params![id, at])?;
    Ok(())
}

/// In the writer: a live video consultation becomes a realtime one, and the system says so.
pub fn apply(c: &Connection, f: &Fallback, at: i64) -> Result<(), StoreError> {
    let n = c
        .prepare_cached(
            "UPDATE consultations SET kind = 'realtime'
             WHERE id = ?1 AND kind = 'video' AND status IN ('queued', 'assigned', 'active')",
        )?
        .execute(params![f.id])?;
    if n != 1 {
        return Err(StoreError::Conflict(
            "不是进行中的视频咨询 (not a live video consultation)".into(),
        ));
    }
    c.prepare_cached("UPDATE lm_video_requests SET fallback_at = ?2, fallback_side = ?3 WHERE consultation_id = ?1")?
        .execute(params![f.id, at, f.side.as_str()])?;
    super::store::insert_message(
        c,
        &f.id,
        &f.message_id,
        Author::System,
        None,
        MessageKind::VideoFallback,
        &f.body,
        at,
    )
}

/// A frame a client may send.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Signal {
    Offer { sdp: String },
    Answer { sdp: String },
    Candidate { candidate: serde_json::Value },
    VideoUnavailable { reason: Option<String> },
}

/// One relayed frame. `to_lawyer` is the consultation's lawyer when it was sent, so a lawyer socket
/// left open after a reassignment hears nothing more.
#[derive(Debug, Clone)]
pub struct Relayed {
    pub consultation: Arc<str>,
    pub from: Side,
    pub to_lawyer: Option<Arc<str>>,
    /// Also to the sender's side (the fallback notice).
    pub both: bool,
    pub frame: Arc<str>,
}

/// Fan-out of signalling frames; each socket keeps only those meant for it.
pub struct SignalHub {
    pub tx: broadcast::Sender<Relayed>,
}

impl Default for SignalHub {
    fn default() -> Self {
        SignalHub {
            tx: broadcast::channel(1024).0,
        }
    }
}

fn refused(kind: Kind, code: &str, message: impl Into<String>) -> NodeError {
    NodeError::new(kind, code, message)
}

/// Checks a frame and the consultation, and returns what to relay and to which lawyer.
async fn accept_frame(
    app: &Lawyer,
    id: &str,
    side: Side,
    me: Option<&str>,
    text: &str,
) -> Result<(Signal, super::store::ConsultationRow), NodeError> {
    if text.len() > MAX_FRAME_BYTES {
        return Err(refused(
            Kind::TooLarge,
            "too_large",
            format!("信令帧过大，最多 {MAX_FRAME_BYTES} 字节 (a signalling frame is at most {MAX_FRAME_BYTES} bytes)"),
        ));
    }
    let signal: Signal = serde_json::from_str(text).map_err(|e| {
        refused(
            Kind::BadRequest,
            "bad_json",
            format!("无法识别的信令 (expected offer, answer, candidate or video_unavailable): {e}"),
        )
    })?;
    match &signal {
        Signal::Offer { sdp } | Signal::Answer { sdp } if sdp.trim().is_empty() => {
            return Err(NodeError::invalid("sdp", "SDP 不能为空 (sdp is empty)"));
        }
        Signal::Candidate { candidate } if !candidate.is_object() => {
            return Err(NodeError::invalid(
                "candidate",
                "candidate 应为 RTCIceCandidateInit 对象 (candidate must be an object)",
            ));
        }
        _ => {}
    }
    let i = id.to_owned();
    let row = read(app, move |r| r.consultation(&i))
        .await?
        .ok_or_else(|| NodeError::not_found("consultation", "id"))?;
    let live = matches!(
        row.status,
        ConsultStatus::Queued | ConsultStatus::Assigned | ConsultStatus::Active
    );
    if row.kind != ConsultKind::Video || !live {
        return Err(refused(
            Kind::Conflict,
            "video_ended",
            "视频通话已结束或已转为文字咨询 (the video call is over or continues as a text chat)",
        ));
    }
    if side == Side::Lawyer && row.lawyer_id.as_deref() != me {
        return Err(NodeError::forbidden(
            "该咨询已由其他律师负责 (another lawyer has this consultation)",
        ));
    }
    if row.lawyer_id.is_none() && !matches!(signal, Signal::VideoUnavailable { .. }) {
        return Err(refused(
            Kind::Conflict,
            "no_lawyer_yet",
            "尚无律师接单，请稍候 (no lawyer has this consultation yet)",
        ));
    }
    Ok((signal, row))
}

/// Relays one frame a side sent (after [`accept_frame`]'s checks); a `video_unavailable` turns the
/// consultation into a text chat.
pub async fn relay(app: &Lawyer, id: &Arc<str>, side: Side, me: Option<&str>, text: &str) -> Result<(), NodeError> {
    let (signal, row) = accept_frame(app, id, side, me, text).await?;
    let to_lawyer: Option<Arc<str>> = row.lawyer_id.as_deref().map(Arc::from);
    if let Signal::VideoUnavailable { reason } = signal {
        let reason = reason.map(|r| r.chars().take(200).collect::<String>());
        let body = fallback_text(side);
        let actor = match (side, me) {
            (Side::Lawyer, Some(s)) => format!("staff:{s}"),
            _ => "citizen".to_owned(),
        };
        let f = Fallback {
            id: id.to_string(),
            message_id: uuid::Uuid::now_v7().to_string(),
            side,
            reason: reason.clone(),
            body: body.clone(),
        };
        // `record` also wakes the chat sockets, which show the system message.
        record(app, row.hall_id.as_deref(), actor, LawyerRecord::VideoFallback(f)).await?;
        let frame = serde_json::json!({"type": "fallback", "from": side.as_str(), "reason": reason, "message": body});
        let _ = app.signals.tx.send(Relayed {
            consultation: id.clone(),
            from: side,
            to_lawyer,
            both: true,
            frame: frame.to_string().into(),
        });
        return Ok(());
    }
    let mut frame = serde_json::to_value(&signal).map_err(|e| NodeError::internal(e.to_string()))?;
    frame["from"] = side.as_str().into();
    // Nobody listening is fine: the peer re-sends once it connects (`peer_joined`).
    let _ = app.signals.tx.send(Relayed {
        consultation: id.clone(),
        from: side,
        to_lawyer,
        both: false,
        frame: frame.to_string().into(),
    });
    Ok(())
}

/// One video request for the 6.2.3.1 figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VideoRequest {
    pub requested_at: i64,
    /// The pickup, unless nobody picked it up and it became a 留言 (not connected, 6.2.3.1 c).
    pub picked_at: Option<i64>,
    pub fell_back: bool,
}

/// Video requests made in `[from, to)`.
pub fn requests(c: &Connection, from: i64, to: i64) -> rusqlite::Result<Vec<VideoRequest>> {
    c.prepare_cached(
        "SELECT v.requested_at, CASE WHEN k.converted_at IS NULL THEN k.picked_at END, v.fallback_at IS NOT NULL
         FROM lm_video_requests v JOIN consultations k ON k.id = v.consultation_id
         WHERE v.requested_at >= ?1 AND v.requested_at < ?2",
    )?
    .query_map(params![from, to], |r| {
        Ok(VideoRequest {
            requested_at: r.get(0)?,
            picked_at: r.get(1)?,
            fell_back: r.get(2)?,
        })
    })?
    .collect()
}

/// Queries of video consultations, beside the writer.
pub trait VideoReader: Send + Sync {
    fn video_requests(&self, from: i64, to: i64) -> Result<Vec<VideoRequest>, StoreError>;
}

impl VideoReader for node_core::store::sqlite::SqliteReader {
    fn video_requests(&self, from: i64, to: i64) -> Result<Vec<VideoRequest>, StoreError> {
        self.with(|c| requests(c, from, to))
    }
}
