//! Sensitive words in posts (10.3.2 敏感字监测): every hit in a citizen's question or message and in a
//! lawyer's message is recorded — who, which word, its category and action, where — with the text only
//! as its SM3 digest (a legal question is the citizen's private matter; the word itself is the list's).
//! The list's action is applied at once as a *pending* action that a reviewer (Operator) confirms or
//! lifts (10.3.2 "后台人员根据平台自动处理结果进行审核"); the sanctioned party may appeal once with a
//! reason, and the reviewer decides. Statistics by month, region, sex, word and category feed 10.5.1.2.
//!
//! Who is blocked (a citizen has no account):
//! - a citizen who left a phone number: `phone:<keyed digest>` — every consultation with that number,
//!   including new ones;
//! - a citizen without one: `consultation:<id>` — that consultation (its token) only;
//! - a question asked without a phone number: nothing identifies the asker, so the action is recorded
//!   (`anonymous`, for review and statistics) but blocks no one; the question itself is refused;
//! - a lawyer: `staff:<id>`.
//!
//! A kiosk is never the subject: it serves everyone in the hall.
//!
//! A post with a `ban:N`/`permanent` word is refused (403 `banned`, naming the ban and its end); a post
//! with a `warn` word goes through with a warning (a lawyer's is still refused by the reply rules, 422).
//! Region: the citizen's 附录 B user record (籍贯) if one has their phone, else the consultation's hall,
//! else 未知; a lawyer's 附录 B lawyer record (地区). Sex: a lawyer's certification (表 B.3); 表 B.1 has
//! no sex, so citizens count as 未知 (unknown).

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use wordfilter::{Action, Category, Sex};

use node_core::store::StoreError;

/// 未知: a region or sex the records do not hold.
pub const UNKNOWN_REGION: &str = "未知";

/// One listed word found in a post.
#[derive(Debug, Clone)]
pub struct FoundWord {
    pub hit_id: String,
    pub word: String,
    pub category: Category,
    pub action: Action,
}

/// The hits of one post, with the automatic action (the most severe of the words').
#[derive(Debug, Clone)]
pub struct HitBatch {
    /// `citizen` or `lawyer`.
    pub party: String,
    pub subject: String,
    pub consultation_id: Option<String>,
    pub hall_id: Option<String>,
    /// `question` or `message`.
    pub place: String,
    pub text_sm3: String,
    pub words: Vec<FoundWord>,
    pub action_id: String,
}

impl HitBatch {
    /// The action the list prescribes for this post: the most severe word's.
    pub fn action(&self) -> Option<&FoundWord> {
        self.words.iter().max_by_key(|w| w.action.severity())
    }

    pub fn audit_body(&self) -> Value {
        let words: Vec<Value> = self
            .words
            .iter()
            .map(|w| json!({"hit_id": w.hit_id, "word": w.word, "category": w.category.key(), "action": action_key(w.action)}))
            .collect();
        json!({"party": self.party, "subject": self.subject, "consultation_id": self.consultation_id,
            "place": self.place, "text_sm3": self.text_sm3, "words": words, "action_id": self.action_id})
    }
}

pub fn action_key(a: Action) -> String {
    match a {
        Action::Warn => "warn".into(),
        Action::Ban { days } => format!("ban:{days}"),
        Action::Permanent => "permanent".into(),
    }
}

fn conflict(m: impl Into<String>) -> StoreError {
    StoreError::Conflict(m.into())
}

/// (region, sex) of the party, from what the records hold (see the module docs).
fn region_sex(c: &Connection, b: &HitBatch) -> rusqlite::Result<(String, Sex)> {
    let one = |sql: &str, key: &str| -> rusqlite::Result<Option<String>> {
        c.prepare_cached(sql)?
            .query_row(params![key], |r| r.get::<_, Option<String>>(0))
            .optional()
            .map(Option::flatten)
    };
    if let Some(staff) = b.subject.strip_prefix("staff:") {
        let region = one(
            "SELECT region FROM lw_records WHERE kind = 'lawyer' AND staff_id = ?1 ORDER BY at DESC LIMIT 1",
            staff,
        )?;
        let sex = one(
            "SELECT sex FROM lw_records WHERE kind = 'certification' AND staff_id = ?1 ORDER BY at DESC LIMIT 1",
            staff,
        )?;
        let sex = match sex.as_deref() {
            Some("0") => Sex::Male,
            Some("1") => Sex::Female,
            _ => Sex::Unknown,
        };
        return Ok((region.unwrap_or_else(|| UNKNOWN_REGION.into()), sex));
    }
    let from_user = match b.subject.strip_prefix("phone:") {
        Some(key) => one(
            "SELECT region FROM lw_records WHERE kind = 'user' AND phone_key = ?1 ORDER BY at DESC LIMIT 1",
            key,
        )?,
        None => None,
    };
    let region = from_user
        .or_else(|| b.hall_id.clone())
        .unwrap_or_else(|| UNKNOWN_REGION.into());
    Ok((region, Sex::Unknown))
}

fn sex_key(s: Sex) -> &'static str {
    match s {
        Sex::Male => "male",
        Sex::Female => "female",
        Sex::Unknown => "unknown",
    }
}

