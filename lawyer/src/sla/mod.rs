//! Service levels of the four consultation types (6.1, 6.2) and of the quality follow-ups (7.1.2, 7.1.3), as data
//! ([`SlaConfig`], defaults from the standard) plus pure checks.
//!
//! - [`chat`]: a real-time conversation's events → violations, and the next required action with its deadline.
//! - [`tasks`]: deadlines of order-level tasks (留言 reply, mediation steps, revisits, call-backs, complaints) for
//!   an inbox countdown.
//! - here: pickup targets (real-time and video) and the connection rate.
//!
//! Differences between the issue's summary and the standard, resolved in favour of the standard:
//! - The "no pickup → offer a 留言 consultation" timeout is not in the standard (the standard only sets the 20 s
//!   *average* pickup, 6.2.2.1 a). It is a product rule here, configurable, default 60 s.
//! - The connection rate must be *above* 95% (6.2.2.1 c, 6.2.3.1 c: "＞95%"), while 表 1 (7.1.4.1) alerts below
//!   "≥95%". [`connection_ok`] applies the service clause (strict); the alert in `report` applies 表 1.

pub mod chat;
pub mod tasks;

use domain::time::Millis;
use serde::{Deserialize, Serialize};

use crate::ratio::{BasisPoints, Ratio};

/// The four service types of 6.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// 实时咨询 (6.1 a, 6.2.2)
    RealTime,
    /// 留言咨询 (6.1 b, 6.2.1)
    Message,
    /// 视频咨询 (6.1 c, 6.2.3)
    Video,
    /// 远程调解 (6.1 d, 6.2.4)
    Mediation,
}

impl ServiceKind {
    pub const ALL: [ServiceKind; 4] = [
        ServiceKind::RealTime,
        ServiceKind::Message,
        ServiceKind::Video,
        ServiceKind::Mediation,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            ServiceKind::RealTime => "实时咨询",
            ServiceKind::Message => "留言咨询",
            ServiceKind::Video => "视频咨询",
            ServiceKind::Mediation => "远程调解",
        }
    }
}

/// Every time limit of 6.2 and 7.1, with the standard's values as defaults. Loaded by the caller (TOML/JSON);
/// missing keys take the default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SlaConfig {
    /// 6.2.1.1: 留言 orders answered within 120 min, at any hour.
    pub message_reply_minutes: u32,
    /// 6.2.2.1 a: real-time consultations picked up within 20 s on average, at any hour.
    pub realtime_pickup_avg_secs: u32,
    /// 6.2.2.1 c, 6.2.3.1 c: connection rate above 95%.
    pub connection_rate_above: BasisPoints,
    /// Not in the standard: after this long without a pickup the citizen is offered a 留言 consultation instead.
    pub no_pickup_offer_message_secs: u32,
    /// 6.2.2.3.4 a: the first reply within 60 s.
    pub first_reply_secs: u32,
    /// 6.2.2.3.1 b: a wait over 60 s needs a reassurance (致谢、致歉).
    pub reassure_after_secs: u32,
    /// 6.2.2.3.4 b: a reply taking over 120 s needs the client's consent first.
    pub consent_after_secs: u32,
    /// 6.2.2.3.4 b: even a complex question is answered within 3 min.
    pub complex_answer_max_secs: u32,
    /// 6.2.3.1 a: video pickup within 20 s on average 09:00–22:00 …
    pub video_pickup_day_secs: u32,
    /// … and within 30 s on average 22:00–09:00.
    pub video_pickup_night_secs: u32,
    /// Start of the video day band, minutes after local midnight (09:00).
    pub video_day_start_minute: u16,
    /// End of the video day band, exclusive (22:00).
    pub video_day_end_minute: u16,
    /// 6.2.4.1: mediation applied for at least 5 working days ahead.
    pub mediation_lead_working_days: u32,
    /// 6.2.4.1: the operator phones to verify within 1 working day.
    pub mediation_verify_working_days: u32,
    /// 6.2.4.1: a lawyer is assigned within 3 working days.
    pub mediation_assign_working_days: u32,
    /// 6.2.4.2 a: the lawyer is in the online room 10 min before the start.
    pub mediation_lawyer_early_minutes: u32,
    /// 7.1.3.2: every non-satisfied order revisited within 1 working day.
    pub revisit_working_days: u32,
    /// 7.1.3.2 b: a legal question raised in the revisit is called back by the lawyer within 1 h.
    pub legal_callback_minutes: u32,
    /// 7.1.2.2: a complaint or suggestion is answered by phone within 1 working day.
    pub complaint_callback_working_days: u32,
}

