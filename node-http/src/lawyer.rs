//! The lawyer's side of the online-lawyer platform (issue 7): going online with specialties, the
//! inbox with each consultation's SLA countdown (`lawyer::sla`), and the operation centre's figures
//! (connection rate, 6.2.2.1 c; average pickup, 6.2.2.1 a). Consultations themselves are in
//! `consultations.rs`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use domain::config::Role;
use domain::time::Millis;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::caller::Caller;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;
pub use hall_api::lawyer::{
    HistoryItem, HistoryQuery, HistoryResponse, InboxItem, InboxResponse, ProfileView, StatsQuery, StatsResponse,
    StatusRequest, Templates,
};
use lawyer_platform::chat::{next_due, read, record};
use lawyer_platform::store::LawyerRecord;

/// This area's routes, each registered once with its OpenAPI description (paths relative to `/api/v1`).
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(set_status))
        .routes(routes!(inbox))
        .routes(routes!(stats))
        .routes(routes!(history))
}

/// Most specialties one lawyer lists.
const MAX_SPECIALTIES: usize = 20;

fn specialties(list: Vec<String>) -> Result<Vec<String>, ApiError> {
    if list.len() > MAX_SPECIALTIES {
        return Err(ApiError::invalid(
            "specialties",
            format!("最多 {MAX_SPECIALTIES} 个专业领域 (at most {MAX_SPECIALTIES} specialties)"),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for s in list {
        let s = s.trim().to_owned();
        if s.is_empty() || s.chars().count() > 32 {
            return Err(ApiError::invalid(
                "specialties",
                "专业领域应为 1–32 个字符 (each specialty: 1–32 characters)",
            ));
        }
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok(out)
}

async fn profile_view(app: &AppState, staff: &str) -> Result<ProfileView, ApiError> {
    let s = staff.to_owned();
    let p = read(&app.lawyer, move |r| r.profile(&s)).await?;
    let now = (app.clock)();
    Ok(match p {
        Some(p) => ProfileView {
            online_secs: p.online_secs + p.online_since.map_or(0, |since| (now - since).max(0) / 1000),
            staff_id: p.staff_id,
            online: p.online,
            online_since: p.online_since,
            specialties: p.specialties,
        },
        None => ProfileView {
            staff_id: staff.to_owned(),
            online: false,
            online_since: None,
            online_secs: 0,
            specialties: Vec::new(),
        },
    })
}

/// Go online (take realtime questions of your specialties, least-loaded first) or offline (what was
/// routed to you and not yet picked up goes back to the queue). Lawyers only.
#[utoipa::path(put, path = "/lawyer/status", request_body = StatusRequest,
    responses((status = 200, body = ProfileView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn set_status(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    ApiJson(req): ApiJson<StatusRequest>,
) -> Result<Json<ProfileView>, ApiError> {
    let me = caller.staff(&[Role::Lawyer])?.id.to_string();
    let specialties = req.specialties.map(specialties).transpose()?;
    let r = LawyerRecord::Status {
        staff_id: me.clone(),
        online: req.online,
        specialties,
    };
    record(&app.lawyer, None, format!("staff:{me}"), r).await?;
    // Someone may be waiting for exactly this lawyer: route now rather than at the next sweep.
    if req.online {
        lawyer_platform::chat::sweep(&app.lawyer).await?;
    }
    Ok(Json(profile_view(&app, &me).await?))
}

/// The lawyer's open consultations (routed to them, in conversation, claimed 留言) and the unclaimed
/// 留言 of their specialties, each with what is owed next and when (`lawyer::sla`: pickup 20 s, first
/// reply 60 s, reassurance 60 s, consent 120 s, answer 3 min; 留言 reply 120 min). Lawyers only.
#[utoipa::path(get, path = "/lawyer/inbox",
    responses((status = 200, body = InboxResponse), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn inbox(State(app): State<Arc<AppState>>, caller: Caller) -> Result<Json<InboxResponse>, ApiError> {
    let me = caller.staff(&[Role::Lawyer])?.id.to_string();
    let profile = profile_view(&app, &me).await?;
    let (m, sp) = (me.clone(), profile.specialties.clone());
    let rows = read(&app.lawyer, move |r| r.inbox(&m, &sp)).await?;
    let now = (app.clock)();
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let id = row.id.clone();
        let msgs = read(&app.lawyer, move |r| r.messages(&id, 0)).await?;
        items.push(InboxItem {
            due: next_due(&app.lawyer, &row, &msgs, now),
            status_label: row.status.label_zh().into(),
            id: row.id,
            kind: row.kind,
            status: row.status,
            specialty: row.specialty,
            question: row.question,
            created_at: row.created_at,
            lawyer_id: row.lawyer_id,
        });
    }
    items.sort_by_key(|i| i.due.as_ref().map_or(i64::MAX, |d| d.due));
    let mediations = super::mediation::lawyer_items(&app, &me).await?;
    let t = &app.lawyer.config.templates;
    Ok(Json(InboxResponse {
        profile,
        items,
        mediations,
        templates: Templates {
            opening: t.opening.clone(),
            disclaimer: t.disclaimer.clone(),
            closing: t.closing.clone(),
        },
    }))
}

/// The operation centre's live figures for realtime consultations: connection rate (6.2.2.1 c, target
/// above 95%) and average pickup (6.2.2.1 a, target 20 s); and for video ones (6.2.3.1 a, c: 20 s by
/// day, 30 s by night). Operators and admins.
#[utoipa::path(get, path = "/lawyer/stats", params(("from" = Option<i64>, Query, description = "ms"), ("to" = Option<i64>, Query, description = "ms")),
    responses((status = 200, body = StatsResponse), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn stats(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Query(q): Query<StatsQuery>,
) -> Result<Json<StatsResponse>, ApiError> {
    caller.staff(&[Role::Operator, Role::Admin])?;
    let to = q.to.unwrap_or_else(|| (app.clock)());
    let from = q.from.unwrap_or(to - 86_400_000);
    let rows = read(&app.lawyer, move |r| r.realtime_requests(from, to)).await?;
    let sla = &app.lawyer.config.sla;
    let requested = rows.len() as u64;
    let samples: Vec<lawyer::sla::PickupSample> = rows
        .iter()
        .filter_map(|(asked, picked)| {
            picked.map(|p| lawyer::sla::PickupSample {
                kind: lawyer::ServiceKind::RealTime,
                requested_at: Millis(*asked),
                picked_up_at: Millis(p),
            })
        })
        .collect();
    let rate = lawyer::Ratio::new(samples.len() as u64, requested);
    let pickup = lawyer::sla::pickup_averages(&samples, 480, sla).into_iter().next();
    Ok(Json(StatsResponse {
        from,
        to,
        realtime_requested: requested,
        realtime_connected: samples.len() as u64,
        connection_rate_percent: rate.percent(),
        connection_ok: lawyer::sla::connection_ok(rate, sla),
        pickup_average_secs: pickup.as_ref().map(lawyer::sla::PickupAverage::average_secs),
        pickup_ok: pickup.map(|p| p.met),
        video: super::video::stats(&app, from, to).await?,
    }))
}

/// The lawyer's own consultations (any status, newest first) with the citizens' ratings: the desk's
/// history. Lawyers only, and only their own.
#[utoipa::path(get, path = "/lawyer/consultations", params(("limit" = Option<u32>, Query, description = "most rows (50; at most 200)")),
    responses((status = 200, body = HistoryResponse), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn history(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Query(q): Query<HistoryQuery>,
) -> Result<Json<HistoryResponse>, ApiError> {
    let me = caller.staff(&[Role::Lawyer])?.id.to_string();
    let limit = q.limit.unwrap_or(50);
    if !(1..=lawyer_platform::history::MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid("limit", "limit 应为 1–200 (1–200)"));
    }
    let rows = read(&app.lawyer, move |r| r.history(&me, limit)).await?;
    let ratings: Vec<u8> = rows.iter().filter_map(|r| r.rating.as_ref().map(|(l, _)| *l)).collect();
    let average_rating =
        (!ratings.is_empty()).then(|| ratings.iter().map(|l| f64::from(*l)).sum::<f64>() / ratings.len() as f64);
    Ok(Json(HistoryResponse {
        rated: ratings.len() as u64,
        average_rating,
        items: rows
            .into_iter()
            .map(|r| HistoryItem {
                status_label: r.status.label_zh().into(),
                id: r.id,
                kind: r.kind,
                status: r.status,
                specialty: r.specialty,
                question: r.question,
                created_at: r.created_at,
                picked_at: r.picked_at,
                answered_at: r.answered_at,
                closed_at: r.closed_at,
                rating_comment: r.rating.as_ref().and_then(|(_, c)| c.clone()),
                rating: r.rating.map(|(l, _)| l),
            })
            .collect(),
    }))
}
