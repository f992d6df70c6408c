//! Consultations (issue 7, standard 6.1 a/b, 6.2.1, 6.2.2): a citizen asks from a kiosk (signed) or a
//! web page (anonymous) and gets a consultation token, the only key to it (`X-Consultation-Token`,
//! or `?token=` on the WebSocket); lawyers act with their session. Every change goes through the
//! writer; the chat sockets and the sweeper live in `lawyer_platform`.

use std::sync::Arc;

use axum::Json;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::config::Role;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::caller::Caller;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;
pub use hall_api::consultations::{
    ChatFrame, ConsultationView, CreateRequest, CreatedResponse, MessageRequest, MessageView, RatingRequest,
    RatingView, ReplyPartsRequest, WsQuery,
};
use lawyer_platform::chat::{next_due, post, read, record};
use lawyer_platform::store::{ConsultationRow, LawyerRecord, MessageRow};
use lawyer_platform::{Author, ConsultKind, ConsultStatus, MessageKind};

/// This area's routes, each registered once with its OpenAPI description (paths relative to `/api/v1`).
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(get_one))
        .routes(routes!(post_message))
        .routes(routes!(pickup))
        .routes(routes!(close))
        .routes(routes!(rate))
        .routes(routes!(ws))
}

pub const TOKEN_HEADER: &str = "x-consultation-token";
const MAX_TEXT: usize = 4000;

fn message_view(m: MessageRow) -> MessageView {
    MessageView {
        id: m.id,
        seq: m.seq,
        author: m.author,
        kind: m.kind,
        body: m.body,
        at: m.at,
        warning: None,
    }
}

fn view(app: &AppState, row: ConsultationRow, msgs: Vec<MessageRow>) -> ConsultationView {
    let due = next_due(&app.lawyer, &row, &msgs, (app.clock)());
    ConsultationView {
        phone: row
            .phone_sealed
            .as_deref()
            .and_then(|s| app.sealer.open(s).ok())
            .map(|p| node_core::crypto::mask_phone(&p)),
        status_label: row.status.label_zh().into(),
        id: row.id,
        kind: row.kind,
        status: row.status,
        specialty: row.specialty,
        channel: row.channel,
        lawyer_id: row.lawyer_id,
        created_at: row.created_at,
        picked_at: row.picked_at,
        converted_at: row.converted_at,
        answered_at: row.answered_at,
        closed_at: row.closed_at,
        rating: row.rating.map(|(level, comment)| RatingView { level, comment }),
        due,
        messages: msgs.into_iter().map(message_view).collect(),
    }
}

pub(crate) async fn load(app: &AppState, id: &str) -> Result<ConsultationRow, ApiError> {
    let i = id.to_owned();
    read(&app.lawyer, move |r| r.consultation(&i))
        .await?
        .ok_or_else(|| ApiError::not_found("consultation", "id"))
}

async fn full_view(app: &AppState, id: &str) -> Result<ConsultationView, ApiError> {
    let row = load(app, id).await?;
    let i = id.to_owned();
    let msgs = read(&app.lawyer, move |r| r.messages(&i, 0)).await?;
    Ok(view(app, row, msgs))
}

/// Who is acting on a consultation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Party {
    Citizen,
    Lawyer(String),
    /// The operation centre: reads, never writes.
    Operator,
}

pub(crate) fn party(caller: &Caller, token: Option<&str>, row: &ConsultationRow) -> Result<Party, ApiError> {
    if let Some(t) = token {
        return if node_core::crypto::sm3_hex(t.as_bytes()) == row.token_hash {
            Ok(Party::Citizen)
        } else {
            Err(ApiError::forbidden(
                "咨询凭证与该咨询不符 (this consultation token is for another consultation)",
            ))
        };
    }
    let Some(s) = caller.staff.as_deref() else {
        return Err(ApiError::unauthorized(format!(
            "需要咨询凭证 (send the consultation token as {TOKEN_HEADER}, or sign in)"
        )));
    };
    if s.has(&[Role::Lawyer]) {
        let me = s.id.as_str();
        let open_to_all = row.lawyer_id.is_none() && matches!(row.status, ConsultStatus::WaitingReply);
        if row.lawyer_id.as_deref() == Some(me) || open_to_all {
            return Ok(Party::Lawyer(me.to_owned()));
        }
        if !s.has(&[Role::Operator]) {
            return Err(ApiError::forbidden(
                "该咨询由其他律师负责 (another lawyer has this consultation)",
            ));
        }
    }
    if s.has(&[Role::Operator]) {
        return Ok(Party::Operator);
    }
    Err(ApiError::forbidden(
        "只有咨询人、负责律师和运营中心可以查看 (only the citizen, the lawyer and operators)",
    ))
}

