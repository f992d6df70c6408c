//! Lawyers' admission, probation, training and grade (6.3.1, 6.3.2, 7.1.1.4, 附录 A 表 A.1): the
//! operation centre admits a lawyer (the 6.3.1 conditions, each unmet one named), the one-week
//! probation is judged from ratings (and QC results where a QC source exists), training sessions are
//! recorded and checked against 6.3.2.4, and each lawyer sees their online hours, people served,
//! satisfaction, grade and what the next grade needs (`GET /lawyer/profile`, for the lawyer-desk app).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::config::Role;
use domain::time::{BusinessDay, Date, Millis};
use lawyer::admission::{self, Applicant, TrainingRecord};
use lawyer::tiers::{self, GradeInputs, TABLE_A1};
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::caller::Caller;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;
pub use hall_api::people::{
    AdmissionRequest, AdmissionView, LawyerProfile, NextGrade, RangeQuery, TrainingRequest, TrainingYear, YearQuery,
};
use lawyer_platform::lw::{self, LwRecord};
use lawyer_platform::people;

/// This area's routes, each registered once with its OpenAPI description (paths relative to `/api/v1`).
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(own_profile))
        .routes(routes!(profile))
        .routes(routes!(admit))
        .routes(routes!(get_admission))
        .routes(routes!(decide_probation))
        .routes(routes!(list_trainings, add_training))
}

const OPERATORS: [Role; 2] = [Role::Operator, Role::Admin];
/// China time: the platform's days (probation, training dates) are local days.
const OFFSET: i32 = 480;

/// The lawyer's QC results in `[from, to)` from the quality tables (7.2.4: the reviewer's verdict where
/// there is one, else the automatic one): (orders checked, with a fatal error, with only non-fatal ones).
async fn qc_counts(app: &AppState, staff: &str, from: i64, to: i64) -> Result<(u64, u64, u64), ApiError> {
    let (_, counts) = lawyer_platform::quality::counts::service_counts(&app.lawyer, from, to).await?;
    let c = counts.per_lawyer.get(staff).copied().unwrap_or_default();
    Ok((c.qc_checked, c.fatal, c.non_fatal))
}

fn today(app: &AppState) -> Date {
    Millis((app.clock)()).business_day(OFFSET).date()
}

fn parse_date(field: &str, s: &str) -> Result<Date, ApiError> {
    lawyer::records::parse_date(s).ok_or_else(|| ApiError::invalid(field, "日期应为 YYYY-MM-DD (a date YYYY-MM-DD)"))
}

fn day_start(d: Date) -> i64 {
    BusinessDay(d.days()).at_minute(0, OFFSET).0
}

/// The staff member, who must be a lawyer of the configuration.
fn lawyer_staff(app: &AppState, id: &str) -> Result<(), ApiError> {
    let cfg = app.engine.shared.cfg.read().clone();
    let ok = cfg
        .data
        .staff
        .iter()
        .any(|s| s.id.as_str() == id && s.roles.contains(&Role::Lawyer));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "staff_id",
            "不是已配置的律师 (not a configured lawyer)",
        ))
    }
}

