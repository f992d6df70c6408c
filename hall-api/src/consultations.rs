//! Online-lawyer consultations (`/consultations…`) and the platform's nouns they carry.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateRequest {
    pub kind: ConsultKind,
    /// The question, 1–4000 characters.
    pub question: String,
    /// The field of law (e.g. `labour`, `family`), matched against the lawyers' specialties.
    pub specialty: String,
    /// Mainland mobile number for the SMS when a 留言 is answered; kept sealed.
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReplyPartsRequest {
    /// 【法律分析】 the judgement (6.2.1.2 c).
    pub judgement: String,
    /// 【法律依据】 the law and article (6.2.1.2 d).
    pub basis: String,
    /// 【建议】 what to do (6.2.1.2 e).
    pub advice: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MessageRequest {
    /// The text; or leave it out and send `parts` for a 留言 reply the server wraps in the fixed opening,
    /// disclaimer and closing.
    pub body: Option<String>,
    /// Default `text` (`template` with `parts`). Citizens: `text`, `consent` (agree to wait). Lawyers:
    /// `text`, `reassurance`, `consent` (explain and ask to continue), `template`.
    pub kind: Option<MessageKind>,
    pub parts: Option<ReplyPartsRequest>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RatingRequest {
    /// 1 非常不满意 … 5 非常满意.
    pub level: u8,
    pub comment: Option<String>,
    /// The citizen still needs a legal answer: the lawyer is asked to call back within 1 hour
    /// (7.1.3.2 b).
    pub needs_legal_answer: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageView {
    pub id: String,
    /// 1, 2, 3 … within the consultation.
    pub seq: i64,
    pub author: Author,
    pub kind: MessageKind,
    pub body: String,
    pub at: i64,
    /// 10.3.2: the message used a listed word whose action is a warning (recorded for review).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingView {
    pub level: u8,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsultationView {
    pub id: String,
    pub kind: ConsultKind,
    pub status: ConsultStatus,
    /// 排队中, 待接单, 咨询中, 待回复, 已回复, 已结束.
    pub status_label: String,
    pub specialty: String,
    /// `kiosk` or `web`.
    pub channel: String,
    pub lawyer_id: Option<String>,
    /// Masked (138****8000).
    pub phone: Option<String>,
    pub created_at: i64,
    pub picked_at: Option<i64>,
    /// When a realtime question nobody picked up became a 留言.
    pub converted_at: Option<i64>,
    pub answered_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub rating: Option<RatingView>,
    /// What the lawyer owes next (the citizen sees the promise too).
    pub due: Option<Due>,
    /// Oldest first; the question is message 1.
    pub messages: Vec<MessageView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedResponse {
    pub consultation: ConsultationView,
    /// The citizen's key to this consultation: send it as `X-Consultation-Token`. Shown once.
    pub token: String,
    /// 10.3.2: the question used a listed word whose action is a warning (recorded for review).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WsQuery {
    /// The consultation token (browsers cannot set headers on a WebSocket).
    pub token: Option<String>,
    /// Resume after this message `seq` (default 0: everything).
    pub after: Option<i64>,
}

/// What the lawyer owes next on a consultation, for the inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Due {
    /// `pick_up`, `first_reply`, `reassure`, `ask_consent`, `answer` (realtime, 6.2.2) or `reply` (留言, 6.2.1.1).
    pub action: String,
    pub label: String,
    pub clause: String,
    /// When (ms).
    pub due: i64,
    /// Seconds left; negative once overdue.
    pub remaining_secs: i64,
}

str_enum!(
    /// 6.1 a / b.
    ConsultKind {
        Realtime = "realtime" / "实时咨询",
        Message = "message" / "留言咨询",
        /// 6.1 c: matched like a realtime one, then a WebRTC call signalled over
        /// `/consultations/{id}/signal`; falls back to a realtime chat when a side cannot do video.
        Video = "video" / "视频咨询",
    }
);

str_enum!(
    ConsultStatus {
        /// Realtime, no lawyer free yet.
        Queued = "queued" / "排队中",
        /// Realtime, routed to a lawyer who has not picked it up yet.
        Assigned = "assigned" / "待接单",
        /// Realtime, in conversation.
        Active = "active" / "咨询中",
        /// 留言 (or a realtime one nobody picked up), waiting for the written reply.
        WaitingReply = "waiting_reply" / "待回复",
        Answered = "answered" / "已回复",
        Closed = "closed" / "已结束",
    }
);

str_enum!(
    Author {
        Citizen = "citizen" / "咨询人",
        Lawyer = "lawyer" / "律师",
        System = "system" / "系统",
    }
);

str_enum!(
    /// What a message is, so the SLA check needs no text understanding (`lawyer::sla::chat`).
    MessageKind {
        Text = "text" / "消息",
        /// From a lawyer or the system: explains the delay and asks to continue (6.2.2.3.4 b); from
        /// the citizen: agrees to wait.
        Consent = "consent" / "征得同意",
        /// Thanks/apology while the citizen waits (6.2.2.3.1 b).
        Reassurance = "reassurance" / "安抚",
        /// A 留言 reply composed from the fixed templates (6.2.1.2).
        Template = "template" / "模板回复",
        /// System: the video call could not be made and the consultation goes on as a text chat;
        /// the chat's clocks (6.2.2.3) start here.
        VideoFallback = "video_fallback" / "转文字咨询",
    }
);

/// One frame of the consultation's WebSocket (`GET /consultations/{id}/ws`), server to client; the
/// node writes it with its keys in alphabetical order (through `serde_json::Value`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChatFrame {
    /// A message, new or replayed after `?after=` (the client keeps each `seq` once).
    Message { message: MessageView },
    /// The consultation's status changed; `label` is its Chinese name.
    Status { status: ConsultStatus, label: String },
    /// What the client sent was refused.
    Error { error: crate::ErrorBody },
}

impl ChatFrame {
    /// The text of the WebSocket frame.
    pub fn to_text(&self) -> String {
        serde_json::to_value(self).map_or_else(|_| String::new(), |v| v.to_string())
    }
}
