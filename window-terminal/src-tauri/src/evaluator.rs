//! The citizen-facing evaluator as a state machine, free of I/O so its rules are unit-tested:
//! idle (staff card) → confirm (key fields pushed for 双屏确认) → rate (five levels, deadline) → thanks.
//! A lapsed deadline records nothing: there is never a default rating.

use app_types::CommandError;
use app_types::window_terminal::{Confirmation, EvaluatorView, RatingInput, StaffCard};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    Idle,
    Confirm(Confirmation),
    Rate {
        ticket_id: String,
        ticket: String,
        deadline_ms: i64,
    },
    Thanks {
        level: u8,
    },
}

#[derive(Debug, Clone)]
pub struct Evaluator {
    pub card: StaffCard,
    pub stage: Stage,
    pub reasons: Vec<String>,
    /// What the citizen was last asked to confirm (digested into the confirmation record).
    pub last_confirmation: Option<Confirmation>,
    /// When the thank-you screen began (ms), so a late "back to idle" from an earlier one cannot cut
    /// the next citizen's short.
    pub thanks_since_ms: i64,
}

/// How long the thank-you screen stays before the evaluator may go back to the staff card (the
/// evaluator window asks after 3 s).
pub const THANKS_MS: i64 = 2_500;

impl Default for Evaluator {
    fn default() -> Self {
        Evaluator {
            card: StaffCard::default(),
            stage: Stage::Idle,
            // Until the hall's own list is known: the domain's defaults, which the hall node accepts when
            // the hall configures none.
            reasons: domain::config::default_rating_reasons(),
            last_confirmation: None,
            thanks_since_ms: 0,
        }
    }
}

impl Evaluator {
    pub fn view(&self) -> EvaluatorView {
        let card = self.card.clone();
        match &self.stage {
            Stage::Idle => EvaluatorView::Idle { card },
            Stage::Confirm(c) => EvaluatorView::Confirm {
                card,
                confirmation: c.clone(),
            },
            Stage::Rate {
                ticket_id,
                ticket,
                deadline_ms,
            } => EvaluatorView::Rate {
                card,
                ticket_id: ticket_id.clone(),
                ticket: ticket.clone(),
                reasons: self.reasons.clone(),
                deadline_ms: *deadline_ms,
            },
            Stage::Thanks { level } => EvaluatorView::Thanks { card, level: *level },
        }
    }

    pub fn push_confirmation(&mut self, c: Confirmation) {
        self.last_confirmation = Some(c.clone());
        self.stage = Stage::Confirm(c);
    }

    /// The citizen's answer on the confirmation screen; returns the ticket it was about.
    pub fn answer_confirmation(&mut self, ticket_id: &str) -> Result<(), CommandError> {
        match &self.stage {
            Stage::Confirm(c) if c.ticket_id == ticket_id => {
                self.stage = Stage::Idle;
                Ok(())
            }
            _ => Err(CommandError::new(
                "not_pending",
                "没有待确认的信息 / nothing to confirm",
            )),
        }
    }

    pub fn start_rating(&mut self, ticket_id: String, ticket: String, deadline_ms: i64) {
        self.stage = Stage::Rate {
            ticket_id,
            ticket,
            deadline_ms,
        };
    }

    /// Checks a rating against the pending evaluation; on success the evaluator thanks the citizen.
    pub fn accept(&mut self, r: &RatingInput, now_ms: i64) -> Result<(), CommandError> {
        let Stage::Rate {
            ticket_id, deadline_ms, ..
        } = &self.stage
        else {
            return Err(CommandError::new(
                "not_pending",
                "当前没有待评价的服务 / no evaluation is open",
            ));
        };
        if *ticket_id != r.ticket_id {
            return Err(CommandError::new(
                "not_pending",
                "评价的号码与当前服务不符 / rating for another ticket",
            ));
        }
        if now_ms > *deadline_ms {
            self.stage = Stage::Idle;
            return Err(CommandError::new(
                "timeout",
                "评价已超时，未记录评价 / the evaluation timed out; nothing recorded",
            ));
        }
        if !(1..=5).contains(&r.level) {
            return Err(CommandError::new("invalid", "评价等级应为 1–5 / level must be 1–5").field("level"));
        }
        if r.level <= 2 && r.reasons.is_empty() && r.comment.trim().is_empty() {
            return Err(
                CommandError::new("reason_required", "请选择或填写不满意的原因 / choose or write a reason")
                    .field("reasons"),
            );
        }
        self.stage = Stage::Thanks { level: r.level };
        self.thanks_since_ms = now_ms;
        Ok(())
    }

