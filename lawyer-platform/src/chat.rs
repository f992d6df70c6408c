//! The chat's clock: a conversation's messages as `lawyer::sla::chat` events, the countdown an inbox
//! shows, the one path every message takes into the store (then the sockets, then the SMS), and the
//! sweeper that keeps the promises nobody may forget:
//! - 6.2.2.3.1 b: a citizen left waiting 60 s gets a reassurance (a system message in the lawyer's
//!   name: it fulfils the clause for the citizen, and the lawyer still owes the answer);
//! - 6.2.2.3.4 b: before a wait reaches 120 s the citizen is told the answer needs more time and
//!   asked to agree (`consent`), `consent_lead_secs` early so it is never late;
//! - product rule (see `lawyer::sla::should_offer_message`): a realtime question nobody picked up in
//!   time becomes a 留言 consultation, and the citizen is told so — never left waiting silently;
//! - queued questions are routed again when a lawyer is free.
//!
//! Time is the node's clock (`Lawyer::clock`), so tests advance a test clock instead of sleeping.

use std::sync::Arc;
use std::time::Duration;

use domain::time::Millis;
use lawyer::sla::chat::{ChatAction, ChatEvent, ChatKind, Party};
use lawyer::sla::tasks::{Task, task_due};

use super::store::{ConsultationRow, LawyerRecord, MessageRow};
use super::{Author, ConsultKind, ConsultStatus, MessageKind, notify};
use crate::Lawyer;
pub use hall_api::consultations::Due;
use node_core::error::NodeError;
use node_core::store::Record;

pub const REASSURANCE_TEXT: &str = "感谢您的耐心等待，律师正在认真研究您的问题，请稍候。";
pub const CONSENT_TEXT: &str =
    "您的问题较为复杂，律师需要更多时间（最长 3 分钟）为您解答。如您同意继续等待，请回复“同意”。";
pub const OFFER_TEXT: &str = "非常抱歉，当前暂无律师接单。您的问题已转为留言咨询，律师将在 120 分钟内书面回复，\
回复后将短信通知您（如留有手机号），您也可凭咨询凭证随时查看。";

/// A conversation as the SLA rules read it.
pub fn chat_events(row: &ConsultationRow, messages: &[MessageRow]) -> Vec<ChatEvent> {
    let mut out = Vec::with_capacity(messages.len() + 2);
    // A video call that fell back to text after the pickup: the chat, and its first-reply clock,
    // begins at the fallback, not at the pickup of the call.
    let fallback = messages
        .iter()
        .find(|m| m.kind == MessageKind::VideoFallback && m.author == Author::System)
        .map(|m| m.at);
    let pickup = match (row.picked_at, fallback) {
        (Some(p), Some(f)) if f > p => Some(f),
        (p, _) => p,
    };
    if let Some(at) = pickup {
        out.push(ChatEvent {
            at: Millis(at),
            who: Party::Lawyer,
            kind: ChatKind::Pickup,
        });
    }
    for m in messages {
        let (who, kind) = match (m.author, m.kind) {
            (Author::Citizen, MessageKind::Consent) => (Party::Client, ChatKind::Consent),
            (Author::Citizen, _) => (Party::Client, ChatKind::Message),
            // The system speaks for the platform only where the rules let it: reassure, ask consent.
            (_, MessageKind::Reassurance) => (Party::Lawyer, ChatKind::Reassurance),
            (_, MessageKind::Consent) => (Party::Lawyer, ChatKind::ConsentRequest),
            (Author::Lawyer, _) => (Party::Lawyer, ChatKind::Message),
            (Author::System, _) => continue,
        };
        out.push(ChatEvent {
            at: Millis(m.at),
            who,
            kind,
        });
    }
    if let Some(at) = row.closed_at {
        out.push(ChatEvent {
            at: Millis(at),
            who: Party::Lawyer,
            kind: ChatKind::End,
        });
    }
    out
}

