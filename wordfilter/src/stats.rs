//! Hit statistics for the reports 10.5.1.2 asks for: by month, region (全国性地域分布), sex and word.
//!
//! The caller records one [`HitRecord`] per hit (who said it comes from the account, not from
//! this crate) and folds them into [`Stats`]. Maps are ordered so reports and JSON are stable.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use crate::category::Category;
use crate::list::Entry;

/// A calendar month, written `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: u16,
    month: u8,
}

/// A month string that is not `YYYY-MM` with a month 01–12.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("月份“{0}”无效；应为 YYYY-MM，例如 2024-05")]
pub struct MonthError(String);

impl Month {
    /// A month from its parts; `None` unless `1 <= month <= 12`.
    pub fn new(year: u16, month: u8) -> Option<Month> {
        (1..=12).contains(&month).then_some(Month { year, month })
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1–12.
    pub fn month(self) -> u8 {
        self.month
    }
}

impl FromStr for Month {
    type Err = MonthError;

    fn from_str(s: &str) -> Result<Month, MonthError> {
        let bad = || MonthError(s.to_owned());
        let (year, month) = s.split_once('-').ok_or_else(bad)?;
        let digits = |part: &str, len: usize| part.len() == len && part.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(month, 2) {
            return Err(bad());
        }
        let year = year.parse().map_err(|_| bad())?;
        let month = month.parse().map_err(|_| bad())?;
        Month::new(year, month).ok_or_else(bad)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Month, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Sex of the account holder, as registered (实名登记).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// 男.
    Male,
    /// 女.
    Female,
    /// 未知: not registered or not disclosed.
    Unknown,
}

/// One hit, with what the report groups by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HitRecord {
    /// Month the hit happened.
    pub month: Month,
    /// Administrative region code of the account (e.g. GB/T 2260 `110105`), as the caller keeps it.
    pub region: String,
    /// Sex of the account holder.
    pub sex: Sex,
    /// The listed word (as written in the list, not the evasive spelling in the text).
    pub word: String,
    /// The word's category.
    pub category: Category,
}

impl HitRecord {
    /// A record for a hit on `entry`.
    pub fn new(month: Month, region: impl Into<String>, sex: Sex, entry: &Entry) -> HitRecord {
        HitRecord {
            month,
            region: region.into(),
            sex,
            word: entry.word.clone(),
            category: entry.category,
        }
    }
}

/// Hit counts along each dimension. Each record counts once in every map.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Number of records.
    pub total: u64,
    /// By month.
    pub by_month: BTreeMap<Month, u64>,
    /// By region code.
    pub by_region: BTreeMap<String, u64>,
    /// By sex.
    pub by_sex: BTreeMap<Sex, u64>,
    /// By listed word.
    pub by_word: BTreeMap<String, u64>,
    /// By category.
    pub by_category: BTreeMap<Category, u64>,
}

impl Stats {
    /// Counts one record.
    pub fn add(&mut self, record: &HitRecord) {
        self.total += 1;
        *self.by_month.entry(record.month).or_default() += 1;
        *self.by_region.entry(record.region.clone()).or_default() += 1;
        *self.by_sex.entry(record.sex).or_default() += 1;
        *self.by_word.entry(record.word.clone()).or_default() += 1;
        *self.by_category.entry(record.category).or_default() += 1;
    }

    /// Adds another tally (e.g. per-day partial reports) into this one.
    pub fn merge(&mut self, other: &Stats) {
        fn merge_map<K: Ord + Clone>(into: &mut BTreeMap<K, u64>, from: &BTreeMap<K, u64>) {
            for (k, v) in from {
                *into.entry(k.clone()).or_default() += v;
            }
        }
        self.total += other.total;
        merge_map(&mut self.by_month, &other.by_month);
        merge_map(&mut self.by_region, &other.by_region);
        merge_map(&mut self.by_sex, &other.by_sex);
        merge_map(&mut self.by_word, &other.by_word);
        merge_map(&mut self.by_category, &other.by_category);
    }

    /// The `n` most frequent words, most frequent first (ties in word order).
    pub fn top_words(&self, n: usize) -> Vec<(&str, u64)> {
        let mut words: Vec<(&str, u64)> = self.by_word.iter().map(|(w, c)| (w.as_str(), *c)).collect();
        words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        words.truncate(n);
        words
    }
}

impl<'a> FromIterator<&'a HitRecord> for Stats {
    fn from_iter<I: IntoIterator<Item = &'a HitRecord>>(records: I) -> Stats {
        let mut stats = Stats::default();
        for r in records {
            stats.add(r);
        }
        stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(s: &str) -> Month {
        s.parse().expect("valid month")
    }

    fn record(m: &str, region: &str, sex: Sex, word: &str, category: Category) -> HitRecord {
        HitRecord {
            month: month(m),
            region: region.to_owned(),
            sex,
            word: word.to_owned(),
            category,
        }
    }

    #[test]
    fn months_parse_strictly() {
        assert_eq!(month("2024-05"), Month::new(2024, 5).expect("valid"));
        assert_eq!(month("2024-12").to_string(), "2024-12");
        for bad in [
            "2024-13",
            "2024-00",
            "2024-5",
            "24-05",
            "2024/05",
            "2024-05-01",
            "",
            "２０２４-05",
        ] {
            assert!(bad.parse::<Month>().is_err(), "{bad}");
        }
        assert!(month("2023-12") < month("2024-01"));
    }

    #[test]
    fn aggregates_every_dimension_and_serialises() {
        let records = [
            record("2024-05", "110105", Sex::Male, "测试敏感词", Category::Other),
            record("2024-05", "310101", Sex::Female, "测试敏感词", Category::Other),
            record("2024-06", "110105", Sex::Unknown, "示例辱骂词", Category::VulgarAbuse),
        ];
        let stats: Stats = records.iter().collect();
        assert_eq!(stats.total, 3);
        assert_eq!(stats.by_month[&month("2024-05")], 2);
        assert_eq!(stats.by_region["110105"], 2);
        assert_eq!(stats.by_sex[&Sex::Female], 1);
        assert_eq!(stats.by_word["测试敏感词"], 2);
        assert_eq!(stats.by_category[&Category::VulgarAbuse], 1);
        assert_eq!(stats.top_words(1), vec![("测试敏感词", 2)]);

        let json = serde_json::to_value(&stats).expect("serialises");
        assert_eq!(json["by_month"]["2024-06"], 1);
        assert_eq!(json["by_sex"]["unknown"], 1);
        assert_eq!(json["by_category"]["vulgar_abuse"], 1);
        let back: Stats = serde_json::from_value(json).expect("round-trips");
        assert_eq!(back, stats);

        let mut doubled = stats.clone();
        doubled.merge(&stats);
        assert_eq!(doubled.total, 6);
        assert_eq!(doubled.by_word["示例辱骂词"], 2);
    }
}