pub(crate) fn header_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get(TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_owned())
}

fn text(field: &str, s: &str) -> Result<String, ApiError> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > MAX_TEXT {
        return Err(ApiError::invalid(
            field,
            format!("应为 1–{MAX_TEXT} 个字符 (1–{MAX_TEXT} characters)"),
        ));
    }
    Ok(t.to_owned())
}

/// Ask a question. A realtime one goes to the least-loaded online lawyer of its specialty (or waits;
/// nobody picking up within `no_pickup_offer_message_secs` turns it into a 留言); a 留言 waits for a
/// written reply within 120 min (6.2.1.1). Anyone may ask: web citizens anonymously, kiosks signed.
#[utoipa::path(post, path = "/consultations", request_body = CreateRequest,
    responses((status = 201, body = CreatedResponse), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    ApiJson(req): ApiJson<CreateRequest>,
) -> Result<(StatusCode, Json<CreatedResponse>), ApiError> {
    let (channel, hall, device) = match &caller.device {
        Some(d) if d.kind == "kiosk" => ("kiosk", Some(d.hall_id.to_string()), Some(d.id.to_string())),
        Some(d) => return Err(ApiError::forbidden(format!("a {} device may not do this", d.kind))),
        None => ("web", None, None),
    };
    let question = text("question", &req.question)?;
    let specialty = req.specialty.trim().to_owned();
    if specialty.is_empty() || specialty.chars().count() > 32 {
        return Err(ApiError::invalid(
            "specialty",
            "专业领域应为 1–32 个字符 (1–32 characters)",
        ));
    }
    let phone = req.phone.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty());
    if let Some(p) = &phone
        && !(p.len() == 11 && p.starts_with('1') && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(ApiError::invalid(
            "phone",
            "手机号应为 11 位数字 (an 11-digit mobile number)",
        ));
    }
    let phone_key = phone.as_deref().map(|p| app.sealer.blind_index(p));
    let poster = super::lawyer_words::Poster::asker(phone_key.as_deref(), hall.as_deref());
    let warning = super::lawyer_words::screen(&app, &poster, &question).await?;
    let token = node_core::crypto::random_token();
    let id = uuid::Uuid::now_v7().to_string();
    let r = LawyerRecord::Opened {
        id: id.clone(),
        kind: req.kind,
        channel: channel.into(),
        hall_id: hall.clone(),
        device_id: device.clone(),
        token_hash: node_core::crypto::sm3_hex(token.as_bytes()),
        phone_key,
        phone_sealed: phone.as_deref().map(|p| app.sealer.seal(p)),
        question,
        specialty,
        message_id: uuid::Uuid::now_v7().to_string(),
        max_load: app.lawyer.config.max_load,
    };
    let actor = device.map_or_else(|| "citizen".to_owned(), |d| format!("device:{d}"));
    record(&app.lawyer, hall.as_deref(), actor, r).await?;
    let consultation = full_view(&app, &id).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedResponse {
            consultation,
            token,
            warning,
        }),
    ))
}

/// A consultation with its messages: for the citizen (token), its lawyer, and operators.
#[utoipa::path(get, path = "/consultations/{id}", params(("id" = String, Path, description = "consultation id")),
    responses((status = 200, body = ConsultationView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)),
    security(("consultation_token" = []), ("session" = [])))]
