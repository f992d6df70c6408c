//! Quality figures and warnings: the rates of 7.1.4.2 and 7.3.2.1, the warning values of 表 1 (7.1.4.1), and
//! the report contents of 7.3.2 ([`figures`]) over report periods ([`period`]).
//!
//! The formulas of 7.1.4.2 are images in the source document; the text keeps only "月度好评率 =", "月度评价率 =",
//! "非致命性错误率 =", "致命性错误率 =". The numerators and denominators below are therefore a reading, chosen to
//! match the names and the practice of the 12348 hotlines:
//! - 好评率 (= 满意率 of 表 1) = orders rated 满意 or 非常满意 ÷ orders rated. 7.1.4.1 monitors the 好评率
//!   against 表 1's 满意率 line, so the two are one measure here;
//! - 评价率 (= 参评率 of 表 1 and 7.3.2.1) = orders rated ÷ orders served;
//! - 致命/非致命错误率 = QC-checked orders with a fatal / non-fatal error ÷ QC-checked orders (QC samples
//!   orders, 7.2.4 a: 随机质检, so the base is the checked orders, not all orders);
//! - 接通率 = live requests (real-time, video) connected ÷ live requests;
//! - 回访率 = non-satisfied orders revisited within 1 working day (7.1.3.2) ÷ non-satisfied orders;
//! - 及时解答率 (7.3.2.1) = orders answered within their service's limit ÷ orders with such a limit.

pub mod figures;
pub mod period;

use serde::{Deserialize, Serialize};

use crate::ratio::{BasisPoints, Ratio};

/// The counts every rate is computed from, for one lawyer or the whole platform over a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ServiceCounts {
    /// Orders served (咨询量).
    pub orders: u64,
    /// Orders with a time limit (留言, real-time, video) …
    pub timed: u64,
    /// … of which answered in time.
    pub timely: u64,
    /// Live requests (real-time, video) …
    pub live_requests: u64,
    /// … of which connected.
    pub connected: u64,
    /// Orders rated.
    pub rated: u64,
    /// Orders rated 满意 or 非常满意.
    pub good: u64,
    /// Orders rated below 满意.
    pub non_satisfied: u64,
    /// Non-satisfied orders revisited within 1 working day.
    pub revisited_in_time: u64,
    /// Orders checked by QC …
    pub qc_checked: u64,
    /// … with at least one fatal error.
    pub fatal: u64,
    /// … with at least one non-fatal error (and none fatal).
    pub non_fatal: u64,
}

impl ServiceCounts {
    /// 7.1.4.2.1 a 好评率 (= 表 1 满意率).
    pub fn good_rate(&self) -> Ratio {
        Ratio::new(self.good, self.rated)
    }
    /// 7.1.4.2.1 b 评价率 (= 表 1 参评率).
    pub fn rating_rate(&self) -> Ratio {
        Ratio::new(self.rated, self.orders)
    }
    /// 7.1.4.2.2 b 致命性错误率.
    pub fn fatal_rate(&self) -> Ratio {
        Ratio::new(self.fatal, self.qc_checked)
    }
    /// 7.1.4.2.2 a 非致命性错误率.
    pub fn non_fatal_rate(&self) -> Ratio {
        Ratio::new(self.non_fatal, self.qc_checked)
    }
    /// 表 1 接通率.
    pub fn connection_rate(&self) -> Ratio {
        Ratio::new(self.connected, self.live_requests)
    }
    /// 表 1 对非满意服务评价的回访率.
    pub fn revisit_rate(&self) -> Ratio {
        Ratio::new(self.revisited_in_time, self.non_satisfied)
    }
    /// 7.3.2.1 及时解答率.
    pub fn timely_rate(&self) -> Ratio {
        Ratio::new(self.timely, self.timed)
    }
    /// QC pass rate: checked orders without any error (used by the probation of 6.3.1 d).
    pub fn qc_pass_rate(&self) -> Ratio {
        Ratio::new(
            self.qc_checked.saturating_sub(self.fatal + self.non_fatal),
            self.qc_checked,
        )
    }

    /// Adds another set of counts (a lawyer's into the platform's).
    pub fn add(&mut self, o: &ServiceCounts) {
        self.orders += o.orders;
        self.timed += o.timed;
        self.timely += o.timely;
        self.live_requests += o.live_requests;
        self.connected += o.connected;
        self.rated += o.rated;
        self.good += o.good;
        self.non_satisfied += o.non_satisfied;
        self.revisited_in_time += o.revisited_in_time;
        self.qc_checked += o.qc_checked;
        self.fatal += o.fatal;
        self.non_fatal += o.non_fatal;
    }
}

