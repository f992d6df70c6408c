//! Service reports of the lawyer platform (issue 7; standard 7.3: daily 7.3.2.1, weekly 7.3.2.2, monthly
//! 7.3.2.3, quarterly 7.3.2.4, half-yearly and yearly 7.3.2.5, with the rates of 7.1.4.2 and the 表 1
//! alerts of 7.1.4.1). The figures are the `lawyer` crate's ([`lawyer::report::figures::build_report`]);
//! this module turns the stored consultations into its order records, and keeps an archive of the
//! reports generated on schedule (files under `<data>/lawyer-reports/`, one `.json`, `.csv` and
//! `.xlsx` per period: what an operator downloads and forwards, unchanged once written).
//!
//! Orders: each consultation counts once, in the period it was asked in. A real-time question nobody
//! picked up becomes a 留言 (6.2.2.1 c); it is reported as that 留言, and also as a live request not
//! connected (for the platform's 接通率 only — not held against the lawyer who answered the 留言).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use domain::time::{Date, Millis};
use lawyer::report::figures::{OrderRecord, PeriodReport, QcResult, Rating, build_report};
use lawyer::report::period::{Period, PeriodKind};
use rusqlite::{Connection, params};

use crate::app::AppState;
use crate::error::ApiError;

/// The platform is a Chinese provincial service: reports cut days at local midnight, UTC+8 (no DST).
pub const UTC_OFFSET_MINUTES: i32 = 8 * 60;

/// The kinds archived on schedule (half-yearly reports are the yearly one's first half; on demand).
pub const SCHEDULED: [PeriodKind; 5] = [
    PeriodKind::Daily,
    PeriodKind::Weekly,
    PeriodKind::Monthly,
    PeriodKind::Quarterly,
    PeriodKind::Yearly,
];

pub fn kind_key(k: PeriodKind) -> &'static str {
    match k {
        PeriodKind::Daily => "daily",
        PeriodKind::Weekly => "weekly",
        PeriodKind::Monthly => "monthly",
        PeriodKind::Quarterly => "quarterly",
        PeriodKind::HalfYearly => "half_yearly",
        PeriodKind::Yearly => "yearly",
    }
}

pub fn parse_kind(s: &str) -> Option<PeriodKind> {
    [
        PeriodKind::Daily,
        PeriodKind::Weekly,
        PeriodKind::Monthly,
        PeriodKind::Quarterly,
        PeriodKind::HalfYearly,
        PeriodKind::Yearly,
    ]
    .into_iter()
    .find(|k| kind_key(*k) == s)
}

fn rating(level: i64) -> Option<Rating> {
    Some(match level {
        1 => Rating::VeryDissatisfied,
        2 => Rating::Dissatisfied,
        3 => Rating::Basic,
        4 => Rating::Satisfied,
        5 => Rating::VerySatisfied,
        _ => return None,
    })
}

/// The order records of the consultations asked in `[from, to)`.
pub fn orders(c: &Connection, from: i64, to: i64) -> rusqlite::Result<Vec<OrderRecord>> {
    c.prepare_cached(
        "SELECT c.id, c.kind, c.lawyer_id, c.created_at, c.picked_at, c.converted_at, c.answered_at, c.specialty,
                (SELECT MIN(m.at) FROM consultation_messages m WHERE m.consultation_id = c.id AND m.author = 'lawyer'),
                r.level, r.at
         FROM consultations c LEFT JOIN consultation_ratings r ON r.consultation_id = c.id
         WHERE c.created_at >= ?1 AND c.created_at < ?2 ORDER BY c.created_at, c.id",
    )?
    .query_map(params![from, to], |r| {
        let kind: String = r.get(1)?;
        let converted: Option<i64> = r.get(5)?;
        let answered: Option<i64> = r.get(6)?;
        let first_lawyer_message: Option<i64> = r.get(8)?;
        let level: Option<i64> = r.get(9)?;
        let (kind, first_reply) = match kind.as_str() {
            "realtime" => (lawyer::ServiceKind::RealTime, first_lawyer_message),
            "video" => (lawyer::ServiceKind::Video, first_lawyer_message),
            _ => (lawyer::ServiceKind::Message, answered),
        };
        Ok(OrderRecord {
            id: r.get(0)?,
            lawyer_id: r.get(2)?,
            kind,
            requested_at: Millis(r.get(3)?),
            picked_up_at: r.get::<_, Option<i64>>(4)?.map(Millis),
            first_reply_at: first_reply.map(Millis),
            rating: level.and_then(rating),
            rated_at: r.get::<_, Option<i64>>(10)?.map(Millis),
            // Revisits and QC verdicts are kept by the quality module; an order without them counts as
            // not revisited and not checked (the rates then have no data rather than a made-up value).
            revisited_at: None,
            qc: None::<QcResult>,
            question_type: Some(r.get(7)?),
            offered_from_live: converted.is_some(),
        })
    })?
    .collect()
}

