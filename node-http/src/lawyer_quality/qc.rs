//! QC (质检, 7.2.4; error grades 3.1/3.2) and quality figures (7.1.4.2 rates, 表 1 alerts 7.1.4.1):
//! the reviewer queue and verdicts, the alerts of a date range per lawyer and platform-wide, and a
//! lawyer's own results.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use domain::config::Role;
use domain::time::{BusinessDay, Date, Millis};
use lawyer::report::{Scope, alerts};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::caller::Caller;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;
pub use hall_api::quality::qc::{
    AlertView, AlertsResponse, FiguresView, LawyerFigures, MyQcResponse, QcView, RangeQuery, RateView, ReviewRequest,
};
use lawyer_platform::quality::store::{QcRow, parse_qc, qc_str};
use lawyer_platform::quality::{self, QualityRecord, UTC_OFFSET_MINUTES};

/// This area's routes, each registered once with its OpenAPI description (paths relative to `/api/v1`).
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(my_qc))
        .routes(routes!(queue))
        .routes(routes!(review))
        .routes(routes!(alerts_in_range))
}

fn qc_view(q: QcRow) -> QcView {
    QcView {
        result: q.review_result.clone().unwrap_or_else(|| q.auto_result.clone()),
        in_queue: q.review_result.is_none() && (q.sampled || q.auto_result != "pass"),
        findings: serde_json::from_str(&q.findings).unwrap_or_default(),
        consultation_id: q.consultation_id,
        lawyer_id: q.lawyer_id,
        auto_result: q.auto_result,
        checked_at: q.checked_at,
        sampled: q.sampled,
        review_result: q.review_result,
        review_reason: q.review_reason,
        reviewer: q.reviewer,
        reviewed_at: q.reviewed_at,
    }
}

