//! Working days (工作日). Several deadlines of the standard count working days: mediation booked 5 working days
//! ahead and verified within 1 (6.2.4.1), non-satisfied orders revisited within 1 (7.1.3.2), complaints called
//! back within 1 (7.1.2.2), rating objections within 15 (7.1.1.5).
//!
//! China's working days are weekdays minus the public holidays, plus the make-up workdays (调休) that the State
//! Council publishes each year. Those lists change yearly, so they are data ([`CalendarConfig`], loaded by the
//! caller from TOML/JSON), and a date in a year that is not configured is an error rather than a guess: a
//! silently wrong deadline is worse than a refused one.

use std::collections::{BTreeMap, BTreeSet};

use domain::time::{BusinessDay, Date, Millis};
use serde::{Deserialize, Serialize};

/// The holidays and make-up workdays of one calendar year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearCalendar {
    pub year: i32,
    /// Days off that would otherwise be working days (法定节假日, including the weekdays of a bridged break).
    #[serde(default)]
    pub holidays: Vec<Date>,
    /// Weekend days that are working days (调休上班).
    #[serde(default)]
    pub workdays: Vec<Date>,
}

/// The configured years. Only these years can be asked about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CalendarConfig {
    pub years: Vec<YearCalendar>,
}

impl CalendarConfig {
    /// Mainland China's published schedules (国务院办公厅 notices: 2025 — 国办发明电〔2024〕12号; 2026 —
    /// the notice of 2025-11-04). The server starts from these; operators add each new year in
    /// `[lawyer.calendar]` when the State Council publishes it (usually in November).
    pub fn mainland_china() -> CalendarConfig {
        let d = |year, month, day| Date { year, month, day };
        let days = |year: i32, list: &[(u8, u8)]| list.iter().map(|&(m, day)| d(year, m, day)).collect();
        CalendarConfig {
            years: vec![
                YearCalendar {
                    year: 2025,
                    holidays: days(
                        2025,
                        &[
                            (1, 1),
                            (1, 28),
                            (1, 29),
                            (1, 30),
                            (1, 31),
                            (2, 3),
                            (2, 4),
                            (4, 4),
                            (5, 1),
                            (5, 2),
                            (5, 5),
                            (6, 2),
                            (10, 1),
                            (10, 2),
                            (10, 3),
                            (10, 6),
                            (10, 7),
                            (10, 8),
                        ],
                    ),
                    workdays: days(2025, &[(1, 26), (2, 8), (4, 27), (9, 28), (10, 11)]),
                },
                YearCalendar {
                    year: 2026,
                    // 元旦 1–3 Jan, 春节 15–23 Feb, 清明 4–6 Apr, 劳动节 1–5 May, 端午 19–21 Jun, 中秋 25–27 Sep,
                    // 国庆 1–7 Oct: the weekdays among them.
                    holidays: days(
                        2026,
                        &[
                            (1, 1),
                            (1, 2),
                            (2, 16),
                            (2, 17),
                            (2, 18),
                            (2, 19),
                            (2, 20),
                            (2, 23),
                            (4, 6),
                            (5, 1),
                            (5, 4),
                            (5, 5),
                            (6, 19),
                            (9, 25),
                            (10, 1),
                            (10, 2),
                            (10, 5),
                            (10, 6),
                            (10, 7),
                        ],
                    ),
                    workdays: days(2026, &[(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)]),
                },
            ],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("{year} 年的节假日未配置 (the working-day calendar has no entry for {year})")]
    YearNotConfigured { year: i32 },
    #[error("{year} 年配置了两次 (year {year} is configured twice)")]
    DuplicateYear { year: i32 },
    #[error("{date} 不属于 {year} 年的配置 (date {date} is listed under year {year})")]
    DateOutsideYear { date: Date, year: i32 },
    #[error("{date} 同时被配置为节假日和调休工作日 (date {date} is both a holiday and a make-up workday)")]
    Conflicting { date: Date },
    #[error("{date} 不是有效日期 (not a real date: {date})")]
    InvalidDate { date: Date },
}

#[derive(Debug, Clone, Default)]
struct YearSets {
    holidays: BTreeSet<i32>,
    workdays: BTreeSet<i32>,
}

/// A validated working-day calendar.
#[derive(Debug, Clone)]
pub struct WorkCalendar {
    years: BTreeMap<i32, YearSets>,
}

/// Whether a day is a weekend day, by the proleptic Gregorian calendar.
pub fn is_weekend(date: Date) -> bool {
    BusinessDay(date.days()).weekday() >= 6
}

impl WorkCalendar {
    pub fn new(config: &CalendarConfig) -> Result<WorkCalendar, CalendarError> {
        let mut years = BTreeMap::new();
        for y in &config.years {
            let mut sets = YearSets::default();
            for (list, set) in [(&y.holidays, &mut sets.holidays), (&y.workdays, &mut sets.workdays)] {
                for &date in list {
                    if Date::new(date.year, date.month, date.day).is_none() {
                        return Err(CalendarError::InvalidDate { date });
                    }
                    if date.year != y.year {
                        return Err(CalendarError::DateOutsideYear { date, year: y.year });
                    }
                    set.insert(date.days());
                }
            }
            if let Some(&d) = sets.holidays.intersection(&sets.workdays).next() {
                return Err(CalendarError::Conflicting {
                    date: Date::from_days(d),
                });
            }
            if years.insert(y.year, sets).is_some() {
                return Err(CalendarError::DuplicateYear { year: y.year });
            }
        }
        Ok(WorkCalendar { years })
    }

