//! Issuing tickets and acting on one ticket (status, void, transfer, rating).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::config::Role;
use domain::decide::{IdCardFacts, IssueTicket};
use domain::ids::*;
use domain::ticket::TicketNumber;
use domain::{Command, Millis};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::{CitizenView, CitizenViewExt, SealedCitizen, TicketView};
use crate::caller::Caller;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;
pub use hall_api::tickets::{
    EvidenceResponse, EvidenceView, IdCardInput, IssueRequest, IssueResponse, OfflineNumber, PublicStatus, RateRequest,
    TransferRequest, VoidRequest,
};

/// This area's routes, each registered once with its OpenAPI description (paths relative to `/api/v1`).
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(issue))
        .routes(routes!(status_by_token))
        .routes(routes!(get_ticket))
        .routes(routes!(void))
        .routes(routes!(transfer))
        .routes(routes!(rate))
        .routes(routes!(attach_citizen))
        .routes(routes!(evidence))
}

const ISSUERS: [Role; 3] = [Role::Admin, Role::HallManager, Role::WindowStaff];

/// Issue a ticket. The citizen comes from `id_card` or from `citizen_code` (一码通办, see
/// `/citizen-codes/resolve`): an unknown code is 404, an expired one 410, both naming `citizen_code`.
#[utoipa::path(post, path = "/tickets", request_body = IssueRequest,
    responses((status = 201, body = IssueResponse), (status = 404, body = crate::error::ErrorBody), (status = 409, description = "quota exhausted or duplicate", body = crate::error::ErrorBody), (status = 410, description = "expired citizen code", body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
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
    // The citizen from the ID card or from a citizen code: either way the sealed number and name, and
    // the birth date the rules give the elderly priority by.
    let (id_card, mut sealed) = match (&req.id_card, &req.citizen_code) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "citizen_code",
                "give either id_card or citizen_code, not both",
            ));
        }
        (Some(card), None) => {
            let mut sealed = SealedCitizen::default();
            let fields = ("id_card.number", "id_card.name");
            let parsed = seal_id_card(&app, &card.number, card.name.as_deref(), fields, &mut sealed)?;
            (Some(IdCardFacts { birth: parsed.birth }), sealed)
        }
        (None, Some(code)) => {
            let who = super::citizen_codes::resolve_code(&app, code, "citizen_code").await?;
            (Some(IdCardFacts { birth: who.birth }), who.sealed)
        }
        (None, None) => (None, SealedCitizen::default()),
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
    let token = node_core::crypto::ordered_token();
    let item_id = req.item_id.map(ItemId::new);
    let cmd = Command::Issue(IssueTicket {
        ticket_id: TicketId::new(uuid::Uuid::now_v7().to_string()),
        token: token.clone(),
        hall_id: hall.clone(),
        item_id: item_id.clone(),
        queue_id: req.queue_id.map(QueueId::new),
        channel: req.channel,
        id_card,
        claims: req.claims,
        number,
    });
    let sealed = has_pii.then(|| serde_json::to_string(&sealed).unwrap_or_default());
    let done = app
        .engine
        .execute(hall.clone(), caller.actor(), cmd, sealed)
        .await
        .map_err(|e| super::kiosk::explain_quota(&app, &hall, item_id.as_ref(), e.into()))?;
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

/// A citizen's view of their ticket, by the token on the printed QR code. No sign-in needed; no personal data.
#[utoipa::path(get, path = "/tickets/status/{token}", params(("token" = String, Path)),
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
#[utoipa::path(get, path = "/tickets/{id}", params(("id" = String, Path)),
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
    let (sealed, confirmations) = tokio::task::spawn_blocking(move || {
        Ok::<_, node_core::store::StoreError>((reader.sealed_of_ticket(&id)?, reader.confirmations(&id)?))
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))??;
    view.citizen = sealed.and_then(|s| CitizenView::from_sealed(&s, &app.sealer, &caller));
    view.confirmations = Some(confirmations);
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

/// Void a ticket (wrong item, duplicate, citizen left).
#[utoipa::path(post, path = "/tickets/{id}/void", params(("id" = String, Path)), request_body = VoidRequest,
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

/// Transfer a ticket to another queue, window or person.
#[utoipa::path(post, path = "/tickets/{id}/transfer", params(("id" = String, Path)), request_body = TransferRequest,
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

/// Record the citizen's rating of a finished service (from the evaluator).
#[utoipa::path(post, path = "/tickets/{id}/rating", params(("id" = String, Path)), request_body = RateRequest,
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
            reasons: req.reasons,
            comment: req.comment,
            photo: req.photo,
        },
    )
    .await
}

