//! 附录 B import (users 表 B.1, lawyers 表 B.2, certification files 表 B.3, service orders 表 B.5):
//! CSV (a header row of field names) or JSON (an array of objects), as the Content-Type says. Every row
//! is checked with `lawyer::records`; one bad row and nothing is written, and the answer lists every
//! problem by row, field and what was expected. `?dry_run=true` checks without writing. Rows are
//! stored sealed with keyed digests of phone and ID numbers (`lawyer_platform::import`).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::config::Role;
use serde_json::{Map, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::caller::Caller;
use crate::error::ApiError;
use crate::state::AppState;
pub use hall_api::import::{ImportQuery, ImportReport};
use lawyer_platform::import::{self, CheckedRow, ImportBatch, ImportRow, RowError, Table};
use lawyer_platform::lw::{self, LwRecord};

/// This area's routes, each registered once with its OpenAPI description (paths relative to `/api/v1`).
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new().routes(routes!(import))
}

/// Most rows in one upload (the body is capped at 1 MiB anyway).
const MAX_ROWS: usize = 5000;

/// The upload as rows of field → value.
fn rows_of(headers: &HeaderMap, body: &[u8]) -> Result<Vec<Map<String, Value>>, ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let text = std::str::from_utf8(body).map_err(|_| ApiError::invalid("body", "应为 UTF-8 文本 (UTF-8 text)"))?;
    if ct.starts_with("application/json") {
        let v: Value = serde_json::from_str(text)
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_json", e.to_string()).field("body"))?;
        let Value::Array(items) = v else {
            return Err(ApiError::invalid("body", "应为对象数组 (a JSON array of objects)"));
        };
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::Object(m) => Ok(m),
                _ => Err(ApiError::invalid(
                    "body",
                    format!("第 {} 行不是对象 (row {} is not an object)", i + 1, i + 1),
                )),
            })
            .collect()
    } else if ct.starts_with("text/csv") {
        let mut rows = import::parse_csv(text)
            .map_err(|e| ApiError::invalid("body", e))?
            .into_iter();
        let head: Vec<String> = rows
            .next()
            .ok_or_else(|| ApiError::invalid("body", "缺少表头行 (a header row is required)"))?
            .into_iter()
            .map(|h| h.trim().to_owned())
            .collect();
        rows.enumerate()
            .map(|(i, r)| {
                if r.len() != head.len() {
                    return Err(ApiError::invalid(
                        "body",
                        format!(
                            "第 {} 行有 {} 列，表头有 {} 列 (row {} has {} columns, the header {})",
                            i + 1,
                            r.len(),
                            head.len(),
                            i + 1,
                            r.len(),
                            head.len()
                        ),
                    ));
                }
                Ok(head.iter().cloned().zip(r.into_iter().map(Value::String)).collect())
            })
            .collect()
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Content-Type 应为 text/csv 或 application/json (send text/csv or application/json)",
        ))
    }
}

fn sealed_row(app: &AppState, kind: &str, c: CheckedRow) -> Result<ImportRow, ApiError> {
    let key = |field: &str| import::text(&c.record, field).map(|v| app.sealer.blind_index(v));
    let phone_key = match kind {
        "order" => key("contact_phone"),
        _ => key("phone"),
    };
    let region = match kind {
        "user" => import::text(&c.record, "native_place"),
        "lawyer" => import::text(&c.record, "region"),
        _ => None,
    }
    .map(str::to_owned);
    Ok(ImportRow {
        id: uuid::Uuid::now_v7().to_string(),
        row_no: u32::try_from(c.row).unwrap_or(u32::MAX),
        staff_id: c.staff_id,
        phone_key,
        id_key: key("id_number"),
        region,
        sex: import::text(&c.record, "sex").map(str::to_owned),
        sealed: app.sealer.seal(&c.record.to_string()),
    })
}

