//! Lawyer admission (6.3.1), the one-week probation (6.3.1 d) and training records (6.3.2).
//!
//! The standard does not give the probation's pass marks ("考核质检通过率及好评率，达标以后…"). The defaults
//! here reuse its own numbers: a good-rating rate of at least 95% (6.3.1 c) and the error lines of 表 1
//! (fatal ≤2%, non-fatal ≤10%); all are configurable.

use std::collections::BTreeSet;

use domain::time::Date;
use serde::{Deserialize, Serialize};

use crate::ratio::{BasisPoints, Ratio};
use crate::report::ServiceCounts;

/// 律师年度考核 grades.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnnualAssessment {
    /// 不称职
    Incompetent,
    /// 基本称职
    BasicallyCompetent,
    /// 称职
    Competent,
    /// 优秀
    Excellent,
}

/// What 6.3.1 a–b ask of an applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    /// 在册执业律师.
    pub registered: bool,
    /// First licensed to practise.
    pub licensed_on: Date,
    /// The most recent annual assessment.
    pub last_assessment: Option<AnnualAssessment>,
    /// Dates of administrative penalties or disciplinary sanctions.
    pub sanctions: Vec<Date>,
    /// A personal dishonesty record that affects service quality (6.3.1 b).
    pub dishonesty_record: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum AdmissionProblem {
    NotRegistered,
    PracticeUnderOneYear,
    AssessmentBelowCompetent,
    SanctionWithinThreeYears { on: Date },
    DishonestyRecord,
}

impl AdmissionProblem {
    pub fn clause(&self) -> &'static str {
        match self {
            AdmissionProblem::DishonestyRecord => "6.3.1 b",
            _ => "6.3.1 a",
        }
    }

    pub fn message(&self) -> String {
        match self {
            AdmissionProblem::NotRegistered => "非在册执业律师 (not a registered practising lawyer)".into(),
            AdmissionProblem::PracticeUnderOneYear => "执业时间不满 1 年 (less than one year of practice)".into(),
            AdmissionProblem::AssessmentBelowCompetent => {
                "近 1 年执业年度考核未达到称职 (last annual assessment below 称职)".into()
            }
            AdmissionProblem::SanctionWithinThreeYears { on } => {
                format!("{on} 受过行政处罚或行业惩戒，未满 3 年 (sanctioned within three years)")
            }
            AdmissionProblem::DishonestyRecord => "存在影响服务质量的个人失信记录 (dishonesty record)".into(),
        }
    }
}

/// 6.3.1 a–b, judged on `today`. "执业时间 1 年以上" is read as at least one full year.
pub fn check_admission(a: &Applicant, today: Date) -> Result<(), Vec<AdmissionProblem>> {
    let mut problems = Vec::new();
    if !a.registered {
        problems.push(AdmissionProblem::NotRegistered);
    }
    if a.licensed_on.age_on(today) < 1 {
        problems.push(AdmissionProblem::PracticeUnderOneYear);
    }
    if a.last_assessment.is_none_or(|g| g < AnnualAssessment::Competent) {
        problems.push(AdmissionProblem::AssessmentBelowCompetent);
    }
    if let Some(&on) = a.sanctions.iter().filter(|s| **s <= today && s.age_on(today) < 3).max() {
        problems.push(AdmissionProblem::SanctionWithinThreeYears { on });
    }
    if a.dishonesty_record {
        problems.push(AdmissionProblem::DishonestyRecord);
    }
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

/// Pass marks of the probation (6.3.1 c–d).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProbationRules {
    /// 6.3.1 d: "开通在线服务一周内".
    pub days: u32,
    /// 6.3.1 c: 好评率 95% 以上.
    pub min_good_rate: BasisPoints,
    /// 表 1: 致命错误率 ≤2%.
    pub max_fatal_rate: BasisPoints,
    /// 表 1: 非致命错误率 ≤10%.
    pub max_non_fatal_rate: BasisPoints,
}

