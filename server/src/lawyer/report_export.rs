//! A [`PeriodReport`] as operators receive it: JSON (the API), CSV (UTF-8 with a byte-order mark, so
//! Excel opens the Chinese correctly) and an Excel workbook (rust_xlsxwriter). All three carry the same
//! rows: the figures of 7.3.2 with numerator and denominator beside each rate (a rate alone hides how
//! much data it rests on), the lawyers, the 表 1 alerts, the violating lawyers (weekly and longer,
//! 7.3.2.2) and the question types (monthly and longer, 7.3.2.3).

use lawyer::Ratio;
use lawyer::ServiceKind;
use lawyer::report::ServiceCounts;
use lawyer::report::figures::PeriodReport;
use lawyer::report::period::PeriodKind;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Serialize;
use utoipa::ToSchema;

use super::reports::kind_key;
use crate::error::ApiError;

/// One rate (or a count, with `den` absent).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Figure {
    pub key: &'static str,
    pub label: &'static str,
    pub num: u64,
    /// Absent for a plain count (咨询量).
    pub den: Option<u64>,
    /// Percentage (2 decimals); absent without data.
    pub percent: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LawyerFigures {
    pub lawyer_id: String,
    pub figures: Vec<Figure>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertView {
    /// `platform` or the lawyer's staff id.
    pub scope: String,
    pub metric: String,
    pub label: &'static str,
    pub value: String,
    pub limit: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportView {
    /// `daily`, `weekly`, `monthly`, `quarterly`, `half_yearly`, `yearly`.
    pub kind: &'static str,
    pub label: &'static str,
    /// First day of the period.
    pub start: String,
    /// Last day of the period (inclusive).
    pub end: String,
    /// The clause of 7.3.2 the contents follow.
    pub clause: &'static str,
    /// When the report is due (7.3.1); absent where the standard sets none.
    pub due: Option<String>,
    /// 咨询量 per service: `real_time`, `message`, `video`, `mediation`.
    pub orders_by_kind: Vec<(String, u64)>,
    pub figures: Vec<Figure>,
    pub lawyers: Vec<LawyerFigures>,
    pub alerts: Vec<AlertView>,
    /// 7.3.2.2 违规律师 (weekly and longer).
    pub violating_lawyers: Vec<String>,
    /// 7.3.2.3 咨询问题类型 / 热点问题 (monthly and longer).
    pub question_types: Vec<(String, u64)>,
}

fn ratio(key: &'static str, label: &'static str, r: Ratio) -> Figure {
    Figure {
        key,
        label,
        num: r.num,
        den: Some(r.den),
        percent: r.percent().map(|p| (p * 100.0).round() / 100.0),
    }
}

/// The figures of 7.3.2.1 (and 表 1's 接通率, 回访率) for one set of counts.
pub fn figures(c: &ServiceCounts) -> Vec<Figure> {
    vec![
        Figure {
            key: "orders",
            label: "咨询量",
            num: c.orders,
            den: None,
            percent: None,
        },
        ratio("timely_rate", "及时解答率", c.timely_rate()),
        ratio("connection_rate", "接通率", c.connection_rate()),
        ratio("rating_rate", "参评率", c.rating_rate()),
        ratio("satisfaction_rate", "满意率（好评率）", c.good_rate()),
        ratio("revisit_rate", "非满意回访率", c.revisit_rate()),
        ratio("fatal_error_rate", "致命错误率", c.fatal_rate()),
        ratio("non_fatal_error_rate", "非致命错误率", c.non_fatal_rate()),
    ]
}

fn kind_name(k: ServiceKind) -> &'static str {
    match k {
        ServiceKind::RealTime => "real_time",
        ServiceKind::Message => "message",
        ServiceKind::Video => "video",
        ServiceKind::Mediation => "mediation",
    }
}

fn kind_label(k: &str) -> &'static str {
    match k {
        "real_time" => "实时咨询",
        "message" => "留言咨询",
        "video" => "视频咨询",
        "mediation" => "远程调解",
        _ => "其他",
    }
}

