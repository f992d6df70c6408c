//! Remote mediation (issue 7, standard 6.1 d, 6.2.4) over HTTP: operators book on a committee's
//! behalf (see `lawyer_platform::mediation` for why), verify or reject, assign a lawyer (named, or the
//! least-loaded of the specialty), and enter the committee's rating; the lawyer accepts and joins
//! the online room, 10 min early. Each mediation carries its tasks with their working-day deadlines
//! (`lawyer::sla::tasks`), so the operators' list shows what is due and what is overdue.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::config::Role;
use domain::ids::StaffId;
use domain::time::Millis;
use lawyer::sla::tasks::{Task, check_mediation_booking, task_due};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::caller::Caller;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;
pub use hall_api::mediation::{
    AssignRequest, BookRequest, DeclineRequest, LawyerMediation, ListQuery, MediationList, MediationRatingRequest,
    MediationView, TaskView, VerifyRequest,
};
use lawyer_platform::MediationStatus;
use lawyer_platform::chat::{Due, read, record};
use lawyer_platform::mediation::{MediationRecord, MediationRow};
use lawyer_platform::store::LawyerRecord;

/// This area's routes, each registered once with its OpenAPI description (paths relative to `/api/v1`).
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(book, list))
        .routes(routes!(get_one))
        .routes(routes!(verify))
        .routes(routes!(assign))
        .routes(routes!(accept))
        .routes(routes!(decline))
        .routes(routes!(join))
        .routes(routes!(rate))
}

/// Local time of the platform (Beijing time), as the rest of the lawyer platform.
const UTC_OFFSET: i32 = 480;
const OFFICE: &[Role] = &[Role::Operator, Role::Admin];

fn join_by(app: &AppState, starts_at: i64) -> Result<Millis, ApiError> {
    // Minutes only: no calendar involved, so this cannot fail in practice.
    task_due(
        Task::MediationJoin,
        Millis(starts_at),
        &app.lawyer.config.sla,
        &app.lawyer.calendar,
        UTC_OFFSET,
    )
    .map_err(|e| ApiError::internal(e.to_string()))
}

fn task_view(name: &str, task: Task, due: i64, done_at: Option<i64>, now: i64) -> TaskView {
    let c = lawyer::sla::tasks::Countdown::new(Millis(due), Millis(now));
    TaskView {
        task: name.into(),
        label: task.label_zh().into(),
        clause: task.clause().into(),
        due,
        remaining_secs: c.remaining_secs,
        done_at,
        overdue: done_at.is_none() && c.overdue(),
        late: done_at.is_some_and(|d| d > due),
    }
}

fn view(app: &AppState, m: MediationRow, now: i64) -> Result<MediationView, ApiError> {
    use MediationStatus as S;
    let mut tasks = vec![task_view(
        "verify",
        Task::MediationVerify,
        m.verify_due,
        m.verified_at,
        now,
    )];
    if m.status != S::Rejected {
        tasks.push(task_view(
            "assign",
            Task::MediationAssign,
            m.assign_due,
            m.accepted_at,
            now,
        ));
    }
    if matches!(m.status, S::Assigned | S::Accepted | S::Rated) {
        let due = join_by(app, m.starts_at)?.0;
        tasks.push(task_view("join", Task::MediationJoin, due, m.joined_at, now));
    }
    Ok(MediationView {
        overdue: tasks.iter().any(|t| t.overdue),
        tasks,
        status_label: m.status.label_zh().into(),
        id: m.id,
        committee: m.committee,
        parties: m.parties,
        matter: m.matter,
        specialty: m.specialty,
        starts_at: m.starts_at,
        duration_minutes: m.duration_minutes,
        status: m.status,
        booked_by: m.booked_by,
        booked_at: m.booked_at,
        reject_reason: m.reject_reason,
        lawyer_id: m.lawyer_id,
        accepted_at: m.accepted_at,
        joined_at: m.joined_at,
        join_late: m.join_late,
        rating_level: m.rating_level,
    })
}

/// `s` trimmed, 1–`max` characters, or a 422 naming `field`.
fn text(field: &str, s: &str, max: usize) -> Result<String, ApiError> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(ApiError::invalid(
            field,
            format!("{field} 应为 1–{max} 个字符 ({field}: 1–{max} characters)"),
        ));
    }
    Ok(t.to_owned())
}

fn calendar_error(e: lawyer::CalendarError) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "calendar_not_configured",
        e.to_string(),
    )
    .field("starts_at")
}

async fn load(app: &AppState, id: &str) -> Result<MediationRow, ApiError> {
    let i = id.to_owned();
    read(&app.lawyer, move |r| r.mediation(&i))
        .await?
        .ok_or_else(|| ApiError::not_found("mediation", "id"))
}

async fn write(app: &AppState, actor: &str, r: MediationRecord) -> Result<MediationView, ApiError> {
    let id = r.id().to_owned();
    record(&app.lawyer, None, format!("staff:{actor}"), LawyerRecord::Mediation(r)).await?;
    view(app, load(app, &id).await?, (app.clock)())
}

