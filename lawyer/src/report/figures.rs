//! Report contents, 7.3.2, computed from service-order records of a period.
//!
//! - daily (7.3.2.1): 咨询量, 及时解答率, 参评率, 满意率, (非)致命错误率;
//! - weekly (7.3.2.2): adds the lawyers with violations (违规律师);
//! - monthly and longer (7.3.2.3–7.3.2.5): adds the question types and the hot questions.
//!
//! One [`PeriodReport`] carries all of these; a daily report simply ignores the longer-period parts.
//! "咨询人群特征" (7.3.2.3, who the clients are) needs user attributes that an order record does not carry and
//! is left to the caller.
//!
//! "Answered in time" per order: 留言 replied within 120 min (6.2.1.1); real-time first reply within 60 s of the
//! pickup (6.2.2.3.4 a); video picked up within its band's target (6.2.3.1 a); mediation has no per-order answer
//! time and is not counted.

use std::collections::BTreeMap;

use domain::time::{Date, Millis};
use serde::{Deserialize, Serialize};

use super::period::Period;
use super::{Alert, ServiceCounts, Thresholds, all_alerts};
use crate::calendar::{CalendarError, WorkCalendar};
use crate::sla::tasks::{Task, task_due};
use crate::sla::{ServiceKind, SlaConfig, pickup_target};

/// The five-level rating of the national 好差评 scheme. 好评 (7.1.4.2.1 a) is 满意 or better; "非满意"
/// (7.1.3.2) is anything below 满意.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    VeryDissatisfied,
    Dissatisfied,
    Basic,
    Satisfied,
    VerySatisfied,
}

impl Rating {
    pub fn is_good(self) -> bool {
        self >= Rating::Satisfied
    }

    /// The level a citizen gives (1 非常不满意 … 5 非常满意, as the hall evaluators); `None` outside 1–5.
    pub fn from_level(level: u8) -> Option<Rating> {
        match level {
            1 => Some(Rating::VeryDissatisfied),
            2 => Some(Rating::Dissatisfied),
            3 => Some(Rating::Basic),
            4 => Some(Rating::Satisfied),
            5 => Some(Rating::VerySatisfied),
            _ => None,
        }
    }
}

/// The QC verdict of a checked order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QcResult {
    Pass,
    NonFatal,
    Fatal,
}

/// What the reports need of one service order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRecord {
    pub id: String,
    pub lawyer_id: Option<String>,
    pub kind: ServiceKind,
    pub requested_at: Millis,
    /// Live services: when a lawyer picked up (connected). `None`: never connected.
    pub picked_up_at: Option<Millis>,
    /// Real-time: the lawyer's first message; 留言: the reply.
    pub first_reply_at: Option<Millis>,
    pub rating: Option<Rating>,
    pub rated_at: Option<Millis>,
    pub revisited_at: Option<Millis>,
    pub qc: Option<QcResult>,
    pub question_type: Option<String>,
    /// A live (real-time) request nobody picked up in time, which became this 留言 (6.2.2.1 c): it also
    /// counts as a live request not connected — on the platform, not on the lawyer who answered the 留言.
    #[serde(default)]
    pub offered_from_live: bool,
}

/// Whether the order was answered within its service's limit; `None` for services without one.
pub fn answered_in_time(o: &OrderRecord, cfg: &SlaConfig, utc_offset_minutes: i32) -> Option<bool> {
    let within = |from: Millis, to: Option<Millis>, secs: i64| to.is_some_and(|t| t.0 - from.0 <= secs * 1000);
    match o.kind {
        ServiceKind::Message => Some(within(
            o.requested_at,
            o.first_reply_at,
            i64::from(cfg.message_reply_minutes) * 60,
        )),
        ServiceKind::RealTime => Some(
            o.picked_up_at
                .is_some_and(|p| within(p, o.first_reply_at, i64::from(cfg.first_reply_secs))),
        ),
        ServiceKind::Video => {
            let (_, target) = pickup_target(o.kind, o.requested_at, utc_offset_minutes, cfg)?;
            Some(within(o.requested_at, o.picked_up_at, i64::from(target)))
        }
        ServiceKind::Mediation => None,
    }
}

/// Adds one order to the counts. Revisit timeliness needs the working-day calendar.
pub fn count_order(
    c: &mut ServiceCounts,
    o: &OrderRecord,
    cfg: &SlaConfig,
    cal: &WorkCalendar,
    utc_offset_minutes: i32,
) -> Result<(), CalendarError> {
    c.orders += 1;
    if let Some(timely) = answered_in_time(o, cfg, utc_offset_minutes) {
        c.timed += 1;
        c.timely += u64::from(timely);
    }
    if matches!(o.kind, ServiceKind::RealTime | ServiceKind::Video) {
        c.live_requests += 1;
        c.connected += u64::from(o.picked_up_at.is_some());
    } else if o.offered_from_live {
        c.live_requests += 1;
    }
    if let Some(r) = o.rating {
        c.rated += 1;
        if r.is_good() {
            c.good += 1;
        } else {
            c.non_satisfied += 1;
            let from = o.rated_at.unwrap_or(o.requested_at);
            let due = task_due(Task::Revisit, from, cfg, cal, utc_offset_minutes)?;
            c.revisited_in_time += u64::from(o.revisited_at.is_some_and(|v| v <= due));
        }
    }
    match o.qc {
        Some(QcResult::Pass) => c.qc_checked += 1,
        Some(QcResult::NonFatal) => {
            c.qc_checked += 1;
            c.non_fatal += 1;
        }
        Some(QcResult::Fatal) => {
            c.qc_checked += 1;
            c.fatal += 1;
        }
        None => {}
    }
    Ok(())
}

