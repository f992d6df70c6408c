//! Cases (办件): opened by window staff when a matter is accepted, moved through stages by the hall's
//! staff, followed by the citizen at a kiosk by receipt number or ID card (tender 21(1) "查询…办件进度",
//! 21(2) "办件查询、补件、取件"). Every change is a record through the writer (an audit row each); the
//! citizen's ID number is kept only as its keyed digest, and no answer carries personal data.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::Millis;
use domain::case::CaseStage;
use domain::config::Role;
use domain::ids::*;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::appointments::citizen_key;
use crate::caller::Caller;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;
pub use hall_api::cases::{CaseLookupRequest, CaseView, CasesResponse, OpenCaseRequest, StageRequest, StageView};
use node_core::store::Record;
use node_core::store::cases::{CaseRow, receipt_prefix};

/// This area's routes, each registered once with its OpenAPI description (paths relative to `/api/v1`).
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(open))
        .routes(routes!(lookup))
        .routes(routes!(by_receipt))
        .routes(routes!(change_stage))
}

/// Who opens and moves cases: the hall's window staff and managers (and admins).
const CLERKS: [Role; 3] = [Role::Admin, Role::HallManager, Role::WindowStaff];
/// Staff who may look cases up like a kiosk does.
const READERS: [Role; 3] = [Role::Admin, Role::HallManager, Role::WindowStaff];
/// Most cases one lookup by ID card answers (newest first).
const LOOKUP_LIMIT: usize = 50;