/// The monitored items of 表 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    RevisitRate,
    RatingRate,
    ConnectionRate,
    SatisfactionRate,
    FatalErrorRate,
    NonFatalErrorRate,
}

impl Metric {
    pub const ALL: [Metric; 6] = [
        Metric::RevisitRate,
        Metric::RatingRate,
        Metric::ConnectionRate,
        Metric::SatisfactionRate,
        Metric::FatalErrorRate,
        Metric::NonFatalErrorRate,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            Metric::RevisitRate => "对非满意服务评价的回访率",
            Metric::RatingRate => "参评率",
            Metric::ConnectionRate => "接通率",
            Metric::SatisfactionRate => "满意率",
            Metric::FatalErrorRate => "致命错误率",
            Metric::NonFatalErrorRate => "非致命错误率",
        }
    }

    pub fn value(self, c: &ServiceCounts) -> Ratio {
        match self {
            Metric::RevisitRate => c.revisit_rate(),
            Metric::RatingRate => c.rating_rate(),
            Metric::ConnectionRate => c.connection_rate(),
            Metric::SatisfactionRate => c.good_rate(),
            Metric::FatalErrorRate => c.fatal_rate(),
            Metric::NonFatalErrorRate => c.non_fatal_rate(),
        }
    }
}

/// A warning line: the rate must stay at or above (`AtLeast`) or at or below (`AtMost`) the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    AtLeast(BasisPoints),
    AtMost(BasisPoints),
}

impl Limit {
    /// `Some(true)` when the rate breaks the line; `None` without data.
    pub fn broken_by(self, r: Ratio) -> Option<bool> {
        match self {
            Limit::AtLeast(t) => r.at_least(t).map(|ok| !ok),
            Limit::AtMost(t) => r.at_most(t).map(|ok| !ok),
        }
    }
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Limit::AtLeast(t) => write!(f, "≥{t}"),
            Limit::AtMost(t) => write!(f, "≤{t}"),
        }
    }
}

/// 表 1 服务质量预警值, configurable; defaults are the table's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    /// 100% (表 1 lists "100%"; read as ≥100%).
    pub revisit_rate: Limit,
    pub rating_rate: Limit,
    pub connection_rate: Limit,
    pub satisfaction_rate: Limit,
    pub fatal_error_rate: Limit,
    pub non_fatal_error_rate: Limit,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            revisit_rate: Limit::AtLeast(BasisPoints::percent(100)),
            rating_rate: Limit::AtLeast(BasisPoints::percent(40)),
            connection_rate: Limit::AtLeast(BasisPoints::percent(95)),
            satisfaction_rate: Limit::AtLeast(BasisPoints::percent(95)),
            fatal_error_rate: Limit::AtMost(BasisPoints::percent(2)),
            non_fatal_error_rate: Limit::AtMost(BasisPoints::percent(10)),
        }
    }
}

impl Thresholds {
    pub fn limit(&self, m: Metric) -> Limit {
        match m {
            Metric::RevisitRate => self.revisit_rate,
            Metric::RatingRate => self.rating_rate,
            Metric::ConnectionRate => self.connection_rate,
            Metric::SatisfactionRate => self.satisfaction_rate,
            Metric::FatalErrorRate => self.fatal_error_rate,
            Metric::NonFatalErrorRate => self.non_fatal_error_rate,
        }
    }
}