/// The figures of one report (7.3.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodReport {
    pub period: Period,
    pub clause: &'static str,
    pub due: Option<Date>,
    /// 咨询量 per service type.
    pub orders_by_kind: BTreeMap<ServiceKind, u64>,
    /// All orders of the period; the rates come from [`ServiceCounts`]'s methods.
    pub platform: ServiceCounts,
    pub per_lawyer: BTreeMap<String, ServiceCounts>,
    /// 表 1 alerts, platform first (7.1.4.1).
    pub alerts: Vec<Alert>,
    /// Lawyers with a fatal error or a 表 1 alert (7.3.2.2 违规律师), sorted.
    pub violating_lawyers: Vec<String>,
    /// Question types by count, most frequent first (7.3.2.3 咨询问题类型 / 热点问题).
    pub question_types: Vec<(String, u64)>,
}

/// Builds the report of `period` from the orders requested in it (others are ignored).
pub fn build_report(
    period: Period,
    orders: &[OrderRecord],
    cfg: &SlaConfig,
    thresholds: &Thresholds,
    cal: &WorkCalendar,
    utc_offset_minutes: i32,
) -> Result<PeriodReport, CalendarError> {
    let mut platform = ServiceCounts::default();
    let mut per_lawyer: BTreeMap<String, ServiceCounts> = BTreeMap::new();
    let mut orders_by_kind = BTreeMap::new();
    let mut types: BTreeMap<String, u64> = BTreeMap::new();
    for o in orders
        .iter()
        .filter(|o| period.contains_instant(o.requested_at, utc_offset_minutes))
    {
        count_order(&mut platform, o, cfg, cal, utc_offset_minutes)?;
        if let Some(l) = &o.lawyer_id {
            // The lawyer who answered an offered 留言 did not fail to connect the live request.
            let own = OrderRecord {
                offered_from_live: false,
                ..o.clone()
            };
            count_order(
                per_lawyer.entry(l.clone()).or_default(),
                &own,
                cfg,
                cal,
                utc_offset_minutes,
            )?;
        }
        *orders_by_kind.entry(o.kind).or_insert(0) += 1;
        if let Some(t) = o.question_type.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            *types.entry(t.to_string()).or_insert(0) += 1;
        }
    }
    let lawyer_list: Vec<(String, ServiceCounts)> = per_lawyer.iter().map(|(k, v)| (k.clone(), *v)).collect();
    // Platform alerts use all orders (including unassigned ones), not the sum of lawyers.
    let mut alerts = super::alerts(&super::Scope::Platform, &platform, thresholds);
    alerts.extend(
        all_alerts(&lawyer_list, thresholds)
            .into_iter()
            .filter(|a| a.scope != super::Scope::Platform),
    );
    let mut violating: Vec<String> = per_lawyer
        .iter()
        .filter(|(_, c)| c.fatal > 0)
        .map(|(k, _)| k.clone())
        .collect();
    violating.extend(alerts.iter().filter_map(|a| match &a.scope {
        super::Scope::Lawyer(id) => Some(id.clone()),
        super::Scope::Platform => None,
    }));
    violating.sort();
    violating.dedup();
    let mut question_types: Vec<(String, u64)> = types.into_iter().collect();
    question_types.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(PeriodReport {
        period,
        clause: period.clause(),
        due: period.report_due(),
        orders_by_kind,
        platform,
        per_lawyer,
        alerts,
        violating_lawyers: violating,
        question_types,
    })
}

#[cfg(test)]
mod tests {
    use super::super::Metric;
    use super::super::period::PeriodKind;
    use super::*;
    use crate::calendar::tests::{china, d};
    use domain::time::BusinessDay;

    fn at(date: Date, minute: u16) -> Millis {
        BusinessDay(date.days()).at_minute(minute, 480)
    }

    fn order(id: &str, lawyer: &str, kind: ServiceKind, requested_at: Millis) -> OrderRecord {
        OrderRecord {
            id: id.into(),
            lawyer_id: Some(lawyer.into()),
            kind,
            requested_at,
            picked_up_at: Some(Millis(requested_at.0 + 10_000)),
            first_reply_at: Some(Millis(requested_at.0 + 30_000)),
            rating: Some(Rating::VerySatisfied),
            rated_at: Some(Millis(requested_at.0 + 600_000)),
            revisited_at: None,
            qc: Some(QcResult::Pass),
            question_type: Some("劳动争议".into()),
            offered_from_live: false,
        }
    }