impl Default for ProbationRules {
    fn default() -> Self {
        ProbationRules {
            days: 7,
            min_good_rate: BasisPoints::percent(95),
            max_fatal_rate: BasisPoints::percent(2),
            max_non_fatal_rate: BasisPoints::percent(10),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbationShortfall {
    GoodRate,
    FatalRate,
    NonFatalRate,
    /// No rating or no QC-checked order: nothing to judge on.
    NoData,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Probation {
    Running { ends_on: Date },
    Passed,
    Failed { shortfalls: Vec<ProbationShortfall> },
}

/// 6.3.1 d: the probation of a lawyer who opened service on `opened_on`, with the counts of that week. It ends at
/// the end of day `opened_on + days - 1`; before that it is running.
pub fn probation(opened_on: Date, today: Date, week: &ServiceCounts, rules: &ProbationRules) -> Probation {
    judge(opened_on, today, week, rules, true)
}

/// 6.3.1 d judged on ratings alone, for a platform that has no QC results (yet): the good-rating rate
/// (6.3.1 c) decides; the 表 1 error lines are not applied, rather than failing every lawyer for
/// "no data".
pub fn probation_without_qc(opened_on: Date, today: Date, week: &ServiceCounts, rules: &ProbationRules) -> Probation {
    judge(opened_on, today, week, rules, false)
}

fn judge(opened_on: Date, today: Date, week: &ServiceCounts, rules: &ProbationRules, qc: bool) -> Probation {
    let ends_on = Date::from_days(opened_on.days() + i32::try_from(rules.days).unwrap_or(i32::MAX) - 1);
    if today <= ends_on {
        return Probation::Running { ends_on };
    }
    let mut shortfalls = Vec::new();
    let mut check = |value: Ratio, ok: fn(Ratio, BasisPoints) -> Option<bool>, t, s| match ok(value, t) {
        None => shortfalls.push(ProbationShortfall::NoData),
        Some(false) => shortfalls.push(s),
        Some(true) => {}
    };
    check(
        week.good_rate(),
        Ratio::at_least,
        rules.min_good_rate,
        ProbationShortfall::GoodRate,
    );
    if qc {
        check(
            week.fatal_rate(),
            Ratio::at_most,
            rules.max_fatal_rate,
            ProbationShortfall::FatalRate,
        );
        check(
            week.non_fatal_rate(),
            Ratio::at_most,
            rules.max_non_fatal_rate,
            ProbationShortfall::NonFatalRate,
        );
    }
    shortfalls.dedup();
    if shortfalls.is_empty() {
        Probation::Passed
    } else {
        Probation::Failed { shortfalls }
    }
}

/// 6.3.1 c: keeps the service right while the month's good-rating rate is at least 95%. `None` without ratings.
pub fn monthly_good_rate_ok(month: &ServiceCounts) -> Option<bool> {
    month.good_rate().at_least(BasisPoints::percent(95))
}

/// 6.3.2.3 training types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainingKind {
    /// 上岗培训 (6.3.2.3.1)
    Onboarding,
    /// 岗中培训 (6.3.2.3.2)
    InService,
    /// 月度专项培训 (6.3.2.3.3)
    MonthlySpecial,
    /// 律师自我培训
    SelfStudy,
}

/// 6.3.2.5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainingForm {
    OnlineVideo,
    InPerson,
}

/// 6.3.2.6.2: archived on paper, disc and as electronic files — all three.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArchiveForm {
    Paper,
    Disc,
    Electronic,
}

/// One training session (6.3.2.6.1 materials are referenced by the caller's storage, not held here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingRecord {
    pub id: String,
    pub kind: TrainingKind,
    pub form: TrainingForm,
    pub title: String,
    pub held_on: Date,
    /// Lawyers who signed in (签到表).
    pub attendees: Vec<String>,
    /// Lawyers who passed the assessment (考核结果).
    pub passed: Vec<String>,
    pub archived_as: Vec<ArchiveForm>,
}

impl TrainingRecord {
    /// 6.3.2.6.2: the archive forms still missing.
    pub fn missing_archive_forms(&self) -> Vec<ArchiveForm> {
        [ArchiveForm::Paper, ArchiveForm::Disc, ArchiveForm::Electronic]
            .into_iter()
            .filter(|f| !self.archived_as.contains(f))
            .collect()
    }
}

