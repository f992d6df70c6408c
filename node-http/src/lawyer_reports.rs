//! Operating reports of the online-lawyer platform (issue 7; standard 7.3.1, 7.3.2): the period
//! containing a date — daily, weekly, monthly, quarterly, half-yearly, yearly — with its contents from
//! `lawyer::report::figures::build_report` over the tables (`lawyer_platform::quality::counts`), as JSON
//! CSV or xlsx.
//!
//! Contents by period (7.3.2): every report has 咨询量 (per service), 及时解答率, 参评率, 满意率 and the
//! fatal/non-fatal error rates (7.3.2.1), plus 接通率 and 回访率 of 表 1; weekly and longer add the
//! violating lawyers (7.3.2.2); monthly and longer add the question types, most frequent first
//! (7.3.2.3 咨询问题类型/热点问题; the type is the consultation's field of law). 咨询人群特征 needs data
//! the platform does not collect and is left out.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use domain::config::Role;
use lawyer::report::period::PeriodKind;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::lawyer_quality::qc::parse_date;
use crate::caller::Caller;
use crate::error::ApiError;
use crate::state::AppState;
pub use hall_api::reports::{KindCount, QuestionType, ReportQuery, ReportView};

pub use lawyer_platform::reports::{KINDS, csv, kind_str, view, xlsx};

/// This area's routes, each registered once with its OpenAPI description (paths relative to `/api/v1`).
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new().routes(routes!(report))
}

/// The report of the period of `kind` containing `date` (`lawyer_platform::reports::build`).
pub async fn build(app: &AppState, kind: PeriodKind, date: domain::time::Date) -> Result<ReportView, ApiError> {
    Ok(lawyer_platform::reports::build(&app.lawyer, kind, date).await?)
}

/// The report of a period (7.3.2) over the consultations asked in it, as JSON, CSV or xlsx. Operators,
/// admins and leaders.
#[utoipa::path(get, path = "/lawyer-reports", params(("kind" = String, Query, description = "daily, weekly, monthly, quarterly, half_yearly, yearly"),
        ("date" = String, Query, description = "YYYY-MM-DD, a day in the period"), ("format" = Option<String>, Query, description = "json (default), csv or xlsx")),
    responses((status = 200, body = ReportView, description = "JSON, or a CSV / xlsx file"), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn report(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    caller.staff(&[Role::Operator, Role::Admin, Role::Leader])?;
    let kind = KINDS
        .into_iter()
        .find(|k| Some(kind_str(*k)) == q.kind.as_deref())
        .ok_or_else(|| ApiError::invalid("kind", "应为 daily、weekly、monthly、quarterly、half_yearly 或 yearly"))?;
    let date = parse_date("date", q.date.as_deref().unwrap_or_default())?;
    let format = q.format.as_deref().unwrap_or("json");
    if !matches!(format, "json" | "csv" | "xlsx") {
        return Err(ApiError::invalid(
            "format",
            "应为 json、csv 或 xlsx (json, csv or xlsx)",
        ));
    }
    let v = build(&app, kind, date).await?;
    let (content_type, body) = match format {
        "csv" => ("text/csv; charset=utf-8", csv(&v).into_bytes()),
        "xlsx" => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            xlsx(&v).map_err(|e| ApiError::internal(format!("xlsx: {e}")))?,
        ),
        _ => return Ok(Json(v).into_response()),
    };
    let name = format!("lawyer-report-{}-{}.{format}", v.kind, v.start);
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response())
}