pub fn view(r: &PeriodReport) -> ReportView {
    let weekly_or_longer = r.period.kind != PeriodKind::Daily;
    let monthly_or_longer = !matches!(r.period.kind, PeriodKind::Daily | PeriodKind::Weekly);
    ReportView {
        kind: kind_key(r.period.kind),
        label: r.period.kind.label_zh(),
        start: r.period.start.to_string(),
        end: domain::time::Date::from_days(r.period.end.days() - 1).to_string(),
        clause: r.clause,
        due: r.due.map(|d| d.to_string()),
        orders_by_kind: r
            .orders_by_kind
            .iter()
            .map(|(k, n)| (kind_name(*k).to_owned(), *n))
            .collect(),
        figures: figures(&r.platform),
        lawyers: r
            .per_lawyer
            .iter()
            .map(|(id, c)| LawyerFigures {
                lawyer_id: id.clone(),
                figures: figures(c),
            })
            .collect(),
        alerts: r
            .alerts
            .iter()
            .map(|a| AlertView {
                scope: match &a.scope {
                    lawyer::report::Scope::Platform => "platform".to_owned(),
                    lawyer::report::Scope::Lawyer(id) => id.clone(),
                },
                metric: serde_json::to_value(a.metric)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                label: a.metric.label_zh(),
                value: a.value.to_string(),
                limit: a.limit.to_string(),
                message: a.message(),
            })
            .collect(),
        violating_lawyers: if weekly_or_longer {
            r.violating_lawyers.clone()
        } else {
            Vec::new()
        },
        question_types: if monthly_or_longer {
            r.question_types.clone()
        } else {
            Vec::new()
        },
    }
}

/// A CSV field, quoted when it must be (RFC 4180).
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn line(out: &mut String, fields: &[String]) {
    let row: Vec<String> = fields.iter().map(|f| field(f)).collect();
    out.push_str(&row.join(","));
    out.push_str("\r\n");
}

fn pct(f: &Figure) -> String {
    match (f.den, f.percent) {
        (None, _) => String::new(),
        (Some(_), Some(p)) => format!("{p:.2}%"),
        (Some(_), None) => "无数据".to_owned(),
    }
}

/// The report as CSV sections separated by blank lines.
pub fn csv(r: &PeriodReport) -> String {
    let v = view(r);
    let mut out = String::from("\u{feff}");
    line(&mut out, &["报表".into(), v.label.into(), v.kind.into()]);
    line(&mut out, &["统计周期".into(), v.start.clone(), v.end.clone()]);
    line(&mut out, &["依据条款".into(), v.clause.into()]);
    line(
        &mut out,
        &["报送期限".into(), v.due.clone().unwrap_or_else(|| "—".into())],
    );
    out.push_str("\r\n");
    line(&mut out, &["指标".into(), "分子".into(), "分母".into(), "比率".into()]);
    for f in &v.figures {
        line(
            &mut out,
            &[
                f.label.into(),
                f.num.to_string(),
                f.den.map(|d| d.to_string()).unwrap_or_default(),
                pct(f),
            ],
        );
    }
    for (k, n) in &v.orders_by_kind {
        line(
            &mut out,
            &[
                format!("咨询量·{}", kind_label(k)),
                n.to_string(),
                String::new(),
                String::new(),
            ],
        );
    }
    out.push_str("\r\n");
    let mut head = vec!["律师".to_owned()];
    head.extend(figures(&ServiceCounts::default()).iter().map(|f| f.label.to_owned()));
    line(&mut out, &head);
    for l in &v.lawyers {
        let mut row = vec![l.lawyer_id.clone()];
        row.extend(
            l.figures
                .iter()
                .map(|f| if f.den.is_none() { f.num.to_string() } else { pct(f) }),
        );
        line(&mut out, &row);
    }
    out.push_str("\r\n");
    line(
        &mut out,
        &["预警对象".into(), "指标".into(), "数值".into(), "预警值".into()],
    );
    for a in &v.alerts {
        line(
            &mut out,
            &[a.scope.clone(), a.label.into(), a.value.clone(), a.limit.clone()],
        );
    }
    if r.period.kind != PeriodKind::Daily {
        out.push_str("\r\n");
        line(&mut out, &["违规律师".into()]);
        for l in &v.violating_lawyers {
            line(&mut out, std::slice::from_ref(l));
        }
    }
    if !v.question_types.is_empty() {
        out.push_str("\r\n");
        line(&mut out, &["咨询问题类型".into(), "数量".into()]);
        for (t, n) in &v.question_types {
            line(&mut out, &[t.clone(), n.to_string()]);
        }
    }
    out
}

fn xlsx_err(e: XlsxError) -> ApiError {
    ApiError::internal(format!("xlsx: {e}"))
}