    /// The configured years, ascending.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }

    /// Weekdays are working days unless listed as holidays; weekend days are not unless listed as make-up days.
    pub fn is_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        let sets = self
            .years
            .get(&date.year)
            .ok_or(CalendarError::YearNotConfigured { year: date.year })?;
        let d = date.days();
        Ok(if is_weekend(date) {
            sets.workdays.contains(&d)
        } else {
            !sets.holidays.contains(&d)
        })
    }

    /// The `n`-th working day after `date` (`date` itself never counts; `n = 0` returns `date`). A Friday plus one
    /// working day is the next Monday, and a Saturday plus one is also that Monday.
    pub fn add_working_days(&self, date: Date, n: u32) -> Result<Date, CalendarError> {
        // Checks the start year too, so that `n = 0` on an unconfigured year is refused like any other question.
        self.is_working_day(date)?;
        let mut day = date.days();
        let mut left = n;
        while left > 0 {
            day += 1;
            if self.is_working_day(Date::from_days(day))? {
                left -= 1;
            }
        }
        Ok(Date::from_days(day))
    }

    /// Working days in `(from, to]`: `working_days_between(d, add_working_days(d, n)) == n`. Zero when `to ≤ from`.
    pub fn working_days_between(&self, from: Date, to: Date) -> Result<u32, CalendarError> {
        self.is_working_day(from)?;
        self.is_working_day(to)?;
        let mut count = 0;
        for day in from.days() + 1..=to.days() {
            if self.is_working_day(Date::from_days(day))? {
                count += 1;
            }
        }
        Ok(count)
    }

    /// The first working day on or after `date`.
    pub fn next_working_day_from(&self, date: Date) -> Result<Date, CalendarError> {
        if self.is_working_day(date)? {
            Ok(date)
        } else {
            self.add_working_days(date, 1)
        }
    }

