//! Conversations: pick-up, the chat WebSocket (one per open realtime consultation, reconnecting with
//! `after=<last seq>` so nothing is lost or doubled), sending with the send-time checks, closing.
//! Messages are sent over HTTP so a refusal (sensitive word, closed chat) comes back to the command
//! that sent it; they arrive back (with everyone else's) over the socket.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use hall_api::consultations::{ChatFrame, ConsultKind, ConsultationView, MessageView};
use reqwest::Method;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest};

use super::{Desk, MAX_TEXT, R, not_signed_in};
use crate::server::decode;
use app_types::CommandError;
use app_types::lawyer_desk::*;

/// The message kinds a lawyer sends from the chat (6.2.2.3: reassurance, consent to continue; plain
/// text for everything else, the closing template included).
const LAWYER_KINDS: [&str; 3] = ["text", "reassurance", "consent"];

fn message_of(consultation: &str, m: &MessageView) -> ChatMessage {
    ChatMessage {
        consultation_id: consultation.to_owned(),
        id: m.id.clone(),
        seq: m.seq,
        author: m.author.as_str().to_owned(),
        kind: m.kind.as_str().to_owned(),
        body: m.body.clone(),
        at: m.at,
    }
}

fn consultation_of(v: Value) -> R<Consultation> {
    let v: ConsultationView = decode("咨询", v)?;
    let messages = v.messages.iter().map(|m| message_of(&v.id, m)).collect();
    Ok(Consultation {
        kind: v.kind.as_str().to_owned(),
        status: v.status.as_str().to_owned(),
        status_label: v.status_label,
        specialty: v.specialty,
        lawyer_id: v.lawyer_id,
        due: v.due.map(|d| Due {
            action: d.action,
            label: d.label,
            clause: d.clause,
            due: d.due,
            remaining_secs: d.remaining_secs,
        }),
        messages,
        id: v.id,
    })
}

fn live(status: &str) -> bool {
    matches!(status, "assigned" | "active" | "queued")
}

impl Desk {
    /// Picks up a realtime consultation (or claims a 留言) and opens it.
    ///
    /// A video consultation (6.2.3): the desk cannot take the call — WebKitGTK builds usually come
    /// without `RTCPeerConnection` (the page tells the shell at start), and the desk places no calls
    /// even where it exists — so it says which on the consultation's signalling socket; the server
    /// turns it into a realtime chat and tells the citizen plainly, and the conversation goes on as text.
    pub async fn pick_up(self: &Arc<Self>, id: &str) -> R<Consultation> {
        let server = self.server()?;
        let picked = server
            .ok(Method::POST, &format!("/consultations/{id}/pickup"), None)
            .await?;
        let picked: ConsultationView = decode("咨询", picked)?;
        if picked.kind == ConsultKind::Video {
            self.decline_video(id).await?;
        }
        let c = self.open(id).await?;
        let _ = self.inbox().await;
        Ok(c)
    }

    /// Reads a consultation with its messages; a live realtime one gets its chat socket.
    pub async fn open(self: &Arc<Self>, id: &str) -> R<Consultation> {
        let server = self.server()?;
        let v = server.ok(Method::GET, &format!("/consultations/{id}"), None).await?;
        let c = consultation_of(v)?;
        let start_socket = {
            let mut chats = self.chats.lock();
            let chat = chats.entry(c.id.clone()).or_default();
            for m in &c.messages {
                if !chat.messages.iter().any(|x| x.seq == m.seq) {
                    chat.messages.push(m.clone());
                }
            }
            chat.messages.sort_by_key(|m| m.seq);
            chat.status = Some(ChatStatus {
                consultation_id: c.id.clone(),
                status: c.status.clone(),
                label: c.status_label.clone(),
            });
            c.kind == "realtime" && live(&c.status) && chat.socket.as_ref().is_none_or(|s| s.is_finished())
        };
        if start_socket {
            let desk = Arc::clone(self);
            let cid = c.id.clone();
            let task = tokio::spawn(async move { desk.socket_loop(cid).await });
            if let Some(chat) = self.chats.lock().get_mut(&c.id) {
                chat.socket = Some(task);
            }
        }
        Ok(c)
    }