pub async fn get_one(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<ConsultationView>, ApiError> {
    let row = load(&app, &id).await?;
    party(&caller, header_token(&headers).as_deref(), &row)?;
    Ok(Json(full_view(&app, &id).await?))
}

/// Checks a lawyer's text: no listed sensitive word (10.3.2; 3.2 ① abusive language is a fatal error),
/// and for a 留言 every part of 6.2.1.2. All problems are listed at once.
fn check_lawyer_text(app: &AppState, row: &ConsultationRow, body: &str) -> Result<(), ApiError> {
    let words = app.lawyer.words();
    let mut hits: Vec<String> = Vec::new();
    for h in words.find_all(body) {
        let named = format!("“{}”（{}）", h.entry.word, h.entry.category.label_zh());
        if !hits.contains(&named) {
            hits.push(named);
        }
    }
    let mut problems: Vec<String> = Vec::new();
    if !hits.is_empty() {
        problems.push(format!("[10.3.2] 含敏感词 {}", hits.join("、")));
    }
    if row.kind == ConsultKind::Message
        && let Err(ps) = lawyer::reply::check(body, &app.lawyer.config.templates)
    {
        problems.extend(ps.iter().map(|p| format!("[{}] {}", p.clause(), p.message())));
    }
    if problems.is_empty() {
        return Ok(());
    }
    let code = if hits.is_empty() {
        "reply_rules"
    } else {
        "sensitive_words"
    };
    Err(ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        code,
        format!("回复未发送 (not sent)：{}", problems.join("；")),
    )
    .field("body"))
}

/// One message from the citizen or the lawyer, by HTTP or over the socket, with the warning if it
/// used a listed `warn` word (10.3.2).
pub async fn send(
    app: &AppState,
    id: &str,
    who: &Party,
    req: MessageRequest,
) -> Result<(MessageRow, Option<String>), ApiError> {
    let row = load(app, id).await?;
    let (author, staff) = match who {
        Party::Citizen => (Author::Citizen, None),
        Party::Lawyer(s) => (Author::Lawyer, Some(s.as_str())),
        Party::Operator => return Err(ApiError::forbidden("运营中心只能查看 (operators only read)")),
    };
    let (body, kind) = match (req.body, req.parts, author) {
        (None, Some(p), Author::Lawyer) => {
            let parts = lawyer::reply::ReplyParts {
                judgement: p.judgement,
                basis: p.basis,
                advice: p.advice,
            };
            let composed = lawyer::reply::compose(&parts, &app.lawyer.config.templates);
            (composed, req.kind.unwrap_or(MessageKind::Template))
        }
        (Some(b), None, _) => (text("body", &b)?, req.kind.unwrap_or(MessageKind::Text)),
        _ => {
            return Err(ApiError::invalid(
                "body",
                "发送 body，或（律师）发送 parts (send body, or — lawyers — parts)",
            ));
        }
    };
    let allowed = match author {
        Author::Citizen => matches!(kind, MessageKind::Text | MessageKind::Consent),
        // Only the system marks a fallback: it restarts the chat's clocks.
        _ => kind != MessageKind::VideoFallback,
    };
    if !allowed {
        return Err(ApiError::invalid(
            "kind",
            "咨询人只能发送 text 或 consent，video_fallback 仅由系统发送 (citizens send text or consent; only the system sends video_fallback)",
        ));
    }
    // 10.3.2: bans refuse the post; every hit is recorded with its automatic action.
    let poster = match staff {
        Some(s) => super::lawyer_words::Poster::lawyer(s, &row),
        None => super::lawyer_words::Poster::citizen(app, &row),
    };
    let warning = super::lawyer_words::screen(app, &poster, &body).await?;
    if author == Author::Lawyer {
        check_lawyer_text(app, &row, &body)?;
    }
    let m = post(&app.lawyer, &row, author, staff, kind, body).await?;
    // 7.2.4: every 留言 reply is checked as it is sent (a chat is checked when it ends).
    if author == Author::Lawyer && row.kind == ConsultKind::Message {
        lawyer_platform::quality::qc::check_after(&app.lawyer, id).await;
    }
    Ok((m, warning))
}

/// Send a message. The citizen (token) writes while the consultation is open (`consent` agrees to a
/// longer wait, 6.2.2.3.4 b); the lawyer writes in their chat or answers a 留言, which is checked
/// first: no sensitive word, and a 留言 reply must have the fixed opening, more than 50 characters of
/// the lawyer's own, the judgement, the legal basis, the advice, the disclaimer and the closing
/// (6.2.1.2) — otherwise 422 `reply_rules`/`sensitive_words` on `body`, listing every problem. An
/// answered 留言 sends the citizen an SMS.
#[utoipa::path(post, path = "/consultations/{id}/messages", params(("id" = String, Path, description = "consultation id")),
    request_body = MessageRequest,
    responses((status = 201, body = MessageView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("consultation_token" = []), ("session" = [])))]
