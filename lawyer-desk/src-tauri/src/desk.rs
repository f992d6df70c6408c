//! The desk's state and logic, without Tauri types: the session, the inbox refresh, the open
//! conversations (one chat WebSocket each, messages kept here so the UI can re-read them), the reply
//! checks, and the figures panels. Commands in [`crate::commands`] forward here.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use app_types::CommandError;
use app_types::lawyer_desk::*;
use hall_api::ErrorBody;
use hall_api::access::SessionResponse;
use parking_lot::Mutex;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::Config;
use crate::server::{Server, decode, normalize_address};

mod chat;

type R<T> = Result<T, CommandError>;

/// Sends an event to the page (name, JSON payload).
pub type Emitter = Arc<dyn Fn(&str, Value) + Send + Sync>;

/// Longest chat message (the server's limit).
pub const MAX_TEXT: usize = 4000;

struct SignedIn {
    server: Server,
    session: Session,
    templates: Templates,
}

/// One open conversation.
#[derive(Default)]
struct Chat {
    messages: Vec<ChatMessage>,
    status: Option<ChatStatus>,
    socket: Option<tokio::task::JoinHandle<()>>,
}

pub struct Desk {
    pub config: Config,
    signed_in: Mutex<Option<SignedIn>>,
    chats: Mutex<HashMap<String, Chat>>,
    emitter: Mutex<Option<Emitter>>,
    /// Whether the page's engine has `RTCPeerConnection` (the page says so at start; WebKitGTK builds
    /// usually have none). Only the reason told on a video fallback depends on it.
    webrtc: std::sync::atomic::AtomicBool,
}

fn not_signed_in() -> CommandError {
    CommandError::new("not_signed_in", "请先登录 / please sign in")
}

impl Desk {
    pub fn new(config: Config) -> Desk {
        Desk {
            config,
            signed_in: Mutex::new(None),
            chats: Mutex::new(HashMap::new()),
            emitter: Mutex::new(None),
            webrtc: std::sync::atomic::AtomicBool::new(false),
        }
    }

    pub fn set_emitter(&self, e: Emitter) {
        *self.emitter.lock() = Some(e);
    }

    fn emit(&self, name: &str, payload: Value) {
        let e = self.emitter.lock().clone();
        if let Some(e) = e {
            e(name, payload);
        }
    }

    fn server(&self) -> R<Server> {
        self.signed_in
            .lock()
            .as_ref()
            .map(|s| s.server.clone())
            .ok_or_else(not_signed_in)
    }

    pub fn session(&self) -> Option<Session> {
        self.signed_in.lock().as_ref().map(|s| s.session.clone())
    }

    /// The address pre-filled on the sign-in form.
    /// What the page's engine can do (told once by the page at start).
    pub fn set_webrtc(&self, available: bool) {
        self.webrtc.store(available, std::sync::atomic::Ordering::Relaxed);
    }

