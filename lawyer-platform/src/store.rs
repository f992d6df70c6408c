//! The lawyer platform's tables (migration 6) and their SQL. Written only by the writer, through
//! [`node_core::store::Record::Module`], so every change is also an audit row; each record's preconditions
//! (who may pick up, whether the chat is still open) are re-checked inside the writer's transaction,
//! so two lawyers can never both take the same consultation. Realtime routing also happens here, in
//! the writer: consultations created at the same moment see each other's load.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::routing::{self, Candidate};
use super::{Author, ConsultKind, ConsultStatus, MessageKind};
use node_core::store::StoreError;

/// A change to the lawyer platform. Bodies and questions are kept in the tables; the audit row gets
/// their SM3 digest only (a legal question is the citizen's private matter).
#[derive(Debug, Clone)]
pub enum LawyerRecord {
    /// A lawyer goes online or offline, optionally with new specialties.
    Status {
        staff_id: String,
        online: bool,
        specialties: Option<Vec<String>>,
    },
    /// A citizen asks. A realtime question is routed in the writer (`max_load` caps each lawyer).
    Opened {
        id: String,
        kind: ConsultKind,
        channel: String,
        hall_id: Option<String>,
        device_id: Option<String>,
        token_hash: String,
        phone_key: Option<String>,
        phone_sealed: Option<String>,
        question: String,
        specialty: String,
        message_id: String,
        max_load: u32,
    },
    /// Try again to route a queued realtime consultation (a lawyer came online or freed up).
    Route {
        id: String,
        max_load: u32,
    },
    Pickup {
        id: String,
        staff_id: String,
    },
    Message {
        id: String,
        message_id: String,
        author: Author,
        staff_id: Option<String>,
        kind: MessageKind,
        body: String,
    },
    /// Nobody picked a realtime consultation up in time: it becomes a 留言 consultation, with a system
    /// message telling the citizen so.
    Offered {
        id: String,
        message_id: String,
        body: String,
    },
    Closed {
        id: String,
    },
    Rated {
        id: String,
        level: u8,
        comment: Option<String>,
        /// Opened with the rating, in one transaction: a non-satisfied rating's revisit (7.1.3.2) and,
        /// if the citizen still needs a legal answer, the lawyer's call-back (7.1.3.2 b).
        follow_ups: Vec<super::quality::store::NewTask>,
    },
    /// Remote mediation (6.2.4), see [`super::mediation`].
    Mediation(super::mediation::MediationRecord),
    /// A video consultation falls back to a text chat (6.2.3), see [`super::video`].
    VideoFallback(super::video::Fallback),
    /// Complaints, follow-up tasks, QC (`super::quality`).
    Quality(super::quality::store::QualityRecord),
}

fn digest(s: &str) -> String {
    node_core::crypto::sm3_hex(s.as_bytes())
}

