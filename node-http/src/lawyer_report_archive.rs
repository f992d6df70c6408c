//! Reports generated on schedule (issue 7; standard 7.3.1: each period's report once it has ended).
//! Once a minute the node looks for ended periods — the last day, week, month, quarter and year — whose
//! report is not archived yet, and writes it under `<data>/lawyer-reports/` as `<kind>-<first day>.json`,
//! `.csv` and `.xlsx` (the same content as `GET /lawyer-reports`), each through a temporary file and a
//! rename, so a half-written report is never served. Written once, never changed: what was forwarded
//! stays what the archive holds. A node that was down catches up on its next start.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path as UrlPath, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use domain::config::Role;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::lawyer_reports::{KINDS, kind_str};
use crate::caller::Caller;
use crate::error::ApiError;
use crate::state::AppState;
pub use hall_api::reports::{ArchiveResponse, ArchivedReport};

/// This area's routes, each registered once with its OpenAPI description (paths relative to `/api/v1`).
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new().routes(routes!(archive)).routes(routes!(archived))
}

const ROLES: [Role; 3] = [Role::Operator, Role::Admin, Role::Leader];

pub fn archive_dir(app: &AppState) -> PathBuf {
    app.config.data.join("lawyer-reports")
}

/// Archives every scheduled report whose period has ended and is not archived yet
/// (`lawyer_platform::archive::archive_due` under [`archive_dir`]); returns the stems written.
pub async fn archive_due(app: &AppState) -> Result<Vec<String>, ApiError> {
    Ok(lawyer_platform::archive::archive_due(&app.lawyer, &archive_dir(app)).await?)
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
        && KINDS.iter().any(|k| kind_str(*k) == kind)
        && lawyer::records::parse_date(date).is_some()
}

/// The reports generated on schedule, newest first.
#[utoipa::path(get, path = "/lawyer-reports/archive",
    responses((status = 200, body = ArchiveResponse), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn archive(State(app): State<Arc<AppState>>, caller: Caller) -> Result<Json<ArchiveResponse>, ApiError> {
    caller.staff(&ROLES)?;
    let mut out = Vec::new();
    for e in std::fs::read_dir(archive_dir(&app)).into_iter().flatten().flatten() {
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
    out.sort_by(|a, b| b.generated_at.cmp(&a.generated_at).then_with(|| a.name.cmp(&b.name)));
    Ok(Json(ArchiveResponse { reports: out }))
}

/// One archived report file.
#[utoipa::path(get, path = "/lawyer-reports/archive/{name}", params(("name" = String, Path, description = "e.g. daily-2026-11-23.xlsx")),
    responses((status = 200, description = "the file"), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn archived(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    UrlPath(name): UrlPath<String>,
) -> Result<Response, ApiError> {
    caller.staff(&ROLES)?;
    if !archive_name_ok(&name) {
        return Err(ApiError::not_found("report", "name"));
    }
    let bytes = std::fs::read(archive_dir(&app).join(&name)).map_err(|_| ApiError::not_found("report", "name"))?;
    let content_type = match name.rsplit_once('.').map(|(_, e)| e) {
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("csv") => "text/csv; charset=utf-8",
        _ => "application/json",
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::archive_name_ok;

    #[test]
    fn only_report_names_are_served() {
        assert!(archive_name_ok("daily-2026-11-23.xlsx"));
        assert!(archive_name_ok("half_yearly-2026-01-01.csv"));
        assert!(!archive_name_ok("daily-2026-11-23.xlsx.tmp"));
        assert!(!archive_name_ok(".daily-2026-11-23.xlsx.tmp"));
        assert!(!archive_name_ok("../daily-2026-11-23.json"));
        assert!(!archive_name_ok("daily-2026-13-01.json"));
        assert!(!archive_name_ok("hourly-2026-11-23.json"));
    }
}
