//! Service quality of the online-lawyer platform, follow-ups (issue 7; standard 7.1.2, 7.1.3.2, 7.2.4):
//! complaints from the citizen or the operation centre, sensitive ones listed for reporting; the task
//! list of revisits (回访), lawyers' call-backs and complaint call-backs with their deadlines; completing
//! a task with its outcome. QC and the 表 1 alerts are in [`qc`]. The rules live in
//! `lawyer_platform::quality` and the `lawyer` crate.

pub mod qc;

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use domain::config::Role;
use lawyer::sla::tasks::Task;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::caller::Caller;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;
pub use hall_api::quality::{
    ComplaintRequest, ComplaintView, ComplaintsQuery, CompleteRequest, FlagRequest, TaskView, TasksQuery,
};
use lawyer_platform::quality::store::{ComplaintRow, TaskRow};
use lawyer_platform::quality::{self, QualityRecord, parse_task};

/// This area's routes, each registered once with its OpenAPI description (paths relative to `/api/v1`).
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(my_tasks))
        .routes(routes!(complaints, file_complaint))
        .routes(routes!(flag_complaint))
        .routes(routes!(tasks))
        .routes(routes!(complete_task))
        .merge(crate::tagged(qc::router(), "lawyer_quality::qc"))
}

/// Longest complaint or outcome note.
const MAX_NOTE: usize = 2000;

pub fn task_view(t: TaskRow, now: i64) -> TaskView {
    let kind = parse_task(&t.kind);
    TaskView {
        label: kind.map_or("", Task::label_zh).into(),
        clause: kind.map_or("", Task::clause).into(),
        remaining_secs: t.done_at.is_none().then(|| (t.due_at - now).div_euclid(1000)),
        overdue: t.done_at.unwrap_or(now) > t.due_at,
        id: t.id,
        kind: t.kind,
        consultation_id: t.consultation_id,
        lawyer_id: t.lawyer_id,
        complaint_id: t.complaint_id,
        created_at: t.created_at,
        due_at: t.due_at,
        done_at: t.done_at,
        done_by: t.done_by,
        outcome: t.outcome,
        needs_legal_answer: t.needs_legal_answer,
    }
}

fn note(field: &str, s: Option<&str>) -> Result<String, ApiError> {
    let t = s.map(str::trim).unwrap_or_default();
    if t.is_empty() || t.chars().count() > MAX_NOTE {
        return Err(ApiError::invalid(
            field,
            format!("必填，1–{MAX_NOTE} 个字符 (required, 1–{MAX_NOTE} characters)"),
        ));
    }
    Ok(t.to_owned())
}

fn complaint_view(k: ComplaintRow, now: i64) -> ComplaintView {
    ComplaintView {
        id: k.id,
        consultation_id: k.consultation_id,
        filed_by: k.filed_by,
        text: k.text,
        sensitive: k.sensitive,
        created_at: k.created_at,
        task: k.task.map(|t| task_view(t, now)),
    }
}

async fn complaint_by_id(app: &AppState, id: &str) -> Result<ComplaintView, ApiError> {
    let i = id.to_owned();
    let rows = quality::query(&app.lawyer, move |c| quality::store::complaints(c, false, Some(&i))).await?;
    rows.into_iter()
        .next()
        .map(|k| complaint_view(k, (app.clock)()))
        .ok_or_else(|| ApiError::not_found("complaint", "id"))
}

/// File a complaint (投诉, 7.1.2.1 a channel in the consultation; b the hotline, entered by the
/// operation centre): the citizen with the consultation's `X-Consultation-Token`, or the
/// operation centre (a complaint by phone; may be flagged `sensitive`). Opens the call-back task due
/// within 1 working day (7.1.2.2).
#[utoipa::path(post, path = "/lawyer-quality/complaints", request_body = ComplaintRequest,
    responses((status = 201, body = ComplaintView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("consultation_token" = []), ("session" = [])))]