impl Default for SlaConfig {
    fn default() -> Self {
        SlaConfig {
            message_reply_minutes: 120,
            realtime_pickup_avg_secs: 20,
            connection_rate_above: BasisPoints::percent(95),
            no_pickup_offer_message_secs: 60,
            first_reply_secs: 60,
            reassure_after_secs: 60,
            consent_after_secs: 120,
            complex_answer_max_secs: 180,
            video_pickup_day_secs: 20,
            video_pickup_night_secs: 30,
            video_day_start_minute: 9 * 60,
            video_day_end_minute: 22 * 60,
            mediation_lead_working_days: 5,
            mediation_verify_working_days: 1,
            mediation_assign_working_days: 3,
            mediation_lawyer_early_minutes: 10,
            revisit_working_days: 1,
            legal_callback_minutes: 60,
            complaint_callback_working_days: 1,
        }
    }
}

/// `at + secs` seconds.
pub(crate) fn plus_secs(at: Millis, secs: u32) -> Millis {
    Millis(at.0 + i64::from(secs) * 1000)
}

/// The time band a pickup target applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PickupBand {
    /// Real-time: one target around the clock (6.2.2.1 a).
    AllDay,
    /// Video 09:00–22:00 (6.2.3.1 a).
    Day,
    /// Video 22:00–09:00 (6.2.3.1 a).
    Night,
}

/// The band and average pickup target for a request of `kind` made at `requested_at`; `None` for 留言 and
/// mediation, which are not picked up live.
pub fn pickup_target(
    kind: ServiceKind,
    requested_at: Millis,
    utc_offset_minutes: i32,
    cfg: &SlaConfig,
) -> Option<(PickupBand, u32)> {
    match kind {
        ServiceKind::RealTime => Some((PickupBand::AllDay, cfg.realtime_pickup_avg_secs)),
        ServiceKind::Video => {
            let minute = requested_at.minute_of_day(utc_offset_minutes);
            if (cfg.video_day_start_minute..cfg.video_day_end_minute).contains(&minute) {
                Some((PickupBand::Day, cfg.video_pickup_day_secs))
            } else {
                Some((PickupBand::Night, cfg.video_pickup_night_secs))
            }
        }
        ServiceKind::Message | ServiceKind::Mediation => None,
    }
}

/// One picked-up live request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickupSample {
    pub kind: ServiceKind,
    pub requested_at: Millis,
    pub picked_up_at: Millis,
}

/// The average pickup time of one (kind, band) against its target. The targets are averages ("平均 20 s 内"),
/// so a single slow pickup is not a violation; the average over the period is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickupAverage {
    pub kind: ServiceKind,
    pub band: PickupBand,
    pub samples: u64,
    pub total_millis: u64,
    pub target_secs: u32,
    /// `total / samples ≤ target`, compared exactly.
    pub met: bool,
    pub clause: &'static str,
}

impl PickupAverage {
    pub fn average_secs(&self) -> f64 {
        self.total_millis as f64 / 1000.0 / self.samples.max(1) as f64
    }
}

/// Average pickup per (kind, band), ordered by kind then band; bands without samples are left out.
pub fn pickup_averages(samples: &[PickupSample], utc_offset_minutes: i32, cfg: &SlaConfig) -> Vec<PickupAverage> {
    let mut groups: std::collections::BTreeMap<(ServiceKind, PickupBand), (u64, u64, u32)> = Default::default();
    for s in samples {
        if let Some((band, target)) = pickup_target(s.kind, s.requested_at, utc_offset_minutes, cfg) {
            let waited = u64::try_from(s.picked_up_at.0 - s.requested_at.0).unwrap_or(0);
            let g = groups.entry((s.kind, band)).or_insert((0, 0, target));
            g.0 += 1;
            g.1 += waited;
        }
    }
    groups
        .into_iter()
        .map(|((kind, band), (samples, total_millis, target_secs))| PickupAverage {
            kind,
            band,
            samples,
            total_millis,
            target_secs,
            met: u128::from(total_millis) <= u128::from(target_secs) * 1000 * u128::from(samples),
            clause: if kind == ServiceKind::Video {
                "6.2.3.1 a"
            } else {
                "6.2.2.1 a"
            },
        })
        .collect()
}