    /// Tells the server this desk cannot do the video call and waits for its `fallback` frame.
    async fn decline_video(&self, id: &str) -> R<()> {
        let server = self.server()?;
        let url = server.ws_url(id, 0).replace("/ws?after=0", "/signal");
        let token = server.token.clone().ok_or_else(not_signed_in)?;
        let failed = |e: String| {
            CommandError::new(
                "video",
                format!("视频转文字咨询失败 / could not fall back to chat: {e}"),
            )
        };
        let mut req = url.into_client_request().map_err(|e| failed(e.to_string()))?;
        let bearer = format!("Bearer {token}").parse().map_err(|_| failed("token".into()))?;
        req.headers_mut().insert("authorization", bearer);
        let (mut ws, _) = tokio_tungstenite::connect_async(req)
            .await
            .map_err(|e| failed(e.to_string()))?;
        let frame = json!({"type": "video_unavailable", "reason": self.video_unavailable_reason()});
        futures_util::SinkExt::send(&mut ws, tungstenite::Message::Text(frame.to_string().into()))
            .await
            .map_err(|e| failed(e.to_string()))?;
        let wait = async {
            while let Some(Ok(m)) = ws.next().await {
                if let tungstenite::Message::Text(t) = m {
                    let v: Value = serde_json::from_str(t.as_str()).unwrap_or(Value::Null);
                    match v["type"].as_str() {
                        Some("fallback") => return Ok(()),
                        Some("error") => return Err(failed(v["error"]["message"].as_str().unwrap_or("").to_owned())),
                        _ => {}
                    }
                }
            }
            Err(failed("closed".into()))
        };
        let out = tokio::time::timeout(Duration::from_secs(5), wait)
            .await
            .map_err(|_| failed("no answer within 5 s".into()))?;
        let _ = ws.close(None).await;
        out
    }

    /// The messages the desk holds for an open consultation, oldest first.
    pub fn chat_messages(&self, id: &str) -> Vec<ChatMessage> {
        self.chats
            .lock()
            .get(id)
            .map(|c| c.messages.clone())
            .unwrap_or_default()
    }

    /// Sends one chat message. Checked before it leaves: not empty, at most 4000 characters, a kind a
    /// lawyer may send, the conversation still open.
    pub async fn send_message(&self, id: &str, body: &str, kind: &str) -> R<ChatMessage> {
        let text = body.trim();
        if text.is_empty() {
            return Err(CommandError::new("invalid", "消息不能为空 / the message is empty").field("body"));
        }
        let n = text.chars().count();
        if n > MAX_TEXT {
            return Err(CommandError::new(
                "invalid",
                format!("消息最多 {MAX_TEXT} 字，当前 {n} 字 / at most {MAX_TEXT} characters, this has {n}"),
            )
            .field("body"));
        }
        if !LAWYER_KINDS.contains(&kind) {
            return Err(CommandError::new("invalid", format!("unknown message kind {kind:?}")).field("kind"));
        }
        let closed = self
            .chats
            .lock()
            .get(id)
            .and_then(|c| c.status.as_ref().map(|s| s.status == "closed"))
            .unwrap_or(false);
        if closed {
            return Err(CommandError::new(
                "closed",
                "咨询已结束，不能再发送 / this consultation has ended",
            ));
        }
        let server = self.server()?;
        let v = server
            .ok(
                Method::POST,
                &format!("/consultations/{id}/messages"),
                Some(&json!({"body": text, "kind": kind})),
            )
            .await?;
        let m = message_of(
            id,
            &serde_json::from_value(v)
                .map_err(|_| CommandError::new("bad_answer", "服务器返回的消息无法识别 / unreadable message"))?,
        );
        self.push_message(m.clone());
        Ok(m)
    }