/// Book a remote mediation for a committee, at least 5 working days ahead by the configured
/// calendar (6.2.4.1); the verify (1 working day) and assign (3 working days) deadlines are fixed
/// now. Operators (on the committee's behalf) and admins.
#[utoipa::path(post, path = "/mediations", request_body = BookRequest,
    responses((status = 201, body = MediationView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn book(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    ApiJson(req): ApiJson<BookRequest>,
) -> Result<(StatusCode, Json<MediationView>), ApiError> {
    let me = caller.staff(OFFICE)?.id.to_string();
    let committee = text("committee", &req.committee, 100)?;
    if req.parties.is_empty() || req.parties.len() > 20 {
        return Err(ApiError::invalid("parties", "当事人应为 1–20 人 (1–20 parties)"));
    }
    let parties = req
        .parties
        .iter()
        .map(|p| text("parties", p, 50))
        .collect::<Result<Vec<_>, _>>()?;
    let matter = text("matter", &req.matter, 4000)?;
    let specialty = text("specialty", &req.specialty, 32)?;
    let duration_minutes = req.duration_minutes.unwrap_or(60);
    if !(15..=480).contains(&duration_minutes) {
        return Err(ApiError::invalid(
            "duration_minutes",
            "调解时长应为 15–480 分钟 (15–480 minutes)",
        ));
    }
    let now = (app.clock)();
    let (sla, cal) = (&app.lawyer.config.sla, &app.lawyer.calendar);
    if let Err(too_soon) =
        check_mediation_booking(Millis(now), Millis(req.starts_at), sla, cal, UTC_OFFSET).map_err(calendar_error)?
    {
        return Err(ApiError::invalid("starts_at", too_soon.to_string()));
    }
    let due = |t| task_due(t, Millis(now), sla, cal, UTC_OFFSET).map_err(calendar_error);
    let r = MediationRecord::Booked {
        id: uuid::Uuid::now_v7().to_string(),
        committee,
        parties,
        matter,
        specialty,
        starts_at: req.starts_at,
        duration_minutes,
        booked_by: me.clone(),
        booked_at: now,
        verify_due: due(Task::MediationVerify)?.0,
        assign_due: due(Task::MediationAssign)?.0,
    };
    Ok((StatusCode::CREATED, Json(write(&app, &me, r).await?)))
}

/// The mediations not yet held (and any held later than now), soonest first, each with its tasks,
/// deadlines and whether one is overdue; `?overdue=true` keeps only those. Operators and admins.
#[utoipa::path(get, path = "/mediations", params(("overdue" = Option<bool>, Query, description = "only overdue ones")),
    responses((status = 200, body = MediationList), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn list(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<MediationList>, ApiError> {
    caller.staff(OFFICE)?;
    let now = (app.clock)();
    let rows = read(&app.lawyer, move |r| r.open_mediations(now)).await?;
    let mut items = Vec::with_capacity(rows.len());
    for m in rows {
        let v = view(&app, m, now)?;
        if !q.overdue.unwrap_or(false) || v.overdue {
            items.push(v);
        }
    }
    Ok(Json(MediationList { items }))
}

/// One mediation. Operators, admins, and the lawyer it is assigned to.
#[utoipa::path(get, path = "/mediations/{id}", params(("id" = String, Path)),
    responses((status = 200, body = MediationView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn get_one(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<MediationView>, ApiError> {
    let me = caller.staff(&[Role::Operator, Role::Admin, Role::Lawyer])?;
    let office = me.has(OFFICE);
    let me = me.id.to_string();
    let m = load(&app, &id).await?;
    if !office && m.lawyer_id.as_deref() != Some(me.as_str()) {
        return Err(ApiError::forbidden("该调解未指派给您 (not assigned to you)"));
    }
    Ok(Json(view(&app, m, (app.clock)())?))
}

/// The operator's verification call (6.2.4.1, within 1 working day): confirmed, or rejected with the
/// reason. Operators and admins.
#[utoipa::path(post, path = "/mediations/{id}/verify", params(("id" = String, Path)), request_body = VerifyRequest,
    responses((status = 200, body = MediationView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn verify(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VerifyRequest>,
) -> Result<Json<MediationView>, ApiError> {
    let me = caller.staff(OFFICE)?.id.to_string();
    let reason = match (req.approved, req.reason.as_deref()) {
        (false, None) => {
            return Err(ApiError::invalid(
                "reason",
                "退回时应说明原因 (a rejection needs a reason)",
            ));
        }
        (_, Some(r)) => Some(text("reason", r, 500)?),
        (true, None) => None,
    };
    load(&app, &id).await?;
    let r = MediationRecord::Verified {
        id,
        by: me.clone(),
        approved: req.approved,
        reason,
    };
    Ok(Json(write(&app, &me, r).await?))
}

/// Assign the lawyer (6.2.4.1, within 3 working days; the step is done when they accept): the one
/// named, or the least-loaded of the specialty. Reassigning is allowed until the lawyer accepts.
/// Operators and admins.
#[utoipa::path(post, path = "/mediations/{id}/assign", params(("id" = String, Path)), request_body = AssignRequest,
    responses((status = 200, body = MediationView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn assign(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<AssignRequest>,
) -> Result<Json<MediationView>, ApiError> {
    let me = caller.staff(OFFICE)?.id.to_string();
    if let Some(l) = &req.lawyer_id {
        let cfg = app.engine.shared.cfg.read().clone();
        let is_lawyer = cfg
            .staff(&StaffId::new(l.clone()))
            .is_some_and(|s| s.roles.contains(&Role::Lawyer));
        if !is_lawyer {
            return Err(ApiError::invalid("lawyer_id", "没有这位律师 (no lawyer with this id)"));
        }
    }
    load(&app, &id).await?;
    let r = MediationRecord::Assigned {
        id,
        by: me.clone(),
        lawyer_id: req.lawyer_id,
    };
    Ok(Json(write(&app, &me, r).await?))
}

/// The assigned lawyer confirms they will take the session. Lawyers only.
#[utoipa::path(post, path = "/mediations/{id}/accept", params(("id" = String, Path)),
    responses((status = 200, body = MediationView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn accept(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<MediationView>, ApiError> {
    let me = caller.staff(&[Role::Lawyer])?.id.to_string();
    load(&app, &id).await?;
    let r = MediationRecord::Accepted {
        id,
        staff_id: me.clone(),
    };
    Ok(Json(write(&app, &me, r).await?))
}

/// The assigned lawyer cannot take the session (e.g. a conflict of interest): it goes back to the
/// operators to assign another lawyer, still within the 3 working days. Lawyers only.
#[utoipa::path(post, path = "/mediations/{id}/decline", params(("id" = String, Path)), request_body = DeclineRequest,
    responses((status = 200, body = MediationView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn decline(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<DeclineRequest>,
) -> Result<Json<MediationView>, ApiError> {
    let me = caller.staff(&[Role::Lawyer])?.id.to_string();
    let reason = text("reason", &req.reason, 500)?;
    load(&app, &id).await?;
    let r = MediationRecord::Declined {
        id,
        staff_id: me.clone(),
        reason,
    };
    Ok(Json(write(&app, &me, r).await?))
}

/// The lawyer enters the online mediation room; the time is recorded, and a join later than 10 min
/// before the start is recorded as late (6.2.4.2 a). Lawyers only (the assigned one, accepted).
#[utoipa::path(post, path = "/mediations/{id}/join", params(("id" = String, Path)),
    responses((status = 200, body = MediationView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn join(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<MediationView>, ApiError> {
    let me = caller.staff(&[Role::Lawyer])?.id.to_string();
    let m = load(&app, &id).await?;
    let r = MediationRecord::Joined {
        id,
        staff_id: me.clone(),
        join_by: join_by(&app, m.starts_at)?.0,
    };
    Ok(Json(write(&app, &me, r).await?))
}

/// The committee's rating of the lawyer's service once the session has started (6.2.4.2 e), entered
/// by an operator on its behalf. Operators and admins.
#[utoipa::path(post, path = "/mediations/{id}/rating", params(("id" = String, Path)), request_body = MediationRatingRequest,
    responses((status = 200, body = MediationView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn rate(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<MediationRatingRequest>,
) -> Result<Json<MediationView>, ApiError> {
    let me = caller.staff(OFFICE)?.id.to_string();
    if !(1..=5).contains(&req.level) {
        return Err(ApiError::invalid("level", "评价应为 1–5 (level: 1–5)"));
    }
    let comment = req.comment.as_deref().map(|c| text("comment", c, 500)).transpose()?;
    load(&app, &id).await?;
    let r = MediationRecord::Rated {
        id,
        level: req.level,
        comment,
    };
    Ok(Json(write(&app, &me, r).await?))
}

/// A lawyer's mediations still to be held, soonest first, each with the countdown to the join-by
/// time (for `GET /lawyer/inbox`).
pub async fn lawyer_items(app: &AppState, staff: &str) -> Result<Vec<LawyerMediation>, ApiError> {
    let s = staff.to_owned();
    let rows = read(&app.lawyer, move |r| r.lawyer_mediations(&s)).await?;
    let now = (app.clock)();
    let mut out = Vec::with_capacity(rows.len());
    for m in rows {
        if m.starts_at + i64::from(m.duration_minutes) * 60_000 < now {
            continue;
        }
        let due = join_by(app, m.starts_at)?;
        let c = lawyer::sla::tasks::Countdown::new(due, Millis(now));
        out.push(LawyerMediation {
            join_by: Due {
                action: "join".into(),
                label: Task::MediationJoin.label_zh().into(),
                clause: Task::MediationJoin.clause().into(),
                due: due.0,
                remaining_secs: c.remaining_secs,
            },
            status_label: m.status.label_zh().into(),
            id: m.id,
            committee: m.committee,
            parties: m.parties,
            matter: m.matter,
            specialty: m.specialty,
            starts_at: m.starts_at,
            duration_minutes: m.duration_minutes,
            status: m.status,
            joined_at: m.joined_at,
            join_late: m.join_late,
        });
    }
    Ok(out)
}