fn view(cfg: &domain::Config, c: &CaseRow) -> Result<CaseView, ApiError> {
    let stage_of = |s: &str| CaseStage::parse(s).ok_or_else(|| ApiError::internal(format!("stored case stage {s}")));
    let stage = stage_of(&c.stage)?;
    let stages = c
        .stages
        .iter()
        .map(|s| {
            let st = stage_of(&s.stage)?;
            Ok(StageView {
                stage: st,
                label: st.label().to_owned(),
                at: Millis(s.at),
                note: s.note.clone(),
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(CaseView {
        id: c.id.clone(),
        receipt: c.receipt.clone(),
        hall_id: c.hall_id.clone(),
        item_id: c.item_id.clone(),
        item_name: cfg.item(&ItemId::new(c.item_id.clone())).map(|i| i.name.clone()),
        hall_name: cfg.hall(&HallId::new(c.hall_id.clone())).map(|h| h.name.clone()),
        opened_at: Millis(c.opened_at),
        stage,
        stage_label: stage.label().to_owned(),
        stages,
    })
}

async fn read<T: Send + 'static>(
    app: &AppState,
    f: impl FnOnce(&dyn node_core::store::Reader) -> Result<T, node_core::store::StoreError> + Send + 'static,
) -> Result<T, ApiError> {
    let reader = app.reader.clone();
    Ok(tokio::task::spawn_blocking(move || f(reader.as_ref()))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??)
}

/// Open a case (受理) and get its receipt number; it starts as 已受理. Window staff and managers of the
/// hall.
#[utoipa::path(post, path = "/cases", request_body = OpenCaseRequest,
    responses((status = 201, body = CaseView), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn open(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    ApiJson(req): ApiJson<OpenCaseRequest>,
) -> Result<(StatusCode, Json<CaseView>), ApiError> {
    caller.staff(&CLERKS)?;
    let hall = HallId::new(req.hall_id);
    caller.in_hall(&hall)?;
    let cfg = app.engine.shared.cfg.read().clone();
    let hc = cfg.hall(&hall).ok_or_else(|| ApiError::not_found("hall", "hall_id"))?;
    let item = ItemId::new(req.item_id);
    let it = cfg
        .item(&item)
        .ok_or_else(|| ApiError::not_found("service item", "item_id"))?;
    if cfg.queue_for_item(&hall, &item).is_none() {
        return Err(ApiError::invalid(
            "item_id",
            format!("{} is not offered in {}", it.name, hc.name),
        ));
    }
    let key = citizen_key(&app, &req.id_number)?;
    if let Some(t) = &req.ticket_id {
        let live = {
            let st = app.engine.shared.state.read();
            st.halls
                .get(&hall)
                .and_then(|h| h.ticket(&TicketId::new(t.clone())))
                .is_some()
        };
        let known = live || {
            let t = t.clone();
            read(&app, move |r| r.ticket(&t))
                .await?
                .is_some_and(|row| row.hall_id == hall.as_str())
        };
        if !known {
            return Err(ApiError::not_found("ticket in this hall", "ticket_id"));
        }
    }
    let now = Millis((app.clock)());
    let case_id = uuid::Uuid::now_v7().to_string();
    let actor = node_core::engine::actor_str(&caller.actor());
    let record = Record::CaseOpened {
        case_id: case_id.clone(),
        hall_id: hall.to_string(),
        item_id: item.to_string(),
        receipt: receipt_prefix(cfg.data.city.id.as_str(), now.business_day(hc.utc_offset_minutes)),
        citizen_key: key,
        ticket_id: req.ticket_id,
        actor: actor.clone(),
    };
    app.engine.record(hall.as_str(), actor, record).await?;
    let row = read(&app, move |r| r.case(&case_id))
        .await?
        .ok_or_else(|| ApiError::internal("case vanished"))?;
    Ok((StatusCode::CREATED, Json(view(&cfg, &row)?)))
}

/// Move a case to its next stage: 审查中, 需补正 (say what is missing), 已办结, 待领取, 已送达, 不予受理 (say
/// why). Moves the rules do not allow are refused with `bad_transition`. Window staff and managers of
/// the case's hall.
#[utoipa::path(post, path = "/cases/{id}/stages", params(("id" = String, Path, description = "case id")), request_body = StageRequest,
    responses((status = 200, body = CaseView), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "not allowed from the current stage", body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn change_stage(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<StageRequest>,
) -> Result<Json<CaseView>, ApiError> {
    caller.staff(&CLERKS)?;
    let i = id.clone();
    let case = read(&app, move |r| r.case(&i))
        .await?
        .ok_or_else(|| ApiError::not_found("case", "id"))?;
    caller.in_hall(&HallId::new(case.hall_id.clone()))?;
    let from = CaseStage::parse(&case.stage).ok_or_else(|| ApiError::internal("stored case stage"))?;
    domain::case::transition(from, req.stage, req.note.as_deref()).map_err(|e| {
        let status = match e.code() {
            "bad_transition" => StatusCode::CONFLICT,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        ApiError::new(status, e.code(), e.to_string()).field(e.field())
    })?;
    let actor = node_core::engine::actor_str(&caller.actor());
    let record = Record::CaseStage {
        case_id: id.clone(),
        stage: req.stage.as_str().to_owned(),
        note: req.note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()),
        actor: actor.clone(),
    };
    app.engine.record(case.hall_id.as_str(), actor, record).await?;
    let row = read(&app, move |r| r.case(&id))
        .await?
        .ok_or_else(|| ApiError::internal("case vanished"))?;
    let cfg = app.engine.shared.cfg.read().clone();
    Ok(Json(view(&cfg, &row)?))
}

/// A case by its receipt number (受理回执号), for the citizen at a kiosk of the case's hall (tender 21(1)
/// "办件进度" query): the stages in order, no personal data.
#[utoipa::path(get, path = "/cases/by-receipt/{receipt}", params(("receipt" = String, Path, description = "受理回执号, e.g. HRB-20261124-000123")),
    responses((status = 200, body = CasesResponse), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("device_signature" = []), ("session" = [])))]
pub async fn by_receipt(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(receipt): Path<String>,
) -> Result<Json<CasesResponse>, ApiError> {
    caller.staff_or_device(&READERS, &["kiosk"])?;
    let r = receipt.trim().to_uppercase();
    if r.is_empty() || r.chars().count() > 40 {
        return Err(ApiError::invalid(
            "receipt",
            "expected a receipt number like HRB-20261124-000123",
        ));
    }
    let case = read(&app, move |rd| rd.case_by_receipt(&r))
        .await?
        .ok_or_else(|| ApiError::not_found("case with this receipt number", "receipt"))?;
    caller.in_hall(&HallId::new(case.hall_id.clone()))?;
    let cfg = app.engine.shared.cfg.read().clone();
    Ok(Json(CasesResponse {
        cases: vec![view(&cfg, &case)?],
    }))
}

/// A citizen's cases in this hall, found by the ID card read at the kiosk (tender 21(2) "办件查询") or by
/// the citizen code (一码通办, 2844–2862 "扫码登录"), newest first, at most 50. Kiosks of the hall (and its
/// clerks).
#[utoipa::path(post, path = "/cases/lookup", request_body = CaseLookupRequest,
    responses((status = 200, body = CasesResponse), (status = 403, body = crate::error::ErrorBody), (status = 404, description = "unknown citizen code", body = crate::error::ErrorBody),
        (status = 410, description = "expired citizen code", body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("device_signature" = []), ("session" = [])))]
pub async fn lookup(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    ApiJson(req): ApiJson<CaseLookupRequest>,
) -> Result<Json<CasesResponse>, ApiError> {
    caller.staff_or_device(&READERS, &["kiosk"])?;
    let hall = HallId::new(req.hall_id);
    caller.in_hall(&hall)?;
    let key = super::citizen_codes::citizen_key_of(&app, req.id_number.as_deref(), req.citizen_code.as_deref()).await?;
    let h = hall.to_string();
    let rows = read(&app, move |r| r.cases_of_citizen(&h, &key, LOOKUP_LIMIT)).await?;
    let cfg = app.engine.shared.cfg.read().clone();
    Ok(Json(CasesResponse {
        cases: rows.iter().map(|c| view(&cfg, c)).collect::<Result<_, _>>()?,
    }))
}