impl node_core::store::ModuleRecord for LawyerRecord {
    fn kind(&self) -> &'static str {
        match self {
            LawyerRecord::Status { .. } => "lawyer_status_set",
            LawyerRecord::Opened { .. } => "consultation_opened",
            LawyerRecord::Route { .. } => "consultation_routed",
            LawyerRecord::Pickup { .. } => "consultation_picked_up",
            LawyerRecord::Message { .. } => "consultation_message",
            LawyerRecord::Offered { .. } => "consultation_offered_message",
            LawyerRecord::Closed { .. } => "consultation_closed",
            LawyerRecord::Rated { .. } => "consultation_rated",
            LawyerRecord::Mediation(m) => m.kind(),
            LawyerRecord::VideoFallback(_) => "consultation_video_fallback",
            LawyerRecord::Quality(q) => q.kind(),
        }
    }

    fn audit_body(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            LawyerRecord::Status {
                staff_id,
                online,
                specialties,
            } => json!({"staff_id": staff_id, "online": online, "specialties": specialties}),
            LawyerRecord::Opened {
                id,
                kind,
                channel,
                hall_id,
                device_id,
                question,
                specialty,
                ..
            } => json!({"consultation_id": id, "kind": kind.as_str(), "channel": channel, "hall_id": hall_id,
                "device_id": device_id, "specialty": specialty, "question_sm3": digest(question)}),
            LawyerRecord::Route { id, .. } | LawyerRecord::Closed { id } => json!({"consultation_id": id}),
            LawyerRecord::Pickup { id, staff_id } => json!({"consultation_id": id, "staff_id": staff_id}),
            LawyerRecord::Message {
                id,
                message_id,
                author,
                staff_id,
                kind,
                body,
            } => json!({"consultation_id": id, "message_id": message_id, "author": author.as_str(),
                "staff_id": staff_id, "kind": kind.as_str(), "body_sm3": digest(body)}),
            LawyerRecord::Offered { id, message_id, .. } => json!({"consultation_id": id, "message_id": message_id}),
            LawyerRecord::Mediation(m) => m.audit_body(),
            LawyerRecord::VideoFallback(f) => f.audit_body(),
            LawyerRecord::Rated {
                id,
                level,
                comment,
                follow_ups,
            } => json!({"consultation_id": id, "level": level, "comment_sm3": comment.as_deref().map(digest),
                "follow_ups": follow_ups.iter().map(|t| json!({"task_id": t.id,
                    "task": super::quality::store::task_str(t.task), "due_at": t.due_at})).collect::<Vec<_>>()}),
            LawyerRecord::Quality(q) => q.audit_body(),
        }
    }

    fn apply_sqlite(&self, c: &Connection, at: i64) -> Result<(), StoreError> {
        apply(c, self, at)
    }
}

fn conflict(m: impl Into<String>) -> StoreError {
    StoreError::Conflict(m.into())
}