async fn profile_of(app: &AppState, staff: String, q: RangeQuery) -> Result<LawyerProfile, ApiError> {
    let now = (app.clock)();
    let range = q.from.map(|f| (f, q.to.unwrap_or(now)));
    if let Some((f, t)) = range
        && t < f
    {
        return Err(ApiError::invalid("to", "结束时间不能早于开始时间 (to before from)"));
    }
    let s = staff.clone();
    let (total, in_range, served, (rated, good), admitted) = lw::read(&app.lawyer, move |c| {
        Ok((
            people::online_secs(c, &s, i64::MIN / 2, i64::MAX / 2, now)?,
            range.map(|(f, t)| people::online_secs(c, &s, f, t, now)).transpose()?,
            people::served(c, &s)?,
            people::ratings(c, &s, i64::MIN / 2, i64::MAX / 2)?,
            people::admission(c, &s)?,
        ))
    })
    .await?;
    let inputs = GradeInputs {
        online_minutes: u64::try_from(total / 60).unwrap_or(0),
        served,
        satisfaction: lawyer::Ratio::new(good, rated),
    };
    let grade = tiers::grade(&inputs);
    let next = TABLE_A1
        .iter()
        .find(|r| grade.is_none_or(|g| r.grade > g))
        .map(|r| NextGrade {
            grade: r.grade.to_string(),
            min_online_hours: r.min_online_hours,
            min_served: r.min_served,
            min_satisfaction_percent: r.min_satisfaction_percent,
            missing_hours: (f64::from(r.min_online_hours) - total as f64 / 3600.0).max(0.0),
            missing_served: r.min_served.saturating_sub(served),
            satisfaction_reached: inputs
                .satisfaction
                .at_least(lawyer::BasisPoints::percent(r.min_satisfaction_percent))
                == Some(true),
        });
    Ok(LawyerProfile {
        staff_id: staff,
        online_hours: total as f64 / 3600.0,
        online_hours_in_range: in_range.map(|s| s as f64 / 3600.0),
        served,
        rated,
        satisfaction_percent: inputs.satisfaction.percent(),
        grade: grade.map(|g| g.to_string()),
        next,
        probation: admitted.map(|a| a.probation),
    })
}

/// Your own figures for the lawyer-desk app: online hours (optionally within `from`..`to`), people
/// served, satisfaction, your 表 A.1 grade and what the next one needs (7.1.1.4, 附录 A). Lawyers.
#[utoipa::path(get, path = "/lawyer/profile", params(("from" = Option<i64>, Query, description = "ms"), ("to" = Option<i64>, Query, description = "ms")),
    responses((status = 200, body = LawyerProfile), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn own_profile(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Query(q): Query<RangeQuery>,
) -> Result<Json<LawyerProfile>, ApiError> {
    let me = caller.staff(&[Role::Lawyer])?.id.to_string();
    Ok(Json(profile_of(&app, me, q).await?))
}

/// A lawyer's figures and grade, for the operation centre. Operators and admins.
#[utoipa::path(get, path = "/lawyer/profiles/{staff_id}", params(("staff_id" = String, Path, description = "lawyer's staff id"),
        ("from" = Option<i64>, Query, description = "ms"), ("to" = Option<i64>, Query, description = "ms")),
    responses((status = 200, body = LawyerProfile), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn profile(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(staff_id): Path<String>,
    Query(q): Query<RangeQuery>,
) -> Result<Json<LawyerProfile>, ApiError> {
    caller.staff(&OPERATORS)?;
    lawyer_staff(&app, &staff_id)?;
    Ok(Json(profile_of(&app, staff_id, q).await?))
}

fn field_of(p: &admission::AdmissionProblem) -> &'static str {
    use admission::AdmissionProblem as P;
    match p {
        P::NotRegistered => "registered",
        P::PracticeUnderOneYear => "licensed_on",
        P::AssessmentBelowCompetent => "last_assessment",
        P::SanctionWithinThreeYears { .. } => "sanctions",
        P::DishonestyRecord => "dishonesty_record",
    }
}

