//! The report archive (standard 7.3.1): each ended day, week, month, quarter and year is archived once
//! as JSON, CSV and xlsx under a directory the node gives (`<data>/lawyer-reports/`), through a
//! temporary file and a rename, so a reader never sees half a file. A scheduler looks at start and once
//! a minute, and so catches up after downtime.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use domain::time::Millis;
use hall_api::reports::ReportView;
use lawyer::report::period::{Period, PeriodKind};
use node_core::error::NodeError;

use crate::Lawyer;
use crate::quality::UTC_OFFSET_MINUTES;
use crate::reports::{build, csv, kind_str, xlsx};

/// The kinds archived on schedule (a half-year is on demand).
const SCHEDULED: [PeriodKind; 5] = [
    PeriodKind::Daily,
    PeriodKind::Weekly,
    PeriodKind::Monthly,
    PeriodKind::Quarterly,
    PeriodKind::Yearly,
];

fn stem(kind: PeriodKind, p: &Period) -> String {
    format!("{}-{}", kind_str(kind), p.start)
}

fn write_archive(dir: &Path, stem: &str, v: &ReportView) -> Result<(), NodeError> {
    let io = |e: std::io::Error| NodeError::internal(format!("report archive: {e}"));
    std::fs::create_dir_all(dir).map_err(io)?;
    let json = serde_json::to_vec_pretty(v).map_err(|e| NodeError::internal(e.to_string()))?;
    let sheet = xlsx(v).map_err(|e| NodeError::internal(format!("xlsx: {e}")))?;
    for (ext, bytes) in [("json", json), ("csv", csv(v).into_bytes()), ("xlsx", sheet)] {
        let tmp = dir.join(format!(".{stem}.{ext}.tmp"));
        std::fs::write(&tmp, bytes)
            .and_then(|()| std::fs::rename(&tmp, dir.join(format!("{stem}.{ext}"))))
            .map_err(io)?;
    }
    Ok(())
}

/// Archives every scheduled report whose period has ended and is not archived yet; returns the stems
/// written (`daily-2026-11-23`, …).
pub async fn archive_due(app: &Lawyer, dir: &Path) -> Result<Vec<String>, NodeError> {
    let today = Millis((app.clock)()).business_day(UTC_OFFSET_MINUTES).date();
    let mut written = Vec::new();
    for kind in SCHEDULED {
        let last = Period::containing(kind, today).previous();
        let stem = stem(kind, &last);
        if dir.join(format!("{stem}.xlsx")).exists() {
            continue;
        }
        let v = build(app, kind, last.start).await?;
        let (d, s) = (dir.to_path_buf(), stem.clone());
        tokio::task::spawn_blocking(move || write_archive(&d, &s, &v))
            .await
            .map_err(|e| NodeError::internal(e.to_string()))??;
        written.push(stem);
    }
    Ok(written)
}

/// Looks for due reports at start and once a minute until the node stops.
pub fn spawn_scheduler(app: Arc<Lawyer>, dir: PathBuf) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut stopping = app.stopping.subscribe();
        loop {
            match archive_due(&app, &dir).await {
                Ok(w) if !w.is_empty() => tracing::info!(reports = ?w, "lawyer reports archived"),
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "lawyer report archive failed")
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
