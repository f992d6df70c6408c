//! Issuing tickets and acting on one ticket (status, void, transfer, rating).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::config::{PriorityReason, Role};
use domain::decide::{IdCardFacts, IssueTicket};
use domain::ids::*;
use domain::ticket::{Channel, TicketNumber, TicketStatus, TransferTarget};
use domain::{Command, Millis};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::views::{CitizenView, SealedCitizen, TicketView};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiJson};

const ISSUERS: [Role; 3] = [Role::Admin, Role::HallManager, Role::WindowStaff];

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdCardInput {
    /// 18-character resident ID number (GB 11643); checked, then sealed with SM4.
    pub number: String,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueRequest {
    pub hall_id: String,
    /// The service item; or give `queue_id` for a ticket for a whole queue.
    pub item_id: Option<String>,
    pub queue_id: Option<String>,
    pub channel: Channel,
    pub id_card: Option<IdCardInput>,
    pub phone: Option<String>,
    /// Declared priority groups (pregnant, disabled, military); elderly comes from the ID birth date.
    #[serde(default)]
    pub claims: Vec<PriorityReason>,
    /// Only for a kiosk that issued while its hall node was unreachable: its own letter series.
    pub offline_number: Option<OfflineNumber>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfflineNumber {
    pub letter: char,
    pub seq: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IssueResponse {
    pub ticket_id: String,
    pub display: String,
    pub hall_id: String,
    pub queue_id: String,
    pub queue_name: Option<String>,
    pub people_ahead: u32,
    pub estimated_wait_secs: Option<u32>,
    /// The citizen's handle for `/tickets/status/{token}`; printed as the QR code.
    pub token: String,
    pub issued_at: Millis,
    pub priority: Option<PriorityReason>,
}

/// Issue a ticket.
#[utoipa::path(post, path = "/api/v1/tickets", request_body = IssueRequest,
    responses((status = 201, body = IssueResponse), (status = 404, body = crate::error::ErrorBody), (status = 409, description = "quota exhausted or duplicate", body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("device_signature" = []), ("session" = [])))]
pub async fn issue(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    ApiJson(req): ApiJson<IssueRequest>,
) -> Result<(StatusCode, Json<IssueResponse>), ApiError> {
    caller.staff_or_device(&ISSUERS, &["kiosk", "window_terminal"])?;
    let hall = HallId::new(req.hall_id.clone());
    caller.in_hall(&hall)?;
    let number = match &req.offline_number {
        None => None,
        Some(n) => {
            let d = caller
                .device
                .as_ref()
                .filter(|d| d.kind == "kiosk" && caller.staff.is_none())
                .ok_or_else(|| {
                    ApiError::forbidden("only a kiosk submits numbers from its own offline series")
                        .field("offline_number")
                })?;
            if d.letter != n.letter.to_string() {
                return Err(ApiError::invalid(
                    "offline_number.letter",
                    format!("this kiosk's series letter is {}", d.letter),
                ));
            }
            Some(TicketNumber::Device {
                letter: n.letter,
                seq: n.seq,
            })
        }
    };
    let (id_card, mut sealed) = (None::<IdCardFacts>, SealedCitizen::default());
    let id_card = match &req.id_card {
        None => id_card,
        Some(card) => {
            let parsed =
                domain::idcard::IdNumber::parse(&card.number).map_err(|m| ApiError::invalid("id_card.number", m))?;
            sealed.id_number = Some(app.sealer.seal(card.number.trim()));
            sealed.name = card.name.as_deref().map(|n| app.sealer.seal(n));
            Some(IdCardFacts { birth: parsed.birth })
        }
    };
    if let Some(phone) = &req.phone {
        let digits = phone.trim();
        if !(digits.len() == 11 && digits.starts_with('1') && digits.bytes().all(|b| b.is_ascii_digit())) {
            return Err(ApiError::invalid(
                "phone",
                "expected an 11-digit mobile number starting with 1",
            ));
        }
        sealed.phone = Some(app.sealer.seal(digits));
    }
    let has_pii = sealed.id_number.is_some() || sealed.phone.is_some();
    let token = crate::crypto::ordered_token();
    let cmd = Command::Issue(IssueTicket {
        ticket_id: TicketId::new(uuid::Uuid::now_v7().to_string()),
        token: token.clone(),
        hall_id: hall.clone(),
        item_id: req.item_id.map(ItemId::new),
        queue_id: req.queue_id.map(QueueId::new),
        channel: req.channel,
        id_card,
        claims: req.claims,
        number,
    });
    let sealed = has_pii.then(|| serde_json::to_string(&sealed).unwrap_or_default());
    let done = app.engine.execute(hall.clone(), caller.actor(), cmd, sealed).await?;
    let ticket = done
        .events
        .iter()
        .find_map(|(_, e)| match &e.body {
            domain::EventBody::TicketIssued { ticket } => Some(ticket.clone()),
            _ => None,
        })
        .ok_or_else(|| ApiError::internal("no ticket was issued"))?;
    let cfg = app.engine.shared.cfg.read().clone();
    let est = {
        let st = app.engine.shared.state.read();
        let h = st.halls.get(&hall);
        let current = h.and_then(|h| h.ticket(&ticket.id)).unwrap_or(&ticket);
        h.map(|h| domain::estimate::estimate(&cfg, h, current))
    };
    Ok((
        StatusCode::CREATED,
        Json(IssueResponse {
            ticket_id: ticket.id.to_string(),
            display: ticket.display.clone(),
            hall_id: hall.to_string(),
            queue_id: ticket.queue_id.to_string(),
            queue_name: cfg.queue(&ticket.queue_id).map(|q| q.name.clone()),
            people_ahead: est.as_ref().map_or(0, |e| e.people_ahead),
            estimated_wait_secs: est.and_then(|e| e.estimated_wait_secs),
            token,
            issued_at: ticket.issued_at,
            priority: ticket.priority,
        }),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicStatus {
    pub display: String,
    pub status: TicketStatus,
    pub hall_name: Option<String>,
    pub queue_name: Option<String>,
    pub people_ahead: Option<u32>,
    pub estimated_wait_secs: Option<u32>,
    /// Where to go once called.
    pub window_number: Option<String>,
}

/// A citizen's view of their ticket, by the token on the printed QR code. No sign-in needed; no personal data.
#[utoipa::path(get, path = "/api/v1/tickets/status/{token}", params(("token" = String, Path)),
    responses((status = 200, body = PublicStatus), (status = 404, body = crate::error::ErrorBody)))]
pub async fn status_by_token(
    State(app): State<Arc<AppState>>,
    Path(token): Path<String>,
) -> Result<Json<PublicStatus>, ApiError> {
    let cfg = app.engine.shared.cfg.read().clone();
    let now = Millis((app.clock)());
    {
        let st = app.engine.shared.state.read();
        if let Some((h, t)) = st
            .halls
            .values()
            .find_map(|h| h.ticket_by_token(&token).map(|t| (h, t)))
        {
            let v = TicketView::new(&cfg, Some(h), t, now);
            return Ok(Json(public(&cfg, v)));
        }
    }
    let reader = app.reader.clone();
    let row = tokio::task::spawn_blocking(move || reader.ticket_by_token(&token))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??
        .ok_or_else(|| ApiError::not_found("ticket", "token"))?;
    let t: domain::ticket::Ticket = serde_json::from_str(&row.body).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Json(public(&cfg, TicketView::new(&cfg, None, &t, now))))
}

fn public(cfg: &domain::Config, v: TicketView) -> PublicStatus {
    PublicStatus {
        hall_name: cfg.hall(&HallId::new(v.hall_id.clone())).map(|h| h.name.clone()),
        people_ahead: v.estimate.as_ref().map(|e| e.people_ahead),
        estimated_wait_secs: v.estimate.as_ref().and_then(|e| e.estimated_wait_secs),
        display: v.display,
        status: v.status,
        queue_name: v.queue_name,
        window_number: v.window_number,
    }
}

/// One ticket with the citizen's data (masked unless the caller is window staff).
#[utoipa::path(get, path = "/api/v1/tickets/{id}", params(("id" = String, Path)),
    responses((status = 200, body = TicketView), (status = 404, body = crate::error::ErrorBody)), security(("session" = [])))]