/// `YYYY-MM` of an instant in China time (the platform's reports are by local month).
pub fn month_of(at: i64) -> String {
    let d = domain::time::Millis(at).business_day(480).date();
    format!("{:04}-{:02}", d.year, d.month)
}

/// An instant as local time for messages, `2026-11-30 09:00`.
pub fn local_time(at: i64) -> String {
    let m = domain::time::Millis(at);
    let d = m.business_day(480).date();
    let min = m.minute_of_day(480);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        d.year,
        d.month,
        d.day,
        min / 60,
        min % 60
    )
}

pub fn apply_hits(c: &Connection, b: &HitBatch, at: i64) -> Result<(), StoreError> {
    let (region, sex) = region_sex(c, b)?;
    let month = month_of(at);
    let Some(top) = b.action() else {
        return Ok(());
    };
    for w in &b.words {
        c.prepare_cached(
            "INSERT INTO lw_word_hits (id, at, month, party, subject, consultation_id, place, word, category, action,
             text_sm3, region, sex, action_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?
        .execute(params![
            w.hit_id,
            at,
            month,
            b.party,
            b.subject,
            b.consultation_id,
            b.place,
            w.word,
            w.category.key(),
            action_key(w.action),
            b.text_sm3,
            region,
            sex_key(sex),
            b.action_id
        ])?;
    }
    let (kind, days, ends_at) = match top.action {
        Action::Warn => ("warn", None, None),
        Action::Ban { days } => (
            "ban",
            Some(days),
            Some(at + i64::from(days) * domain::time::Millis::DAY),
        ),
        Action::Permanent => ("permanent", None, None),
    };
    c.prepare_cached(
        "INSERT INTO lw_word_actions (id, at, party, subject, consultation_id, word, category, kind, days, ends_at, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'pending')",
    )?
    .execute(params![
        b.action_id,
        at,
        b.party,
        b.subject,
        b.consultation_id,
        top.word,
        top.category.key(),
        kind,
        days,
        ends_at
    ])?;
    Ok(())
}

pub fn apply_review(
    c: &Connection,
    id: &str,
    confirm: bool,
    note: Option<&str>,
    by: &str,
    at: i64,
) -> Result<(), StoreError> {
    let a = action(c, id)?.ok_or_else(|| conflict("没有这个处理记录 (no such action)"))?;
    if a.status != "pending" {
        return Err(conflict(format!(
            "该处理已审核（{}） (the action was already reviewed)",
            status_zh(&a.status)
        )));
    }
    c.prepare_cached(
        "UPDATE lw_word_actions SET status = ?2, reviewed_by = ?3, reviewed_at = ?4, review_note = ?5 WHERE id = ?1",
    )?
    .execute(params![id, if confirm { "confirmed" } else { "lifted" }, by, at, note])?;
    Ok(())
}

pub fn apply_appeal(c: &Connection, id: &str, subject: &str, reason: &str, at: i64) -> Result<(), StoreError> {
    let a = action(c, id)?.ok_or_else(|| conflict("没有这个处理记录 (no such action)"))?;
    if a.subject != subject {
        return Err(conflict(
            "只能对针对自己的处理申诉 (you may appeal only your own action)",
        ));
    }
    if a.status == "lifted" {
        return Err(conflict("该处理已撤销，无需申诉 (the action was lifted)"));
    }
    if a.appeal_status.is_some() {
        return Err(conflict("该处理已申诉过 (already appealed)"));
    }
    c.prepare_cached(
        "UPDATE lw_word_actions SET appeal_status = 'pending', appeal_reason = ?2, appeal_at = ?3 WHERE id = ?1",
    )?
    .execute(params![id, reason, at])?;
    Ok(())
}

pub fn apply_appeal_decision(
    c: &Connection,
    id: &str,
    grant: bool,
    note: Option<&str>,
    by: &str,
    at: i64,
) -> Result<(), StoreError> {
    let a = action(c, id)?.ok_or_else(|| conflict("没有这个处理记录 (no such action)"))?;
    if a.appeal_status.as_deref() != Some("pending") {
        return Err(conflict("没有待处理的申诉 (no pending appeal)"));
    }
    c.prepare_cached(
        "UPDATE lw_word_actions SET appeal_status = ?2, appeal_decided_by = ?3, appeal_decided_at = ?4, appeal_note = ?5,
         status = CASE WHEN ?2 = 'granted' THEN 'lifted' ELSE status END WHERE id = ?1",
    )?
    .execute(params![id, if grant { "granted" } else { "rejected" }, by, at, note])?;
    Ok(())
}

pub fn status_zh(s: &str) -> &'static str {
    match s {
        "pending" => "自动处理，待审核",
        "confirmed" => "已确认",
        "lifted" => "已撤销",
        _ => "未知",
    }
}

