//! Automatic QC of one consultation (7.2.4; grades of 3.1/3.2), run on every 留言 reply and when a
//! consultation closes. The rules are `lawyer::reply::qc`'s; this gathers what they need from the
//! store: the lawyer's words in this consultation, their recent answers elsewhere (mechanical replies,
//! 6.2.2.3.2 a), their other clients' phone numbers (3.2 ③), and the word filter (3.2 ①).

use lawyer::reply::qc::{
    DEFAULT_SIMILARITY_THRESHOLD, LeakKind, OtherClient, QcContext, QcFinding, QcIssue, Severity, auto_qc, verdict,
};
use lawyer::report::figures::QcResult;
use rusqlite::{Connection, params};

use super::store::{QualityRecord, qc_str};
use crate::ConsultKind;
use crate::Lawyer;
pub use hall_api::quality::qc::Finding;
use node_core::error::NodeError;

/// How many of the lawyer's other consultations a new answer is compared with.
const RECENT: i64 = 50;

fn finding(f: &QcFinding) -> Finding {
    let (kind, message) = match &f.issue {
        QcIssue::Abusive => (
            "abusive",
            "含辱骂、威胁性语言 (abusive or threatening language)".to_owned(),
        ),
        QcIssue::Leak(l) => (
            "leak",
            format!(
                "含其他咨询人的{} (another client's {})",
                match l.kind {
                    LeakKind::Name => "姓名",
                    LeakKind::Phone => "手机号",
                    LeakKind::IdNumber => "身份证号",
                },
                match l.kind {
                    LeakKind::Name => "name",
                    LeakKind::Phone => "phone number",
                    LeakKind::IdNumber => "ID number",
                }
            ),
        ),
        QcIssue::Mechanical(m) => (
            "mechanical",
            format!(
                "与本律师近期的回复雷同（相似度 {}）(a mechanical, copy-paste reply)",
                m.similarity
            ),
        ),
        QcIssue::Format(p) => ("format", p.message()),
    };
    Finding {
        severity: match f.severity {
            Severity::Fatal => "fatal",
            Severity::NonFatal => "non_fatal",
        }
        .into(),
        clause: f.clause.into(),
        kind: kind.into(),
        message,
    }
}