/// Admit a lawyer (6.3.1): refused with 422 `admission_refused` naming every unmet condition (clause
/// and field; `field` is the first). Admitted lawyers start the one-week probation (6.3.1 d) on
/// `opened_on`. Operators and admins.
#[utoipa::path(post, path = "/lawyer/admissions", request_body = AdmissionRequest,
    responses((status = 201, body = AdmissionView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn admit(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    ApiJson(req): ApiJson<AdmissionRequest>,
) -> Result<(StatusCode, Json<AdmissionView>), ApiError> {
    let me = caller.staff(&OPERATORS)?.id.to_string();
    lawyer_staff(&app, &req.staff_id)?;
    let today = today(&app);
    let applicant = Applicant {
        registered: req.registered,
        licensed_on: parse_date("licensed_on", &req.licensed_on)?,
        last_assessment: req.last_assessment,
        sanctions: req
            .sanctions
            .iter()
            .map(|s| parse_date("sanctions", s))
            .collect::<Result<_, _>>()?,
        dishonesty_record: req.dishonesty_record,
    };
    let opened_on = match &req.opened_on {
        Some(s) => parse_date("opened_on", s)?,
        None => today,
    };
    if let Err(problems) = admission::check_admission(&applicant, today) {
        let listed: Vec<String> = problems
            .iter()
            .map(|p| format!("[{}] {}（{}）", p.clause(), p.message(), field_of(p)))
            .collect();
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "admission_refused",
            format!("不符合准入条件 (admission refused)：{}", listed.join("；")),
        )
        .field(field_of(&problems[0])));
    }
    let r = LwRecord::Admitted {
        staff_id: req.staff_id.clone(),
        applicant: serde_json::to_value(&applicant).map_err(|e| ApiError::internal(e.to_string()))?,
        opened_on: fmt_date(opened_on),
    };
    lw::record(&app.lawyer, None, format!("staff:{me}"), r).await?;
    Ok((StatusCode::CREATED, Json(admission_view(&app, req.staff_id).await?)))
}

fn fmt_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

/// The admission with the probation as decided, or as it stands today.
async fn admission_view(app: &AppState, staff: String) -> Result<AdmissionView, ApiError> {
    let s = staff.clone();
    let row = lw::read(&app.lawyer, move |c| people::admission(c, &s))
        .await?
        .ok_or_else(|| ApiError::not_found("admission", "staff_id"))?;
    let rules = admission::ProbationRules::default();
    let opened = parse_date("opened_on", &row.opened_on)?;
    let from = day_start(opened);
    let to = from + i64::from(rules.days) * Millis::DAY;
    let s = staff.clone();
    let (rated, good) = lw::read(&app.lawyer, move |c| people::ratings(c, &s, from, to)).await?;
    let (qc_checked, fatal, non_fatal) = qc_counts(app, &staff, from, to).await?;
    let week = lawyer::report::ServiceCounts {
        rated,
        good,
        qc_checked,
        fatal,
        non_fatal,
        ..Default::default()
    };
    // 6.3.1 d: QC results and ratings of the week; a week in which QC checked nothing (no reply to
    // check) is judged on its ratings alone rather than failed for want of QC data.
    let judged = if qc_checked > 0 {
        admission::probation(opened, today(app), &week, &rules)
    } else {
        admission::probation_without_qc(opened, today(app), &week, &rules)
    };
    let (status, shortfalls) = match &judged {
        admission::Probation::Running { .. } => ("running", vec![]),
        admission::Probation::Passed => ("passed", vec![]),
        admission::Probation::Failed { shortfalls } => (
            "failed",
            shortfalls
                .iter()
                .map(|s| {
                    serde_json::to_value(s)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                })
                .collect(),
        ),
    };
    let decided = row.probation != "running";
    Ok(AdmissionView {
        staff_id: row.staff_id,
        admitted_at: row.admitted_at,
        ends_on: fmt_date(Date::from_days(
            opened.days() + i32::try_from(rules.days).unwrap_or(7) - 1,
        )),
        opened_on: row.opened_on,
        probation: if decided { row.probation } else { status.into() },
        shortfalls,
        rated,
        good,
        qc_used: qc_checked > 0,
        decided,
    })
}

