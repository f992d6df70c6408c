//! Order-level deadlines for an inbox countdown: the 留言 reply (6.2.1.1), the mediation steps (6.2.4), the revisit
//! of non-satisfied orders and the lawyer's call-back (7.1.3.2), and complaints (7.1.2.2).

use domain::time::Millis;
use serde::{Deserialize, Serialize};

use super::SlaConfig;
use crate::calendar::{CalendarError, WorkCalendar};

/// A task with a deadline, and what its clock starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// From the 留言 order's submission: answered within 120 min (6.2.1.1).
    MessageReply,
    /// From the mediation application: the operator phones to verify within 1 working day (6.2.4.1).
    MediationVerify,
    /// From the mediation application: a lawyer assigned within 3 working days (6.2.4.1).
    MediationAssign,
    /// From the mediation's start: the lawyer in the room 10 min before (6.2.4.2 a); the due time is *before* the
    /// clock's origin.
    MediationJoin,
    /// From the non-satisfied rating: revisited within 1 working day (7.1.3.2).
    Revisit,
    /// From the revisit that found a legal question: the lawyer calls back within 1 h (7.1.3.2 b).
    LegalCallback,
    /// From the complaint or suggestion: the user phoned within 1 working day (7.1.2.2).
    ComplaintCallback,
}

impl Task {
    pub fn clause(self) -> &'static str {
        match self {
            Task::MessageReply => "6.2.1.1",
            Task::MediationVerify | Task::MediationAssign => "6.2.4.1",
            Task::MediationJoin => "6.2.4.2 a",
            Task::Revisit => "7.1.3.2",
            Task::LegalCallback => "7.1.3.2 b",
            Task::ComplaintCallback => "7.1.2.2",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Task::MessageReply => "回复留言",
            Task::MediationVerify => "致电核实调解信息",
            Task::MediationAssign => "指派调解律师",
            Task::MediationJoin => "进入线上调解室候场",
            Task::Revisit => "回访非满意工单",
            Task::LegalCallback => "律师回拨解答",
            Task::ComplaintCallback => "致电投诉/建议用户",
        }
    }
}

/// When `task`, whose clock started at `from`, is due. Working-day deadlines end at local midnight of the last
/// working day (see [`WorkCalendar::due_within_working_days`]); they fail for an unconfigured year.
pub fn task_due(
    task: Task,
    from: Millis,
    cfg: &SlaConfig,
    cal: &WorkCalendar,
    utc_offset_minutes: i32,
) -> Result<Millis, CalendarError> {
    let working = |n| cal.due_within_working_days(from, n, utc_offset_minutes);
    match task {
        Task::MessageReply => Ok(from.plus_minutes(i64::from(cfg.message_reply_minutes))),
        Task::MediationVerify => working(cfg.mediation_verify_working_days),
        Task::MediationAssign => working(cfg.mediation_assign_working_days),
        Task::MediationJoin => Ok(from.plus_minutes(-i64::from(cfg.mediation_lawyer_early_minutes))),
        Task::Revisit => working(cfg.revisit_working_days),
        Task::LegalCallback => Ok(from.plus_minutes(i64::from(cfg.legal_callback_minutes))),
        Task::ComplaintCallback => working(cfg.complaint_callback_working_days),
    }
}

/// Time left to a deadline, for an inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Countdown {
    pub due: Millis,
    /// Negative once overdue.
    pub remaining_secs: i64,
}

impl Countdown {
    pub fn new(due: Millis, now: Millis) -> Countdown {
        Countdown {
            due,
            remaining_secs: (due.0 - now.0).div_euclid(1000),
        }
    }

    pub fn overdue(&self) -> bool {
        self.remaining_secs < 0
    }
}

/// A task done late (or not done by `now`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskLate {
    pub task: Task,
    pub clause: &'static str,
    pub due: Millis,
    /// When it was done; `None` if still open at `now`.
    pub done_at: Option<Millis>,
}

/// Whether `task` was (or, still open, is) late: done after its due time, or not done with `now` past it.
pub fn task_late(
    task: Task,
    from: Millis,
    done_at: Option<Millis>,
    now: Millis,
    cfg: &SlaConfig,
    cal: &WorkCalendar,
    utc_offset_minutes: i32,
) -> Result<Option<TaskLate>, CalendarError> {
    let due = task_due(task, from, cfg, cal, utc_offset_minutes)?;
    let late = match done_at {
        Some(done) => done > due,
        None => now > due,
    };
    Ok(late.then_some(TaskLate {
        task,
        clause: task.clause(),
        due,
        done_at,
    }))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediationTooSoon {
    pub clause: &'static str,
    /// Working days from the application (exclusive) to the mediation day (inclusive).
    pub working_days: u32,
    pub required: u32,
}

impl std::fmt::Display for MediationTooSoon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "远程调解应提前 {} 个工作日申请，本次仅提前 {} 个工作日 (mediation must be booked {} working days ahead)",
            self.required, self.working_days, self.required
        )
    }
}