    /// 6.2.2.1 c: a real-time request turned into a 留言 counts as a live request not connected — for
    /// the platform, not for the lawyer who then answered the 留言.
    #[test]
    fn an_offered_message_is_an_unconnected_live_request_of_the_platform_only() {
        let (cfg, cal) = (SlaConfig::default(), china());
        let day = Period::containing(PeriodKind::Daily, d(2025, 3, 3));
        let t = at(d(2025, 3, 3), 600);
        let mut offered = order("1", "L1", ServiceKind::Message, t);
        offered.picked_up_at = None;
        offered.offered_from_live = true;
        let live = order("2", "L1", ServiceKind::RealTime, t);
        let r = build_report(day, &[offered, live], &cfg, &Thresholds::default(), &cal, 480).expect("configured");
        assert_eq!(r.platform.orders, 2);
        assert_eq!(r.platform.connection_rate(), crate::ratio::Ratio::new(1, 2));
        assert_eq!(r.per_lawyer["L1"].connection_rate(), crate::ratio::Ratio::new(1, 1));
    }

    #[test]
    fn levels_map_to_ratings_and_below_4_is_non_satisfied_7_1_3_2() {
        assert_eq!(Rating::from_level(0), None);
        assert_eq!(Rating::from_level(6), None);
        let good: Vec<bool> = (1..=5).filter_map(Rating::from_level).map(Rating::is_good).collect();
        assert_eq!(good, [false, false, false, true, true]);
    }

    #[test]
    fn timely_answers_per_service() {
        let cfg = SlaConfig::default();
        let t = at(d(2025, 3, 3), 600);
        let mut m = order("1", "L1", ServiceKind::Message, t);
        m.first_reply_at = Some(t.plus_minutes(120));
        assert_eq!(answered_in_time(&m, &cfg, 480), Some(true), "6.2.1.1");
        m.first_reply_at = Some(t.plus_minutes(121));
        assert_eq!(answered_in_time(&m, &cfg, 480), Some(false));
        let mut r = order("2", "L1", ServiceKind::RealTime, t);
        r.first_reply_at = Some(Millis(t.0 + 10_000 + 61_000));
        assert_eq!(answered_in_time(&r, &cfg, 480), Some(false), "6.2.2.3.4 a");
        let mut v = order("3", "L1", ServiceKind::Video, at(d(2025, 3, 3), 23 * 60));
        v.picked_up_at = Some(Millis(v.requested_at.0 + 25_000));
        assert_eq!(answered_in_time(&v, &cfg, 480), Some(true), "6.2.3.1 a: 30 s at night");
        assert_eq!(
            answered_in_time(&order("4", "L1", ServiceKind::Mediation, t), &cfg, 480),
            None
        );
    }

    #[test]
    fn daily_report_7_3_2_1() {
        let (cfg, cal) = (SlaConfig::default(), china());
        let day = Period::containing(PeriodKind::Daily, d(2025, 3, 3));
        let t = at(d(2025, 3, 3), 600);
        let mut bad = order("2", "L2", ServiceKind::RealTime, t);
        bad.rating = Some(Rating::Dissatisfied);
        bad.rated_at = Some(t);
        bad.revisited_at = Some(at(d(2025, 3, 5), 1)); // after the end of 4 Mar: late
        bad.qc = Some(QcResult::Fatal);
        bad.question_type = Some("婚姻家庭".into());
        let mut missed = order("3", "L1", ServiceKind::RealTime, t);
        missed.picked_up_at = None;
        missed.first_reply_at = None;
        missed.rating = None;
        missed.qc = None;
        let outside = order("4", "L1", ServiceKind::Message, at(d(2025, 3, 4), 600));
        let orders = [order("1", "L1", ServiceKind::Message, t), bad, missed, outside];
        let r = build_report(day, &orders, &cfg, &Thresholds::default(), &cal, 480).expect("configured");
        assert_eq!(r.platform.orders, 3);
        assert_eq!(r.due, None);
        assert_eq!(r.platform.timely_rate(), crate::ratio::Ratio::new(2, 3));
        assert_eq!(r.platform.connection_rate(), crate::ratio::Ratio::new(1, 2));
        assert_eq!(r.platform.rating_rate(), crate::ratio::Ratio::new(2, 3));
        assert_eq!(r.platform.good_rate(), crate::ratio::Ratio::new(1, 2));
        assert_eq!(r.platform.revisit_rate(), crate::ratio::Ratio::new(0, 1));
        assert_eq!(r.platform.fatal_rate(), crate::ratio::Ratio::new(1, 2));
        assert_eq!(r.orders_by_kind.get(&ServiceKind::RealTime), Some(&2));
        assert_eq!(r.violating_lawyers, vec!["L1".to_string(), "L2".to_string()]);
        assert!(
            r.alerts
                .iter()
                .any(|a| a.scope == super::super::Scope::Platform && a.metric == Metric::RevisitRate)
        );
        assert_eq!(
            r.question_types,
            vec![("劳动争议".to_string(), 2), ("婚姻家庭".to_string(), 1)]
        );
    }
}
