//! The `lq_` tables (migration 7) and their SQL. Written only in the writer's transaction; free text
//! (complaints, outcome notes, reviewer reasons) reaches the audit row as its SM3 digest only.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use lawyer::sla::tasks::Task;
use node_core::store::StoreError;

/// The follow-up tasks this module keeps (a subset of `lawyer::sla::tasks::Task`).
pub const TASKS: [Task; 3] = [Task::Revisit, Task::LegalCallback, Task::ComplaintCallback];

pub fn task_str(t: Task) -> &'static str {
    match t {
        Task::Revisit => "revisit",
        Task::LegalCallback => "legal_callback",
        Task::ComplaintCallback => "complaint_callback",
        Task::MessageReply => "message_reply",
        Task::MediationVerify => "mediation_verify",
        Task::MediationAssign => "mediation_assign",
        Task::MediationJoin => "mediation_join",
    }
}

pub fn parse_task(s: &str) -> Option<Task> {
    TASKS.into_iter().find(|t| task_str(*t) == s)
}

/// A task to open, its deadline already computed (the writer has no calendar).
#[derive(Debug, Clone)]
pub struct NewTask {
    pub id: String,
    pub task: Task,
    pub consultation_id: Option<String>,
    /// Whose task it is: the consultation's lawyer for a call-back; none for the operators' tasks.
    pub lawyer_id: Option<String>,
    pub complaint_id: Option<String>,
    pub due_at: i64,
}

/// A change to the quality tables.
#[derive(Debug, Clone)]
pub enum QualityRecord {
    /// A complaint (7.1.2) and its call-back task (7.1.2.2).
    ComplaintFiled {
        id: String,
        consultation_id: Option<String>,
        /// `citizen` or `staff:<id>`.
        filed_by: String,
        text: String,
        sensitive: bool,
        task: NewTask,
    },
    /// 涉敏/需上报: the complaint goes on (or off) the list for reporting.
    ComplaintFlagged { id: String, sensitive: bool },
    /// A task done, with its outcome; `follow_up` is the lawyer's call-back when the citizen still needs
    /// a legal answer (7.1.3.2 b), opened in the same transaction.
    TaskDone {
        id: String,
        by: String,
        outcome: String,
        needs_legal_answer: bool,
        follow_up: Option<NewTask>,
    },
    /// The automatic QC result of a consultation (replaces the previous one; the sampling decision of
    /// the first check stays).
    QcChecked {
        consultation_id: String,
        lawyer_id: String,
        result: QcResultStr,
        findings: String,
        sampled: bool,
    },
    /// A reviewer's verdict, final.
    QcReviewed {
        consultation_id: String,
        reviewer: String,
        result: QcResultStr,
        reason: String,
    },
}

/// `pass`, `non_fatal` or `fatal` (`lawyer::report::figures::QcResult`).
pub type QcResultStr = &'static str;

pub fn qc_str(r: lawyer::report::figures::QcResult) -> QcResultStr {
    use lawyer::report::figures::QcResult as Q;
    match r {
        Q::Pass => "pass",
        Q::NonFatal => "non_fatal",
        Q::Fatal => "fatal",
    }
}

pub fn parse_qc(s: &str) -> Option<lawyer::report::figures::QcResult> {
    use lawyer::report::figures::QcResult as Q;
    [Q::Pass, Q::NonFatal, Q::Fatal].into_iter().find(|q| qc_str(*q) == s)
}

fn digest(s: &str) -> String {
    node_core::crypto::sm3_hex(s.as_bytes())
}

fn task_json(t: &NewTask) -> serde_json::Value {
    serde_json::json!({"task_id": t.id, "task": task_str(t.task), "consultation_id": t.consultation_id,
        "lawyer_id": t.lawyer_id, "due_at": t.due_at})
}

impl QualityRecord {
    pub fn kind(&self) -> &'static str {
        match self {
            QualityRecord::ComplaintFiled { .. } => "lawyer_complaint_filed",
            QualityRecord::ComplaintFlagged { .. } => "lawyer_complaint_flagged",
            QualityRecord::TaskDone { .. } => "lawyer_task_done",
            QualityRecord::QcChecked { .. } => "lawyer_qc_checked",
            QualityRecord::QcReviewed { .. } => "lawyer_qc_reviewed",
        }
    }

    pub fn audit_body(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            QualityRecord::ComplaintFiled {
                id,
                consultation_id,
                filed_by,
                text,
                sensitive,
                task,
            } => json!({"complaint_id": id, "consultation_id": consultation_id, "filed_by": filed_by,
                "text_sm3": digest(text), "sensitive": sensitive, "task": task_json(task)}),
            QualityRecord::ComplaintFlagged { id, sensitive } => json!({"complaint_id": id, "sensitive": sensitive}),
            QualityRecord::TaskDone {
                id,
                by,
                outcome,
                needs_legal_answer,
                follow_up,
            } => json!({"task_id": id, "by": by, "outcome_sm3": digest(outcome),
                "needs_legal_answer": needs_legal_answer, "follow_up": follow_up.as_ref().map(task_json)}),
            QualityRecord::QcChecked {
                consultation_id,
                lawyer_id,
                result,
                sampled,
                ..
            } => json!({"consultation_id": consultation_id, "lawyer_id": lawyer_id, "result": result,
                "sampled": sampled}),
            QualityRecord::QcReviewed {
                consultation_id,
                reviewer,
                result,
                reason,
            } => json!({"consultation_id": consultation_id, "reviewer": reviewer, "result": result,
                "reason_sm3": digest(reason)}),
        }
    }
}