/// Import 附录 B rows into `users` (表 B.1), `lawyers` (表 B.2), `certifications` (表 B.3) or `orders`
/// (表 B.5): `text/csv` with a header row of field names, or `application/json`, an array of objects.
/// Lawyers and certifications may carry `staff_id`, the lawyer's platform account. All or nothing: 422
/// `invalid_rows` lists every problem (row, field, expected) and nothing is written; `?dry_run=true`
/// checks only. Operators and admins.
#[utoipa::path(post, path = "/lawyer-import/{table}", params(("table" = String, Path, description = "users|lawyers|certifications|orders"),
        ("dry_run" = Option<bool>, Query, description = "check only")),
    request_body(content = String, description = "CSV (text/csv) or a JSON array (application/json)"),
    responses((status = 200, body = ImportReport), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 415, body = crate::error::ErrorBody), (status = 422, body = ImportReport)),
    security(("session" = [])))]
pub async fn import(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(table): Path<String>,
    Query(q): Query<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let me = caller.staff(&[Role::Operator, Role::Admin])?.id.to_string();
    let t = Table::parse(&table)
        .ok_or_else(|| ApiError::not_found("table (users, lawyers, certifications, orders)", "table"))?;
    let dry_run = q.dry_run.unwrap_or(false);
    let rows = rows_of(&headers, &body)?;
    if rows.is_empty() || rows.len() > MAX_ROWS {
        return Err(ApiError::invalid(
            "body",
            format!("应有 1–{MAX_ROWS} 行 (1–{MAX_ROWS} rows)"),
        ));
    }
    let cfg = app.engine.shared.cfg.read().clone();
    let mut errors: Vec<RowError> = Vec::new();
    let mut good = Vec::new();
    for (i, obj) in rows.iter().enumerate() {
        match import::check_row(t, i + 1, obj) {
            Ok(c) => {
                if let Some(s) = &c.staff_id
                    && !cfg
                        .data
                        .staff
                        .iter()
                        .any(|x| x.id.as_str() == s && x.roles.contains(&Role::Lawyer))
                {
                    errors.push(RowError {
                        row: i + 1,
                        field: "staff_id".into(),
                        code: None,
                        expected: format!("已配置的律师编号，“{s}”不是 (a configured lawyer's staff id)"),
                    });
                }
                good.push(c);
            }
            Err(e) => errors.extend(e),
        }
    }
    let kind = t.kind();
    let before = lw::read(&app.lawyer, move |c| import::count(c, kind)).await?;
    let n = rows.len();
    let report = |code: &str, message: String, after: u64, errors: Vec<RowError>| ImportReport {
        code: code.into(),
        message,
        field: errors.first().map(|e| e.field.clone()),
        table: table.clone(),
        dry_run,
        rows: n,
        before,
        after,
        errors,
    };
    if !errors.is_empty() {
        let bad_rows = {
            let mut r: Vec<usize> = errors.iter().map(|e| e.row).collect();
            r.dedup();
            r.len()
        };
        let r = report(
            "invalid_rows",
            format!("{bad_rows} 行不符合附录 B，未写入任何数据 ({bad_rows} rows invalid; nothing written)"),
            before,
            errors,
        );
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(r)).into_response());
    }
    if dry_run {
        let r = report(
            "checked",
            format!("{n} 行均符合附录 B（试运行，未写入） (all valid; dry run)"),
            before,
            vec![],
        );
        return Ok(Json(r).into_response());
    }
    let batch = ImportBatch {
        kind: kind.into(),
        batch: uuid::Uuid::now_v7().to_string(),
        rows: good
            .into_iter()
            .map(|c| sealed_row(&app, kind, c))
            .collect::<Result<_, _>>()?,
    };
    lw::record(&app.lawyer, None, format!("staff:{me}"), LwRecord::Import(batch)).await?;
    let after = lw::read(&app.lawyer, move |c| import::count(c, kind)).await?;
    Ok(Json(report(
        "imported",
        format!("已导入 {n} 行 (imported {n} rows)"),
        after,
        vec![],
    ))
    .into_response())
}