    /// Ends the conversation (the citizen may then rate it, 6.1 a).
    pub async fn close(self: &Arc<Self>, id: &str) -> R<Consultation> {
        let server = self.server()?;
        let v = server
            .ok(Method::POST, &format!("/consultations/{id}/close"), None)
            .await?;
        let c = consultation_of(v)?;
        self.set_status(ChatStatus {
            consultation_id: c.id.clone(),
            status: c.status.clone(),
            label: c.status_label.clone(),
        });
        let _ = self.inbox().await;
        Ok(c)
    }

    /// Adds a message once (the socket and the send answer both deliver it) and tells the page.
    fn push_message(&self, m: ChatMessage) {
        let fresh = {
            let mut chats = self.chats.lock();
            let chat = chats.entry(m.consultation_id.clone()).or_default();
            if chat.messages.iter().any(|x| x.seq == m.seq) {
                false
            } else {
                chat.messages.push(m.clone());
                chat.messages.sort_by_key(|x| x.seq);
                true
            }
        };
        if fresh {
            self.emit(EVENT_CHAT, serde_json::to_value(&m).unwrap_or(Value::Null));
        }
    }

    fn set_status(&self, s: ChatStatus) {
        let changed = {
            let mut chats = self.chats.lock();
            let chat = chats.entry(s.consultation_id.clone()).or_default();
            let changed = chat.status.as_ref() != Some(&s);
            chat.status = Some(s.clone());
            changed
        };
        if changed {
            self.emit(EVENT_CHAT_STATUS, serde_json::to_value(&s).unwrap_or(Value::Null));
        }
    }

    fn last_seq(&self, id: &str) -> i64 {
        self.chats
            .lock()
            .get(id)
            .and_then(|c| c.messages.last().map(|m| m.seq))
            .unwrap_or(0)
    }

    /// Keeps the chat socket of `id` open until the conversation ends or the lawyer signs out.
    async fn socket_loop(self: Arc<Self>, id: String) {
        loop {
            let ended = match self.socket_once(&id).await {
                Ok(ended) => ended,
                Err(e) => {
                    tracing::warn!("chat socket {id}: {e}");
                    false
                }
            };
            let still_open = self.chats.lock().contains_key(&id) && self.session().is_some();
            if ended || !still_open {
                return;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// One connection; `Ok(true)` once the consultation is closed.
    async fn socket_once(&self, id: &str) -> Result<bool, String> {
        let server = self.server().map_err(|e| e.message)?;
        let token = server.token.clone().ok_or_else(|| not_signed_in().message)?;
        let mut req = server
            .ws_url(id, self.last_seq(id))
            .into_client_request()
            .map_err(|e| e.to_string())?;
        let auth = format!("Bearer {token}").parse().map_err(|_| "bad token".to_owned())?;
        req.headers_mut().insert("authorization", auth);
        let (mut ws, _) = tokio_tungstenite::connect_async(req).await.map_err(|e| e.to_string())?;
        while let Some(frame) = ws.next().await {
            let frame = frame.map_err(|e| e.to_string())?;
            let tungstenite::Message::Text(t) = frame else { continue };
            let Ok(frame) = serde_json::from_str::<ChatFrame>(t.as_str()) else {
                continue;
            };
            match frame {
                ChatFrame::Message { message } => self.push_message(message_of(id, &message)),
                ChatFrame::Status { status, label } => {
                    let status = status.as_str().to_owned();
                    let ended = status == "closed";
                    self.set_status(ChatStatus {
                        consultation_id: id.to_owned(),
                        status,
                        label,
                    });
                    if ended {
                        return Ok(true);
                    }
                }
                ChatFrame::Error { .. } => {}
            }
        }
        Ok(false)
    }
}