    /// Why this desk does not take a video call: the plain reason sent with the fallback (6.2.3).
    pub fn video_unavailable_reason(&self) -> &'static str {
        if self.webrtc.load(std::sync::atomic::Ordering::Relaxed) {
            "律师工作台尚未提供视频通话功能 (the desk does not place video calls yet)"
        } else {
            "律师工作台的浏览器内核不支持 WebRTC，无法视频通话 (the desk's webview has no WebRTC)"
        }
    }

    pub fn default_server(&self) -> String {
        self.config.server.clone()
    }

    /// Signs in with a staff login; only lawyers may use the desk.
    pub async fn sign_in(&self, address: &str, login: &str, password: &str) -> R<Session> {
        let base = normalize_address(address)?;
        if login.trim().is_empty() {
            return Err(CommandError::new("invalid", "请填写账号 / enter your login").field("login"));
        }
        if password.is_empty() {
            return Err(CommandError::new("invalid", "请填写密码 / enter your password").field("password"));
        }
        let mut server = Server::new(base.clone(), Duration::from_secs(self.config.timeout_secs.max(1)))?;
        let (status, v) = server
            .call(
                Method::POST,
                "/sessions",
                Some(&json!({"login": login.trim(), "password": password})),
            )
            .await?;
        if status == 401 {
            return Err(
                CommandError::new("unauthorized", "账号或密码错误 / wrong login or password").field("password"),
            );
        }
        if !(200..300).contains(&status) {
            return Err(crate::server::refused(status, &v));
        }
        let v: SessionResponse = decode("登录结果", v)?;
        server.token = Some(v.token);
        let is_lawyer = v.roles.contains(&domain::config::Role::Lawyer);
        if !is_lawyer {
            // Not ours to keep: end the session on the server too.
            let _ = server.call(Method::DELETE, "/sessions/current", None).await;
            return Err(
                CommandError::new("not_a_lawyer", "该账号不是律师账号 / this account is not a lawyer's").field("login"),
            );
        }
        let session = Session {
            server: base,
            staff_id: v.staff_id,
            name: v.name,
            expires_at: v.expires_at,
        };
        self.stop_chats();
        *self.signed_in.lock() = Some(SignedIn {
            server,
            session: session.clone(),
            templates: Templates::default(),
        });
        // The templates come with the inbox; read it once so the reply editor has them at once.
        let _ = self.inbox().await;
        Ok(session)
    }

    /// Goes offline first (what was routed here goes back to the queue), then ends the session.
    pub async fn sign_out(&self) -> R<()> {
        let Ok(server) = self.server() else { return Ok(()) };
        let _ = server
            .call(Method::PUT, "/lawyer/status", Some(&json!({"online": false})))
            .await;
        let _ = server.call(Method::DELETE, "/sessions/current", None).await;
        self.stop_chats();
        *self.signed_in.lock() = None;
        Ok(())
    }

    fn stop_chats(&self) {
        for (_, c) in self.chats.lock().drain() {
            if let Some(s) = c.socket {
                s.abort();
            }
        }
    }

    /// Online or offline, with the specialties (left out: unchanged on the server).
    pub async fn set_online(&self, online: bool, specialties: Option<Vec<String>>) -> R<Profile> {
        let server = self.server()?;
        let mut body = json!({ "online": online });
        if let Some(list) = specialties {
            let list: Vec<String> = list
                .iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
            if online && list.is_empty() {
                return Err(CommandError::new(
                    "invalid",
                    "上线前请至少填写一个专业领域 / enter at least one specialty to go online",
                )
                .field("specialties"));
            }
            body["specialties"] = json!(list);
        }
        let v = server.ok(Method::PUT, "/lawyer/status", Some(&body)).await?;
        let p: Profile = decode("在线状态", v)?;
        // The inbox changes with the status (routed work, handed back work): refresh now.
        let _ = self.inbox().await;
        Ok(p)
    }

    /// Reads the inbox, keeps the templates, and tells the page.
    pub async fn inbox(&self) -> R<Inbox> {
        let server = self.server()?;
        let v = server.ok(Method::GET, "/lawyer/inbox", None).await?;
        let mut inbox: Inbox = decode("待办", json_with_read_at(v))?;
        inbox.read_at = now_ms();
        if let Some(s) = self.signed_in.lock().as_mut() {
            s.templates = inbox.templates.clone();
        }
        self.emit(EVENT_INBOX, serde_json::to_value(&inbox).unwrap_or(Value::Null));
        Ok(inbox)
    }

    /// Accepts an assigned remote mediation, or joins its online room (the server records the time;
    /// later than 10 min before the start is recorded as late, 6.2.4.2 a). `action`: `accept`, `join`.
    pub async fn mediation(&self, id: &str, action: &str) -> R<Inbox> {
        if !matches!(action, "accept" | "join") {
            return Err(CommandError::new("invalid", "应为 accept 或 join").field("action"));
        }
        let server = self.server()?;
        server
            .ok(Method::POST, &format!("/mediations/{id}/{action}"), None)
            .await?;
        self.inbox().await
    }

    /// One refresh round of the background loop: quiet while signed out; a failure is told once per
    /// change on [`EVENT_LINK`].
    pub async fn refresh_round(&self, last_problem: &mut Option<String>) {
        if self.session().is_none() {
            return;
        }
        let problem = self.inbox().await.err().map(|e| e.message);
        if problem != *last_problem {
            self.emit(EVENT_LINK, json!(problem));
            *last_problem = problem;
        }
    }

    /// The figures panels: `stats` (`GET /lawyer/stats`), `qc` (`GET /lawyer/qc`), `profile`
    /// (`GET /lawyer/profile`: tier progress). An endpoint that does not answer gives no rows and
    /// says why; nothing is made up.
    pub async fn figures(&self, which: &str) -> R<Figures> {
        let path = match which {
            "stats" => "/lawyer/stats",
            "qc" => "/lawyer/qc",
            "profile" => "/lawyer/profile",
            other => {
                return Err(CommandError::new("invalid", format!("unknown panel {other:?}")).field("which"));
            }
        };
        let server = self.server()?;
        let (status, v) = server.call(Method::GET, path, None).await?;
        let source = format!("GET /api/v1{path}");
        if !(200..300).contains(&status) {
            let why = match status {
                404 | 405 => "服务器尚未提供 / not offered by this server",
                401 | 403 => "服务器未向律师开放 / not open to lawyers on this server",
                _ => "服务器未能提供 / the server could not answer",
            };
            return Ok(Figures {
                source,
                rows: None,
                note: Some(format!("{why} ({status})")),
            });
        }
        let mut rows = Vec::new();
        flatten("", &v, &mut rows);
        Ok(Figures {
            source,
            rows: if rows.is_empty() { None } else { Some(rows) },
            note: None,
        })
    }

    /// The lawyer's own consultations with the citizens' ratings.
    pub async fn history(&self) -> R<History> {
        let server = self.server()?;
        let v = server.ok(Method::GET, "/lawyer/consultations?limit=100", None).await?;
        decode("咨询记录", v)
    }

    pub fn check_reply(&self, draft: &ReplyDraft) -> R<ReplyCheck> {
        let t = self
            .signed_in
            .lock()
            .as_ref()
            .map(|s| s.templates.clone())
            .ok_or_else(not_signed_in)?;
        Ok(crate::reply::check(draft, &t))
    }

    /// Sends a 留言 reply: checked here first (nothing leaves the desk while a rule is unmet), then
    /// sent as parts the server composes with the same templates and checks again.
    pub async fn send_reply(&self, id: &str, draft: &ReplyDraft) -> R<ReplyOutcome> {
        let local = self.check_reply(draft)?;
        if !local.ok {
            return Ok(ReplyOutcome {
                sent: false,
                problems: local.problems,
                refused_by: Some("local".into()),
            });
        }
        let server = self.server()?;
        let body = json!({"parts": {"judgement": draft.judgement, "basis": draft.basis, "advice": draft.advice}});
        let (status, v) = server
            .call(Method::POST, &format!("/consultations/{id}/messages"), Some(&body))
            .await?;
        match status {
            200..=299 => {
                let _ = self.inbox().await;
                Ok(ReplyOutcome {
                    sent: true,
                    problems: Vec::new(),
                    refused_by: None,
                })
            }
            422 => Ok(ReplyOutcome {
                sent: false,
                problems: crate::reply::server_problems(
                    &ErrorBody::deserialize(&v).map(|e| e.message).unwrap_or_default(),
                ),
                refused_by: Some("server".into()),
            }),
            _ => Err(crate::server::refused(status, &v)),
        }
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The server's inbox has no `read_at`; the desk stamps it.
fn json_with_read_at(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.insert("read_at".into(), json!(0));
    }
    v
}