/// The effect of a record, in the writer's transaction.
pub fn apply(c: &Connection, r: &LawyerRecord, at: i64) -> Result<(), StoreError> {
    match r {
        LawyerRecord::Status {
            staff_id,
            online,
            specialties,
        } => set_status(c, staff_id, *online, specialties.as_deref(), at),
        LawyerRecord::Opened {
            id,
            kind,
            channel,
            hall_id,
            device_id,
            token_hash,
            phone_key,
            phone_sealed,
            question,
            specialty,
            message_id,
            max_load,
        } => {
            let status = match kind {
                ConsultKind::Realtime | ConsultKind::Video => ConsultStatus::Queued,
                ConsultKind::Message => ConsultStatus::WaitingReply,
            };
            c.prepare_cached(
                "INSERT INTO consultations (id, kind, channel, hall_id, device_id, token_hash, phone_key, phone_sealed,
                 question, specialty, status, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(params![
                id,
                kind.as_str(),
                channel,
                hall_id,
                device_id,
                token_hash,
                phone_key,
                phone_sealed,
                question,
                specialty,
                status.as_str(),
                at
            ])?;
            // The question is the conversation's first message, so both sides read one history.
            insert_message(
                c,
                id,
                message_id,
                Author::Citizen,
                None,
                MessageKind::Text,
                question,
                at,
            )?;
            if *kind == ConsultKind::Video {
                super::video::opened(c, id, at)?;
            }
            // A video call is matched exactly as a realtime chat (6.2.3.1: "快速匹配律师").
            if matches!(kind, ConsultKind::Realtime | ConsultKind::Video) {
                route(c, id, specialty, *max_load, at)?;
            }
            Ok(())
        }
        LawyerRecord::Route { id, max_load } => {
            let row = consultation(c, id)?.ok_or_else(|| conflict("没有这个咨询 (no such consultation)"))?;
            if row.status == ConsultStatus::Queued {
                route(c, id, &row.specialty, *max_load, at)?;
            }
            Ok(())
        }
        LawyerRecord::Pickup { id, staff_id } => pickup(c, id, staff_id, at),
        LawyerRecord::Message {
            id,
            message_id,
            author,
            staff_id,
            kind,
            body,
        } => add_message(c, id, message_id, *author, staff_id.as_deref(), *kind, body, at),
        LawyerRecord::Offered { id, message_id, body } => {
            let n = c
                .prepare_cached(
                    "UPDATE consultations SET kind = 'message', status = 'waiting_reply', lawyer_id = NULL, converted_at = ?2
                     WHERE id = ?1 AND status IN ('queued', 'assigned')",
                )?
                .execute(params![id, at])?;
            if n != 1 {
                return Err(conflict("咨询已被接单 (already picked up)"));
            }
            insert_message(c, id, message_id, Author::System, None, MessageKind::Text, body, at)
        }
        LawyerRecord::Closed { id } => {
            let n = c
                .prepare_cached(
                    "UPDATE consultations SET status = 'closed', closed_at = ?2 WHERE id = ?1 AND status <> 'closed'",
                )?
                .execute(params![id, at])?;
            if n != 1 {
                return Err(conflict("咨询已结束 (the consultation has ended)"));
            }
            Ok(())
        }
        LawyerRecord::Rated {
            id,
            level,
            comment,
            follow_ups,
        } => {
            let row = consultation(c, id)?.ok_or_else(|| conflict("没有这个咨询 (no such consultation)"))?;
            if !matches!(row.status, ConsultStatus::Answered | ConsultStatus::Closed) || row.lawyer_id.is_none() {
                return Err(conflict(
                    "律师解答后才能评价 (a consultation can be rated once a lawyer has answered it)",
                ));
            }
            if row.rating.is_some() {
                return Err(conflict("已经评价过 (already rated)"));
            }
            c.prepare_cached(
                "INSERT INTO consultation_ratings (consultation_id, lawyer_id, level, comment, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![id, row.lawyer_id, level, comment, at])?;
            for t in follow_ups {
                super::quality::store::insert_task(c, t, at)?;
            }
            Ok(())
        }
        LawyerRecord::Mediation(m) => super::mediation::apply(c, m, at),
        LawyerRecord::VideoFallback(f) => super::video::apply(c, f, at),
        LawyerRecord::Quality(q) => super::quality::store::apply(c, q, at),
    }
}

fn set_status(
    c: &Connection,
    staff: &str,
    online: bool,
    specialties: Option<&[String]>,
    at: i64,
) -> Result<(), StoreError> {
    c.prepare_cached("INSERT INTO lawyer_profiles (staff_id) VALUES (?1) ON CONFLICT(staff_id) DO NOTHING")?
        .execute(params![staff])?;
    if let Some(s) = specialties {
        let json = serde_json::to_string(s).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        c.prepare_cached("UPDATE lawyer_profiles SET specialties = ?2 WHERE staff_id = ?1")?
            .execute(params![staff, json])?;
    }
    // Each online stretch is also kept as a session (migration 8), so hours over any range can be summed.
    super::people::session(c, staff, online, at)?;
    if online {
        c.prepare_cached(
            "UPDATE lawyer_profiles SET online = 1, online_since = ?2 WHERE staff_id = ?1 AND online = 0",
        )?
        .execute(params![staff, at])?;
    } else {
        // Online hours feed the tiers (附录 A): the stretch that just ended is added up.
        c.prepare_cached(
            "UPDATE lawyer_profiles SET online = 0, online_secs = online_secs + MAX(0, (?2 - online_since) / 1000),
             online_since = NULL WHERE staff_id = ?1 AND online = 1",
        )?
        .execute(params![staff, at])?;
        // What was routed to them but not yet picked up goes back to the queue, to be routed again.
        c.prepare_cached(
            "UPDATE consultations SET status = 'queued', lawyer_id = NULL, assigned_at = NULL
             WHERE lawyer_id = ?1 AND status = 'assigned'",
        )?
        .execute(params![staff])?;
    }
    Ok(())
}

/// Routes a queued realtime consultation to the least-loaded online lawyer of its specialty.
fn route(c: &Connection, id: &str, specialty: &str, max_load: u32, at: i64) -> Result<(), StoreError> {
    let candidates = candidates(c)?;
    if let Some(who) = routing::choose(&candidates, specialty, max_load) {
        let who = who.staff_id.clone();
        c.prepare_cached(
            "UPDATE consultations SET status = 'assigned', lawyer_id = ?2, assigned_at = ?3 WHERE id = ?1 AND status = 'queued'",
        )?
        .execute(params![id, who, at])?;
        c.prepare_cached("UPDATE lawyer_profiles SET last_assigned_at = ?2 WHERE staff_id = ?1")?
            .execute(params![who, at])?;
    }
    Ok(())
}

/// Online lawyers with their live load (realtime consultations assigned or in progress).
pub fn candidates(c: &Connection) -> rusqlite::Result<Vec<Candidate>> {
    c.prepare_cached(
        "SELECT p.staff_id, p.specialties, p.last_assigned_at,
           (SELECT COUNT(*) FROM consultations k WHERE k.lawyer_id = p.staff_id AND k.status IN ('assigned', 'active'))
         FROM lawyer_profiles p WHERE p.online = 1",
    )?
    .query_map([], |r| {
        let specialties: String = r.get(1)?;
        Ok(Candidate {
            staff_id: r.get(0)?,
            specialties: serde_json::from_str(&specialties).unwrap_or_default(),
            last_assigned_at: r.get(2)?,
            load: r.get(3)?,
        })
    })?
    .collect()
}

fn pickup(c: &Connection, id: &str, staff: &str, at: i64) -> Result<(), StoreError> {
    let row = consultation(c, id)?.ok_or_else(|| conflict("没有这个咨询 (no such consultation)"))?;
    if row.lawyer_id.as_deref().is_some_and(|l| l != staff) {
        return Err(conflict("该咨询已由其他律师接单 (another lawyer has it)"));
    }
    match (row.kind, row.status) {
        (ConsultKind::Realtime | ConsultKind::Video, ConsultStatus::Queued | ConsultStatus::Assigned) => {
            c.prepare_cached(
                "UPDATE consultations SET status = 'active', lawyer_id = ?2, picked_at = ?3 WHERE id = ?1",
            )?
            .execute(params![id, staff, at])?;
            c.prepare_cached("UPDATE lawyer_profiles SET last_assigned_at = ?2 WHERE staff_id = ?1")?
                .execute(params![staff, at])?;
            Ok(())
        }
        // Claiming a 留言 keeps other lawyers from writing the same answer.
        (ConsultKind::Message, ConsultStatus::WaitingReply) => {
            c.prepare_cached(
                "UPDATE consultations SET lawyer_id = ?2, picked_at = COALESCE(picked_at, ?3) WHERE id = ?1",
            )?
            .execute(params![id, staff, at])?;
            Ok(())
        }
        (_, s) => Err(conflict(format!(
            "当前状态（{}）不能接单 (cannot pick up a consultation that is {})",
            s.label_zh(),
            s.as_str()
        ))),
    }
}

#[allow(clippy::too_many_arguments)]
fn add_message(
    c: &Connection,
    id: &str,
    message_id: &str,
    author: Author,
    staff: Option<&str>,
    kind: MessageKind,
    body: &str,
    at: i64,
) -> Result<(), StoreError> {
    let row = consultation(c, id)?.ok_or_else(|| conflict("没有这个咨询 (no such consultation)"))?;
    use ConsultStatus as S;
    match author {
        Author::Lawyer => {
            if row.lawyer_id.as_deref().is_some_and(|l| Some(l) != staff) {
                return Err(conflict("该咨询已由其他律师接单 (another lawyer has it)"));
            }
            match (row.kind, row.status) {
                (ConsultKind::Realtime | ConsultKind::Video, S::Active) => {}
                (ConsultKind::Message, S::WaitingReply) => {
                    // The reply answers the 留言 (6.2.1.1): the order is done.
                    c.prepare_cached(
                        "UPDATE consultations SET status = 'answered', lawyer_id = ?2, answered_at = ?3,
                         picked_at = COALESCE(picked_at, ?3) WHERE id = ?1",
                    )?
                    .execute(params![id, staff, at])?;
                }
                (_, s) => {
                    return Err(conflict(format!(
                        "当前状态（{}）不能回复 (cannot reply to a consultation that is {})",
                        s.label_zh(),
                        s.as_str()
                    )));
                }
            }
        }
        Author::Citizen => {
            let open = match row.kind {
                ConsultKind::Realtime | ConsultKind::Video => matches!(row.status, S::Queued | S::Assigned | S::Active),
                ConsultKind::Message => row.status == S::WaitingReply,
            };
            if !open {
                return Err(conflict(format!(
                    "咨询{}，不能再发送消息 (the consultation is {})",
                    row.status.label_zh(),
                    row.status.as_str()
                )));
            }
        }
        Author::System => {
            if row.status == S::Closed {
                return Err(conflict("咨询已结束 (the consultation has ended)"));
            }
        }
    }
    insert_message(c, id, message_id, author, staff, kind, body, at)
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn insert_message(
    c: &Connection,
    id: &str,
    message_id: &str,
    author: Author,
    staff: Option<&str>,
    kind: MessageKind,
    body: &str,
    at: i64,
) -> Result<(), StoreError> {
    let seq: i64 = c
        .prepare_cached("SELECT COALESCE(MAX(seq), 0) + 1 FROM consultation_messages WHERE consultation_id = ?1")?
        .query_row(params![id], |r| r.get(0))?;
    c.prepare_cached(
        "INSERT INTO consultation_messages (consultation_id, seq, id, author, staff_id, kind, body, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        id,
        seq,
        message_id,
        author.as_str(),
        staff,
        kind.as_str(),
        body,
        at
    ])?;
    Ok(())
}

/// A consultation as stored. `token_hash` and the sealed phone stay on the server side of the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsultationRow {
    pub id: String,
    pub kind: ConsultKind,
    pub channel: String,
    pub hall_id: Option<String>,
    pub token_hash: String,
    pub phone_sealed: Option<String>,
    pub question: String,
    pub specialty: String,
    pub status: ConsultStatus,
    pub lawyer_id: Option<String>,
    pub created_at: i64,
    pub assigned_at: Option<i64>,
    pub picked_at: Option<i64>,
    pub converted_at: Option<i64>,
    pub answered_at: Option<i64>,
    pub closed_at: Option<i64>,
    /// (level 1–5, comment).
    pub rating: Option<(u8, Option<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageRow {
    pub id: String,
    pub seq: i64,
    pub author: Author,
    pub staff_id: Option<String>,
    pub kind: MessageKind,
    pub body: String,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileRow {
    pub staff_id: String,
    pub specialties: Vec<String>,
    pub online: bool,
    pub online_since: Option<i64>,
    /// Online time of the stretches that ended (the current one is `now - online_since`).
    pub online_secs: i64,
}

pub(super) const COLUMNS: &str = "k.id, k.kind, k.channel, k.hall_id, k.token_hash, k.phone_sealed, k.question, k.specialty, k.status,
    k.lawyer_id, k.created_at, k.assigned_at, k.picked_at, k.converted_at, k.answered_at, k.closed_at, r.level, r.comment";

fn bad(col: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, format!("stored {what}").into())
}

pub(super) fn consultation_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ConsultationRow> {
    let kind: String = r.get(1)?;
    let status: String = r.get(8)?;
    let level: Option<u8> = r.get(16)?;
    Ok(ConsultationRow {
        id: r.get(0)?,
        kind: ConsultKind::parse(&kind).ok_or_else(|| bad(1, "consultation kind"))?,
        channel: r.get(2)?,
        hall_id: r.get(3)?,
        token_hash: r.get(4)?,
        phone_sealed: r.get(5)?,
        question: r.get(6)?,
        specialty: r.get(7)?,
        status: ConsultStatus::parse(&status).ok_or_else(|| bad(8, "consultation status"))?,
        lawyer_id: r.get(9)?,
        created_at: r.get(10)?,
        assigned_at: r.get(11)?,
        picked_at: r.get(12)?,
        converted_at: r.get(13)?,
        answered_at: r.get(14)?,
        closed_at: r.get(15)?,
        rating: level.map(|l| r.get(17).map(|c| (l, c))).transpose()?,
    })
}

pub fn consultation(c: &Connection, id: &str) -> rusqlite::Result<Option<ConsultationRow>> {
    c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM consultations k LEFT JOIN consultation_ratings r ON r.consultation_id = k.id WHERE k.id = ?1"
    ))?
    .query_row(params![id], consultation_row)
    .optional()
}

/// Consultations still in progress (queued, assigned, active), oldest first: what the sweeper watches.
pub fn live(c: &Connection) -> rusqlite::Result<Vec<ConsultationRow>> {
    c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM consultations k LEFT JOIN consultation_ratings r ON r.consultation_id = k.id
         WHERE k.status IN ('queued', 'assigned', 'active') ORDER BY k.created_at"
    ))?
    .query_map([], consultation_row)?
    .collect()
}