pub async fn post_message(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<MessageRequest>,
) -> Result<(StatusCode, Json<MessageView>), ApiError> {
    let row = load(&app, &id).await?;
    let who = party(&caller, header_token(&headers).as_deref(), &row)?;
    let (m, warning) = send(&app, &id, &who, req).await?;
    Ok((
        StatusCode::CREATED,
        Json(MessageView {
            warning,
            ..message_view(m)
        }),
    ))
}

/// Pick up (接单) a realtime consultation routed to you or waiting in the queue, or claim a 留言 so
/// nobody else answers it. 409 if another lawyer has it or it is no longer waiting. Lawyers only.
#[utoipa::path(post, path = "/consultations/{id}/pickup", params(("id" = String, Path, description = "consultation id")),
    responses((status = 200, body = ConsultationView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn pickup(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ConsultationView>, ApiError> {
    let me = caller.staff(&[Role::Lawyer])?.id.to_string();
    let row = load(&app, &id).await?;
    let r = LawyerRecord::Pickup {
        id: id.clone(),
        staff_id: me.clone(),
    };
    record(&app.lawyer, row.hall_id.as_deref(), format!("staff:{me}"), r).await?;
    Ok(Json(full_view(&app, &id).await?))
}

/// End a consultation (the citizen or its lawyer); afterwards the citizen can rate it (6.1 a).
#[utoipa::path(post, path = "/consultations/{id}/close", params(("id" = String, Path, description = "consultation id")),
    responses((status = 200, body = ConsultationView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)),
    security(("consultation_token" = []), ("session" = [])))]
pub async fn close(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<ConsultationView>, ApiError> {
    let row = load(&app, &id).await?;
    let actor = match party(&caller, header_token(&headers).as_deref(), &row)? {
        Party::Citizen => "citizen".to_owned(),
        Party::Lawyer(s) => format!("staff:{s}"),
        Party::Operator => return Err(ApiError::forbidden("运营中心只能查看 (operators only read)")),
    };
    record(
        &app.lawyer,
        row.hall_id.as_deref(),
        actor,
        LawyerRecord::Closed { id: id.clone() },
    )
    .await?;
    lawyer_platform::quality::qc::check_after(&app.lawyer, &id).await;
    Ok(Json(full_view(&app, &id).await?))
}

/// Rate the lawyer's answer, once: a 留言 after its reply (6.1 b), a chat once it ended (6.1 a). The
/// citizen only (token). A rating below 满意 (level 1–3) opens a revisit task due within 1 working day
/// (7.1.3.2, 100 % of them); `needs_legal_answer` also opens the lawyer's call-back, due in 1 hour
/// (7.1.3.2 b).
#[utoipa::path(post, path = "/consultations/{id}/rating", params(("id" = String, Path, description = "consultation id")),
    request_body = RatingRequest,
    responses((status = 200, body = ConsultationView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("consultation_token" = [])))]
pub async fn rate(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RatingRequest>,
) -> Result<Json<ConsultationView>, ApiError> {
    let row = load(&app, &id).await?;
    if party(&caller, header_token(&headers).as_deref(), &row)? != Party::Citizen {
        return Err(ApiError::forbidden("只有咨询人可以评价 (only the citizen rates)"));
    }
    if !(1..=5).contains(&req.level) {
        return Err(ApiError::invalid("level", "评价应为 1–5 (1–5)"));
    }
    let comment = req.comment.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    if comment.as_ref().is_some_and(|c| c.chars().count() > 500) {
        return Err(ApiError::invalid(
            "comment",
            "评价内容最多 500 字 (at most 500 characters)",
        ));
    }
    let now = (app.clock)();
    let mut follow_ups = Vec::new();
    let rating = lawyer::report::figures::Rating::from_level(req.level);
    if rating.is_some_and(|r| !r.is_good()) {
        follow_ups.push(lawyer_platform::quality::new_task(
            &app.lawyer,
            lawyer::sla::tasks::Task::Revisit,
            now,
            Some(&id),
            None,
            None,
        )?);
    }
    if req.needs_legal_answer == Some(true) {
        follow_ups.push(lawyer_platform::quality::new_task(
            &app.lawyer,
            lawyer::sla::tasks::Task::LegalCallback,
            now,
            Some(&id),
            row.lawyer_id.as_deref(),
            None,
        )?);
    }
    let r = LawyerRecord::Rated {
        id: id.clone(),
        level: req.level,
        comment,
        follow_ups,
    };
    record(&app.lawyer, row.hall_id.as_deref(), "citizen".into(), r).await?;
    Ok(Json(full_view(&app, &id).await?))
}

/// The live chat over WebSocket (7×24, 6.2.2.1 b). The server sends `{"type":"message","message":
/// MessageView}` for every message after `after` (both sides' and the system's reassurance, consent
/// request and 留言 offer) and `{"type":"status","status":…,"label":…}` when the status changes; the
/// client sends `MessageRequest` JSON and gets `{"type":"error","error":{code,message,field}}` if it
/// is refused. The citizen (token) and the consultation's lawyer.
#[utoipa::path(get, path = "/consultations/{id}/ws", params(("id" = String, Path, description = "consultation id"),
        ("token" = Option<String>, Query, description = "consultation token"), ("after" = Option<i64>, Query, description = "last seq seen")),
    responses((status = 101, description = "WebSocket"), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 426, body = crate::error::ErrorBody)),
    security(("consultation_token" = []), ("session" = [])))]
