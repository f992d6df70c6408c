//! Tauri commands: thin forwards to [`Desk`].

use std::sync::Arc;

use app_types::CommandError;
use app_types::lawyer_desk::*;
use tauri::State;

use crate::desk::Desk;

type D<'a> = State<'a, Arc<Desk>>;
type R<T> = Result<T, CommandError>;

/// The signed-in lawyer, if any.
#[tauri::command]
pub fn session(d: D<'_>) -> Option<Session> {
    d.session()
}

/// The server address to pre-fill on the sign-in form.
#[tauri::command]
pub fn default_server(d: D<'_>) -> String {
    d.default_server()
}

#[tauri::command]
pub async fn sign_in(d: D<'_>, server: String, login: String, password: String) -> R<Session> {
    d.sign_in(&server, &login, &password).await
}

#[tauri::command]
pub async fn sign_out(d: D<'_>) -> R<()> {
    d.sign_out().await
}

/// The page's engine capabilities, told once at start (`RTCPeerConnection` present or not).
#[tauri::command]
pub fn set_webrtc(d: D<'_>, available: bool) {
    d.set_webrtc(available);
}

/// Remote mediation (6.2.4): `action` `accept` or `join` (10 min before the start, 6.2.4.2 a).
#[tauri::command]
pub async fn mediation(d: D<'_>, id: String, action: String) -> R<Inbox> {
    d.mediation(&id, &action).await
}

#[tauri::command]
pub async fn set_online(d: D<'_>, online: bool, specialties: Option<Vec<String>>) -> R<Profile> {
    d.set_online(online, specialties).await
}

#[tauri::command]
pub async fn inbox(d: D<'_>) -> R<Inbox> {
    d.inbox().await
}

#[tauri::command]
pub async fn pick_up(d: D<'_>, id: String) -> R<Consultation> {
    d.pick_up(&id).await
}

#[tauri::command]
pub async fn open_consultation(d: D<'_>, id: String) -> R<Consultation> {
    d.open(&id).await
}

#[tauri::command]
pub fn chat_messages(d: D<'_>, id: String) -> Vec<ChatMessage> {
    d.chat_messages(&id)
}

#[tauri::command]
pub async fn send_message(d: D<'_>, id: String, body: String, kind: Option<String>) -> R<ChatMessage> {
    d.send_message(&id, &body, kind.as_deref().unwrap_or("text")).await
}

#[tauri::command]
pub async fn close_consultation(d: D<'_>, id: String) -> R<Consultation> {
    d.close(&id).await
}

#[tauri::command]
pub fn check_reply(d: D<'_>, draft: ReplyDraft) -> R<ReplyCheck> {
    d.check_reply(&draft)
}

#[tauri::command]
pub async fn send_reply(d: D<'_>, id: String, draft: ReplyDraft) -> R<ReplyOutcome> {
    d.send_reply(&id, &draft).await
}

/// `stats`, `qc` or `profile` (tier progress).
#[tauri::command]
pub async fn figures(d: D<'_>, which: String) -> R<Figures> {
    d.figures(&which).await
}

/// The lawyer's own consultations and ratings.
#[tauri::command]
pub async fn history(d: D<'_>) -> R<History> {
    d.history().await
}