/// Flat `label → value` rows of a JSON answer (nested objects as `a.b`; arrays as their length).
fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, x, out);
            }
        }
        Value::Array(a) => out.push((prefix.to_owned(), format!("{} 项", a.len()))),
        Value::Null => out.push((prefix.to_owned(), "—".into())),
        Value::String(s) => out.push((prefix.to_owned(), s.clone())),
        other => out.push((prefix.to_owned(), other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use app_types::lawyer_desk::Inbox;

    /// Video and mediation work (other engineers are adding them to the server) and fields the desk
    /// does not know yet must not break the inbox: they are listed with their countdown.
    #[test]
    fn an_inbox_with_new_kinds_and_fields_still_reads() {
        let v = serde_json::json!({
            "profile": {"staff_id": "L", "online": true, "online_since": 1, "online_secs": 5, "specialties": ["labour"]},
            "items": [{"id": "v1", "kind": "video", "status": "scheduled", "status_label": "已预约", "specialty": "labour",
                "question": "视频咨询", "created_at": 1, "lawyer_id": "L", "join_by": 99,
                "due": {"action": "join", "label": "提前10分钟进入", "clause": "x", "due": 99, "remaining_secs": 30}}],
            "templates": {"opening": "a", "disclaimer": "b", "closing": "c"},
            "mediations": []
        });
        let inbox: Inbox = serde_json::from_value(super::json_with_read_at(v)).expect("inbox");
        assert_eq!(inbox.items[0].kind, "video");
        assert_eq!(inbox.items[0].due.as_ref().map(|d| d.remaining_secs), Some(30));
    }

    #[test]
    fn figures_are_flattened_without_inventing_values() {
        let mut rows = Vec::new();
        super::flatten(
            "",
            &serde_json::json!({"a": 1, "b": {"c": null}, "d": [1, 2]}),
            &mut rows,
        );
        assert_eq!(
            rows,
            [
                ("a".into(), "1".into()),
                ("b.c".into(), "—".into()),
                ("d".into(), "2 项".into())
            ]
        );
    }
}