    /// Back to the staff card after the thank-you screen, unless that screen only just began (the
    /// request then belongs to an earlier thank-you). True when the stage changed.
    pub fn idle_after_thanks(&mut self, now_ms: i64) -> bool {
        if matches!(self.stage, Stage::Thanks { .. }) && now_ms - self.thanks_since_ms >= THANKS_MS {
            self.stage = Stage::Idle;
            return true;
        }
        false
    }

    /// Ends an evaluation whose deadline passed; true when one lapsed (nothing is recorded).
    pub fn expire(&mut self, now_ms: i64) -> bool {
        if let Stage::Rate { deadline_ms, .. } = &self.stage
            && now_ms > *deadline_ms
        {
            self.stage = Stage::Idle;
            return true;
        }
        false
    }
}

/// 1 … 5 in words, as the evaluator shows them.
pub fn level_text(level: u8) -> &'static str {
    match level {
        5 => "非常满意",
        4 => "满意",
        3 => "基本满意",
        2 => "不满意",
        1 => "非常不满意",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rating(level: u8, reasons: &[&str], comment: &str) -> RatingInput {
        RatingInput {
            ticket_id: "t1".into(),
            level,
            reasons: reasons.iter().map(|s| (*s).to_owned()).collect(),
            comment: comment.into(),
        }
    }

    #[test]
    fn negative_levels_need_a_reason_positive_ones_do_not() {
        let mut e = Evaluator::default();
        e.start_rating("t1".into(), "A001".into(), 1_000);
        assert_eq!(
            e.accept(&rating(1, &[], " "), 10).map_err(|e| e.code),
            Err("reason_required".into())
        );
        assert_eq!(
            e.accept(&rating(2, &[], ""), 10).map_err(|e| e.code),
            Err("reason_required".into())
        );
        assert!(e.accept(&rating(2, &[], "太慢"), 10).is_ok());
        assert_eq!(e.stage, Stage::Thanks { level: 2 });
        e.start_rating("t1".into(), "A001".into(), 1_000);
        assert!(e.accept(&rating(5, &[], ""), 10).is_ok());
    }

    #[test]
    fn a_timeout_records_nothing_and_never_defaults() {
        let mut e = Evaluator::default();
        e.start_rating("t1".into(), "A001".into(), 1_000);
        assert!(!e.expire(999));
        assert!(e.expire(1_001));
        assert_eq!(e.stage, Stage::Idle);
        assert_eq!(
            e.accept(&rating(5, &[], ""), 1_002).map_err(|e| e.code),
            Err("not_pending".into())
        );
        e.start_rating("t1".into(), "A001".into(), 1_000);
        assert_eq!(
            e.accept(&rating(5, &[], ""), 1_001).map_err(|e| e.code),
            Err("timeout".into())
        );
    }

    #[test]
    fn ratings_for_another_ticket_or_level_are_refused() {
        let mut e = Evaluator::default();
        e.start_rating("t1".into(), "A001".into(), 1_000);
        let mut r = rating(4, &[], "");
        r.ticket_id = "t2".into();
        assert!(e.accept(&r, 1).is_err());
        assert!(e.accept(&rating(6, &[], ""), 1).is_err());
        assert!(e.accept(&rating(0, &[], ""), 1).is_err());
    }

    #[test]
    fn a_late_idle_request_does_not_cut_the_next_thanks_short() {
        let mut e = Evaluator::default();
        e.start_rating("t1".into(), "A001".into(), 100_000);
        assert!(e.accept(&rating(5, &[], ""), 10_000).is_ok());
        assert!(!e.idle_after_thanks(10_000 + THANKS_MS - 1));
        assert_eq!(e.stage, Stage::Thanks { level: 5 });
        assert!(e.idle_after_thanks(10_000 + THANKS_MS));
        assert_eq!(e.stage, Stage::Idle);
    }

    #[test]
    fn confirmation_is_answered_once() {
        let mut e = Evaluator::default();
        e.push_confirmation(Confirmation {
            ticket_id: "t1".into(),
            ticket: "A001".into(),
            item: "户口迁移".into(),
            citizen_name: "张*".into(),
            citizen_id: "230***********1230".into(),
            scans: 1,
        });
        assert!(e.answer_confirmation("t2").is_err());
        assert!(e.answer_confirmation("t1").is_ok());
        assert!(e.answer_confirmation("t1").is_err());
    }
}
