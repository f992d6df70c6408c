//! Legal consultation from the kiosk (issue 7; standard 6.1 a/b: real-time and 留言 consultation,
//! 6.2.2: the lawyer answers within the chat limits). The citizen asks; the hall node routes the
//! question to an online lawyer and keeps every promise of the chat (reassurance, consent, offering a
//! 留言 when nobody picks up) — the kiosk only shows what happens, live over the consultation's
//! WebSocket, and sends what the citizen writes.
//!
//! The consultation's token is the citizen's key to it. Like the ID card, it belongs to one visit:
//! kept in memory only, and forgotten (the chat closed if it is still open) when the visit ends.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use app_types::CommandError;
use app_types::kiosk::{ConsultMessage, Consultation, EVENT_CONSULT};
use futures_util::StreamExt;
use hall_api::consultations::{ChatFrame, ConsultationView, CreatedResponse, MessageView};
use hall_api::paths;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use super::{Emit, Kiosk, answer, lock, refused, unreachable};

const TOKEN_HEADER: &str = "x-consultation-token";

/// The consultation of the visit now, shared with its WebSocket task.
#[derive(Default)]
pub(super) struct Slot(Arc<Mutex<Option<Live>>>);

struct Live {
    token: String,
    state: Consultation,
    task: Option<tokio::task::JoinHandle<()>>,
    runtime: tokio::runtime::Handle,
}

fn message(v: &MessageView) -> ConsultMessage {
    ConsultMessage {
        seq: v.seq,
        author: v.author.as_str().to_owned(),
        kind: v.kind.as_str().to_owned(),
        body: v.body.clone(),
        at: v.at,
    }
}

fn consultation(v: &ConsultationView) -> Consultation {
    Consultation {
        id: v.id.clone(),
        kind: v.kind.as_str().to_owned(),
        status: v.status.as_str().to_owned(),
        status_label: v.status_label.clone(),
        messages: v.messages.iter().map(message).collect(),
        live: false,
        rated: v.rating.is_some(),
    }
}

/// Applies one WebSocket frame (`message` or `status`); true when something changed.
fn apply(state: &mut Consultation, frame: &Value) -> bool {
    match ChatFrame::deserialize(frame) {
        Ok(ChatFrame::Message { message: m }) => {
            let m = message(&m);
            if state.messages.iter().any(|x| x.seq == m.seq) {
                return false;
            }
            state.messages.push(m);
            state.messages.sort_by_key(|m| m.seq);
            true
        }
        Ok(ChatFrame::Status { status, label }) => {
            let status = status.as_str();
            let changed = state.status != status;
            state.status = status.to_owned();
            state.status_label = label;
            changed
        }
        Ok(ChatFrame::Error { .. }) | Err(_) => false,
    }
}

impl Kiosk {
    /// Asks a question: `kind` `realtime` (a lawyer answers in a chat now) or `message` (a written
    /// answer within 120 minutes, 6.2.1.1, told by SMS — so a phone number is required for it).
    pub async fn consult_start(
        &self,
        kind: &str,
        specialty: &str,
        question: &str,
        phone: Option<&str>,
    ) -> Result<Consultation, CommandError> {
        if !matches!(kind, "realtime" | "message") {
            return Err(CommandError::new("invalid", "请选择咨询方式 / choose real-time or written").field("kind"));
        }
        let question = question.trim();
        if question.is_empty() {
            return Err(CommandError::new("invalid", "请写下您的问题 / write your question").field("question"));
        }
        let phone = phone.map(str::trim).filter(|p| !p.is_empty());
        if kind == "message" && phone.is_none() {
            return Err(CommandError::new(
                "invalid",
                "留言咨询需要手机号，律师答复后以短信通知您 / a mobile number is needed: the answer is announced by SMS",
            )
            .field("phone"));
        }
        self.forget_consultation();
        let body = json!({"kind": kind, "specialty": specialty, "question": question, "phone": phone});
        let v = self.request(Method::POST, &paths::consultations(), Some(&body)).await?;
        let v: CreatedResponse = answer(v)?;
        let token = v.token;
        let state = consultation(&v.consultation);
        let runtime = tokio::runtime::Handle::current();
        *lock(&self.consult.0) = Some(Live {
            token,
            state: state.clone(),
            task: None,
            runtime,
        });
        self.watch(&state.id)?;
        Ok(self.consultation().unwrap_or(state))
    }

    /// The consultation of this visit, if any.
    pub fn consultation(&self) -> Option<Consultation> {
        lock(&self.consult.0).as_ref().map(|l| l.state.clone())
    }

