//! Report periods and their deadlines, 7.3.1 / 7.3.2: daily, weekly, monthly, quarterly, half-yearly and yearly.
//!
//! Deadlines (the day by which a report is due):
//! - daily (7.3.2.1): "通过采购方指定的方式和渠道" — no deadline in the standard → `None`;
//! - weekly (7.3.2.2): the Monday after the week (weeks run Monday–Sunday);
//! - monthly (7.3.2.3): the 5th of the next month;
//! - quarterly (7.3.2.4): "4 月 10 日、7 月 10 日、10 月 10 日、次年 1 月 10 日前" → the 10th of the month after the
//!   quarter ("前" read as "no later than");
//! - yearly (7.3.2.4, 7.3.2.5): 15 January of the next year;
//! - half-yearly: 7.3.2.5 names "半年报/年报" but gives only the yearly date (次年 1 月 15 日). The second half
//!   shares the yearly report's date; the first half's deadline is not stated → `None`.

use domain::time::{BusinessDay, Date, Millis};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Daily,
    Weekly,
    Monthly,
    Quarterly,
    HalfYearly,
    Yearly,
}

impl PeriodKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            PeriodKind::Daily => "日报",
            PeriodKind::Weekly => "周报",
            PeriodKind::Monthly => "月报",
            PeriodKind::Quarterly => "季报",
            PeriodKind::HalfYearly => "半年报",
            PeriodKind::Yearly => "年报",
        }
    }

    /// Months per period for the month-based kinds.
    fn months(self) -> Option<u8> {
        match self {
            PeriodKind::Monthly => Some(1),
            PeriodKind::Quarterly => Some(3),
            PeriodKind::HalfYearly => Some(6),
            PeriodKind::Yearly => Some(12),
            PeriodKind::Daily | PeriodKind::Weekly => None,
        }
    }
}

/// `[start, end)` in local calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    pub kind: PeriodKind,
    pub start: Date,
    /// Exclusive.
    pub end: Date,
}

fn first_of(year: i32, month: u8) -> Date {
    Date { year, month, day: 1 }
}

/// The first day of the month `months` after (year, month).
fn add_months(year: i32, month: u8, months: u8) -> Date {
    let zero_based = i32::from(month) - 1 + i32::from(months);
    first_of(
        year + zero_based.div_euclid(12),
        u8::try_from(zero_based.rem_euclid(12) + 1).unwrap_or(1),
    )
}

impl Period {
    /// The period of `kind` that contains `date`.
    pub fn containing(kind: PeriodKind, date: Date) -> Period {
        let days = date.days();
        match kind.months() {
            None if kind == PeriodKind::Daily => Period {
                kind,
                start: date,
                end: Date::from_days(days + 1),
            },
            None => {
                // ISO weeks: Monday first.
                let monday = days - i32::from(BusinessDay(days).weekday()) + 1;
                Period {
                    kind,
                    start: Date::from_days(monday),
                    end: Date::from_days(monday + 7),
                }
            }
            Some(n) => {
                let first_month = (date.month - 1) / n * n + 1;
                Period {
                    kind,
                    start: first_of(date.year, first_month),
                    end: add_months(date.year, first_month, n),
                }
            }
        }
    }

    /// The period just before this one (a report is about the previous period).
    pub fn previous(&self) -> Period {
        Period::containing(self.kind, Date::from_days(self.start.days() - 1))
    }

    pub fn contains(&self, date: Date) -> bool {
        self.start <= date && date < self.end
    }

    /// `[from, to)` as instants, for a hall at `utc_offset_minutes`.
    pub fn instants(&self, utc_offset_minutes: i32) -> (Millis, Millis) {
        (
            BusinessDay(self.start.days()).at_minute(0, utc_offset_minutes),
            BusinessDay(self.end.days()).at_minute(0, utc_offset_minutes),
        )
    }

    pub fn contains_instant(&self, at: Millis, utc_offset_minutes: i32) -> bool {
        let (from, to) = self.instants(utc_offset_minutes);
        from <= at && at < to
    }

    /// The day the report on this period is due (see the module notes); `None` where the standard sets none.
    pub fn report_due(&self) -> Option<Date> {
        let next = self.end;
        match self.kind {
            PeriodKind::Daily => None,
            PeriodKind::Weekly => Some(next),
            PeriodKind::Monthly => Some(Date { day: 5, ..next }),
            PeriodKind::Quarterly => Some(Date { day: 10, ..next }),
            PeriodKind::HalfYearly if self.start.month == 1 => None,
            PeriodKind::HalfYearly | PeriodKind::Yearly => Some(Date {
                year: self.start.year + 1,
                month: 1,
                day: 15,
            }),
        }
    }

