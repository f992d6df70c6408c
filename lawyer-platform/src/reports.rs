//! The platform's operating reports (standard 7.3.1, 7.3.2): the period containing a date — daily,
//! weekly, monthly, quarterly, half-yearly, yearly — with its contents from
//! `lawyer::report::figures::build_report` over the tables ([`crate::quality::counts`]), as the wire
//! view, CSV or xlsx (what the API answers and what [`crate::archive`] writes).
//!
//! Contents by period (7.3.2): every report has 咨询量 (per service), 及时解答率, 参评率, 满意率 and the
//! fatal/non-fatal error rates (7.3.2.1), plus 接通率 and 回访率 of 表 1; weekly and longer add the
//! violating lawyers (7.3.2.2); monthly and longer add the question types, most frequent first
//! (7.3.2.3 咨询问题类型/热点问题; the type is the consultation's field of law). 咨询人群特征 needs data
//! the platform does not collect and is left out.

use hall_api::quality::qc::{AlertView, FiguresView, LawyerFigures, RateView};
use hall_api::reports::{KindCount, QuestionType, ReportView};
use lawyer::Ratio;
use lawyer::report::figures::{PeriodReport, build_report};
use lawyer::report::period::{Period, PeriodKind};
use lawyer::report::{Alert, Scope, ServiceCounts};
use node_core::error::NodeError;

use crate::Lawyer;
use crate::quality::{self, UTC_OFFSET_MINUTES};

fn rate(r: Ratio) -> RateView {
    RateView {
        num: r.num,
        den: r.den,
        percent: r.percent(),
    }
}

/// The wire view of one set of counts.
pub fn figures(c: &ServiceCounts) -> FiguresView {
    FiguresView {
        orders: c.orders,
        good_rate: rate(c.good_rate()),
        rating_rate: rate(c.rating_rate()),
        fatal_rate: rate(c.fatal_rate()),
        non_fatal_rate: rate(c.non_fatal_rate()),
        connection_rate: rate(c.connection_rate()),
        revisit_rate: rate(c.revisit_rate()),
        timely_rate: rate(c.timely_rate()),
    }
}

/// The wire view of a 表 1 alert.
pub fn alert_view(a: &Alert) -> AlertView {
    let (scope, lawyer_id) = match &a.scope {
        Scope::Platform => ("platform", None),
        Scope::Lawyer(id) => ("lawyer", Some(id.clone())),
    };
    AlertView {
        scope: scope.into(),
        lawyer_id,
        metric: serde_json::to_value(a.metric)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        label: a.metric.label_zh().into(),
        value: rate(a.value),
        limit: a.limit.to_string(),
        clause: a.clause.into(),
        message: a.message(),
    }
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

fn rate_cells(r: &RateView) -> [String; 3] {
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
/// The report of the period of `kind` containing `date`, over the platform's tables.
pub async fn build(app: &Lawyer, kind: PeriodKind, date: domain::time::Date) -> Result<ReportView, NodeError> {
    let period = Period::containing(kind, date);
    let (from, to) = period.instants(UTC_OFFSET_MINUTES);
    let (orders, _) = quality::counts::service_counts(app, from.0, to.0).await?;
    let cfg = &app.config;
    let r = build_report(
        period,
        &orders,
        &cfg.sla,
        &cfg.thresholds,
        &app.covering_calendar,
        UTC_OFFSET_MINUTES,
    )
    .map_err(|e| NodeError::internal(e.to_string()))?;
    Ok(view(&r))
}