/// A lawyer's inbox: what is theirs and still open, and the unclaimed 留言 of their specialties.
pub fn inbox(c: &Connection, staff: &str, specialties: &[String]) -> rusqlite::Result<Vec<ConsultationRow>> {
    let rows: Vec<ConsultationRow> = c
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM consultations k LEFT JOIN consultation_ratings r ON r.consultation_id = k.id
             WHERE (k.lawyer_id = ?1 AND k.status IN ('assigned', 'active', 'waiting_reply'))
                OR (k.lawyer_id IS NULL AND k.status = 'waiting_reply')
             ORDER BY k.created_at"
        ))?
        .query_map(params![staff], consultation_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows
        .into_iter()
        .filter(|k| k.lawyer_id.is_some() || routing::serves(specialties, &k.specialty))
        .collect())
}

pub fn messages(c: &Connection, id: &str, after_seq: i64) -> rusqlite::Result<Vec<MessageRow>> {
    c.prepare_cached(
        "SELECT id, seq, author, staff_id, kind, body, at FROM consultation_messages
         WHERE consultation_id = ?1 AND seq > ?2 ORDER BY seq",
    )?
    .query_map(params![id, after_seq], |r| {
        let author: String = r.get(2)?;
        let kind: String = r.get(4)?;
        Ok(MessageRow {
            id: r.get(0)?,
            seq: r.get(1)?,
            author: Author::parse(&author).ok_or_else(|| bad(2, "message author"))?,
            staff_id: r.get(3)?,
            kind: MessageKind::parse(&kind).ok_or_else(|| bad(4, "message kind"))?,
            body: r.get(5)?,
            at: r.get(6)?,
        })
    })?
    .collect()
}