/// Product rule (not in the standard): a live request still not picked up after the configured time is offered a
/// 留言 consultation, so the citizen is never left waiting on an empty line.
pub fn should_offer_message(requested_at: Millis, now: Millis, picked_up: bool, cfg: &SlaConfig) -> bool {
    !picked_up && now >= plus_secs(requested_at, cfg.no_pickup_offer_message_secs)
}

/// 6.2.2.1 c / 6.2.3.1 c: connected ÷ requested must be above 95%. `None` without requests.
pub fn connection_ok(connected_over_requested: Ratio, cfg: &SlaConfig) -> Option<bool> {
    connected_over_requested.above(cfg.connection_rate_above)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::time::BusinessDay;

    fn at(day: i32, minute: u16) -> Millis {
        BusinessDay(day).at_minute(minute, 480)
    }

    #[test]
    fn config_defaults_and_partial_override() {
        // Missing keys take the standard's values.
        let cfg: SlaConfig = serde_json::from_str(r#"{"no_pickup_offer_message_secs": 90}"#).expect("json");
        assert_eq!(cfg.no_pickup_offer_message_secs, 90);
        assert_eq!(cfg.message_reply_minutes, 120, "6.2.1.1");
        assert_eq!(cfg.complex_answer_max_secs, 180, "6.2.2.3.4 b");
    }

    #[test]
    fn video_pickup_band_by_local_time() {
        // 6.2.3.1 a: 20 s from 09:00 to 22:00, 30 s otherwise.
        let cfg = SlaConfig::default();
        let target = |minute| pickup_target(ServiceKind::Video, at(20_000, minute), 480, &cfg);
        assert_eq!(target(9 * 60), Some((PickupBand::Day, 20)));
        assert_eq!(target(9 * 60 - 1), Some((PickupBand::Night, 30)));
        assert_eq!(target(22 * 60 - 1), Some((PickupBand::Day, 20)));
        assert_eq!(target(22 * 60), Some((PickupBand::Night, 30)));
        assert_eq!(pickup_target(ServiceKind::Message, at(20_000, 0), 480, &cfg), None);
    }

    #[test]
    fn pickup_average_is_an_average() {
        // 6.2.2.1 a: 10 s and 30 s average 20 s: met; one more 21 s tips it over.
        let cfg = SlaConfig::default();
        let s = |secs: u32| PickupSample {
            kind: ServiceKind::RealTime,
            requested_at: at(20_000, 600),
            picked_up_at: plus_secs(at(20_000, 600), secs),
        };
        let avg = pickup_averages(&[s(10), s(30)], 480, &cfg);
        assert_eq!(avg.len(), 1);
        assert!(avg[0].met);
        assert_eq!(avg[0].average_secs(), 20.0);
        assert!(!pickup_averages(&[s(10), s(30), s(21)], 480, &cfg)[0].met);
    }

    #[test]
    fn connection_rate_must_be_above_95() {
        // 6.2.2.1 c: "＞95%" — exactly 95% fails.
        let cfg = SlaConfig::default();
        assert_eq!(connection_ok(Ratio::new(95, 100), &cfg), Some(false));
        assert_eq!(connection_ok(Ratio::new(951, 1000), &cfg), Some(true));
        assert_eq!(connection_ok(Ratio::new(0, 0), &cfg), None);
    }

    #[test]
    fn offer_message_after_timeout() {
        let cfg = SlaConfig::default();
        let t = at(20_000, 600);
        assert!(!should_offer_message(t, plus_secs(t, 59), false, &cfg));
        assert!(should_offer_message(t, plus_secs(t, 60), false, &cfg));
        assert!(!should_offer_message(t, plus_secs(t, 600), true, &cfg));
    }
}
