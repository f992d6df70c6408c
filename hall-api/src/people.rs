//! Lawyers' profiles, admissions, probation and trainings (`/lawyer/profile…`, `/lawyer/admissions…`, `/lawyer/trainings`).

use serde::{Deserialize, Serialize};

use lawyer::admission::{self, AnnualAssessment, ArchiveForm, TrainingForm, TrainingKind, TrainingRecord};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NextGrade {
    /// e.g. `新锐 L1`.
    pub grade: String,
    pub min_online_hours: u32,
    pub min_served: u64,
    pub min_satisfaction_percent: u32,
    /// What is still missing (0 when reached).
    pub missing_hours: f64,
    pub missing_served: u64,
    pub satisfaction_reached: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LawyerProfile {
    pub staff_id: String,
    /// Cumulative online hours (all sessions, the open one up to now).
    pub online_hours: f64,
    /// Online hours within `from`..`to` when asked.
    pub online_hours_in_range: Option<f64>,
    /// Consultations picked up or answered.
    pub served: u64,
    pub rated: u64,
    /// 满意 + 非常满意 over all ratings, percent; `None` without ratings.
    pub satisfaction_percent: Option<f64>,
    /// 表 A.1 grade (`新锐 L1` … `星耀 L4`); `None` below 新锐 L1 or without ratings.
    pub grade: Option<String>,
    /// The next row of 表 A.1 and what it still needs; `None` at 星耀 L4.
    pub next: Option<NextGrade>,
    /// Admission and probation (6.3.1), if admitted through the platform.
    pub probation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RangeQuery {
    /// From (ms, inclusive).
    pub from: Option<i64>,
    /// To (ms, exclusive); default now.
    pub to: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AdmissionRequest {
    pub staff_id: String,
    /// 在册执业律师 (6.3.1 a).
    pub registered: bool,
    /// First licensed, YYYY-MM-DD.
    pub licensed_on: String,
    /// `incompetent`, `basically_competent`, `competent`, `excellent`; none: not assessed yet.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub last_assessment: Option<AnnualAssessment>,
    /// Dates of administrative penalties or disciplinary sanctions, YYYY-MM-DD.
    #[serde(default)]
    pub sanctions: Vec<String>,
    /// 个人失信记录 (6.3.1 b).
    pub dishonesty_record: bool,
    /// The day online service opens (the probation's first day); default today.
    pub opened_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdmissionView {
    pub staff_id: String,
    pub admitted_at: i64,
    pub opened_on: String,
    /// `running` (until `ends_on`), `passed`, `failed` — as decided, or as it stands today when undecided.
    pub probation: String,
    /// The probation's last day.
    pub ends_on: String,
    /// Why it failed: `good_rate`, `fatal_rate`, `non_fatal_rate`, `no_data`.
    pub shortfalls: Vec<String>,
    /// Ratings of the week: rated, good (满意 or better).
    pub rated: u64,
    pub good: u64,
    /// Whether the week had QC-checked orders (7.2.4) besides the ratings.
    pub qc_used: bool,
    pub decided: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TrainingRequest {
    /// `onboarding` 上岗, `in_service` 岗中, `monthly_special` 月度专项, `self_study` 自我培训 (6.3.2.3).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: TrainingKind,
    /// `online_video` or `in_person` (6.3.2.5).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub form: TrainingForm,
    pub title: String,
    /// YYYY-MM-DD.
    pub held_on: String,
    /// Lawyers' staff ids who signed in (签到表).
    pub attendees: Vec<String>,
    /// Of them, who passed the assessment (考核结果).
    #[serde(default)]
    pub passed: Vec<String>,
    /// `paper`, `disc`, `electronic` (6.3.2.6.2).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub archived_as: Vec<ArchiveForm>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearQuery {
    /// Default: this year.
    pub year: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrainingYear {
    pub year: i32,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub trainings: Vec<TrainingRecord>,
    /// 6.3.2.4: months without training, fewer than 12, coverage under 98% of the configured lawyers.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub shortfalls: Vec<admission::TrainingShortfall>,
}