pub async fn file_complaint(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ComplaintRequest>,
) -> Result<(StatusCode, Json<ComplaintView>), ApiError> {
    let token = headers
        .get(super::consultations::TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_owned());
    let consultation = match &req.consultation_id {
        Some(id) => {
            let i = id.clone();
            Some(
                lawyer_platform::chat::read(&app.lawyer, move |r| r.consultation(&i))
                    .await?
                    .ok_or_else(|| ApiError::not_found("consultation", "consultation_id"))?,
            )
        }
        None => None,
    };
    let filed_by = match token {
        Some(t) => {
            let Some(row) = &consultation else {
                return Err(ApiError::invalid(
                    "consultation_id",
                    "凭咨询凭证投诉时须指明咨询 (name the consultation the token is for)",
                ));
            };
            if node_core::crypto::sm3_hex(t.as_bytes()) != row.token_hash {
                return Err(ApiError::forbidden(
                    "咨询凭证与该咨询不符 (this consultation token is for another consultation)",
                ));
            }
            if req.sensitive.is_some() {
                return Err(ApiError::invalid(
                    "sensitive",
                    "涉敏标记由运营中心设置 (operators set the sensitive flag)",
                ));
            }
            "citizen".to_owned()
        }
        None => {
            let s = caller.staff(&[Role::Operator, Role::Admin])?;
            format!("staff:{}", s.id)
        }
    };
    let text = note("text", req.text.as_deref())?;
    let now = (app.clock)();
    let id = uuid::Uuid::now_v7().to_string();
    let consultation_id = consultation.map(|k| k.id);
    let task = quality::new_task(
        &app.lawyer,
        Task::ComplaintCallback,
        now,
        consultation_id.as_deref(),
        None,
        Some(&id),
    )?;
    let r = QualityRecord::ComplaintFiled {
        id: id.clone(),
        consultation_id,
        filed_by: filed_by.clone(),
        text,
        sensitive: req.sensitive.unwrap_or(false),
        task,
    };
    quality::record(&app.lawyer, filed_by, r).await?;
    Ok((StatusCode::CREATED, Json(complaint_by_id(&app, &id).await?)))
}