pub fn profile(c: &Connection, staff: &str) -> rusqlite::Result<Option<ProfileRow>> {
    c.prepare_cached(
        "SELECT staff_id, specialties, online, online_since, online_secs FROM lawyer_profiles WHERE staff_id = ?1",
    )?
    .query_row(params![staff], |r| {
        let specialties: String = r.get(1)?;
        Ok(ProfileRow {
            staff_id: r.get(0)?,
            specialties: serde_json::from_str(&specialties).unwrap_or_default(),
            online: r.get::<_, i64>(2)? != 0,
            online_since: r.get(3)?,
            online_secs: r.get(4)?,
        })
    })
    .optional()
}

/// Realtime requests in `[from, to)`: (requested at, picked up at). Converted ones count as requested
/// and not connected (6.2.2.1 c). Video requests (even fallen back to text) count as video instead.
pub fn realtime_requests(c: &Connection, from: i64, to: i64) -> rusqlite::Result<Vec<(i64, Option<i64>)>> {
    c.prepare_cached(
        "SELECT created_at, CASE WHEN converted_at IS NULL THEN picked_at END FROM consultations
         WHERE (kind = 'realtime' OR converted_at IS NOT NULL) AND created_at >= ?1 AND created_at < ?2
           AND id NOT IN (SELECT consultation_id FROM lm_video_requests)",
    )?
    .query_map(params![from, to], |r| Ok((r.get(0)?, r.get(1)?)))?
    .collect()
}