/// The reviewer queue, oldest first: every automatically failed consultation and the random sample
/// (`qc_sample_percent`), not yet reviewed. Operators.
#[utoipa::path(get, path = "/lawyer-quality/qc/queue",
    responses((status = 200, body = Vec<QcView>), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn queue(State(app): State<Arc<AppState>>, caller: Caller) -> Result<Json<Vec<QcView>>, ApiError> {
    caller.staff(&[Role::Operator])?;
    let rows = quality::query(&app.lawyer, quality::store::qc_queue).await?;
    Ok(Json(rows.into_iter().map(qc_view).collect()))
}

/// A reviewer's verdict on a checked consultation; it replaces the automatic one in every rate. Once
/// only (409 after). Operators.
#[utoipa::path(post, path = "/lawyer-quality/qc/{id}/review", params(("id" = String, Path, description = "consultation id")),
    request_body = ReviewRequest,
    responses((status = 200, body = QcView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn review(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ReviewRequest>,
) -> Result<Json<QcView>, ApiError> {
    let me = caller.staff(&[Role::Operator])?.id.to_string();
    let i = id.clone();
    quality::query(&app.lawyer, move |c| quality::store::qc(c, &i))
        .await?
        .ok_or_else(|| ApiError::not_found("QC result", "id"))?;
    let result = req
        .result
        .as_deref()
        .and_then(parse_qc)
        .ok_or_else(|| ApiError::invalid("result", "应为 pass、non_fatal 或 fatal (pass, non_fatal or fatal)"))?;
    let reason = req.reason.as_deref().map(str::trim).unwrap_or_default();
    if reason.is_empty() || reason.chars().count() > 2000 {
        return Err(ApiError::invalid(
            "reason",
            "必填，1–2000 个字符 (required, 1–2000 characters)",
        ));
    }
    let r = QualityRecord::QcReviewed {
        consultation_id: id.clone(),
        reviewer: format!("staff:{me}"),
        result: qc_str(result),
        reason: reason.to_owned(),
    };
    quality::record(&app.lawyer, format!("staff:{me}"), r).await?;
    let row = quality::query(&app.lawyer, move |c| quality::store::qc(c, &id))
        .await?
        .ok_or_else(|| ApiError::not_found("QC result", "id"))?;
    Ok(Json(qc_view(row)))
}

pub use lawyer_platform::reports::{alert_view, figures};

pub fn parse_date(field: &str, s: &str) -> Result<Date, ApiError> {
    let bad = || ApiError::invalid(field, "日期格式应为 YYYY-MM-DD (a date, YYYY-MM-DD)");
    let mut it = s.trim().splitn(3, '-');
    let (y, m, d) = (it.next(), it.next(), it.next());
    let (Some(y), Some(m), Some(d)) = (y, m, d) else {
        return Err(bad());
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u8>(), d.parse::<u8>()) else {
        return Err(bad());
    };
    Date::new(y, m, d).ok_or_else(bad)
}

/// `[from 00:00, the day after to 00:00)` in ms, China time.
pub fn range(app: &AppState, q: &RangeQuery) -> Result<(i64, i64), ApiError> {
    let today = Millis((app.clock)()).business_day(UTC_OFFSET_MINUTES).date();
    let from = q
        .from
        .as_deref()
        .map(|s| parse_date("from", s))
        .transpose()?
        .unwrap_or(today);
    let to =
        q.to.as_deref()
            .map(|s| parse_date("to", s))
            .transpose()?
            .unwrap_or(from);
    if to.days() < from.days() {
        return Err(ApiError::invalid("to", "结束日期早于开始日期 (to is before from)"));
    }
    if to.days() - from.days() > 366 * 5 {
        return Err(ApiError::invalid("to", "最长 5 年 (at most 5 years)"));
    }
    Ok((
        BusinessDay(from.days()).at_minute(0, UTC_OFFSET_MINUTES).0,
        BusinessDay(to.days() + 1).at_minute(0, UTC_OFFSET_MINUTES).0,
    ))
}

/// The quality figures of consultations asked in a date range — 好评率, 评价率, 致命/非致命错误率
/// (7.1.4.2), 接通率, 回访率 — per lawyer and platform-wide, and every 表 1 line they cross (7.1.4.1).
/// Operators, admins and leaders.
#[utoipa::path(get, path = "/lawyer-quality/alerts", params(("from" = Option<String>, Query, description = "YYYY-MM-DD"),
        ("to" = Option<String>, Query, description = "YYYY-MM-DD, inclusive")),
    responses((status = 200, body = AlertsResponse), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn alerts_in_range(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Query(q): Query<RangeQuery>,
) -> Result<Json<AlertsResponse>, ApiError> {
    caller.staff(&[Role::Operator, Role::Admin, Role::Leader])?;
    let (from, to) = range(&app, &q)?;
    let (_, counts) = quality::counts::service_counts(&app.lawyer, from, to).await?;
    let t = &app.lawyer.config.thresholds;
    // The platform's alerts count every order, assigned or not (as `lawyer::report::figures`).
    let mut list = alerts(&Scope::Platform, &counts.platform, t);
    for (id, c) in &counts.per_lawyer {
        list.extend(alerts(&Scope::Lawyer(id.clone()), c, t));
    }
    Ok(Json(AlertsResponse {
        from,
        to,
        platform: figures(&counts.platform),
        lawyers: counts
            .per_lawyer
            .iter()
            .map(|(id, c)| LawyerFigures {
                lawyer_id: id.clone(),
                figures: figures(c),
            })
            .collect(),
        alerts: list.iter().map(alert_view).collect(),
    }))
}

/// The signed-in lawyer's own QC results, rates and 表 1 alerts over a date range (for the lawyer desk).
/// Lawyers only.
#[utoipa::path(get, path = "/lawyer/qc", params(("from" = Option<String>, Query, description = "YYYY-MM-DD"),
        ("to" = Option<String>, Query, description = "YYYY-MM-DD, inclusive")),
    responses((status = 200, body = MyQcResponse), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn my_qc(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Query(q): Query<RangeQuery>,
) -> Result<Json<MyQcResponse>, ApiError> {
    let me = caller.staff(&[Role::Lawyer])?.id.to_string();
    let (from, to) = range(&app, &q)?;
    let m = me.clone();
    let rows = quality::query(&app.lawyer, move |c| quality::store::qc_of_lawyer(c, &m, from, to)).await?;
    let (_, counts) = quality::counts::service_counts(&app.lawyer, from, to).await?;
    let mine = counts.per_lawyer.get(&me).copied().unwrap_or_default();
    let list = alerts(&Scope::Lawyer(me), &mine, &app.lawyer.config.thresholds);
    Ok(Json(MyQcResponse {
        from,
        to,
        results: rows.into_iter().map(qc_view).collect(),
        figures: figures(&mine),
        alerts: list.iter().map(alert_view).collect(),
    }))
}
