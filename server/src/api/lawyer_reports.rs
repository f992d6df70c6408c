//! The lawyer platform's service reports (issue 7; standard 7.3): on demand for any period, and the
//! archive of reports generated on schedule. Operators, admins and leaders.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use domain::config::Role;
use domain::time::Millis;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::lawyer::report_export::{ReportView, csv, view, xlsx};
use crate::lawyer::reports::{self, UTC_OFFSET_MINUTES};

const ROLES: [Role; 3] = [Role::Operator, Role::Admin, Role::Leader];
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const CSV: &str = "text/csv; charset=utf-8";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// `daily`, `weekly`, `monthly`, `quarterly`, `half_yearly`, `yearly`.
    pub kind: String,
    /// Any day of the period (`YYYY-MM-DD`); default today (the period in progress).
    pub date: Option<String>,
    /// `json` (default), `csv` or `xlsx`.
    pub format: Option<String>,
}

fn download(content_type: &'static str, name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response()
}

/// A report with the figures of 7.3.2 (及时解答率, 接通率, 参评率, 满意率, 回访率, 致命/非致命错误率 with
/// numerator and denominator), the lawyers, the 表 1 alerts, and for longer periods the violating
/// lawyers (7.3.2.2) and question types (7.3.2.3). `format=csv|xlsx` downloads it.
#[utoipa::path(get, path = "/api/v1/lawyer-reports",
    params(("kind" = String, Query, description = "daily | weekly | monthly | quarterly | half_yearly | yearly"),
        ("date" = Option<String>, Query, description = "YYYY-MM-DD, any day of the period; default today"),
        ("format" = Option<String>, Query, description = "json (default) | csv | xlsx")),
    responses((status = 200, body = ReportView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn report(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    caller.staff(&ROLES)?;
    let kind = reports::parse_kind(&q.kind)
        .ok_or_else(|| ApiError::invalid("kind", "应为 daily、weekly、monthly、quarterly、half_yearly 或 yearly"))?;
    let date = match q.date.as_deref() {
        Some(d) => lawyer::records::parse_date(d)
            .ok_or_else(|| ApiError::invalid("date", "日期格式应为 YYYY-MM-DD (a real date)"))?,
        None => Millis((app.clock)()).business_day(UTC_OFFSET_MINUTES).date(),
    };
    let format = q.format.as_deref().unwrap_or("json");
    if !matches!(format, "json" | "csv" | "xlsx") {
        return Err(ApiError::invalid("format", "应为 json、csv 或 xlsx"));
    }
    let r = reports::report(&app, kind, date).await?;
    let name = reports::stem(&r.period);
    Ok(match format {
        "csv" => download(CSV, &format!("{name}.csv"), csv(&r).into_bytes()),
        "xlsx" => download(XLSX, &format!("{name}.xlsx"), xlsx(&r)?),
        _ => Json(view(&r)).into_response(),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArchivedReport {
    /// `daily-2026-11-23.xlsx`: kind, first day of the period, format.
    pub name: String,
    pub bytes: u64,
    /// When it was generated (ms).
    pub generated_at: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArchiveResponse {
    /// Newest first.
    pub reports: Vec<ArchivedReport>,
}

/// The reports generated on schedule (7.3.1: each period's report once the period has ended).
#[utoipa::path(get, path = "/api/v1/lawyer-reports/archive",
    responses((status = 200, body = ArchiveResponse), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn archive(State(app): State<Arc<AppState>>, caller: Caller) -> Result<Json<ArchiveResponse>, ApiError> {
    caller.staff(&ROLES)?;
    let dir = reports::archive_dir(&app);
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Ok(meta) = e.metadata() else { continue };
            if !archive_name_ok(&name) || !meta.is_file() {
                continue;
            }
            let generated_at = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
            out.push(ArchivedReport {
                name,
                bytes: meta.len(),
                generated_at,
            });
        }
    }
    out.sort_by(|a, b| b.generated_at.cmp(&a.generated_at).then_with(|| a.name.cmp(&b.name)));
    Ok(Json(ArchiveResponse { reports: out }))
}

/// `<kind>-YYYY-MM-DD.<json|csv|xlsx>` and nothing else (no path can be smuggled in).
fn archive_name_ok(name: &str) -> bool {
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    let Some((kind, date)) = stem.split_once('-') else {
        return false;
    };
    matches!(ext, "json" | "csv" | "xlsx")
        && reports::parse_kind(kind).is_some()
        && lawyer::records::parse_date(date).is_some()
}

/// One archived report file.
#[utoipa::path(get, path = "/api/v1/lawyer-reports/archive/{name}", params(("name" = String, Path, description = "e.g. daily-2026-11-23.xlsx")),
    responses((status = 200, description = "the file"), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn archived(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    caller.staff(&ROLES)?;
    if !archive_name_ok(&name) {
        return Err(ApiError::not_found("report", "name"));
    }
    let bytes =
        std::fs::read(reports::archive_dir(&app).join(&name)).map_err(|_| ApiError::not_found("report", "name"))?;
    let content_type = match name.rsplit_once('.').map(|(_, e)| e) {
        Some("xlsx") => XLSX,
        Some("csv") => CSV,
        _ => "application/json",
    };
    Ok(download(content_type, &name, bytes))
}

#[cfg(test)]
mod tests {
    use super::archive_name_ok;

    #[test]
    fn only_report_names_are_served() {
        assert!(archive_name_ok("daily-2026-11-23.xlsx"));
        assert!(archive_name_ok("half_yearly-2026-01-01.csv"));
        assert!(!archive_name_ok("daily-2026-11-23.xlsx.tmp"));
        assert!(!archive_name_ok("../daily-2026-11-23.json"));
        assert!(!archive_name_ok("daily-2026-13-01.json"));
        assert!(!archive_name_ok("hourly-2026-11-23.json"));
    }
}
