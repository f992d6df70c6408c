//! Time as data. The domain never reads a clock: every rule takes `now` as an argument, so the same
//! event log replays to the same state anywhere (server, device, browser).

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Millis(pub i64);

impl Millis {
    pub const MINUTE: i64 = 60_000;
    pub const DAY: i64 = 86_400_000;

    pub fn plus_minutes(self, minutes: i64) -> Millis {
        Millis(self.0 + minutes * Self::MINUTE)
    }

    /// Whole seconds from `earlier` to `self` (0 when `earlier` is later).
    pub fn secs_since(self, earlier: Millis) -> u32 {
        u32::try_from((self.0 - earlier.0).max(0) / 1000).unwrap_or(u32::MAX)
    }

    /// The local calendar day this instant falls on, for a hall at `utc_offset_minutes` (China: +480).
    pub fn business_day(self, utc_offset_minutes: i32) -> BusinessDay {
        let local = self.0 + i64::from(utc_offset_minutes) * Self::MINUTE;
        BusinessDay(i32::try_from(local.div_euclid(Self::DAY)).unwrap_or(i32::MAX))
    }

    /// Minutes after local midnight.
    pub fn minute_of_day(self, utc_offset_minutes: i32) -> u16 {
        let local = self.0 + i64::from(utc_offset_minutes) * Self::MINUTE;
        u16::try_from(local.rem_euclid(Self::DAY) / Self::MINUTE).unwrap_or(0)
    }
}

/// A local calendar day, counted in days since 1970-01-01. Numbering, quotas and appointment slots are
/// all per business day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct BusinessDay(pub i32);

impl BusinessDay {
    pub fn date(self) -> Date {
        Date::from_days(self.0)
    }

    /// The UTC instant of local midnight that starts this day, plus `minute` minutes.
    pub fn at_minute(self, minute: u16, utc_offset_minutes: i32) -> Millis {
        Millis(i64::from(self.0) * Millis::DAY + (i64::from(minute) - i64::from(utc_offset_minutes)) * Millis::MINUTE)
    }

    /// ISO weekday, Monday = 1 … Sunday = 7.
    pub fn weekday(self) -> u8 {
        // 1970-01-01 was a Thursday (4).
        u8::try_from((i64::from(self.0) + 3).rem_euclid(7) + 1).unwrap_or(1)
    }
}

/// A proleptic Gregorian date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let d = Date { year, month, day };
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month) && year > 0).then_some(d)
    }

    /// Days since 1970-01-01 (H. Hinnant's `days_from_civil`).
    pub fn days(self) -> i32 {
        let y = if self.month <= 2 { self.year - 1 } else { self.year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i32::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i32::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub fn from_days(days: i32) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = u8::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
        let month = u8::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
        let year = yoe + era * 400 + i32::from(month <= 2);
        Date { year, month, day }
    }

    /// Full years from `self` (a birth date) to `on`.
    pub fn age_on(self, on: Date) -> u32 {
        let mut years = on.year - self.year;
        if (on.month, on.day) < (self.month, self.day) {
            years -= 1;
        }
        u32::try_from(years.max(0)).unwrap_or(0)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_and_known_days() {
        assert_eq!(Date::new(1970, 1, 1).map(Date::days), Some(0));
        assert_eq!(Date::new(2026, 11, 23).map(Date::days), Some(20_780));
        for d in [-800_000, -1, 0, 59, 365, 11_016, 20_415, 100_000] {
            assert_eq!(Date::from_days(d).days(), d);
        }
        assert_eq!(Date::new(2023, 2, 29), None);
        assert!(Date::new(2024, 2, 29).is_some());
    }

    #[test]
    fn business_day_uses_local_midnight() {
        // 2026-11-23 23:30 Beijing time is 15:30 UTC the same day; 00:30 Beijing is still 16:30 UTC the day before.
        let day = Date::new(2026, 11, 23)
            .map(Date::days)
            .map(BusinessDay)
            .unwrap_or_default();
        let before_midnight = day.at_minute(23 * 60 + 30, 480);
        assert_eq!(before_midnight.business_day(480), day);
        assert_eq!(
            before_midnight.plus_minutes(60).business_day(480),
            BusinessDay(day.0 + 1)
        );
        assert_eq!(before_midnight.minute_of_day(480), 23 * 60 + 30);
        assert_eq!(day.weekday(), 1, "2026-11-23 is a Monday");
    }

    #[test]
    fn age_counts_birthdays() {
        let birth = Date {
            year: 1966,
            month: 11,
            day: 24,
        };
        assert_eq!(
            birth.age_on(Date {
                year: 2026,
                month: 11,
                day: 23
            }),
            59
        );
        assert_eq!(
            birth.age_on(Date {
                year: 2026,
                month: 11,
                day: 24
            }),
            60
        );
    }
}