fn conflict(m: impl Into<String>) -> StoreError {
    StoreError::Conflict(m.into())
}

pub fn insert_task(c: &Connection, t: &NewTask, at: i64) -> Result<(), StoreError> {
    c.prepare_cached(
        "INSERT INTO lq_tasks (id, kind, consultation_id, lawyer_id, complaint_id, created_at, due_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        t.id,
        task_str(t.task),
        t.consultation_id,
        t.lawyer_id,
        t.complaint_id,
        at,
        t.due_at
    ])?;
    Ok(())
}

pub fn apply(c: &Connection, r: &QualityRecord, at: i64) -> Result<(), StoreError> {
    match r {
        QualityRecord::ComplaintFiled {
            id,
            consultation_id,
            filed_by,
            text,
            sensitive,
            task,
        } => {
            c.prepare_cached(
                "INSERT INTO lq_complaints (id, consultation_id, filed_by, text, sensitive, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![id, consultation_id, filed_by, text, sensitive, at])?;
            insert_task(c, task, at)
        }
        QualityRecord::ComplaintFlagged { id, sensitive } => {
            let n = c
                .prepare_cached("UPDATE lq_complaints SET sensitive = ?2 WHERE id = ?1")?
                .execute(params![id, sensitive])?;
            if n == 0 {
                return Err(conflict("没有这个投诉 (no such complaint)"));
            }
            Ok(())
        }
        QualityRecord::TaskDone {
            id,
            by,
            outcome,
            needs_legal_answer,
            follow_up,
        } => {
            // Re-checked here: two operators completing at once, only the first counts.
            let n = c
                .prepare_cached(
                    "UPDATE lq_tasks SET done_at = ?2, done_by = ?3, outcome = ?4, needs_legal_answer = ?5
                     WHERE id = ?1 AND done_at IS NULL",
                )?
                .execute(params![id, at, by, outcome, needs_legal_answer])?;
            if n == 0 {
                return Err(conflict("该任务已完成 (the task is already done)"));
            }
            if let Some(t) = follow_up {
                insert_task(c, t, at)?;
            }
            Ok(())
        }
        QualityRecord::QcChecked {
            consultation_id,
            lawyer_id,
            result,
            findings,
            sampled,
        } => {
            c.prepare_cached(
                "INSERT INTO lq_qc (consultation_id, lawyer_id, auto_result, findings, checked_at, sampled)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(consultation_id) DO UPDATE SET lawyer_id = excluded.lawyer_id,
                   auto_result = excluded.auto_result, findings = excluded.findings, checked_at = excluded.checked_at",
            )?
            .execute(params![consultation_id, lawyer_id, result, findings, at, sampled])?;
            Ok(())
        }
        QualityRecord::QcReviewed {
            consultation_id,
            reviewer,
            result,
            reason,
        } => {
            let n = c
                .prepare_cached(
                    "UPDATE lq_qc SET review_result = ?2, review_reason = ?3, reviewer = ?4, reviewed_at = ?5
                     WHERE consultation_id = ?1 AND review_result IS NULL",
                )?
                .execute(params![consultation_id, result, reason, reviewer, at])?;
            if n == 0 {
                return Err(conflict(
                    "该咨询没有待复核的质检结果，或已复核 (no QC result to review, or already reviewed)",
                ));
            }
            Ok(())
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskRow {
    pub id: String,
    pub kind: String,
    pub consultation_id: Option<String>,
    pub lawyer_id: Option<String>,
    pub complaint_id: Option<String>,
    pub created_at: i64,
    pub due_at: i64,
    pub done_at: Option<i64>,
    pub done_by: Option<String>,
    pub outcome: Option<String>,
    pub needs_legal_answer: bool,
}

const TASK_COLUMNS: &str = "id, kind, consultation_id, lawyer_id, complaint_id, created_at, due_at, done_at, done_by,
    outcome, needs_legal_answer";

fn task_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TaskRow> {
    Ok(TaskRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        consultation_id: r.get(2)?,
        lawyer_id: r.get(3)?,
        complaint_id: r.get(4)?,
        created_at: r.get(5)?,
        due_at: r.get(6)?,
        done_at: r.get(7)?,
        done_by: r.get(8)?,
        outcome: r.get(9)?,
        needs_legal_answer: r.get::<_, i64>(10)? != 0,
    })
}

pub fn task(c: &Connection, id: &str) -> rusqlite::Result<Option<TaskRow>> {
    c.prepare_cached(&format!("SELECT {TASK_COLUMNS} FROM lq_tasks WHERE id = ?1"))?
        .query_row(params![id], task_row)
        .optional()
}

/// Tasks, oldest deadline first; `open`: only those not done; `lawyer`: only theirs.
pub fn tasks(c: &Connection, kind: Option<&str>, open: bool, lawyer: Option<&str>) -> rusqlite::Result<Vec<TaskRow>> {
    c.prepare_cached(&format!(
        "SELECT {TASK_COLUMNS} FROM lq_tasks WHERE (?1 IS NULL OR kind = ?1) AND (?2 = 0 OR done_at IS NULL)
         AND (?3 IS NULL OR lawyer_id = ?3) ORDER BY due_at, id"
    ))?
    .query_map(params![kind, open, lawyer], task_row)?
    .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct ComplaintRow {
    pub id: String,
    pub consultation_id: Option<String>,
    pub filed_by: String,
    pub text: String,
    pub sensitive: bool,
    pub created_at: i64,
    pub task: Option<TaskRow>,
}

/// Complaints, oldest first: all, only the sensitive ones, or the one with `id`.
pub fn complaints(c: &Connection, only_sensitive: bool, id: Option<&str>) -> rusqlite::Result<Vec<ComplaintRow>> {
    let rows: Vec<ComplaintRow> = c
        .prepare_cached(
            "SELECT id, consultation_id, filed_by, text, sensitive, created_at FROM lq_complaints
             WHERE (?1 = 0 OR sensitive = 1) AND (?2 IS NULL OR id = ?2) ORDER BY created_at, id",
        )?
        .query_map(params![only_sensitive, id], |r| {
            Ok(ComplaintRow {
                id: r.get(0)?,
                consultation_id: r.get(1)?,
                filed_by: r.get(2)?,
                text: r.get(3)?,
                sensitive: r.get::<_, i64>(4)? != 0,
                created_at: r.get(5)?,
                task: None,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter()
        .map(|mut k| {
            k.task = c
                .prepare_cached(&format!(
                    "SELECT {TASK_COLUMNS} FROM lq_tasks WHERE complaint_id = ?1 ORDER BY created_at LIMIT 1"
                ))?
                .query_row(params![k.id], task_row)
                .optional()?;
            Ok(k)
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct QcRow {
    pub consultation_id: String,
    pub lawyer_id: String,
    pub auto_result: String,
    /// JSON list of `qc::Finding`.
    pub findings: String,
    pub checked_at: i64,
    pub sampled: bool,
    pub review_result: Option<String>,
    pub review_reason: Option<String>,
    pub reviewer: Option<String>,
    pub reviewed_at: Option<i64>,
}

const QC_COLUMNS: &str = "consultation_id, lawyer_id, auto_result, findings, checked_at, sampled, review_result,
    review_reason, reviewer, reviewed_at";

fn qc_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<QcRow> {
    Ok(QcRow {
        consultation_id: r.get(0)?,
        lawyer_id: r.get(1)?,
        auto_result: r.get(2)?,
        findings: r.get(3)?,
        checked_at: r.get(4)?,
        sampled: r.get::<_, i64>(5)? != 0,
        review_result: r.get(6)?,
        review_reason: r.get(7)?,
        reviewer: r.get(8)?,
        reviewed_at: r.get(9)?,
    })
}

pub fn qc(c: &Connection, consultation: &str) -> rusqlite::Result<Option<QcRow>> {
    c.prepare_cached(&format!("SELECT {QC_COLUMNS} FROM lq_qc WHERE consultation_id = ?1"))?
        .query_row(params![consultation], qc_row)
        .optional()
}

/// The reviewer queue: sampled or automatically failed, not yet reviewed; oldest first.
pub fn qc_queue(c: &Connection) -> rusqlite::Result<Vec<QcRow>> {
    c.prepare_cached(&format!(
        "SELECT {QC_COLUMNS} FROM lq_qc WHERE review_result IS NULL AND (sampled = 1 OR auto_result <> 'pass')
         ORDER BY checked_at, consultation_id"
    ))?
    .query_map([], qc_row)?
    .collect()
}

/// One lawyer's QC results checked in `[from, to)`, newest first.
pub fn qc_of_lawyer(c: &Connection, lawyer: &str, from: i64, to: i64) -> rusqlite::Result<Vec<QcRow>> {
    c.prepare_cached(&format!(
        "SELECT {QC_COLUMNS} FROM lq_qc WHERE lawyer_id = ?1 AND checked_at >= ?2 AND checked_at < ?3
         ORDER BY checked_at DESC, consultation_id"
    ))?
    .query_map(params![lawyer, from, to], qc_row)?
    .collect()
}
