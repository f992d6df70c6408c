//! Cases (办件): a matter accepted at a window, followed by the citizen at a kiosk or by receipt number
//! (tender 21(1) "查询…办件进度", 21(2) "办件查询、补件、取件"). A case moves through stages; which
//! moves are allowed is decided here.

use serde::{Deserialize, Serialize};

/// Longest stage note, in characters.
pub const MAX_NOTE_CHARS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseStage {
    /// 已受理: the case is opened in this stage.
    Accepted,
    /// 审查中.
    Reviewing,
    /// 需补正: the note says what is missing.
    NeedsMore,
    /// 已办结.
    Completed,
    /// 待领取: the result waits at the hall.
    ReadyForPickup,
    /// 已送达: handed over or delivered (final).
    Delivered,
    /// 不予受理 (final; the note says why).
    Rejected,
}

impl CaseStage {
    pub const ALL: [CaseStage; 7] = [
        CaseStage::Accepted,
        CaseStage::Reviewing,
        CaseStage::NeedsMore,
        CaseStage::Completed,
        CaseStage::ReadyForPickup,
        CaseStage::Delivered,
        CaseStage::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStage::Accepted => "accepted",
            CaseStage::Reviewing => "reviewing",
            CaseStage::NeedsMore => "needs_more",
            CaseStage::Completed => "completed",
            CaseStage::ReadyForPickup => "ready_for_pickup",
            CaseStage::Delivered => "delivered",
            CaseStage::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<CaseStage> {
        CaseStage::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// What the citizen reads.
    pub fn label(self) -> &'static str {
        match self {
            CaseStage::Accepted => "已受理",
            CaseStage::Reviewing => "审查中",
            CaseStage::NeedsMore => "需补正",
            CaseStage::Completed => "已办结",
            CaseStage::ReadyForPickup => "待领取",
            CaseStage::Delivered => "已送达",
            CaseStage::Rejected => "不予受理",
        }
    }

    /// No stage follows a final one.
    pub fn is_final(self) -> bool {
        matches!(self, CaseStage::Delivered | CaseStage::Rejected)
    }

    /// Whether moving to this stage needs a note (what is missing; why it is refused).
    pub fn needs_note(self) -> bool {
        matches!(self, CaseStage::NeedsMore | CaseStage::Rejected)
    }

    /// The stages a case may move to from this one.
    pub fn next(self) -> &'static [CaseStage] {
        use CaseStage::*;
        match self {
            Accepted => &[Reviewing, NeedsMore, Completed, Rejected],
            Reviewing => &[NeedsMore, Completed, Rejected],
            NeedsMore => &[Reviewing, Rejected],
            Completed => &[ReadyForPickup, Delivered],
            ReadyForPickup => &[Delivered],
            Delivered | Rejected => &[],
        }
    }
}

impl std::fmt::Display for CaseStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("办件已{}，不能再变更 / the case is {from} (final)", from.label())]
    Final { from: CaseStage },
    #[error("办件不能从“{}”变为“{}” / a case cannot go from {from} to {to}; allowed: {allowed}", from.label(), to.label())]
    NotAllowed {
        from: CaseStage,
        to: CaseStage,
        allowed: String,
    },
    #[error("“{}”需要说明 / {stage} needs a note (what is missing, or why)", stage.label())]
    NoteRequired { stage: CaseStage },
    #[error("说明最多 {MAX_NOTE_CHARS} 个字 / the note has at most {MAX_NOTE_CHARS} characters")]
    NoteTooLong,
}

impl CaseError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            CaseError::Final { .. } | CaseError::NotAllowed { .. } => "bad_transition",
            CaseError::NoteRequired { .. } | CaseError::NoteTooLong => "invalid",
        }
    }
    /// The request field at fault.
    pub fn field(&self) -> &'static str {
        match self {
            CaseError::Final { .. } | CaseError::NotAllowed { .. } => "stage",
            CaseError::NoteRequired { .. } | CaseError::NoteTooLong => "note",
        }
    }
}

/// Whether a case in stage `from` may move to `to` with `note`. Pure: the store and the API both ask.
pub fn transition(from: CaseStage, to: CaseStage, note: Option<&str>) -> Result<(), CaseError> {
    if from.is_final() {
        return Err(CaseError::Final { from });
    }
    if !from.next().contains(&to) {
        let allowed: Vec<&str> = from.next().iter().map(|s| s.as_str()).collect();
        return Err(CaseError::NotAllowed {
            from,
            to,
            allowed: allowed.join(", "),
        });
    }
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if to.needs_note() && note.is_none() {
        return Err(CaseError::NoteRequired { stage: to });
    }
    if note.is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS) {
        return Err(CaseError::NoteTooLong);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::CaseStage::*;
    use super::*;

    #[test]
    fn the_usual_path() {
        for (from, to) in [
            (Accepted, Reviewing),
            (Reviewing, Completed),
            (Completed, ReadyForPickup),
            (ReadyForPickup, Delivered),
        ] {
            assert_eq!(transition(from, to, None), Ok(()), "{from} → {to}");
        }
    }

    #[test]
    fn needs_more_goes_back_to_review_and_says_what_is_missing() {
        assert_eq!(transition(Reviewing, NeedsMore, Some("缺少户口簿原件")), Ok(()));
        assert_eq!(
            transition(Reviewing, NeedsMore, Some("  ")),
            Err(CaseError::NoteRequired { stage: NeedsMore })
        );
        assert_eq!(transition(NeedsMore, Reviewing, None), Ok(()));
        assert!(matches!(
            transition(NeedsMore, Completed, None),
            Err(CaseError::NotAllowed { .. })
        ));
    }

    #[test]
    fn completed_only_to_pickup_or_delivery() {
        for to in CaseStage::ALL {
            let ok = transition(Completed, to, Some("x")).is_ok();
            assert_eq!(ok, matches!(to, ReadyForPickup | Delivered), "completed → {to}");
        }
    }

    #[test]
    fn rejected_and_delivered_are_final() {
        for from in [Rejected, Delivered] {
            for to in CaseStage::ALL {
                assert_eq!(transition(from, to, Some("x")), Err(CaseError::Final { from }));
            }
        }
        assert_eq!(
            transition(Accepted, Rejected, None),
            Err(CaseError::NoteRequired { stage: Rejected })
        );
    }

    #[test]
    fn nothing_goes_back_to_accepted_and_names_round_trip() {
        for from in CaseStage::ALL {
            assert!(transition(from, Accepted, None).is_err());
            assert_eq!(CaseStage::parse(from.as_str()), Some(from));
            assert!(!from.label().is_empty());
        }
        assert_eq!(
            transition(Accepted, Reviewing, Some(&"字".repeat(MAX_NOTE_CHARS + 1))),
            Err(CaseError::NoteTooLong)
        );
    }
}