/// The report as an Excel workbook: 汇总, 律师, 预警 and (monthly and longer) 问题类型.
pub fn xlsx(r: &PeriodReport) -> Result<Vec<u8>, ApiError> {
    let v = view(r);
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.00%");
    let number = |n: u64| n as f64;

    let s = wb.add_worksheet().set_name("汇总").map_err(xlsx_err)?;
    s.write_string_with_format(0, 0, format!("{}（{}）", v.label, v.clause), &bold)
        .map_err(xlsx_err)?;
    s.write_string(1, 0, "统计周期").map_err(xlsx_err)?;
    s.write_string(1, 1, format!("{} 至 {}", v.start, v.end))
        .map_err(xlsx_err)?;
    s.write_string(2, 0, "报送期限").map_err(xlsx_err)?;
    s.write_string(2, 1, v.due.clone().unwrap_or_else(|| "—".into()))
        .map_err(xlsx_err)?;
    for (c, h) in ["指标", "分子", "分母", "比率"].iter().enumerate() {
        s.write_string_with_format(4, c as u16, *h, &bold).map_err(xlsx_err)?;
    }
    let mut row = 5;
    for f in &v.figures {
        s.write_string(row, 0, f.label).map_err(xlsx_err)?;
        s.write_number(row, 1, number(f.num)).map_err(xlsx_err)?;
        if let Some(d) = f.den {
            s.write_number(row, 2, number(d)).map_err(xlsx_err)?;
            match f.percent {
                Some(p) => s
                    .write_number_with_format(row, 3, p / 100.0, &percent)
                    .map_err(xlsx_err)?,
                None => s.write_string(row, 3, "无数据").map_err(xlsx_err)?,
            };
        }
        row += 1;
    }
    for (k, n) in &v.orders_by_kind {
        s.write_string(row, 0, format!("咨询量·{}", kind_label(k)))
            .map_err(xlsx_err)?;
        s.write_number(row, 1, number(*n)).map_err(xlsx_err)?;
        row += 1;
    }
    s.set_column_width(0, 22).map_err(xlsx_err)?;
    s.set_column_width(1, 24).map_err(xlsx_err)?;

    let s = wb.add_worksheet().set_name("律师").map_err(xlsx_err)?;
    s.write_string_with_format(0, 0, "律师", &bold).map_err(xlsx_err)?;
    for (c, f) in figures(&ServiceCounts::default()).iter().enumerate() {
        s.write_string_with_format(0, c as u16 + 1, f.label, &bold)
            .map_err(xlsx_err)?;
    }
    for (i, l) in v.lawyers.iter().enumerate() {
        let row = i as u32 + 1;
        s.write_string(row, 0, &l.lawyer_id).map_err(xlsx_err)?;
        for (c, f) in l.figures.iter().enumerate() {
            let col = c as u16 + 1;
            match (f.den, f.percent) {
                (None, _) => s.write_number(row, col, number(f.num)).map_err(xlsx_err)?,
                (Some(_), Some(p)) => s
                    .write_number_with_format(row, col, p / 100.0, &percent)
                    .map_err(xlsx_err)?,
                (Some(_), None) => s.write_string(row, col, "无数据").map_err(xlsx_err)?,
            };
        }
    }

    let s = wb.add_worksheet().set_name("预警").map_err(xlsx_err)?;
    for (c, h) in ["预警对象", "指标", "数值", "预警值", "说明"].iter().enumerate() {
        s.write_string_with_format(0, c as u16, *h, &bold).map_err(xlsx_err)?;
    }
    for (i, a) in v.alerts.iter().enumerate() {
        let row = i as u32 + 1;
        for (c, t) in [a.scope.as_str(), a.label, &a.value, &a.limit, &a.message]
            .iter()
            .enumerate()
        {
            s.write_string(row, c as u16, *t).map_err(xlsx_err)?;
        }
    }
    let mut row = v.alerts.len() as u32 + 2;
    if r.period.kind != PeriodKind::Daily {
        s.write_string_with_format(row, 0, "违规律师", &bold)
            .map_err(xlsx_err)?;
        for l in &v.violating_lawyers {
            row += 1;
            s.write_string(row, 0, l).map_err(xlsx_err)?;
        }
    }

    if !v.question_types.is_empty() {
        let s = wb.add_worksheet().set_name("问题类型").map_err(xlsx_err)?;
        s.write_string_with_format(0, 0, "咨询问题类型", &bold)
            .map_err(xlsx_err)?;
        s.write_string_with_format(0, 1, "数量", &bold).map_err(xlsx_err)?;
        for (i, (t, n)) in v.question_types.iter().enumerate() {
            s.write_string(i as u32 + 1, 0, t).map_err(xlsx_err)?;
            s.write_number(i as u32 + 1, 1, number(*n)).map_err(xlsx_err)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(field("劳动争议"), "劳动争议");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("说\"好\""), "\"说\"\"好\"\"\"");
    }
}