    /// The citizen writes (`kind` `text`, or `consent`: agrees to keep waiting, 6.2.2.3.4 b).
    pub async fn consult_send(&self, body: &str, kind: &str) -> Result<(), CommandError> {
        if !matches!(kind, "text" | "consent") {
            return Err(CommandError::new("invalid", "消息类型应为 text 或 consent").field("kind"));
        }
        if body.trim().is_empty() {
            return Err(CommandError::new("invalid", "请输入内容 / write something").field("body"));
        }
        let (id, _) = self.live_key()?;
        self.consult_call(
            Method::POST,
            &paths::consultation_action(&id, "messages"),
            Some(&json!({"body": body.trim(), "kind": kind})),
        )
        .await?;
        Ok(())
    }

    /// The citizen ends the chat (then rates it).
    pub async fn consult_close(&self) -> Result<Consultation, CommandError> {
        let (id, _) = self.live_key()?;
        let v = self
            .consult_call(Method::POST, &paths::consultation_action(&id, "close"), None)
            .await?;
        self.refresh(&v);
        self.consultation().ok_or_else(none)
    }

    /// 1 非常不满意 … 5 非常满意 (ratings after every service, 7.1.4).
    pub async fn consult_rate(&self, level: u8, comment: Option<&str>) -> Result<Consultation, CommandError> {
        if !(1..=5).contains(&level) {
            return Err(CommandError::new("invalid", "评价应为 1–5 / rate 1 to 5").field("level"));
        }
        let (id, _) = self.live_key()?;
        let comment = comment.map(str::trim).filter(|c| !c.is_empty());
        let v = self
            .consult_call(
                Method::POST,
                &paths::consultation_action(&id, "rating"),
                Some(&json!({"level": level, "comment": comment})),
            )
            .await?;
        self.refresh(&v);
        if let Some(l) = lock(&self.consult.0).as_mut() {
            l.state.rated = true;
        }
        self.emit_consultation();
        self.consultation().ok_or_else(none)
    }

    /// End of the visit: the token is forgotten; a chat still open is closed, so its lawyer is free
    /// for the next citizen instead of waiting on someone who walked away.
    pub(super) fn forget_consultation(&self) {
        let Some(live) = lock(&self.consult.0).take() else {
            return;
        };
        if let Some(t) = live.task {
            t.abort();
        }
        let open = matches!(live.state.status.as_str(), "queued" | "assigned" | "active");
        if live.state.kind == "realtime" && open {
            let Some(client) = lock(&self.client).clone() else {
                return;
            };
            let path = paths::consultation_action(&live.state.id, "close");
            live.runtime.spawn(async move {
                let headers = [(TOKEN_HEADER, live.token.as_str())];
                if let Err(e) = client.call_with(Method::POST, &path, None, None, &headers).await {
                    tracing::warn!("consultation left open: {e}");
                }
            });
        }
    }

    fn live_key(&self) -> Result<(String, String), CommandError> {
        lock(&self.consult.0)
            .as_ref()
            .map(|l| (l.state.id.clone(), l.token.clone()))
            .ok_or_else(none)
    }

    /// A signed request carrying the consultation's token.
    async fn consult_call(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Value, CommandError> {
        let (_, token) = self.live_key()?;
        let client = self.client()?;
        let answer = client
            .call_with(method, path, body, None, &[(TOKEN_HEADER, token.as_str())])
            .await;
        self.mark_link(matches!(answer, Err(edge::ClientError::Unreachable(_))));
        let (status, v) = answer.map_err(|e| unreachable(&e))?;
        if (200..300).contains(&status) {
            Ok(v)
        } else {
            Err(refused(status, &v))
        }
    }

    /// Takes a whole consultation view from an HTTP answer (keeping `live`).
    fn refresh(&self, v: &Value) {
        /// The answers carry the view itself or wrap it as `consultation`.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Answer {
            Wrapped { consultation: ConsultationView },
            View(ConsultationView),
        }
        let view = match Answer::deserialize(v) {
            Ok(Answer::Wrapped { consultation } | Answer::View(consultation)) => consultation,
            Err(_) => return,
        };
        if let Some(l) = lock(&self.consult.0).as_mut() {
            let fresh = consultation(&view);
            l.state = Consultation {
                live: l.state.live,
                rated: l.state.rated || fresh.rated,
                ..fresh
            };
        }
        self.emit_consultation();
    }

