//! The writer records and the read access of the platform's administration tables (migration 8,
//! `lw_*`): sensitive-word hits and actions ([`super::words`]), lawyers' sessions, admissions and
//! trainings ([`super::people`]), 附录 B rows ([`super::import`]). Like [`super::store::LawyerRecord`],
//! each change goes through the writer, so it is one transaction with its audit row; the audit body
//! carries ids, words and digests — never a citizen's text, phone or ID number.

use rusqlite::Connection;
use serde_json::{Value, json};

use super::{import, people, words};
use node_core::store::StoreError;

#[derive(Debug, Clone)]
pub enum LwRecord {
    /// Sensitive words found in one post, with the automatic action (if the list prescribes one).
    WordHits(words::HitBatch),
    /// A reviewer confirms or lifts an automatic action (10.3.2 后台人员审核).
    Review {
        action_id: String,
        confirm: bool,
        note: Option<String>,
        by: String,
    },
    /// The sanctioned party appeals (reason required); `subject` is who the caller proved to be.
    Appeal {
        action_id: String,
        subject: String,
        reason: String,
    },
    /// The reviewer decides an appeal; granted lifts the action.
    AppealDecided {
        action_id: String,
        grant: bool,
        note: Option<String>,
        by: String,
    },
    /// A lawyer admitted (6.3.1): the probation starts on `opened_on`.
    Admitted {
        staff_id: String,
        applicant: Value,
        opened_on: String,
    },
    /// The probation's outcome (6.3.1 d).
    ProbationDecided {
        staff_id: String,
        passed: bool,
        detail: Value,
    },
    /// A training session (6.3.2.6).
    Training { id: String, held_on: String, body: Value },
    /// 附录 B rows, all or nothing.
    Import(import::ImportBatch),
}

impl node_core::store::ModuleRecord for LwRecord {
    fn kind(&self) -> &'static str {
        match self {
            LwRecord::WordHits(_) => "lw_word_hits",
            LwRecord::Review { .. } => "lw_word_action_reviewed",
            LwRecord::Appeal { .. } => "lw_word_action_appealed",
            LwRecord::AppealDecided { .. } => "lw_word_appeal_decided",
            LwRecord::Admitted { .. } => "lw_lawyer_admitted",
            LwRecord::ProbationDecided { .. } => "lw_probation_decided",
            LwRecord::Training { .. } => "lw_training_added",
            LwRecord::Import(_) => "lw_records_imported",
        }
    }

    fn audit_body(&self) -> Value {
        match self {
            LwRecord::WordHits(b) => b.audit_body(),
            LwRecord::Review {
                action_id,
                confirm,
                note,
                by,
            } => json!({"action_id": action_id, "confirm": confirm, "note": note, "by": by}),
            // The reason is the party's own words: its digest only.
            LwRecord::Appeal { action_id, reason, .. } => {
                json!({"action_id": action_id, "reason_sm3": node_core::crypto::sm3_hex(reason.as_bytes())})
            }
            LwRecord::AppealDecided {
                action_id,
                grant,
                note,
                by,
            } => json!({"action_id": action_id, "grant": grant, "note": note, "by": by}),
            LwRecord::Admitted {
                staff_id, opened_on, ..
            } => json!({"staff_id": staff_id, "opened_on": opened_on}),
            LwRecord::ProbationDecided {
                staff_id,
                passed,
                detail,
            } => json!({"staff_id": staff_id, "passed": passed, "detail": detail}),
            LwRecord::Training { id, held_on, .. } => json!({"training_id": id, "held_on": held_on}),
            LwRecord::Import(b) => b.audit_body(),
        }
    }

    fn apply_sqlite(&self, c: &Connection, at: i64) -> Result<(), StoreError> {
        apply(c, self, at)
    }
}

/// The effect of a record, in the writer's transaction.
pub fn apply(c: &Connection, r: &LwRecord, at: i64) -> Result<(), StoreError> {
    match r {
        LwRecord::WordHits(b) => words::apply_hits(c, b, at),
        LwRecord::Review {
            action_id,
            confirm,
            note,
            by,
        } => words::apply_review(c, action_id, *confirm, note.as_deref(), by, at),
        LwRecord::Appeal {
            action_id,
            subject,
            reason,
        } => words::apply_appeal(c, action_id, subject, reason, at),
        LwRecord::AppealDecided {
            action_id,
            grant,
            note,
            by,
        } => words::apply_appeal_decision(c, action_id, *grant, note.as_deref(), by, at),
        LwRecord::Admitted {
            staff_id,
            applicant,
            opened_on,
        } => people::apply_admitted(c, staff_id, applicant, opened_on, at),
        LwRecord::ProbationDecided {
            staff_id,
            passed,
            detail,
        } => people::apply_probation(c, staff_id, *passed, detail, at),
        LwRecord::Training { id, held_on, body } => people::apply_training(c, id, held_on, body, at),
        LwRecord::Import(b) => import::apply(c, b, at),
    }
}

/// Read access to the `lw_*` tables. The queries are this module family's SQL, run on a read-only
/// connection of the store; one method keeps the store's backend switchable at a single point.
pub trait LwReader: Send + Sync {
    fn with_lw(&self, f: &mut dyn FnMut(&Connection) -> rusqlite::Result<()>) -> Result<(), StoreError>;
}

impl LwReader for node_core::store::sqlite::SqliteReader {
    fn with_lw(&self, f: &mut dyn FnMut(&Connection) -> rusqlite::Result<()>) -> Result<(), StoreError> {
        self.with(|c| f(c))
    }
}

/// Runs a read-only query on a blocking thread.
pub async fn read<T: Send + 'static>(
    app: &crate::Lawyer,
    f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
) -> Result<T, node_core::error::NodeError> {
    let reader = app.reader.clone();
    tokio::task::spawn_blocking(move || {
        let mut f = Some(f);
        let mut out = None;
        reader.lw().with_lw(&mut |c| {
            if let Some(f) = f.take() {
                out = Some(f(c)?);
            }
            Ok(())
        })?;
        out.ok_or_else(|| node_core::error::NodeError::internal("query did not run"))
    })
    .await
    .map_err(|e| node_core::error::NodeError::internal(e.to_string()))?
}

/// Writes one record through the writer.
pub async fn record(
    app: &crate::Lawyer,
    hall: Option<&str>,
    actor: String,
    r: LwRecord,
) -> Result<(), node_core::error::NodeError> {
    app.engine
        .record(hall.unwrap_or_default(), actor, node_core::store::Record::module(r))
        .await?;
    Ok(())
}