    /// Deadline of "within `n` working days" (…个工作日内) for something that arrived at `at`: the end (local
    /// midnight) of the `n`-th working day after the arrival day. Something that arrives on Monday at 17:00 with
    /// one working day is due by the end of Tuesday; on a Saturday, by the end of Monday. Counting whole days from
    /// the next day gives a late arrival the full working day the clause promises.
    pub fn due_within_working_days(
        &self,
        at: Millis,
        n: u32,
        utc_offset_minutes: i32,
    ) -> Result<Millis, CalendarError> {
        let day = at.business_day(utc_offset_minutes).date();
        let due_day = self.add_working_days(day, n)?;
        Ok(BusinessDay(due_day.days() + 1).at_minute(0, utc_offset_minutes))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn d(y: i32, m: u8, day: u8) -> Date {
        Date { year: y, month: m, day }
    }

    /// The 2025 schedule of the State Council (国办发明电〔2024〕12号), as test data: holidays and make-up days.
    pub(crate) const CHINA_2025_JSON: &str = r#"{"years":[
        {"year":2024},
        {"year":2025,
         "holidays":[
           {"year":2025,"month":1,"day":1},
           {"year":2025,"month":1,"day":28},{"year":2025,"month":1,"day":29},{"year":2025,"month":1,"day":30},
           {"year":2025,"month":1,"day":31},{"year":2025,"month":2,"day":3},{"year":2025,"month":2,"day":4},
           {"year":2025,"month":4,"day":4},
           {"year":2025,"month":5,"day":1},{"year":2025,"month":5,"day":2},{"year":2025,"month":5,"day":5},
           {"year":2025,"month":6,"day":2},
           {"year":2025,"month":10,"day":1},{"year":2025,"month":10,"day":2},{"year":2025,"month":10,"day":3},
           {"year":2025,"month":10,"day":6},{"year":2025,"month":10,"day":7},{"year":2025,"month":10,"day":8}],
         "workdays":[
           {"year":2025,"month":1,"day":26},{"year":2025,"month":2,"day":8},{"year":2025,"month":4,"day":27},
           {"year":2025,"month":9,"day":28},{"year":2025,"month":10,"day":11}]},
        {"year":2026}]}"#;

    pub(crate) fn china() -> WorkCalendar {
        let config: CalendarConfig = serde_json::from_str(CHINA_2025_JSON).expect("valid json");
        WorkCalendar::new(&config).expect("valid calendar")
    }

    #[test]
    fn weekends_holidays_and_make_up_days() {
        let cal = china();
        assert_eq!(cal.is_working_day(d(2025, 3, 3)), Ok(true), "a Monday");
        assert_eq!(cal.is_working_day(d(2025, 3, 1)), Ok(false), "a Saturday");
        assert_eq!(cal.is_working_day(d(2025, 10, 1)), Ok(false), "National Day");
        assert_eq!(cal.is_working_day(d(2025, 9, 28)), Ok(true), "a make-up Sunday");
        assert_eq!(cal.is_working_day(d(2025, 10, 11)), Ok(true), "a make-up Saturday");
    }

    #[test]
    fn the_shipped_mainland_schedule_2026() {
        let cal = WorkCalendar::new(&CalendarConfig::mainland_china()).expect("valid");
        assert_eq!(cal.is_working_day(d(2026, 2, 16)), Ok(false), "春节");
        assert_eq!(cal.is_working_day(d(2026, 2, 14)), Ok(true), "a make-up Saturday");
        assert_eq!(cal.is_working_day(d(2026, 10, 10)), Ok(true), "a make-up Saturday");
        assert_eq!(cal.is_working_day(d(2026, 10, 5)), Ok(false), "国庆");
        assert_eq!(cal.is_working_day(d(2026, 11, 23)), Ok(true), "a Monday");
        // Both published schedules agree with the weekday layout (a holiday on a weekend or a
        // make-up day on a weekday would mean a typo).
        for y in CalendarConfig::mainland_china().years {
            assert!(y.holidays.iter().all(|h| !is_weekend(*h) && h.year == y.year), "{y:?}");
            assert!(y.workdays.iter().all(|w| is_weekend(*w) && w.year == y.year), "{y:?}");
        }
    }

    #[test]
    fn unconfigured_year_is_an_explicit_error() {
        let cal = china();
        assert_eq!(
            cal.is_working_day(d(2027, 1, 4)),
            Err(CalendarError::YearNotConfigured { year: 2027 })
        );
        // Counting that runs off the configured years stops instead of assuming plain weekends.
        assert_eq!(
            cal.add_working_days(d(2026, 12, 30), 5),
            Err(CalendarError::YearNotConfigured { year: 2027 })
        );
    }

    #[test]
    fn bad_configs_are_refused() {
        let both = CalendarConfig {
            years: vec![YearCalendar {
                year: 2025,
                holidays: vec![d(2025, 5, 1)],
                workdays: vec![d(2025, 5, 1)],
            }],
        };
        assert_eq!(
            WorkCalendar::new(&both).err(),
            Some(CalendarError::Conflicting { date: d(2025, 5, 1) })
        );
        let wrong_year = CalendarConfig {
            years: vec![YearCalendar {
                year: 2025,
                holidays: vec![d(2026, 1, 1)],
                workdays: vec![],
            }],
        };
        assert!(matches!(
            WorkCalendar::new(&wrong_year),
            Err(CalendarError::DateOutsideYear { .. })
        ));
        let twice = CalendarConfig {
            years: vec![
                YearCalendar {
                    year: 2025,
                    holidays: vec![],
                    workdays: vec![],
                },
                YearCalendar {
                    year: 2025,
                    holidays: vec![],
                    workdays: vec![],
                },
            ],
        };
        assert_eq!(
            WorkCalendar::new(&twice).err(),
            Some(CalendarError::DuplicateYear { year: 2025 })
        );
        let not_a_date = CalendarConfig {
            years: vec![YearCalendar {
                year: 2025,
                holidays: vec![d(2025, 2, 30)],
                workdays: vec![],
            }],
        };
        assert!(matches!(
            WorkCalendar::new(&not_a_date),
            Err(CalendarError::InvalidDate { .. })
        ));
    }

    #[test]
    fn adding_working_days_skips_the_golden_week() {
        let cal = china();
        // Tuesday 30 Sep + 1 working day = Thursday 9 Oct (1–8 Oct off).
        assert_eq!(cal.add_working_days(d(2025, 9, 30), 1), Ok(d(2025, 10, 9)));
        // Friday + 1 = Monday; Saturday + 1 = Monday; +0 is the day itself.
        assert_eq!(cal.add_working_days(d(2025, 3, 7), 1), Ok(d(2025, 3, 10)));
        assert_eq!(cal.add_working_days(d(2025, 3, 8), 1), Ok(d(2025, 3, 10)));
        assert_eq!(cal.add_working_days(d(2025, 3, 8), 0), Ok(d(2025, 3, 8)));
        // Sun 28 Sep (make-up), 29, 30 Sep, 9, 10, Sat 11 Oct (make-up), 13 Oct.
        assert_eq!(cal.working_days_between(d(2025, 9, 26), d(2025, 10, 13)), Ok(7));
        assert_eq!(cal.working_days_between(d(2025, 10, 13), d(2025, 9, 26)), Ok(0));
        assert_eq!(cal.next_working_day_from(d(2025, 10, 4)), Ok(d(2025, 10, 9)));
    }

    #[test]
    fn within_one_working_day_deadline() {
        // 7.1.2.2 / 7.1.3.2: arrival Friday 2025-03-07 17:00 Beijing → due end of Monday 2025-03-10.
        let cal = china();
        let friday = BusinessDay(d(2025, 3, 7).days()).at_minute(17 * 60, 480);
        let due = cal.due_within_working_days(friday, 1, 480).expect("configured");
        assert_eq!(due, BusinessDay(d(2025, 3, 11).days()).at_minute(0, 480));
    }
}

#[cfg(test)]
mod props {
    use super::tests::{china, d};
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn add_then_count_round_trips(offset in 0i32..700, n in 0u32..150) {
            let cal = china();
            let start = Date::from_days(d(2024, 1, 1).days() + offset);
            let end = cal.add_working_days(start, n).expect("inside 2024–2026");
            prop_assert_eq!(cal.working_days_between(start, end), Ok(n));
            if n > 0 {
                prop_assert_eq!(cal.is_working_day(end), Ok(true));
                prop_assert!(end > start);
            }
        }
    }
}