pub fn next_due(app: &Lawyer, row: &ConsultationRow, messages: &[MessageRow], now: i64) -> Option<Due> {
    let cfg = &app.config.sla;
    let (action, label, clause, due) = match (row.kind, row.status) {
        (ConsultKind::Realtime, ConsultStatus::Queued | ConsultStatus::Assigned | ConsultStatus::Active) => {
            let a = lawyer::sla::chat::next_action(&chat_events(row, messages), Millis(now), cfg)?;
            let action = match a.action {
                ChatAction::PickUp => "pick_up",
                ChatAction::FirstReply => "first_reply",
                ChatAction::Reassure => "reassure",
                ChatAction::AskConsent => "ask_consent",
                ChatAction::Answer => "answer",
            };
            (action, a.action.label_zh(), a.clause, a.due)
        }
        // 6.2.3.1 a: a video call is picked up within 20 s (09:00–22:00) or 30 s (22:00–09:00); once
        // picked up the call itself has no text clock.
        (ConsultKind::Video, ConsultStatus::Queued | ConsultStatus::Assigned) => {
            let asked = Millis(row.created_at);
            let (_, secs) = lawyer::sla::pickup_target(lawyer::ServiceKind::Video, asked, 480, cfg)?;
            (
                "pick_up",
                ChatAction::PickUp.label_zh(),
                "6.2.3.1 a",
                Millis(asked.0 + i64::from(secs) * 1000),
            )
        }
        (ConsultKind::Message, ConsultStatus::WaitingReply) => {
            // A converted realtime question's 120 min run from the conversion: that is when it became a 留言.
            let from = Millis(row.converted_at.unwrap_or(row.created_at));
            let due = task_due(Task::MessageReply, from, cfg, &app.calendar, 480).ok()?;
            ("reply", Task::MessageReply.label_zh(), Task::MessageReply.clause(), due)
        }
        _ => return None,
    };
    let c = lawyer::sla::tasks::Countdown::new(due, Millis(now));
    Some(Due {
        action: action.into(),
        label: label.into(),
        clause: clause.into(),
        due: due.0,
        remaining_secs: c.remaining_secs,
    })
}

pub async fn read<T: Send + 'static>(
    app: &Lawyer,
    f: impl FnOnce(&dyn super::store::LawyerReader) -> Result<T, node_core::store::StoreError> + Send + 'static,
) -> Result<T, NodeError> {
    let reader = app.reader.clone();
    Ok(tokio::task::spawn_blocking(move || f(&*reader))
        .await
        .map_err(|e| NodeError::internal(e.to_string()))??)
}

/// Writes one record through the writer and wakes the consultation's sockets.
pub async fn record(app: &Lawyer, row_hall: Option<&str>, actor: String, r: LawyerRecord) -> Result<(), NodeError> {
    let id = match &r {
        LawyerRecord::Opened { id, .. }
        | LawyerRecord::Route { id, .. }
        | LawyerRecord::Pickup { id, .. }
        | LawyerRecord::Message { id, .. }
        | LawyerRecord::Offered { id, .. }
        | LawyerRecord::Closed { id }
        | LawyerRecord::Rated { id, .. } => Some(id.clone()),
        LawyerRecord::VideoFallback(f) => Some(f.id.clone()),
        LawyerRecord::Status { .. } | LawyerRecord::Mediation(_) | LawyerRecord::Quality(_) => None,
    };
    app.engine
        .record(row_hall.unwrap_or_default(), actor, Record::module(r))
        .await?;
    if let Some(id) = id {
        app.hub.changed(&id);
    }
    Ok(())
}

/// Adds a message (already checked by the caller) and returns it as stored. A lawyer's message that
/// answers a 留言 also sends the citizen the SMS notice.
pub async fn post(
    app: &Lawyer,
    row: &ConsultationRow,
    author: Author,
    staff: Option<&str>,
    kind: MessageKind,
    body: String,
) -> Result<MessageRow, NodeError> {
    let message_id = uuid::Uuid::now_v7().to_string();
    let actor = match (author, staff) {
        (Author::Lawyer, Some(s)) => format!("staff:{s}"),
        (Author::Citizen, _) => "citizen".into(),
        _ => "system".into(),
    };
    let r = LawyerRecord::Message {
        id: row.id.clone(),
        message_id: message_id.clone(),
        author,
        staff_id: staff.map(str::to_owned),
        kind,
        body,
    };
    record(app, row.hall_id.as_deref(), actor, r).await?;
    let id = row.id.clone();
    let msgs = read(app, move |r| r.messages(&id, 0)).await?;
    let msg = msgs
        .into_iter()
        .rev()
        .find(|m| m.id == message_id)
        .ok_or_else(|| NodeError::internal("message vanished"))?;
    if author == Author::Lawyer && row.kind == ConsultKind::Message && row.status == ConsultStatus::WaitingReply {
        notify_reply(app, row);
    }
    Ok(msg)
}

