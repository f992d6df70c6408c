//! Service quality of the online-lawyer platform (issue 7; standard 7.1, 7.2.4, 3.1/3.2, 表 1):
//! - follow-ups (7.1.3.2, 7.1.2.2): every non-satisfied rating opens a revisit task (回访) due within 1
//!   working day; a citizen who still needs a legal answer gets a call-back task for the lawyer due
//!   within 1 hour; complaints (投诉, 7.1.2; handled by the QC team, 7.2.4 c) open a call-back task due within 1
//!   working day (7.1.2.2) and may be flagged sensitive (涉敏/需上报: 7.1.2.2 舆情报备, 7.1.2.4) for
//!   reporting. Deadlines are `lawyer::sla::tasks`';
//! - QC (质检, 7.2.4, 3.1/3.2): the automatic checks of `lawyer::reply::qc` on every 留言 reply and when a
//!   consultation closes, one result per consultation; a reviewer queue (random sample plus every
//!   automatic failure) and the reviewer's verdict, which wins over the automatic one;
//! - figures: [`counts`] turns the tables into `lawyer::report` order records and counts, for the rates
//!   of 7.1.4.2 and the alerts of 表 1, per lawyer and platform-wide.
//!
//! State lives in the `lq_` tables of migration 7, written through the writer as
//! [`QualityRecord`]s inside [`super::store::LawyerRecord::Quality`] (one audit row each).

pub mod counts;
pub mod qc;
pub mod store;

use domain::time::Millis;
use lawyer::sla::tasks::{Task, task_due};
use rusqlite::Connection;

use crate::Lawyer;
use node_core::error::NodeError;
use node_core::store::StoreError;

// The tasks and records are the tables' (`store`), which the platform's record type embeds.
pub use store::{NewTask, QualityRecord, TASKS, parse_task, task_str};

/// The working-day calendar of `config`, with every year from 2000 to 2100 that it does not list added
/// as weekends-only. A rating or complaint must never be refused because nobody entered a year's
/// holidays; the deadline is then at most a holiday too early, which errs on the citizen's side. The
/// missing years are logged so the operator can add them.
pub fn covering_calendar(config: &lawyer::CalendarConfig) -> Result<lawyer::WorkCalendar, lawyer::CalendarError> {
    let mut full = config.clone();
    let listed: Vec<i32> = config.years.iter().map(|y| y.year).collect();
    for year in 2000..=2100 {
        if !listed.contains(&year) {
            full.years.push(lawyer::calendar::YearCalendar {
                year,
                holidays: Vec::new(),
                workdays: Vec::new(),
            });
        }
    }
    if listed.is_empty() {
        tracing::warn!("no holiday calendar configured ([lawyer.calendar]): working days are Monday to Friday");
    }
    lawyer::WorkCalendar::new(&full)
}

/// UTC offset of the platform's working days (China Standard Time), as elsewhere in the lawyer module.
pub const UTC_OFFSET_MINUTES: i32 = 480;

/// When `task`, started at `from`, is due.
pub fn due(app: &Lawyer, task: Task, from: i64) -> Result<i64, NodeError> {
    task_due(
        task,
        Millis(from),
        &app.config.sla,
        &app.covering_calendar,
        UTC_OFFSET_MINUTES,
    )
    .map(|m| m.0)
    .map_err(|e| NodeError::internal(e.to_string()))
}

/// A task to open now.
pub fn new_task(
    app: &Lawyer,
    task: Task,
    from: i64,
    consultation_id: Option<&str>,
    lawyer_id: Option<&str>,
    complaint_id: Option<&str>,
) -> Result<NewTask, NodeError> {
    Ok(NewTask {
        id: uuid::Uuid::now_v7().to_string(),
        task,
        consultation_id: consultation_id.map(str::to_owned),
        lawyer_id: lawyer_id.map(str::to_owned),
        complaint_id: complaint_id.map(str::to_owned),
        due_at: due(app, task, from)?,
    })
}

/// Runs `f` on a read connection, off the async threads.
pub async fn query<T: Send + 'static>(
    app: &Lawyer,
    f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
) -> Result<T, NodeError> {
    super::chat::read(app, move |r| {
        let mut f = Some(f);
        let mut out = None;
        r.with_conn(&mut |c| {
            if let Some(f) = f.take() {
                out = Some(f(c)?);
            }
            Ok(())
        })?;
        out.ok_or_else(|| StoreError::Corrupt("query did not run".into()))
    })
    .await
}

/// Writes one quality record through the writer.
pub async fn record(app: &Lawyer, actor: String, r: QualityRecord) -> Result<(), NodeError> {
    super::chat::record(app, None, actor, super::store::LawyerRecord::Quality(r)).await
}