/// A lawyer's admission and probation (6.3.1 d). Operators and admins.
#[utoipa::path(get, path = "/lawyer/admissions/{staff_id}", params(("staff_id" = String, Path, description = "lawyer's staff id")),
    responses((status = 200, body = AdmissionView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn get_admission(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(staff_id): Path<String>,
) -> Result<Json<AdmissionView>, ApiError> {
    caller.staff(&OPERATORS)?;
    Ok(Json(admission_view(&app, staff_id).await?))
}

/// Decide the probation once its week is over (6.3.1 d): passed or failed as judged, recorded. 409
/// while it runs or once decided. Operators and admins.
#[utoipa::path(post, path = "/lawyer/admissions/{staff_id}/probation", params(("staff_id" = String, Path, description = "lawyer's staff id")),
    responses((status = 200, body = AdmissionView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn decide_probation(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(staff_id): Path<String>,
) -> Result<Json<AdmissionView>, ApiError> {
    let me = caller.staff(&OPERATORS)?.id.to_string();
    let v = admission_view(&app, staff_id.clone()).await?;
    if v.decided || v.probation == "running" {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "probation_not_due",
            format!(
                "试用期{}，不能判定 (the probation is {})",
                if v.decided { "已判定" } else { "尚未结束" },
                if v.decided { "already decided" } else { "still running" }
            ),
        ));
    }
    let r = LwRecord::ProbationDecided {
        staff_id: staff_id.clone(),
        passed: v.probation == "passed",
        detail: json!({"shortfalls": v.shortfalls, "rated": v.rated, "good": v.good, "qc_used": v.qc_used}),
    };
    lw::record(&app.lawyer, None, format!("staff:{me}"), r).await?;
    Ok(Json(admission_view(&app, staff_id).await?))
}

/// Record a training session (6.3.2.6). Operators and admins.
#[utoipa::path(post, path = "/lawyer/trainings", request_body = TrainingRequest,
    responses((status = 201, body = Object), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn add_training(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    ApiJson(req): ApiJson<TrainingRequest>,
) -> Result<(StatusCode, Json<TrainingRecord>), ApiError> {
    let me = caller.staff(&OPERATORS)?.id.to_string();
    let title = req.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 128 {
        return Err(ApiError::invalid("title", "标题应为 1–128 个字符 (1–128 characters)"));
    }
    let held_on = parse_date("held_on", &req.held_on)?;
    for (field, list) in [("attendees", &req.attendees), ("passed", &req.passed)] {
        for s in list {
            lawyer_staff(&app, s)
                .map_err(|_| ApiError::invalid(field, format!("“{s}”不是已配置的律师 (not a configured lawyer)")))?;
        }
    }
    if let Some(p) = req.passed.iter().find(|p| !req.attendees.contains(p)) {
        return Err(ApiError::invalid(
            "passed",
            format!("“{p}”未签到，不能考核通过 (passed without attending)"),
        ));
    }
    let t = TrainingRecord {
        id: uuid::Uuid::now_v7().to_string(),
        kind: req.kind,
        form: req.form,
        title,
        held_on,
        attendees: req.attendees,
        passed: req.passed,
        archived_as: req.archived_as,
    };
    let body = serde_json::to_value(&t).map_err(|e| ApiError::internal(e.to_string()))?;
    let r = LwRecord::Training {
        id: t.id.clone(),
        held_on: fmt_date(held_on),
        body,
    };
    lw::record(&app.lawyer, None, format!("staff:{me}"), r).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

/// The year's training records and what 6.3.2.4 still misses. Operators and admins.
#[utoipa::path(get, path = "/lawyer/trainings", params(("year" = Option<i32>, Query, description = "default this year")),
    responses((status = 200, body = TrainingYear), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn list_trainings(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Query(q): Query<YearQuery>,
) -> Result<Json<TrainingYear>, ApiError> {
    caller.staff(&OPERATORS)?;
    let year = q.year.unwrap_or_else(|| today(&app).year);
    let trainings = lw::read(&app.lawyer, move |c| people::trainings(c, Some(year))).await?;
    let cfg = app.engine.shared.cfg.read().clone();
    let lawyers: Vec<String> = cfg
        .data
        .staff
        .iter()
        .filter(|s| s.roles.contains(&Role::Lawyer))
        .map(|s| s.id.to_string())
        .collect();
    let shortfalls = admission::check_training_year(year, &trainings, &lawyers);
    Ok(Json(TrainingYear {
        year,
        trainings,
        shortfalls,
    }))
}