/// 6.2.4.1: a mediation is applied for at least 5 working days ahead. Counted as the working days after the
/// application day up to and including the mediation day, so a Monday application fits a mediation on the
/// next Monday (Tue, Wed, Thu, Fri, Mon).
pub fn check_mediation_booking(
    applied_at: Millis,
    starts_at: Millis,
    cfg: &SlaConfig,
    cal: &WorkCalendar,
    utc_offset_minutes: i32,
) -> Result<Result<(), MediationTooSoon>, CalendarError> {
    let applied = applied_at.business_day(utc_offset_minutes).date();
    let starts = starts_at.business_day(utc_offset_minutes).date();
    let working_days = cal.working_days_between(applied, starts)?;
    Ok(if working_days >= cfg.mediation_lead_working_days {
        Ok(())
    } else {
        Err(MediationTooSoon {
            clause: "6.2.4.1",
            working_days,
            required: cfg.mediation_lead_working_days,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::tests::{china, d};
    use domain::time::BusinessDay;

    fn at(date: domain::time::Date, minute: u16) -> Millis {
        BusinessDay(date.days()).at_minute(minute, 480)
    }

    #[test]
    fn message_reply_within_120_minutes_6_2_1_1() {
        let (cfg, cal) = (SlaConfig::default(), china());
        let t = at(d(2025, 10, 1), 23 * 60);
        // "全时段": holidays and nights included.
        assert_eq!(
            task_due(Task::MessageReply, t, &cfg, &cal, 480),
            Ok(t.plus_minutes(120))
        );
        let late = task_late(Task::MessageReply, t, Some(t.plus_minutes(121)), t, &cfg, &cal, 480);
        assert!(matches!(late, Ok(Some(TaskLate { clause: "6.2.1.1", .. }))));
        assert_eq!(
            task_late(Task::MessageReply, t, Some(t.plus_minutes(120)), t, &cfg, &cal, 480),
            Ok(None)
        );
    }

    #[test]
    fn working_day_tasks_7_1_2_2_7_1_3_2_6_2_4_1() {
        let (cfg, cal) = (SlaConfig::default(), china());
        // Rated non-satisfied on Tuesday 30 Sep 2025 18:00: Golden Week in between, revisit due end of 9 Oct.
        let rated = at(d(2025, 9, 30), 18 * 60);
        assert_eq!(
            task_due(Task::Revisit, rated, &cfg, &cal, 480),
            Ok(at(d(2025, 10, 10), 0))
        );
        assert_eq!(
            task_due(Task::ComplaintCallback, rated, &cfg, &cal, 480),
            Ok(at(d(2025, 10, 10), 0))
        );
        // Mediation applied Monday 3 Mar: verify by end of Tue 4 Mar, assign by end of Thu 6 Mar.
        let applied = at(d(2025, 3, 3), 10 * 60);
        assert_eq!(
            task_due(Task::MediationVerify, applied, &cfg, &cal, 480),
            Ok(at(d(2025, 3, 5), 0))
        );
        assert_eq!(
            task_due(Task::MediationAssign, applied, &cfg, &cal, 480),
            Ok(at(d(2025, 3, 7), 0))
        );
        // 7.1.3.2 b: lawyer calls back within 1 h; 6.2.4.2 a: joins 10 min early.
        assert_eq!(
            task_due(Task::LegalCallback, applied, &cfg, &cal, 480),
            Ok(applied.plus_minutes(60))
        );
        assert_eq!(
            task_due(Task::MediationJoin, applied, &cfg, &cal, 480),
            Ok(applied.plus_minutes(-10))
        );
        // Outside the configured years the deadline is refused, not guessed.
        assert!(task_due(Task::Revisit, at(d(2027, 3, 1), 0), &cfg, &cal, 480).is_err());
    }

    #[test]
    fn mediation_booked_five_working_days_ahead_6_2_4_1() {
        let (cfg, cal) = (SlaConfig::default(), china());
        let applied = at(d(2025, 3, 3), 10 * 60);
        assert_eq!(
            check_mediation_booking(applied, at(d(2025, 3, 10), 9 * 60), &cfg, &cal, 480),
            Ok(Ok(()))
        );
        assert_eq!(
            check_mediation_booking(applied, at(d(2025, 3, 7), 9 * 60), &cfg, &cal, 480),
            Ok(Err(MediationTooSoon {
                clause: "6.2.4.1",
                working_days: 4,
                required: 5
            }))
        );
    }

    #[test]
    fn countdown_goes_negative_when_overdue() {
        let c = Countdown::new(Millis(10_000), Millis(12_500));
        assert!(c.overdue());
        assert_eq!(c.remaining_secs, -3);
        assert_eq!(Countdown::new(Millis(10_000), Millis(10_000)).remaining_secs, 0);
    }
}