/// Complaints, oldest first, each with its call-back task; `?sensitive=true` lists those to report.
/// Operators, admins and leaders.
#[utoipa::path(get, path = "/lawyer-quality/complaints", params(("sensitive" = Option<bool>, Query, description = "only sensitive ones")),
    responses((status = 200, body = Vec<ComplaintView>), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn complaints(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Query(q): Query<ComplaintsQuery>,
) -> Result<Json<Vec<ComplaintView>>, ApiError> {
    caller.staff(&[Role::Operator, Role::Admin, Role::Leader])?;
    let only = q.sensitive.unwrap_or(false);
    let rows = quality::query(&app.lawyer, move |c| quality::store::complaints(c, only, None)).await?;
    let now = (app.clock)();
    Ok(Json(rows.into_iter().map(|k| complaint_view(k, now)).collect()))
}

/// Flag a complaint 涉敏/需上报 (or clear the flag): sensitive matters are reported to the authorities
/// (7.1.2.2 舆情报备, 7.1.2.4). Operators and admins.
#[utoipa::path(put, path = "/lawyer-quality/complaints/{id}/sensitive", params(("id" = String, Path, description = "complaint id")),
    request_body = FlagRequest,
    responses((status = 200, body = ComplaintView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn flag_complaint(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<FlagRequest>,
) -> Result<Json<ComplaintView>, ApiError> {
    let me = caller.staff(&[Role::Operator, Role::Admin])?.id.to_string();
    complaint_by_id(&app, &id).await?;
    let r = QualityRecord::ComplaintFlagged {
        id: id.clone(),
        sensitive: req.sensitive,
    };
    quality::record(&app.lawyer, format!("staff:{me}"), r).await?;
    Ok(Json(complaint_by_id(&app, &id).await?))
}

fn tasks_filter(q: &TasksQuery) -> Result<(Option<String>, bool), ApiError> {
    let kind = match q.kind.as_deref() {
        None | Some("") => None,
        Some(k) => Some(
            parse_task(k)
                .map(|t| quality::task_str(t).to_owned())
                .ok_or_else(|| {
                    ApiError::invalid(
                        "kind",
                        "应为 revisit、legal_callback 或 complaint_callback (one of revisit, legal_callback, complaint_callback)",
                    )
                })?,
        ),
    };
    let open = match q.status.as_deref() {
        None | Some("open") => true,
        Some("all") => false,
        Some(_) => return Err(ApiError::invalid("status", "应为 open 或 all (open or all)")),
    };
    Ok((kind, open))
}

/// Follow-up tasks, earliest deadline first, each marked `overdue` when past its deadline (7.1.2.2,
/// 7.1.3.2). Operators and admins.
#[utoipa::path(get, path = "/lawyer-quality/tasks", params(("kind" = Option<String>, Query, description = "task kind"),
        ("status" = Option<String>, Query, description = "open (default) or all")),
    responses((status = 200, body = Vec<TaskView>), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn tasks(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Query(q): Query<TasksQuery>,
) -> Result<Json<Vec<TaskView>>, ApiError> {
    caller.staff(&[Role::Operator, Role::Admin])?;
    let (kind, open) = tasks_filter(&q)?;
    let rows = quality::query(&app.lawyer, move |c| {
        quality::store::tasks(c, kind.as_deref(), open, None)
    })
    .await?;
    let now = (app.clock)();
    Ok(Json(rows.into_iter().map(|t| task_view(t, now)).collect()))
}

/// The signed-in lawyer's call-backs (7.1.3.2 b: within 1 hour), earliest deadline first. Lawyers only.
#[utoipa::path(get, path = "/lawyer/tasks", params(("status" = Option<String>, Query, description = "open (default) or all")),
    responses((status = 200, body = Vec<TaskView>), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn my_tasks(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Query(q): Query<TasksQuery>,
) -> Result<Json<Vec<TaskView>>, ApiError> {
    let me = caller.staff(&[Role::Lawyer])?.id.to_string();
    let (kind, open) = tasks_filter(&q)?;
    let rows = quality::query(&app.lawyer, move |c| {
        quality::store::tasks(c, kind.as_deref(), open, Some(&me))
    })
    .await?;
    let now = (app.clock)();
    Ok(Json(rows.into_iter().map(|t| task_view(t, now)).collect()))
}

/// Complete a task with its outcome. Revisits and complaint call-backs: operators and admins; a
/// call-back: the lawyer it is for (or an operator). 409 if it is already done.
#[utoipa::path(post, path = "/lawyer-quality/tasks/{id}/complete", params(("id" = String, Path, description = "task id")),
    request_body = CompleteRequest,
    responses((status = 200, body = TaskView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn complete_task(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CompleteRequest>,
) -> Result<Json<TaskView>, ApiError> {
    let s = caller.staff(&[Role::Operator, Role::Admin, Role::Lawyer])?;
    let (me, operator) = (s.id.to_string(), s.has(&[Role::Operator, Role::Admin]));
    let i = id.clone();
    let task = quality::query(&app.lawyer, move |c| quality::store::task(c, &i))
        .await?
        .ok_or_else(|| ApiError::not_found("task", "id"))?;
    let kind = parse_task(&task.kind).ok_or_else(|| ApiError::internal("stored task kind"))?;
    let own_callback = kind == Task::LegalCallback && task.lawyer_id.as_deref() == Some(me.as_str());
    if !operator && !own_callback {
        return Err(ApiError::forbidden(
            "律师只能完成自己的回拨任务 (lawyers complete only their own call-backs)",
        ));
    }
    let outcome = note("outcome", req.outcome.as_deref())?;
    let needs = req.needs_legal_answer.unwrap_or(false);
    if needs && kind == Task::LegalCallback {
        return Err(ApiError::invalid(
            "needs_legal_answer",
            "回拨任务本身即为解答 (a call-back is the answer itself)",
        ));
    }
    let follow_up = if needs {
        // The lawyer of the consultation, read now: the call-back is theirs (none known: operators').
        let lawyer = match task.consultation_id.clone() {
            Some(k) => lawyer_platform::chat::read(&app.lawyer, move |r| r.consultation(&k))
                .await?
                .and_then(|row| row.lawyer_id),
            None => None,
        };
        Some(quality::new_task(
            &app.lawyer,
            Task::LegalCallback,
            (app.clock)(),
            task.consultation_id.as_deref(),
            lawyer.as_deref(),
            task.complaint_id.as_deref(),
        )?)
    } else {
        None
    };
    let r = QualityRecord::TaskDone {
        id: id.clone(),
        by: format!("staff:{me}"),
        outcome,
        needs_legal_answer: needs,
        follow_up,
    };
    quality::record(&app.lawyer, format!("staff:{me}"), r).await?;
    let t = quality::query(&app.lawyer, move |c| quality::store::task(c, &id))
        .await?
        .ok_or_else(|| ApiError::not_found("task", "id"))?;
    Ok(Json(task_view(t, (app.clock)())))
}