pub(crate) fn seal_id_card(
    app: &AppState,
    number: &str,
    name: Option<&str>,
    fields: (&str, &str),
    sealed: &mut SealedCitizen,
) -> Result<domain::idcard::IdNumber, ApiError> {
    Ok(node_core::service::citizens::seal_id_card(
        app, number, name, fields, sealed,
    )?)
}

/// Attach the citizen's ID card to an existing ticket (tender 13(2) "申请人身份证读取", 15(1) "读卡"):
/// window staff signed in at the ticket's window, or managers. Sealed (SM4) like at issue and recorded
/// in the audit chain; the answer shows the citizen as the caller's role allows.
#[utoipa::path(post, path = "/tickets/{id}/citizen", params(("id" = String, Path)), request_body = IdCardInput,
    responses((status = 200, body = TicketView), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn attach_citizen(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<IdCardInput>,
) -> Result<Json<TicketView>, ApiError> {
    let staff = caller.staff(&ISSUERS)?;
    let tid = TicketId::new(id.clone());
    let hall = hall_of_ticket(&app, &tid)?;
    caller.in_hall(&hall)?;
    if !staff.has(&[Role::Admin, Role::HallManager]) {
        let at_its_window = {
            let st = app.engine.shared.state.read();
            st.halls.get(&hall).is_some_and(|h| {
                h.ticket(&tid)
                    .and_then(|t| t.window_id.as_ref())
                    .is_some_and(|w| h.window(w).staff.as_ref() == Some(&staff.id))
            })
        };
        if !at_its_window {
            return Err(ApiError::forbidden(
                "only the staff signed in at the window serving this ticket (or a manager) may attach an ID card",
            ));
        }
    }
    // The phone given at issue stays; the card's number and name replace what was there.
    let reader = app.reader.clone();
    let i = id.clone();
    let before = tokio::task::spawn_blocking(move || reader.sealed_of_ticket(&i))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
    let mut sealed: SealedCitizen = before
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    seal_id_card(&app, &req.number, req.name.as_deref(), ("number", "name"), &mut sealed)?;
    let sealed = serde_json::to_string(&sealed).map_err(|e| ApiError::internal(e.to_string()))?;
    app.engine
        .execute(
            hall.clone(),
            caller.actor(),
            Command::Identify { ticket: tid.clone() },
            Some(sealed.clone()),
        )
        .await?;
    let cfg = app.engine.shared.cfg.read().clone();
    let mut view = {
        let st = app.engine.shared.state.read();
        let h = st.halls.get(&hall);
        let t = h
            .and_then(|h| h.ticket(&tid))
            .ok_or_else(|| ApiError::not_found("ticket", "id"))?;
        TicketView::new(&cfg, h, t, Millis((app.clock)()))
    };
    view.citizen = CitizenView::from_sealed(&sealed, &app.sealer, &caller);
    Ok(Json(view))
}

/// The evidence kept for a ticket because of a negative rating (tender 13(9) "一旦出现差评办理过程视频
/// 全部上传…跟踪差评原因"): the service's facts, the rating photo, and the blobs (scans, photos, the
/// recording once it is attached). Admins and hall managers.
#[utoipa::path(get, path = "/tickets/{id}/evidence", params(("id" = String, Path)),
    responses((status = 200, body = EvidenceResponse), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn evidence(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<EvidenceResponse>, ApiError> {
    caller.staff(&[Role::Admin, Role::HallManager])?;
    let reader = app.reader.clone();
    let i = id.clone();
    let (row, hold) = tokio::task::spawn_blocking(move || {
        Ok::<_, node_core::store::StoreError>((reader.ticket(&i)?, reader.evidence(&i)?))
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))??;
    let row = row.ok_or_else(|| ApiError::not_found("ticket", "id"))?;
    caller.in_hall(&HallId::new(row.hall_id))?;
    let cfg = app.engine.shared.cfg.read().clone();
    let holds = hold
        .into_iter()
        .map(|hold| EvidenceView {
            window_number: hold
                .window_id
                .as_ref()
                .and_then(|w| cfg.window(&WindowId::new(w.clone())))
                .map(|w| w.number.clone()),
            staff_name: hold
                .staff_id
                .as_ref()
                .and_then(|s| cfg.staff(&StaffId::new(s.clone())))
                .map(|s| s.name.clone()),
            hold,
        })
        .collect();
    Ok(Json(EvidenceResponse { ticket_id: id, holds }))
}
