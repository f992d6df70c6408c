//! The tables as `lawyer::report` reads them: one [`OrderRecord`] per consultation (its rating, the
//! revisit, the QC verdict), and the [`ServiceCounts`] of 7.1.4.2 per lawyer and for the platform. The
//! reports module reuses these; the rates and 表 1 alerts are the lawyer crate's.
//!
//! Readings (where the tables allow more than one):
//! - a realtime question nobody picked up and that became a 留言 (6.2.2.1 c) is that 留言 (timely if
//!   answered within 120 min) and also a live request not connected — for the platform only, not for
//!   the lawyer who then answered the 留言 (`OrderRecord::offered_from_live`);
//! - the QC verdict is the reviewer's when there is one, else the automatic one;
//! - "revisited" is the first revisit task of the consultation done, at its completion time.

use std::collections::BTreeMap;

use domain::time::Millis;
use lawyer::ServiceKind;
use lawyer::report::ServiceCounts;
use lawyer::report::figures::{OrderRecord, Rating, count_order};
use rusqlite::{Connection, params};

use super::store::parse_qc;

/// Consultations requested in `[from, to)` (ms) as report records, oldest first.
pub fn orders(c: &Connection, from: i64, to: i64) -> rusqlite::Result<Vec<OrderRecord>> {
    c.prepare_cached(
        "SELECT k.id, k.lawyer_id, k.kind, k.converted_at, k.created_at, k.picked_at, k.specialty,
           (SELECT MIN(m.at) FROM consultation_messages m WHERE m.consultation_id = k.id AND m.author = 'lawyer'),
           r.level, r.at,
           (SELECT MIN(t.done_at) FROM lq_tasks t WHERE t.consultation_id = k.id AND t.kind = 'revisit'),
           COALESCE(q.review_result, q.auto_result),
           k.answered_at
         FROM consultations k
         LEFT JOIN consultation_ratings r ON r.consultation_id = k.id
         LEFT JOIN lq_qc q ON q.consultation_id = k.id
         WHERE k.created_at >= ?1 AND k.created_at < ?2 ORDER BY k.created_at, k.id",
    )?
    .query_map(params![from, to], |r| {
        let kind: String = r.get(2)?;
        let converted: Option<i64> = r.get(3)?;
        let kind = match kind.as_str() {
            "realtime" => ServiceKind::RealTime,
            "video" => ServiceKind::Video,
            _ => ServiceKind::Message,
        };
        let level: Option<u8> = r.get(8)?;
        let qc: Option<String> = r.get(11)?;
        let ms = |v: Option<i64>| v.map(Millis);
        Ok(OrderRecord {
            id: r.get(0)?,
            lawyer_id: r.get(1)?,
            kind,
            requested_at: Millis(r.get(4)?),
            picked_up_at: ms(r.get(5)?),
            // Live: the lawyer's first message; 留言: the reply.
            first_reply_at: if kind == ServiceKind::Message {
                ms(r.get(12)?)
            } else {
                ms(r.get(7)?)
            },
            rating: level.and_then(Rating::from_level),
            rated_at: ms(r.get(9)?),
            revisited_at: ms(r.get(10)?),
            qc: qc.as_deref().and_then(parse_qc),
            question_type: Some(r.get(6)?),
            offered_from_live: converted.is_some(),
        })
    })?
    .collect()
}

/// The platform's counts (every order, assigned or not) and each lawyer's, by lawyer id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub platform: ServiceCounts,
    pub per_lawyer: BTreeMap<String, ServiceCounts>,
}

/// Counts `orders` with the lawyer crate's rules (timeliness, revisit within 1 working day, QC grades).
pub fn count(
    orders: &[OrderRecord],
    cfg: &lawyer::SlaConfig,
    cal: &lawyer::WorkCalendar,
    utc_offset_minutes: i32,
) -> Result<Counts, lawyer::CalendarError> {
    let mut out = Counts::default();
    for o in orders {
        count_order(&mut out.platform, o, cfg, cal, utc_offset_minutes)?;
        if let Some(l) = &o.lawyer_id {
            // The lawyer who answered an offered 留言 did not fail to connect the live request.
            let own = OrderRecord {
                offered_from_live: false,
                ..o.clone()
            };
            count_order(
                out.per_lawyer.entry(l.clone()).or_default(),
                &own,
                cfg,
                cal,
                utc_offset_minutes,
            )?;
        }
    }
    Ok(out)
}

/// [`orders`] and [`count`] over `[from, to)` for the node: what a report or the alerts endpoint needs.
pub async fn service_counts(
    app: &crate::Lawyer,
    from: i64,
    to: i64,
) -> Result<(Vec<OrderRecord>, Counts), node_core::error::NodeError> {
    let list = super::query(app, move |c| orders(c, from, to)).await?;
    let counts = count(
        &list,
        &app.config.sla,
        &app.covering_calendar,
        super::UTC_OFFSET_MINUTES,
    )
    .map_err(|e| node_core::error::NodeError::internal(e.to_string()))?;
    Ok((list, counts))
}