/// 6.3.2.3.1 "先培训、后上岗": the lawyer passed an onboarding training.
pub fn may_open_service(lawyer: &str, trainings: &[TrainingRecord]) -> bool {
    trainings
        .iter()
        .any(|t| t.kind == TrainingKind::Onboarding && t.passed.iter().any(|p| p == lawyer))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum TrainingShortfall {
    /// A month without any training (≥1 per month).
    MonthWithout { month: u8 },
    /// Fewer than 12 in the year.
    TooFewInYear { held: usize },
    /// Fewer than 98% of the lawyers attended any training in the year.
    Coverage { covered: Ratio },
}

/// 6.3.2.4 over one year's records: at least 1 training a month, 12 a year, covering at least 98% of `lawyers`.
pub fn check_training_year(year: i32, trainings: &[TrainingRecord], lawyers: &[String]) -> Vec<TrainingShortfall> {
    let in_year: Vec<&TrainingRecord> = trainings.iter().filter(|t| t.held_on.year == year).collect();
    let mut out: Vec<TrainingShortfall> = (1..=12u8)
        .filter(|m| !in_year.iter().any(|t| t.held_on.month == *m))
        .map(|month| TrainingShortfall::MonthWithout { month })
        .collect();
    if in_year.len() < 12 {
        out.push(TrainingShortfall::TooFewInYear { held: in_year.len() });
    }
    let trained: BTreeSet<&String> = in_year.iter().flat_map(|t| t.attendees.iter()).collect();
    let covered = Ratio::new(
        lawyers.iter().filter(|l| trained.contains(l)).count() as u64,
        lawyers.len() as u64,
    );
    if covered.at_least(BasisPoints::percent(98)) == Some(false) {
        out.push(TrainingShortfall::Coverage { covered });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date { year: y, month: m, day }
    }

    fn applicant() -> Applicant {
        Applicant {
            registered: true,
            licensed_on: d(2024, 3, 1),
            last_assessment: Some(AnnualAssessment::Competent),
            sanctions: vec![d(2022, 3, 1)],
            dishonesty_record: false,
        }
    }

    #[test]
    fn admission_6_3_1() {
        assert_eq!(check_admission(&applicant(), d(2025, 3, 1)), Ok(()));
        let problems = check_admission(&applicant(), d(2025, 2, 28)).expect_err("too early");
        assert_eq!(
            problems,
            vec![
                AdmissionProblem::PracticeUnderOneYear,
                AdmissionProblem::SanctionWithinThreeYears { on: d(2022, 3, 1) }
            ]
        );
        let bad = Applicant {
            registered: false,
            last_assessment: Some(AnnualAssessment::BasicallyCompetent),
            dishonesty_record: true,
            ..applicant()
        };
        let problems = check_admission(&bad, d(2025, 3, 1)).expect_err("bad");
        assert_eq!(
            problems.iter().map(AdmissionProblem::clause).collect::<Vec<_>>(),
            ["6.3.1 a", "6.3.1 a", "6.3.1 b"]
        );
    }

    #[test]
    fn probation_one_week_6_3_1_d() {
        let rules = ProbationRules::default();
        let good = ServiceCounts {
            rated: 20,
            good: 19,
            qc_checked: 50,
            fatal: 1,
            non_fatal: 5,
            ..Default::default()
        };
        assert_eq!(
            probation(d(2025, 3, 3), d(2025, 3, 9), &good, &rules),
            Probation::Running { ends_on: d(2025, 3, 9) }
        );
        assert_eq!(
            probation(d(2025, 3, 3), d(2025, 3, 10), &good, &rules),
            Probation::Passed
        );
        let bad = ServiceCounts {
            good: 18,
            fatal: 2,
            ..good
        };
        assert_eq!(
            probation(d(2025, 3, 3), d(2025, 3, 10), &bad, &rules),
            Probation::Failed {
                shortfalls: vec![ProbationShortfall::GoodRate, ProbationShortfall::FatalRate]
            }
        );
        assert_eq!(
            probation(d(2025, 3, 3), d(2025, 3, 10), &ServiceCounts::default(), &rules),
            Probation::Failed {
                shortfalls: vec![ProbationShortfall::NoData]
            }
        );
        assert_eq!(monthly_good_rate_ok(&good), Some(true));
        // Without QC results only the ratings decide.
        let ratings_only = ServiceCounts {
            rated: 20,
            good: 19,
            ..Default::default()
        };
        assert_eq!(
            probation_without_qc(d(2025, 3, 3), d(2025, 3, 10), &ratings_only, &rules),
            Probation::Passed
        );
        assert_eq!(
            probation(d(2025, 3, 3), d(2025, 3, 10), &ratings_only, &rules),
            Probation::Failed {
                shortfalls: vec![ProbationShortfall::NoData]
            }
        );
    }

    #[test]
    fn training_6_3_2() {
        let lawyers: Vec<String> = (0..50).map(|i| format!("L{i}")).collect();
        let session = |month: u8, kind, attendees: &[String]| TrainingRecord {
            id: format!("T{month}"),
            kind,
            form: TrainingForm::OnlineVideo,
            title: "月度专项培训".into(),
            held_on: d(2025, month, 10),
            attendees: attendees.to_vec(),
            passed: attendees.to_vec(),
            archived_as: vec![ArchiveForm::Paper, ArchiveForm::Electronic],
        };
        let mut year: Vec<TrainingRecord> = (1..=12)
            .map(|m| session(m, TrainingKind::MonthlySpecial, &lawyers[..49]))
            .collect();
        assert_eq!(check_training_year(2025, &year, &lawyers), vec![], "49 of 50 = 98%");
        year.retain(|t| t.held_on.month != 6);
        year.iter_mut().for_each(|t| t.attendees.truncate(48));
        assert_eq!(
            check_training_year(2025, &year, &lawyers),
            vec![
                TrainingShortfall::MonthWithout { month: 6 },
                TrainingShortfall::TooFewInYear { held: 11 },
                TrainingShortfall::Coverage {
                    covered: Ratio::new(48, 50)
                },
            ]
        );
        assert_eq!(year[0].missing_archive_forms(), vec![ArchiveForm::Disc]);
        assert!(!may_open_service("L1", &year), "先培训、后上岗: no onboarding yet");
        year.push(session(1, TrainingKind::Onboarding, &lawyers[..2]));
        assert!(may_open_service("L1", &year));
    }
}