    pub fn clause(&self) -> &'static str {
        match self.kind {
            PeriodKind::Daily => "7.3.2.1",
            PeriodKind::Weekly => "7.3.2.2",
            PeriodKind::Monthly => "7.3.2.3",
            PeriodKind::Quarterly => "7.3.2.4",
            PeriodKind::HalfYearly | PeriodKind::Yearly => "7.3.2.5",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date { year: y, month: m, day }
    }

    #[test]
    fn periods_contain_the_date() {
        let p = |k| Period::containing(k, d(2025, 11, 19));
        assert_eq!(
            (p(PeriodKind::Daily).start, p(PeriodKind::Daily).end),
            (d(2025, 11, 19), d(2025, 11, 20))
        );
        // 2025-11-19 is a Wednesday.
        assert_eq!(
            (p(PeriodKind::Weekly).start, p(PeriodKind::Weekly).end),
            (d(2025, 11, 17), d(2025, 11, 24))
        );
        assert_eq!(
            (p(PeriodKind::Monthly).start, p(PeriodKind::Monthly).end),
            (d(2025, 11, 1), d(2025, 12, 1))
        );
        assert_eq!(
            (p(PeriodKind::Quarterly).start, p(PeriodKind::Quarterly).end),
            (d(2025, 10, 1), d(2026, 1, 1))
        );
        assert_eq!(
            (p(PeriodKind::HalfYearly).start, p(PeriodKind::HalfYearly).end),
            (d(2025, 7, 1), d(2026, 1, 1))
        );
        assert_eq!(
            (p(PeriodKind::Yearly).start, p(PeriodKind::Yearly).end),
            (d(2025, 1, 1), d(2026, 1, 1))
        );
        assert!(p(PeriodKind::Weekly).contains(d(2025, 11, 23)));
        assert!(!p(PeriodKind::Weekly).contains(d(2025, 11, 24)));
    }

    #[test]
    fn deadlines_7_3_2() {
        let due = |k, date| Period::containing(k, date).report_due();
        assert_eq!(due(PeriodKind::Daily, d(2025, 11, 19)), None, "7.3.2.1: no deadline");
        assert_eq!(
            due(PeriodKind::Weekly, d(2025, 11, 19)),
            Some(d(2025, 11, 24)),
            "7.3.2.2: next Monday"
        );
        assert_eq!(
            due(PeriodKind::Monthly, d(2025, 12, 31)),
            Some(d(2026, 1, 5)),
            "7.3.2.3: the 5th"
        );
        assert_eq!(
            due(PeriodKind::Quarterly, d(2025, 2, 1)),
            Some(d(2025, 4, 10)),
            "7.3.2.4"
        );
        assert_eq!(due(PeriodKind::Quarterly, d(2025, 5, 1)), Some(d(2025, 7, 10)));
        assert_eq!(due(PeriodKind::Quarterly, d(2025, 9, 30)), Some(d(2025, 10, 10)));
        assert_eq!(due(PeriodKind::Quarterly, d(2025, 12, 1)), Some(d(2026, 1, 10)));
        assert_eq!(due(PeriodKind::Yearly, d(2025, 6, 1)), Some(d(2026, 1, 15)), "7.3.2.5");
        assert_eq!(due(PeriodKind::HalfYearly, d(2025, 8, 1)), Some(d(2026, 1, 15)));
        assert_eq!(
            due(PeriodKind::HalfYearly, d(2025, 3, 1)),
            None,
            "H1 deadline not stated"
        );
    }

    #[test]
    fn previous_period_and_instants() {
        let week = Period::containing(PeriodKind::Weekly, d(2026, 1, 1));
        assert_eq!(week.previous().start, d(2025, 12, 22));
        assert_eq!(
            Period::containing(PeriodKind::Quarterly, d(2026, 2, 1))
                .previous()
                .start,
            d(2025, 10, 1)
        );
        let day = Period::containing(PeriodKind::Daily, d(2025, 11, 19));
        let (from, to) = day.instants(480);
        assert_eq!(to.0 - from.0, Millis::DAY);
        assert!(day.contains_instant(from, 480) && !day.contains_instant(to, 480));
    }
}
