//! Online practice grades, 7.1.1.4 and 附录 A 表 A.1: four tiers (新锐, 才俊, 中坚, 星耀), each in four levels
//! (L1–L4), set by cumulative online hours, cumulative people served and satisfaction.
//!
//! Reading of the table: a row is reached when all three of its figures are reached (≥), and a lawyer holds the
//! highest row reached. The table is ordered so that this is monotone — more hours, more people or a higher
//! satisfaction never lowers the grade. Below 新锐 L1 a lawyer has no grade; without any rating satisfaction is
//! unknown and no grade is given either.

use serde::{Deserialize, Serialize};

use crate::ratio::{BasisPoints, Ratio};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// 新锐
    Rising,
    /// 才俊
    Talent,
    /// 中坚
    Core,
    /// 星耀
    Star,
}

impl Tier {
    pub fn label_zh(self) -> &'static str {
        match self {
            Tier::Rising => "新锐",
            Tier::Talent => "才俊",
            Tier::Core => "中坚",
            Tier::Star => "星耀",
        }
    }
}

/// A tier and level (1–4). Ordered: 新锐 L4 < 才俊 L1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Grade {
    pub tier: Tier,
    pub level: u8,
}

impl std::fmt::Display for Grade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} L{}", self.tier.label_zh(), self.level)
    }
}

/// One row of 表 A.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GradeRow {
    pub grade: Grade,
    /// 累计在线时长/h
    pub min_online_hours: u32,
    /// 累计服务人次/人
    pub min_served: u64,
    /// 满意度/%
    pub min_satisfaction_percent: u32,
}

const fn row(tier: Tier, level: u8, hours: u32, served: u64, satisfaction: u32) -> GradeRow {
    GradeRow {
        grade: Grade { tier, level },
        min_online_hours: hours,
        min_served: served,
        min_satisfaction_percent: satisfaction,
    }
}

/// 表 A.1, verbatim, lowest first.
pub const TABLE_A1: [GradeRow; 16] = [
    row(Tier::Rising, 1, 400, 1200, 96),
    row(Tier::Rising, 2, 400, 1600, 97),
    row(Tier::Rising, 3, 400, 2000, 98),
    row(Tier::Rising, 4, 400, 2400, 99),
    row(Tier::Talent, 1, 900, 2700, 96),
    row(Tier::Talent, 2, 900, 3600, 97),
    row(Tier::Talent, 3, 900, 4500, 98),
    row(Tier::Talent, 4, 900, 5400, 99),
    row(Tier::Core, 1, 2000, 6000, 96),
    row(Tier::Core, 2, 2000, 8000, 97),
    row(Tier::Core, 3, 2000, 10000, 98),
    row(Tier::Core, 4, 2000, 12000, 99),
    row(Tier::Star, 1, 6000, 18000, 96),
    row(Tier::Star, 2, 6000, 24000, 97),
    row(Tier::Star, 3, 6000, 30000, 98),
    row(Tier::Star, 4, 6000, 36000, 99),
];

/// A lawyer's cumulative figures (7.1.1.3 b: 服务次数、服务评分、在线时长).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct GradeInputs {
    /// Cumulative online time in minutes (hours in the table; minutes so that part-hours are not lost).
    pub online_minutes: u64,
    /// Cumulative people served.
    pub served: u64,
    /// Satisfied ratings over all ratings.
    pub satisfaction: Ratio,
}

impl GradeRow {
    pub fn reached_by(&self, inputs: &GradeInputs) -> bool {
        inputs.online_minutes >= u64::from(self.min_online_hours) * 60
            && inputs.served >= self.min_served
            && inputs
                .satisfaction
                .at_least(BasisPoints::percent(self.min_satisfaction_percent))
                == Some(true)
    }
}

/// The grade of 表 A.1 for these figures, or `None` below 新锐 L1 (or with no ratings).
pub fn grade(inputs: &GradeInputs) -> Option<Grade> {
    TABLE_A1.iter().filter(|r| r.reached_by(inputs)).map(|r| r.grade).max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn inputs(hours: u64, served: u64, satisfaction_percent: u64) -> GradeInputs {
        GradeInputs {
            online_minutes: hours * 60,
            served,
            satisfaction: Ratio::new(satisfaction_percent, 100),
        }
    }

    #[test]
    fn table_a1_boundaries() {
        let g = |h, s, p| grade(&inputs(h, s, p)).map(|g| g.to_string());
        assert_eq!(g(400, 1200, 96).as_deref(), Some("新锐 L1"));
        assert_eq!(g(399, 1200, 96), None, "one hour short");
        assert_eq!(g(400, 1199, 96), None, "one person short");
        assert_eq!(g(400, 1200, 95), None, "satisfaction short");
        assert_eq!(
            grade(&GradeInputs {
                online_minutes: 400 * 60 - 1,
                served: 1200,
                satisfaction: Ratio::new(96, 100)
            }),
            None,
            "a minute short"
        );
        assert_eq!(g(400, 2400, 99).as_deref(), Some("新锐 L4"));
        // Enough people for 才俊 L1 but not the hours: stays 新锐.
        assert_eq!(g(899, 2700, 99).as_deref(), Some("新锐 L4"));
        assert_eq!(g(900, 2700, 96).as_deref(), Some("才俊 L1"));
        assert_eq!(g(2000, 12000, 99).as_deref(), Some("中坚 L4"));
        assert_eq!(g(6000, 36000, 99).as_deref(), Some("星耀 L4"));
        // High volume with 96% satisfaction caps at L1 of the tier.
        assert_eq!(g(6000, 36000, 96).as_deref(), Some("星耀 L1"));
        // No ratings: no grade.
        assert_eq!(
            grade(&GradeInputs {
                online_minutes: 1_000_000,
                served: 100_000,
                satisfaction: Ratio::new(0, 0)
            }),
            None
        );
    }

    #[test]
    fn table_is_ordered() {
        for w in TABLE_A1.windows(2) {
            assert!(w[0].grade < w[1].grade);
            assert!(w[0].min_online_hours <= w[1].min_online_hours && w[0].min_served <= w[1].min_served);
        }
    }

    proptest! {
        #[test]
        fn more_never_lowers_the_grade(
            minutes in 0u64..500_000, served in 0u64..50_000, sat in 0u64..=10_000,
            d_minutes in 0u64..100_000, d_served in 0u64..10_000, d_sat in 0u64..=10_000,
        ) {
            let a = GradeInputs { online_minutes: minutes, served, satisfaction: Ratio::new(sat, 10_000) };
            let b = GradeInputs {
                online_minutes: minutes + d_minutes,
                served: served + d_served,
                satisfaction: Ratio::new((sat + d_sat).min(10_000), 10_000),
            };
            prop_assert!(grade(&a) <= grade(&b));
        }
    }
}