    fn emit_consultation(&self) {
        if let Some(c) = self.consultation() {
            self.emit(EVENT_CONSULT, c);
        }
    }

    /// Starts the task that follows the consultation over its WebSocket, reconnecting (resuming after
    /// the last message seen) until it is closed or forgotten.
    fn watch(&self, id: &str) -> Result<(), CommandError> {
        let client = self.client()?;
        let ws_base = client
            .base()
            .replacen("https://", "wss://", 1)
            .replacen("http://", "ws://", 1);
        let slot = Arc::clone(&self.consult.0);
        let emit = lock(&self.emit).clone();
        let id = id.to_owned();
        let mut guard = lock(&self.consult.0);
        let Some(live) = guard.as_mut() else { return Err(none()) };
        let token = live.token.clone();
        live.task = Some(live.runtime.spawn(follow(slot, emit, ws_base, id, token)));
        Ok(())
    }
}

fn none() -> CommandError {
    CommandError::new("no_consultation", "当前没有法律咨询 / no consultation in progress")
}

/// Runs `f` on the consultation `id` if it is still this visit's, then tells the screen.
fn update(slot: &Mutex<Option<Live>>, emit: &Emit, id: &str, f: impl FnOnce(&mut Consultation) -> bool) -> bool {
    let snapshot = {
        let mut g = lock(slot);
        let Some(l) = g.as_mut().filter(|l| l.state.id == id) else {
            return false;
        };
        if !f(&mut l.state) {
            return true;
        }
        l.state.clone()
    };
    if let Ok(v) = serde_json::to_value(snapshot) {
        emit(EVENT_CONSULT, v);
    }
    true
}

async fn follow(slot: Arc<Mutex<Option<Live>>>, emit: Emit, ws_base: String, id: String, token: String) {
    loop {
        let after = lock(&slot)
            .as_ref()
            .and_then(|l| l.state.messages.last().map(|m| m.seq))
            .unwrap_or(0);
        let url = format!(
            "{ws_base}{}?token={token}&after={after}",
            paths::consultation_action(&id, "ws")
        );
        match tokio_tungstenite::connect_async(url.as_str()).await {
            Ok((mut socket, _)) => {
                if !update(&slot, &emit, &id, |c| !std::mem::replace(&mut c.live, true)) {
                    return;
                }
                while let Some(frame) = socket.next().await {
                    let Ok(Message::Text(t)) = frame else {
                        if matches!(frame, Ok(Message::Close(_)) | Err(_)) {
                            break;
                        }
                        continue;
                    };
                    let Ok(v) = serde_json::from_str::<Value>(t.as_str()) else {
                        continue;
                    };
                    if !update(&slot, &emit, &id, |c| apply(c, &v)) {
                        return;
                    }
                }
            }
            Err(e) => tracing::debug!("consultation socket: {e}"),
        }
        let closed = lock(&slot)
            .as_ref()
            .filter(|l| l.state.id == id)
            .is_none_or(|l| l.state.status == "closed");
        if closed || !update(&slot, &emit, &id, |c| std::mem::replace(&mut c.live, false)) {
            return;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn empty() -> Consultation {
        consultation(
            &serde_json::from_value(
                json!({"id": "c1", "kind": "realtime", "status": "queued", "status_label": "排队中",
                "specialty": "labour", "channel": "kiosk", "lawyer_id": null, "phone": null, "created_at": 1,
                "picked_at": null, "converted_at": null, "answered_at": null, "closed_at": null, "rating": null,
                "due": null, "messages": []}),
            )
            .unwrap(),
        )
    }

    #[test]
    fn frames_update_the_state_once() {
        let mut c = empty();
        let m = json!({"type": "message", "message": {"id": "m2", "seq": 2, "author": "lawyer", "kind": "text", "body": "您好", "at": 5}});
        assert!(apply(&mut c, &m));
        assert!(
            !apply(&mut c, &m),
            "a message seen again after a reconnect is not shown twice"
        );
        let first = json!({"type": "message", "message": {"id": "m1", "seq": 1, "author": "citizen", "kind": "text", "body": "问", "at": 1}});
        assert!(apply(&mut c, &first));
        assert_eq!(c.messages.iter().map(|m| m.seq).collect::<Vec<_>>(), [1, 2]);
        assert!(apply(
            &mut c,
            &json!({"type": "status", "status": "active", "label": "咨询中"})
        ));
        assert_eq!((c.status.as_str(), c.status_label.as_str()), ("active", "咨询中"));
        assert!(!apply(&mut c, &json!({"type": "error", "error": {}})));
    }
}
