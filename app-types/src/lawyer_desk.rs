//! The lawyer's desk (`lawyer-desk`): what its commands return and its events carry. The shell talks
//! to the server (HTTP and the chat WebSocket); the UI only sees these shapes.

use serde::{Deserialize, Serialize};

/// Event carrying [`Inbox`] after every refresh (the shell polls while signed in).
pub const EVENT_INBOX: &str = "lawyer-desk://inbox";
/// Event carrying [`ChatMessage`] for every message of an open conversation (both sides and the
/// system's), as the chat WebSocket delivers it.
pub const EVENT_CHAT: &str = "lawyer-desk://chat";
/// Event carrying [`ChatStatus`] when a conversation's status changes (e.g. the citizen closed it).
pub const EVENT_CHAT_STATUS: &str = "lawyer-desk://chat-status";
/// Event carrying `Option<String>` when reaching the server changes: the problem (Chinese-first, e.g.
/// unreachable, session expired), or `None` once it answers again.
pub const EVENT_LINK: &str = "lawyer-desk://link";

/// The signed-in lawyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub server: String,
    pub staff_id: String,
    pub name: String,
    pub expires_at: i64,
}

/// Online state (`PUT /lawyer/status`); online time counts toward the tiers on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Profile {
    pub online: bool,
    #[serde(default)]
    pub online_since: Option<i64>,
    pub online_secs: i64,
    pub specialties: Vec<String>,
}

/// What the lawyer owes next on one item, with its deadline (the standard's clause named).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    pub action: String,
    pub label: String,
    pub clause: String,
    /// Deadline (ms since the epoch, server clock).
    pub due: i64,
    /// Seconds left when the inbox was read; negative once overdue.
    pub remaining_secs: i64,
}

/// One inbox line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxItem {
    pub id: String,
    /// `realtime`, `message`; later also `video`, `mediation` (shown with their own label).
    pub kind: String,
    pub status: String,
    pub status_label: String,
    pub specialty: String,
    pub question: String,
    pub created_at: i64,
    #[serde(default)]
    pub lawyer_id: Option<String>,
    #[serde(default)]
    pub due: Option<Due>,
}

/// The fixed parts of a 留言 reply (6.2.1.2 a, f), as the server has them configured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Templates {
    pub opening: String,
    pub disclaimer: String,
    pub closing: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Inbox {
    pub profile: Profile,
    /// Most urgent first.
    pub items: Vec<InboxItem>,
    pub templates: Templates,
    /// Remote mediations assigned to the lawyer and still ahead, soonest first (6.2.4).
    #[serde(default)]
    pub mediations: Vec<MediationItem>,
    /// When the shell read it (ms, this PC's clock): the countdowns run from here.
    pub read_at: i64,
}

/// A remote mediation the lawyer was assigned (6.2.4): accept it, then join the online room 10 minutes
/// before the start (6.2.4.2 a).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediationItem {
    pub id: String,
    pub committee: String,
    #[serde(default)]
    pub parties: Vec<String>,
    pub matter: String,
    pub specialty: String,
    pub starts_at: i64,
    pub duration_minutes: u32,
    /// `assigned` (accept it) or `accepted` (join it).
    pub status: String,
    pub status_label: String,
    /// The join-by time (start − 10 min) with its countdown.
    pub join_by: Due,
    #[serde(default)]
    pub joined_at: Option<i64>,
    /// Joined after the join-by time.
    #[serde(default)]
    pub join_late: Option<bool>,
}

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub consultation_id: String,
    pub id: String,
    pub seq: i64,
    /// `citizen`, `lawyer`, `system`.
    pub author: String,
    /// `text`, `consent`, `reassurance`, `template`.
    pub kind: String,
    pub body: String,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatStatus {
    pub consultation_id: String,
    pub status: String,
    pub label: String,
}

/// A consultation opened in the desk (after pick-up, or a 留言 to answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consultation {
    pub id: String,
    pub kind: String,
    pub status: String,
    pub status_label: String,
    pub specialty: String,
    #[serde(default)]
    pub lawyer_id: Option<String>,
    #[serde(default)]
    pub due: Option<Due>,
    pub messages: Vec<ChatMessage>,
}

/// A quick template for the chat (6.2.2.3): its key, the message kind the server records, the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickTemplate {
    /// `reassurance`, `consent`, `closing`.
    pub key: String,
    pub kind: String,
    pub text: String,
}

/// The lawyer's three parts of a 留言 reply (6.2.1.2 c, d, e).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ReplyDraft {
    pub judgement: String,
    pub basis: String,
    pub advice: String,
}

/// One rule a reply does not meet yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyProblem {
    pub clause: String,
    pub message: String,
}

/// The local check of a draft, run with the server's templates before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyCheck {
    pub ok: bool,
    pub problems: Vec<ReplyProblem>,
    /// The lawyer's own characters (6.2.1.2 b: more than 50).
    pub own_chars: usize,
    /// The full text as it will be sent (opening, sections, disclaimer, closing).
    pub composed: String,
}

/// The answer to sending a 留言 reply: sent, or refused with every problem listed (the local check's,
/// or the server's 422 when it still refuses).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyOutcome {
    pub sent: bool,
    pub problems: Vec<ReplyProblem>,
    /// Who refused: `local` (nothing was sent) or `server`.
    #[serde(default)]
    pub refused_by: Option<String>,
}

/// One panel of figures from an endpoint that may not exist yet (stats, QC, tier progress): `None`
/// when the server does not answer it (the UI shows "暂无数据", never a made-up number).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// The endpoint read (for the footnote).
    pub source: String,
    /// Label → value, as the server sent them (flat fields only).
    #[serde(default)]
    pub rows: Option<Vec<(String, String)>>,
    /// Why there is nothing (e.g. 403 / 404), Chinese first.
    #[serde(default)]
    pub note: Option<String>,
}

/// One of the lawyer's own consultations (`GET /lawyer/consultations`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryItem {
    pub id: String,
    pub kind: String,
    pub status: String,
    pub status_label: String,
    pub specialty: String,
    pub question: String,
    pub created_at: i64,
    #[serde(default)]
    pub answered_at: Option<i64>,
    #[serde(default)]
    pub closed_at: Option<i64>,
    /// The citizen's rating 1–5 (6.1), if given.
    #[serde(default)]
    pub rating: Option<u8>,
    #[serde(default)]
    pub rating_comment: Option<String>,
}

/// The history with the ratings among it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct History {
    pub items: Vec<HistoryItem>,
    pub rated: u64,
    /// `None` when nothing is rated (shown as "暂无数据", not as 0).
    #[serde(default)]
    pub average_rating: Option<f64>,
}