/// An automatic action as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ActionRow {
    pub id: String,
    pub at: i64,
    /// `citizen` or `lawyer`.
    pub party: String,
    /// `phone:<digest>`, `consultation:<id>`, `staff:<id>` or `anonymous`.
    pub subject: String,
    pub consultation_id: Option<String>,
    pub word: String,
    pub category: String,
    /// `warn`, `ban` or `permanent`.
    pub kind: String,
    pub days: Option<u32>,
    /// End of a `ban` (ms).
    pub ends_at: Option<i64>,
    /// `pending` (applied, awaiting review), `confirmed`, `lifted`.
    pub status: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<i64>,
    pub review_note: Option<String>,
    /// `pending`, `granted`, `rejected`; none without an appeal.
    pub appeal_status: Option<String>,
    pub appeal_reason: Option<String>,
    pub appeal_at: Option<i64>,
    pub appeal_decided_by: Option<String>,
    pub appeal_note: Option<String>,
}

impl ActionRow {
    /// A ban in force at `now`: not lifted, and permanent or not yet ended.
    pub fn blocks_at(&self, now: i64) -> bool {
        self.status != "lifted"
            && self.subject != "anonymous"
            && match self.kind.as_str() {
                "permanent" => true,
                "ban" => self.ends_at.is_some_and(|e| e > now),
                _ => false,
            }
    }

    /// 封禁 7 天（至 2026-11-30 09:00）/ 永久封禁 / 警告.
    pub fn describe_zh(&self) -> String {
        match (self.kind.as_str(), self.days, self.ends_at) {
            ("ban", Some(d), Some(e)) => format!("封禁 {d} 天（至 {}）", local_time(e)),
            ("permanent", ..) => "永久封禁".into(),
            _ => "警告".into(),
        }
    }
}

const ACTION_COLUMNS: &str = "id, at, party, subject, consultation_id, word, category, kind, days, ends_at, status,
    reviewed_by, reviewed_at, review_note, appeal_status, appeal_reason, appeal_at, appeal_decided_by, appeal_note";

fn action_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ActionRow> {
    Ok(ActionRow {
        id: r.get(0)?,
        at: r.get(1)?,
        party: r.get(2)?,
        subject: r.get(3)?,
        consultation_id: r.get(4)?,
        word: r.get(5)?,
        category: r.get(6)?,
        kind: r.get(7)?,
        days: r.get(8)?,
        ends_at: r.get(9)?,
        status: r.get(10)?,
        reviewed_by: r.get(11)?,
        reviewed_at: r.get(12)?,
        review_note: r.get(13)?,
        appeal_status: r.get(14)?,
        appeal_reason: r.get(15)?,
        appeal_at: r.get(16)?,
        appeal_decided_by: r.get(17)?,
        appeal_note: r.get(18)?,
    })
}

pub fn action(c: &Connection, id: &str) -> rusqlite::Result<Option<ActionRow>> {
    c.prepare_cached(&format!("SELECT {ACTION_COLUMNS} FROM lw_word_actions WHERE id = ?1"))?
        .query_row(params![id], action_row)
        .optional()
}

/// The ban in force on any of `subjects` at `now` that ends last (permanent first).
pub fn active_ban(c: &Connection, subjects: &[String], now: i64) -> rusqlite::Result<Option<ActionRow>> {
    let mut found: Vec<ActionRow> = Vec::new();
    for s in subjects {
        let rows = c
            .prepare_cached(&format!(
                "SELECT {ACTION_COLUMNS} FROM lw_word_actions WHERE subject = ?1 AND status <> 'lifted'
                 AND kind IN ('ban', 'permanent')"
            ))?
            .query_map(params![s], action_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        found.extend(rows.into_iter().filter(|a| a.blocks_at(now)));
    }
    Ok(found.into_iter().max_by_key(|a| a.ends_at.unwrap_or(i64::MAX)))
}

/// Actions for the reviewer's queue: optionally only those with this status / appeal status, newest first.
pub fn actions(
    c: &Connection,
    status: Option<&str>,
    appeal: Option<&str>,
    limit: u32,
) -> rusqlite::Result<Vec<ActionRow>> {
    c.prepare_cached(&format!(
        "SELECT {ACTION_COLUMNS} FROM lw_word_actions WHERE (?1 IS NULL OR status = ?1)
         AND (?2 IS NULL OR appeal_status = ?2) ORDER BY at DESC, id DESC LIMIT ?3"
    ))?
    .query_map(params![status, appeal, limit], action_row)?
    .collect()
}

/// Hit statistics for months `from..=to` (`YYYY-MM`; text order is time order).
pub fn stats(c: &Connection, from: &str, to: &str) -> rusqlite::Result<wordfilter::Stats> {
    let rows = c
        .prepare_cached(
            "SELECT month, region, sex, word, category FROM lw_word_hits WHERE month >= ?1 AND month <= ?2",
        )?
        .query_map(params![from, to], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = wordfilter::Stats::default();
    for (month, region, sex, word, category) in rows {
        let Ok(month) = month.parse() else { continue };
        let sex = match sex.as_str() {
            "male" => Sex::Male,
            "female" => Sex::Female,
            _ => Sex::Unknown,
        };
        out.add(&wordfilter::HitRecord {
            month,
            region,
            sex,
            word,
            category: Category::parse(&category).unwrap_or(Category::Other),
        });
    }
    Ok(out)
}