fn notify_reply(app: &Lawyer, row: &ConsultationRow) {
    let Some(sealed) = &row.phone_sealed else { return };
    match app.sealer.open(sealed) {
        Ok(phone) => app.notifier().notify(notify::Notice {
            phone,
            consultation_id: row.id.clone(),
            text: notify::reply_text(&row.id),
        }),
        Err(e) => tracing::error!(error = %e, "the citizen's phone cannot be opened; no notice sent"),
    }
}

/// One look at every live consultation; returns how many records it wrote.
pub async fn sweep(app: &Lawyer) -> Result<usize, NodeError> {
    let _one = app.sweep_lock.lock().await;
    let now = (app.clock)();
    let cfg = app.config.clone();
    let live = read(app, |r| r.live()).await?;
    let mut written = 0;
    let mut candidates = None;
    for row in live {
        let hall = row.hall_id.clone();
        let unpicked = matches!(row.status, ConsultStatus::Queued | ConsultStatus::Assigned);
        if unpicked && lawyer::sla::should_offer_message(Millis(row.created_at), Millis(now), false, &cfg.sla) {
            let r = LawyerRecord::Offered {
                id: row.id.clone(),
                message_id: uuid::Uuid::now_v7().to_string(),
                body: OFFER_TEXT.into(),
            };
            // Refused only if a lawyer picked it up a moment ago, which is the better outcome.
            if record(app, hall.as_deref(), "system".into(), r).await.is_ok() {
                written += 1;
            }
            continue;
        }
        if row.status == ConsultStatus::Queued {
            if candidates.is_none() {
                candidates = Some(read(app, |r| r.candidates()).await?);
            }
            let free = candidates
                .as_deref()
                .and_then(|c| super::routing::choose(c, &row.specialty, cfg.max_load))
                .is_some();
            if free {
                let r = LawyerRecord::Route {
                    id: row.id.clone(),
                    max_load: cfg.max_load,
                };
                record(app, hall.as_deref(), "system".into(), r).await?;
                // Loads changed: read them again for the next queued one.
                candidates = None;
                written += 1;
            }
            continue;
        }
        // A video call in progress has no text clock (it falls back to one, see `video`).
        if row.status != ConsultStatus::Active || row.kind == ConsultKind::Video {
            continue;
        }
        let id = row.id.clone();
        let msgs = read(app, move |r| r.messages(&id, 0)).await?;
        let actions = lawyer::sla::chat::pending_actions(&chat_events(&row, &msgs), Millis(now), &cfg.sla);
        let lead = i64::from(cfg.consent_lead_secs) * 1000;
        let reassure = actions
            .iter()
            .any(|a| a.action == ChatAction::Reassure && a.due.0 <= now);
        let consent = actions
            .iter()
            .any(|a| a.action == ChatAction::AskConsent && a.due.0 - lead <= now);
        for (due, kind, text) in [
            (reassure && !consent, MessageKind::Reassurance, REASSURANCE_TEXT),
            (consent, MessageKind::Consent, CONSENT_TEXT),
        ] {
            if due && post(app, &row, Author::System, None, kind, text.into()).await.is_ok() {
                written += 1;
            }
        }
    }
    Ok(written)
}

/// Runs [`sweep`] every `sweep_ms` until the node stops.
pub fn spawn_sweeper(app: Arc<Lawyer>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut stopping = app.stopping.subscribe();
        let period = Duration::from_millis(app.config.sweep_ms.max(10));
        loop {
            tokio::select! {
                _ = tokio::time::sleep(period) => {}
                // The guard `wait_for` returns is not `Send`: drop it inside.
            _ = async { drop(stopping.wait_for(|s| *s).await) } => break,
            }
            if let Err(e) = sweep(&app).await {
                tracing::warn!(error = %e, "lawyer sweep failed");
            }
        }
    })
}