/// The report on the period of `kind` that contains `date`.
pub async fn report(app: &AppState, kind: PeriodKind, date: Date) -> Result<PeriodReport, ApiError> {
    let period = Period::containing(kind, date);
    let (from, to) = period.instants(UTC_OFFSET_MINUTES);
    let orders = super::chat::read(app, move |r| r.orders(from.0, to.0)).await?;
    build_report(
        period,
        &orders,
        &app.lawyer.config.sla,
        &lawyer::report::Thresholds::default(),
        &app.lawyer.calendar,
        UTC_OFFSET_MINUTES,
    )
    .map_err(|e| {
        // A year the calendar lacks: say what to configure rather than guess working days.
        ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "calendar_not_configured",
            format!("{e}；请在 [lawyer.calendar] 中配置该年的节假日和调休 (configure that year in [lawyer.calendar])"),
        )
        .field("date")
    })
}

/// Where the archive lives.
pub fn archive_dir(app: &AppState) -> PathBuf {
    app.config.data.join("lawyer-reports")
}

/// `daily-2026-11-23`: the stem of a period's files.
pub fn stem(p: &Period) -> String {
    format!("{}-{}", kind_key(p.kind), p.start)
}

/// Writes the three files of a report (each through a temporary file and a rename, so a half-written
/// report is never served).
pub fn write_archive(dir: &Path, r: &PeriodReport) -> Result<(), ApiError> {
    std::fs::create_dir_all(dir).map_err(|e| ApiError::internal(format!("report archive: {e}")))?;
    let stem = stem(&r.period);
    let json =
        serde_json::to_vec_pretty(&super::report_export::view(r)).map_err(|e| ApiError::internal(e.to_string()))?;
    let files = [
        ("json", json),
        ("csv", super::report_export::csv(r).into_bytes()),
        ("xlsx", super::report_export::xlsx(r)?),
    ];
    for (ext, bytes) in files {
        let path = dir.join(format!("{stem}.{ext}"));
        let tmp = dir.join(format!(".{stem}.{ext}.tmp"));
        std::fs::write(&tmp, bytes)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| ApiError::internal(format!("report archive {}: {e}", path.display())))?;
    }
    Ok(())
}

/// Archives every scheduled report whose period has ended and that is not archived yet (the last
/// complete period of each kind; a node that was down catches up on its next start).
pub async fn archive_due(app: &AppState) -> Result<Vec<String>, ApiError> {
    let today = Millis((app.clock)()).business_day(UTC_OFFSET_MINUTES).date();
    let dir = archive_dir(app);
    let mut written = Vec::new();
    for kind in SCHEDULED {
        let last = Period::containing(kind, today).previous();
        if dir.join(format!("{}.xlsx", stem(&last))).exists() {
            continue;
        }
        let r = report(app, kind, last.start).await?;
        let d = dir.clone();
        let r2 = r.clone();
        tokio::task::spawn_blocking(move || write_archive(&d, &r2))
            .await
            .map_err(|e| ApiError::internal(e.to_string()))??;
        written.push(stem(&r.period));
    }
    Ok(written)
}

/// Looks for due reports once a minute (and at start) until the node stops.
pub fn spawn_scheduler(app: Arc<AppState>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut stopping = app.stopping.subscribe();
        loop {
            match archive_due(&app).await {
                Ok(w) if !w.is_empty() => tracing::info!(reports = ?w, "lawyer reports archived"),
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(code = %e.body.code, message = %e.body.message, "lawyer report archive failed")
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(60)) => {}
                // The guard `wait_for` returns is not `Send`: drop it inside.
                _ = async { drop(stopping.wait_for(|s| *s).await) } => break,
            }
        }
    })
}
