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
use lawyer::report::figures::{PeriodReport, build_report};
use lawyer::report::period::{Period, PeriodKind};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::lawyer_quality::qc::{FiguresView, LawyerFigures, alert_view, figures, parse_date};
use crate::caller::Caller;
use crate::error::ApiError;
use crate::state::AppState;
pub use hall_api::reports::{KindCount, QuestionType, ReportQuery, ReportView};
use lawyer_platform::quality::{self, UTC_OFFSET_MINUTES};

/// This area's routes, each registered once with its OpenAPI description (paths relative to `/api/v1`).
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new().routes(routes!(report))
}

pub fn kind_str(k: PeriodKind) -> &'static str {
    match k {
        PeriodKind::Daily => "daily",
        PeriodKind::Weekly => "weekly",
        PeriodKind::Monthly => "monthly",
        PeriodKind::Quarterly => "quarterly",
        PeriodKind::HalfYearly => "half_yearly",
        PeriodKind::Yearly => "yearly",
    }
}

pub const KINDS: [PeriodKind; 6] = [
    PeriodKind::Daily,
    PeriodKind::Weekly,
    PeriodKind::Monthly,
    PeriodKind::Quarterly,
    PeriodKind::HalfYearly,
    PeriodKind::Yearly,
];

fn service_str(k: lawyer::ServiceKind) -> &'static str {
    match k {
        lawyer::ServiceKind::RealTime => "real_time",
        lawyer::ServiceKind::Message => "message",
        lawyer::ServiceKind::Video => "video",
        lawyer::ServiceKind::Mediation => "mediation",
    }
}

pub fn view(r: &PeriodReport) -> ReportView {
    let kind = r.period.kind;
    let longer_than = |k: PeriodKind| kind > k;
    ReportView {
        kind: kind_str(kind).into(),
        label: kind.label_zh().into(),
        clause: r.clause.into(),
        start: r.period.start.to_string(),
        end: domain::time::Date::from_days(r.period.end.days() - 1).to_string(),
        due: r.due.map(|d| d.to_string()),
        orders_by_kind: r
            .orders_by_kind
            .iter()
            .map(|(k, n)| KindCount {
                kind: service_str(*k).into(),
                label: k.label_zh().into(),
                orders: *n,
            })
            .collect(),
        platform: figures(&r.platform),
        lawyers: r
            .per_lawyer
            .iter()
            .map(|(id, c)| LawyerFigures {
                lawyer_id: id.clone(),
                figures: figures(c),
            })
            .collect(),
        alerts: r.alerts.iter().map(alert_view).collect(),
        violating_lawyers: longer_than(PeriodKind::Daily).then(|| r.violating_lawyers.clone()),
        question_types: longer_than(PeriodKind::Weekly).then(|| {
            r.question_types
                .iter()
                .map(|(t, n)| QuestionType {
                    question_type: t.clone(),
                    orders: *n,
                })
                .collect()
        }),
    }
}

/// One CSV field, quoted when it must be (RFC 4180).
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn rate_cells(r: &super::lawyer_quality::qc::RateView) -> [String; 3] {
    [
        r.percent.map_or_else(String::new, |p| format!("{p:.2}")),
        r.num.to_string(),
        r.den.to_string(),
    ]
}

const FIGURE_HEADERS: [&str; 8] = [
    "咨询量",
    "及时解答率(%)",
    "参评率(%)",
    "满意率(%)",
    "致命错误率(%)",
    "非致命错误率(%)",
    "接通率(%)",
    "回访率(%)",
];

fn figure_cells(f: &FiguresView) -> Vec<String> {
    let mut out = vec![f.orders.to_string()];
    for r in [
        &f.timely_rate,
        &f.rating_rate,
        &f.good_rate,
        &f.fatal_rate,
        &f.non_fatal_rate,
        &f.connection_rate,
        &f.revisit_rate,
    ] {
        out.push(rate_cells(r)[0].clone());
    }
    out
}

/// The report as rows of cells, for CSV and xlsx alike: a header block, the figures of the platform and
/// each lawyer, the alerts, and the longer periods' parts.
fn rows(v: &ReportView) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = vec![
        vec!["报告".into(), v.label.clone(), v.clause.clone()],
        vec!["期间".into(), v.start.clone(), v.end.clone()],
        vec!["报送期限".into(), v.due.clone().unwrap_or_default()],
        vec![],
        vec!["服务类型".into(), "咨询量".into()],
    ];
    rows.extend(
        v.orders_by_kind
            .iter()
            .map(|k| vec![k.label.clone(), k.orders.to_string()]),
    );
    rows.push(vec![]);
    let mut header = vec!["范围".to_owned()];
    header.extend(FIGURE_HEADERS.iter().map(|h| (*h).to_owned()));
    rows.push(header);
    let mut platform = vec!["平台".to_owned()];
    platform.extend(figure_cells(&v.platform));
    rows.push(platform);
    for l in &v.lawyers {
        let mut row = vec![format!("律师 {}", l.lawyer_id)];
        row.extend(figure_cells(&l.figures));
        rows.push(row);
    }
    rows.push(vec![]);
    rows.push(vec!["预警".into(), "指标".into(), "数值".into(), "预警值".into()]);
    for a in &v.alerts {
        let who = a
            .lawyer_id
            .as_ref()
            .map_or_else(|| "平台".to_owned(), |id| format!("律师 {id}"));
        rows.push(vec![
            who,
            a.label.clone(),
            rate_cells(&a.value)[0].clone(),
            a.limit.clone(),
        ]);
    }
    if let Some(list) = &v.violating_lawyers {
        rows.push(vec![]);
        rows.push(vec!["违规律师".into()]);
        rows.extend(list.iter().map(|l| vec![l.clone()]));
    }
    if let Some(types) = &v.question_types {
        rows.push(vec![]);
        rows.push(vec!["咨询问题类型".into(), "咨询量".into()]);
        rows.extend(
            types
                .iter()
                .map(|t| vec![t.question_type.clone(), t.orders.to_string()]),
        );
    }
    rows
}

/// The report as CSV, UTF-8 with a BOM so that spreadsheet programs read the Chinese.
pub fn csv(v: &ReportView) -> String {
    let mut out = String::from("\u{feff}");
    for r in rows(v) {
        out.push_str(&r.iter().map(|c| field(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// The report as an xlsx workbook of one sheet with the rows of [`csv`]; figures are numbers.
pub fn xlsx(v: &ReportView) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(v.label.as_str())?;
    sheet.set_column_width(0, 16)?;
    for (r, row) in rows(v).iter().enumerate() {
        let r = u32::try_from(r).unwrap_or(u32::MAX);
        for (c, cell) in row.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            match cell.parse::<f64>() {
                Ok(x) => sheet.write_number(r, c, x)?,
                _ => sheet.write_string(r, c, cell)?,
            };
        }
    }
    book.save_to_buffer()
}

/// The report of the period of `kind` containing `date`, from the tables.
pub async fn build(app: &AppState, kind: PeriodKind, date: domain::time::Date) -> Result<ReportView, ApiError> {
    let period = Period::containing(kind, date);
    let (from, to) = period.instants(UTC_OFFSET_MINUTES);
    let (orders, _) = quality::counts::service_counts(&app.lawyer, from.0, to.0).await?;
    let cfg = &app.lawyer.config;
    let r = build_report(
        period,
        &orders,
        &cfg.sla,
        &cfg.thresholds,
        &app.lawyer.covering_calendar,
        UTC_OFFSET_MINUTES,
    )
    .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(view(&r))
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