/// Queries of the lawyer platform (mediation's and video's in their own files), beside the writer.
pub trait LawyerReader: super::mediation_store::MediationReader + super::video::VideoReader + Send + Sync {
    fn consultation(&self, id: &str) -> Result<Option<ConsultationRow>, StoreError>;
    fn messages(&self, id: &str, after_seq: i64) -> Result<Vec<MessageRow>, StoreError>;
    fn live(&self) -> Result<Vec<ConsultationRow>, StoreError>;
    fn inbox(&self, staff: &str, specialties: &[String]) -> Result<Vec<ConsultationRow>, StoreError>;
    fn profile(&self, staff: &str) -> Result<Option<ProfileRow>, StoreError>;
    fn candidates(&self) -> Result<Vec<Candidate>, StoreError>;
    fn realtime_requests(&self, from: i64, to: i64) -> Result<Vec<(i64, Option<i64>)>, StoreError>;
    /// The administration tables of migration 8.
    fn lw(&self) -> &dyn super::lw::LwReader;
    /// Runs a query of `super::quality` (its tables and joins) on a read connection.
    fn with_conn(&self, f: &mut dyn FnMut(&Connection) -> rusqlite::Result<()>) -> Result<(), StoreError>;
    /// The lawyer's own consultations, newest first (the desk's history).
    fn history(&self, staff: &str, limit: u32) -> Result<Vec<ConsultationRow>, StoreError>;
}