pub async fn get_ticket(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<TicketView>, ApiError> {
    caller.staff(&[Role::Admin, Role::HallManager, Role::WindowStaff, Role::Leader])?;
    let cfg = app.engine.shared.cfg.read().clone();
    let now = Millis((app.clock)());
    let tid = TicketId::new(id.clone());
    let live = {
        let st = app.engine.shared.state.read();
        st.halls
            .values()
            .find_map(|h| h.ticket(&tid).map(|t| TicketView::new(&cfg, Some(h), t, now)))
    };
    let reader = app.reader.clone();
    let mut view = match live {
        Some(v) => v,
        None => {
            let r = reader.clone();
            let i = id.clone();
            let row = tokio::task::spawn_blocking(move || r.ticket(&i))
                .await
                .map_err(|e| ApiError::internal(e.to_string()))??
                .ok_or_else(|| ApiError::not_found("ticket", "id"))?;
            let t: domain::ticket::Ticket =
                serde_json::from_str(&row.body).map_err(|e| ApiError::internal(e.to_string()))?;
            TicketView::new(&cfg, None, &t, now)
        }
    };
    caller.in_hall(&HallId::new(view.hall_id.clone()))?;
    let sealed = tokio::task::spawn_blocking(move || reader.sealed_of_ticket(&id))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
    view.citizen = sealed.and_then(|s| CitizenView::from_sealed(&s, &app.sealer, &caller));
    Ok(Json(view))
}

/// Finds the hall holding a live ticket.
pub fn hall_of_ticket(app: &AppState, id: &TicketId) -> Result<HallId, ApiError> {
    let st = app.engine.shared.state.read();
    st.halls
        .values()
        .find(|h| h.ticket(id).is_some())
        .map(|h| h.hall_id.clone())
        .ok_or_else(|| ApiError::not_found("open ticket", "id"))
}

async fn ticket_command(
    app: &Arc<AppState>,
    caller: &Caller,
    id: &str,
    roles: &[Role],
    kinds: &[&str],
    make: impl FnOnce(TicketId) -> Command,
) -> Result<Json<TicketView>, ApiError> {
    caller.staff_or_device(roles, kinds)?;
    let tid = TicketId::new(id);
    let hall = hall_of_ticket(app, &tid)?;
    caller.in_hall(&hall)?;
    app.engine
        .execute(hall.clone(), caller.actor(), make(tid.clone()), None)
        .await?;
    let cfg = app.engine.shared.cfg.read().clone();
    let st = app.engine.shared.state.read();
    let h = st.halls.get(&hall);
    let t = h
        .and_then(|h| h.ticket(&tid))
        .ok_or_else(|| ApiError::not_found("ticket", "id"))?;
    Ok(Json(TicketView::new(&cfg, h, t, Millis((app.clock)()))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidRequest {
    pub reason: String,
}

/// Void a ticket (wrong item, duplicate, citizen left).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/void", params(("id" = String, Path)), request_body = VoidRequest,
    responses((status = 200, body = TicketView), (status = 409, body = crate::error::ErrorBody)), security(("session" = [])))]
pub async fn void(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VoidRequest>,
) -> Result<Json<TicketView>, ApiError> {
    if req.reason.trim().is_empty() {
        return Err(ApiError::invalid("reason", "say why the ticket is voided"));
    }
    ticket_command(&app, &caller, &id, &ISSUERS, &[], |ticket| Command::Void {
        ticket,
        reason: req.reason,
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    /// `{"to": "queue" | "window" | "staff", "id": "..."}`
    pub to: TransferTarget,
}

/// Transfer a ticket to another queue, window or person.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/transfer", params(("id" = String, Path)), request_body = TransferRequest,
    responses((status = 200, body = TicketView), (status = 404, body = crate::error::ErrorBody)), security(("session" = [])))]
pub async fn transfer(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<TransferRequest>,
) -> Result<Json<TicketView>, ApiError> {
    ticket_command(&app, &caller, &id, &ISSUERS, &[], |ticket| Command::Transfer {
        ticket,
        to: req.to,
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateRequest {
    /// 1 非常不满意 … 5 非常满意
    pub level: u8,
}

/// Record the citizen's rating of a finished service (from the evaluator).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/rating", params(("id" = String, Path)), request_body = RateRequest,
    responses((status = 200, body = TicketView), (status = 409, body = crate::error::ErrorBody)), security(("device_signature" = []), ("session" = [])))]
pub async fn rate(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RateRequest>,
) -> Result<Json<TicketView>, ApiError> {
    ticket_command(
        &app,
        &caller,
        &id,
        &[Role::Admin, Role::WindowStaff],
        &["evaluator", "window_terminal"],
        |ticket| Command::Rate {
            ticket,
            level: req.level,
        },
    )
    .await
}