/// The lawyer's own words in a consultation: their text and template messages, in order (the system's
/// reassurances and consent requests are the platform's, not theirs).
fn lawyer_text(c: &Connection, consultation: &str) -> rusqlite::Result<String> {
    let parts: Vec<String> = c
        .prepare_cached(
            "SELECT body FROM consultation_messages WHERE consultation_id = ?1 AND author = 'lawyer'
             AND kind IN ('text', 'template') ORDER BY seq",
        )?
        .query_map(params![consultation], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(parts.join("\n"))
}

struct Gathered {
    text: String,
    recent: Vec<String>,
    /// Sealed phones of the lawyer's other consultations.
    others_sealed: Vec<String>,
}

fn gather(c: &Connection, consultation: &str, lawyer: &str) -> rusqlite::Result<Gathered> {
    let text = lawyer_text(c, consultation)?;
    let others: Vec<(String, Option<String>)> = c
        .prepare_cached(
            // Only consultations asked before this one: a re-check at close must not find this
            // answer "copied" from a later consultation that copied it.
            "SELECT id, phone_sealed FROM consultations WHERE lawyer_id = ?1 AND id <> ?2
               AND created_at <= (SELECT created_at FROM consultations WHERE id = ?2)
             ORDER BY created_at DESC LIMIT ?3",
        )?
        .query_map(params![lawyer, consultation, RECENT], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut recent = Vec::new();
    let mut others_sealed = Vec::new();
    for (id, sealed) in others {
        let t = lawyer_text(c, &id)?;
        if !t.is_empty() {
            recent.push(t);
        }
        others_sealed.extend(sealed);
    }
    Ok(Gathered {
        text,
        recent,
        others_sealed,
    })
}

/// The outcome of one automatic check.
#[derive(Debug, Clone)]
pub struct Checked {
    pub result: QcResult,
    pub findings: Vec<Finding>,
    pub sampled: bool,
}

/// Whether a checked consultation also goes to a human reviewer (7.2.4 a 随机质检).
fn sample(percent: u8) -> bool {
    use rand::Rng;
    rand::thread_rng().gen_range(0..100u8) < percent.min(100)
}

/// The automatic verdict (no await inside: the filter is not `Sync`).
fn evaluate(app: &Lawyer, g: &Gathered, others: &[OtherClient], message_reply: bool) -> (QcResult, Vec<Finding>) {
    let words = app.words();
    // 3.2 ① names abusive *and* threatening language: the filter's abuse and violence categories.
    let abuse = |t: &str| {
        words.find_all(t).iter().any(|h| {
            matches!(
                h.entry.category,
                wordfilter::Category::VulgarAbuse | wordfilter::Category::ViolenceTerror
            )
        })
    };
    let recent: Vec<&str> = g.recent.iter().map(String::as_str).collect();
    let ctx = QcContext {
        templates: &app.config.templates,
        recent_replies: &recent,
        similarity_threshold: DEFAULT_SIMILARITY_THRESHOLD,
        other_clients: others,
        abuse: &abuse,
        message_reply,
    };
    let raw = auto_qc(&g.text, &ctx);
    let result = match verdict(&raw) {
        None => QcResult::Pass,
        Some(Severity::NonFatal) => QcResult::NonFatal,
        Some(Severity::Fatal) => QcResult::Fatal,
    };
    (result, raw.iter().map(finding).collect())
}

/// Checks a consultation and stores the result; `None` when there is nothing of a lawyer's to check.
pub async fn check(app: &Lawyer, consultation: &str) -> Result<Option<Checked>, NodeError> {
    let id = consultation.to_owned();
    let row = super::super::chat::read(app, move |r| r.consultation(&id))
        .await?
        .ok_or_else(|| NodeError::not_found("consultation", "id"))?;
    let Some(lawyer) = row.lawyer_id.clone() else {
        return Ok(None);
    };
    let (id, l) = (row.id.clone(), lawyer.clone());
    let g = super::query(app, move |c| gather(c, &id, &l)).await?;
    if g.text.trim().is_empty() {
        return Ok(None);
    }
    let own_phone = row.phone_sealed.as_deref().and_then(|s| app.sealer.open(s).ok());
    let mut others: Vec<OtherClient> = Vec::new();
    for sealed in &g.others_sealed {
        // A phone that cannot be opened is skipped: the check is best effort on what can be read.
        if let Ok(p) = app.sealer.open(sealed)
            && own_phone.as_deref() != Some(p.as_str())
            && !others.iter().any(|o| o.phone.as_deref() == Some(p.as_str()))
        {
            others.push(OtherClient {
                phone: Some(p),
                ..OtherClient::default()
            });
        }
    }
    let (result, findings) = evaluate(app, &g, &others, row.kind == ConsultKind::Message);
    let sampled = sample(app.config.qc_sample_percent);
    let json = serde_json::to_string(&findings).map_err(|e| NodeError::internal(e.to_string()))?;
    super::record(
        app,
        "system".into(),
        QualityRecord::QcChecked {
            consultation_id: row.id.clone(),
            lawyer_id: lawyer,
            result: qc_str(result),
            findings: json,
            sampled,
        },
    )
    .await?;
    Ok(Some(Checked {
        result,
        findings,
        sampled,
    }))
}

/// [`check`] after a reply or a close: the citizen's or lawyer's action already succeeded, so a failing
/// check is logged (and the consultation stays unchecked) rather than turned into an error for them.
pub async fn check_after(app: &Lawyer, consultation: &str) {
    if let Err(e) = check(app, consultation).await {
        tracing::error!(error = %e, "automatic QC failed");
    }
}