impl LawyerReader for node_core::store::sqlite::SqliteReader {
    fn consultation(&self, id: &str) -> Result<Option<ConsultationRow>, StoreError> {
        self.with(|c| consultation(c, id))
    }
    fn messages(&self, id: &str, after_seq: i64) -> Result<Vec<MessageRow>, StoreError> {
        self.with(|c| messages(c, id, after_seq))
    }
    fn live(&self) -> Result<Vec<ConsultationRow>, StoreError> {
        self.with(live)
    }
    fn inbox(&self, staff: &str, specialties: &[String]) -> Result<Vec<ConsultationRow>, StoreError> {
        self.with(|c| inbox(c, staff, specialties))
    }
    fn profile(&self, staff: &str) -> Result<Option<ProfileRow>, StoreError> {
        self.with(|c| profile(c, staff))
    }
    fn candidates(&self) -> Result<Vec<Candidate>, StoreError> {
        self.with(candidates)
    }
    fn realtime_requests(&self, from: i64, to: i64) -> Result<Vec<(i64, Option<i64>)>, StoreError> {
        self.with(|c| realtime_requests(c, from, to))
    }
    fn lw(&self) -> &dyn super::lw::LwReader {
        self
    }
    fn with_conn(&self, f: &mut dyn FnMut(&Connection) -> rusqlite::Result<()>) -> Result<(), StoreError> {
        self.with(|c| f(c))
    }
    fn history(&self, staff: &str, limit: u32) -> Result<Vec<ConsultationRow>, StoreError> {
        self.with(|c| super::history::history(c, staff, limit))
    }
}