pub async fn ws(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<WsQuery>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let row = load(&app, &id).await?;
    let token = header_token(&headers).or(q.token);
    let who = party(&caller, token.as_deref(), &row)?;
    if who == Party::Operator {
        return Err(ApiError::forbidden("运营中心只能查看 (operators only read)"));
    }
    // Checked after the caller, so an unauthorised caller learns nothing from the upgrade error.
    let upgrade =
        upgrade.map_err(|e| ApiError::new(StatusCode::UPGRADE_REQUIRED, "websocket_required", e.body_text()))?;
    let after = q.after.unwrap_or(0);
    Ok(upgrade
        .on_upgrade(move |socket| chat_socket(app, id, who, after, socket))
        .into_response())
}

async fn chat_socket(app: Arc<AppState>, id: String, who: Party, mut last: i64, mut socket: WebSocket) {
    let mut changes = app.lawyer.hub.subscribe();
    let mut stopping = app.stopping.subscribe();
    let mut status = None;
    if flush(&app, &id, &mut last, &mut status, &mut socket).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            changed = changes.recv() => {
                let due = match changed {
                    Ok(c) => *c == *id,
                    // Missed some notices: read anyway, the store has everything.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => true,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                };
                if due && flush(&app, &id, &mut last, &mut status, &mut socket).await.is_err() {
                    break;
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(t))) => {
                    let answer = match serde_json::from_str::<MessageRequest>(t.as_str()) {
                        Ok(req) => send(&app, &id, &who, req).await.err(),
                        Err(e) => Some(ApiError::new(StatusCode::BAD_REQUEST, "bad_json", e.to_string())),
                    };
                    if let Some(e) = answer {
                        let v = ChatFrame::Error { error: e.body }.to_text();
                        if socket.send(Message::Text(v.into())).await.is_err() {
                            break;
                        }
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

/// Sends what is new since `last` (messages, then the status if it changed).
async fn flush(
    app: &AppState,
    id: &str,
    last: &mut i64,
    status: &mut Option<ConsultStatus>,
    socket: &mut WebSocket,
) -> Result<(), ApiError> {
    let (i, after) = (id.to_owned(), *last);
    let (row, msgs) = read(&app.lawyer, move |r| Ok((r.consultation(&i)?, r.messages(&i, after)?))).await?;
    let gone = || ApiError::internal("socket closed");
    for m in msgs {
        *last = m.seq;
        let v = ChatFrame::Message {
            message: message_view(m),
        }
        .to_text();
        socket.send(Message::Text(v.into())).await.map_err(|_| gone())?;
    }
    if let Some(row) = row
        && *status != Some(row.status)
    {
        *status = Some(row.status);
        let v = ChatFrame::Status {
            status: row.status,
            label: row.status.label_zh().to_owned(),
        }
        .to_text();
        socket.send(Message::Text(v.into())).await.map_err(|_| gone())?;
    }
    Ok(())
}