/// Whom an alert is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "scope", content = "id")]
pub enum Scope {
    Platform,
    Lawyer(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub scope: Scope,
    pub metric: Metric,
    pub value: Ratio,
    pub limit: Limit,
    pub clause: &'static str,
}

impl Alert {
    pub fn message(&self) -> String {
        let who = match &self.scope {
            Scope::Platform => "平台".to_string(),
            Scope::Lawyer(id) => format!("律师 {id}"),
        };
        format!(
            "{who}{}为 {}，预警值 {} ({:?} crosses its 表 1 line)",
            self.metric.label_zh(),
            self.value,
            self.limit,
            self.metric
        )
    }
}

/// 7.1.4.1: every 表 1 line the counts break. A rate without data (zero denominator) raises nothing.
pub fn alerts(scope: &Scope, counts: &ServiceCounts, thresholds: &Thresholds) -> Vec<Alert> {
    Metric::ALL
        .into_iter()
        .filter_map(|metric| {
            let value = metric.value(counts);
            let limit = thresholds.limit(metric);
            (limit.broken_by(value) == Some(true)).then(|| Alert {
                scope: scope.clone(),
                metric,
                value,
                limit,
                clause: "7.1.4.1 表1",
            })
        })
        .collect()
}

/// Platform-wide alerts (over the sum of all lawyers' counts) followed by each lawyer's, in the given order.
pub fn all_alerts(per_lawyer: &[(String, ServiceCounts)], thresholds: &Thresholds) -> Vec<Alert> {
    let mut total = ServiceCounts::default();
    per_lawyer.iter().for_each(|(_, c)| total.add(c));
    let mut out = alerts(&Scope::Platform, &total, thresholds);
    for (id, c) in per_lawyer {
        out.extend(alerts(&Scope::Lawyer(id.clone()), c, thresholds));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn healthy() -> ServiceCounts {
        ServiceCounts {
            orders: 100,
            timed: 100,
            timely: 100,
            live_requests: 100,
            connected: 95,
            rated: 40,
            good: 38,
            non_satisfied: 2,
            revisited_in_time: 2,
            qc_checked: 50,
            fatal: 1,
            non_fatal: 5,
        }
    }

    #[test]
    fn table_1_boundaries_raise_nothing() {
        // Every rate exactly on its 表 1 line: 95%, 40%, 95%, 100%, 2%, 10%.
        assert_eq!(alerts(&Scope::Platform, &healthy(), &Thresholds::default()), vec![]);
    }

    #[test]
    fn each_line_crossed_raises_its_alert_7_1_4_1() {
        let t = Thresholds::default();
        let metric_of = |c: ServiceCounts| {
            alerts(&Scope::Platform, &c, &t)
                .iter()
                .map(|a| a.metric)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            metric_of(ServiceCounts {
                revisited_in_time: 1,
                ..healthy()
            }),
            [Metric::RevisitRate]
        );
        assert_eq!(
            metric_of(ServiceCounts {
                rated: 39,
                good: 38,
                non_satisfied: 1,
                revisited_in_time: 1,
                ..healthy()
            }),
            [Metric::RatingRate]
        );
        assert_eq!(
            metric_of(ServiceCounts {
                connected: 94,
                ..healthy()
            }),
            [Metric::ConnectionRate]
        );
        assert_eq!(
            metric_of(ServiceCounts {
                good: 37,
                non_satisfied: 3,
                revisited_in_time: 3,
                ..healthy()
            }),
            [Metric::SatisfactionRate]
        );
        assert_eq!(
            metric_of(ServiceCounts { fatal: 2, ..healthy() }),
            [Metric::FatalErrorRate]
        );
        assert_eq!(
            metric_of(ServiceCounts {
                non_fatal: 6,
                ..healthy()
            }),
            [Metric::NonFatalErrorRate]
        );
    }

    #[test]
    fn no_data_no_alert() {
        assert_eq!(
            alerts(&Scope::Platform, &ServiceCounts::default(), &Thresholds::default()),
            vec![]
        );
    }

    #[test]
    fn per_lawyer_and_platform_7_1_4_1() {
        let bad = ServiceCounts { fatal: 5, ..healthy() };
        let list = all_alerts(&[("L1".into(), healthy()), ("L2".into(), bad)], &Thresholds::default());
        let scopes: Vec<_> = list.iter().map(|a| (a.scope.clone(), a.metric)).collect();
        // Platform: 6 fatal of 100 checked = 6% > 2%; lawyer L2: 10%.
        assert_eq!(
            scopes,
            vec![
                (Scope::Platform, Metric::FatalErrorRate),
                (Scope::Lawyer("L2".into()), Metric::FatalErrorRate)
            ]
        );
        assert!(list[1].message().starts_with("律师 L2致命错误率为 10.00%"));
    }

    #[test]
    fn formulas_7_1_4_2() {
        let c = healthy();
        assert_eq!(c.good_rate(), Ratio::new(38, 40));
        assert_eq!(c.rating_rate(), Ratio::new(40, 100));
        assert_eq!(c.fatal_rate(), Ratio::new(1, 50));
        assert_eq!(c.non_fatal_rate(), Ratio::new(5, 50));
        assert_eq!(c.qc_pass_rate(), Ratio::new(44, 50));
    }
}
