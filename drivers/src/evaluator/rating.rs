//! The five rating levels of 好差评 and a validated rating result.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A rating, numbered as the domain and the rating API number them (1 worst … 5 best).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum Rating {
    /// 1 = 非常不满意
    VeryDissatisfied = 1,
    /// 2 = 不满意
    Dissatisfied = 2,
    /// 3 = 基本满意
    Basic = 3,
    /// 4 = 满意
    Satisfied = 4,
    /// 5 = 非常满意
    VerySatisfied = 5,
}

impl Rating {
    pub const ALL: [Rating; 5] = [
        Self::VeryDissatisfied,
        Self::Dissatisfied,
        Self::Basic,
        Self::Satisfied,
        Self::VerySatisfied,
    ];

    pub fn level(self) -> u8 {
        self as u8
    }

    pub fn from_level(level: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.level() == level)
    }

    /// The label shown to citizens.
    pub fn label(self) -> &'static str {
        match self {
            Self::VeryDissatisfied => "非常不满意",
            Self::Dissatisfied => "不满意",
            Self::Basic => "基本满意",
            Self::Satisfied => "满意",
            Self::VerySatisfied => "非常满意",
        }
    }

    /// 不满意 and 非常不满意 must come with a reason (a choice or written text).
    pub fn needs_reason(self) -> bool {
        matches!(self, Self::VeryDissatisfied | Self::Dissatisfied)
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.level(), self.label())
    }
}

impl From<Rating> for u8 {
    fn from(r: Rating) -> u8 {
        r.level()
    }
}

impl TryFrom<u8> for Rating {
    type Error = RatingError;
    fn try_from(level: u8) -> Result<Self, RatingError> {
        Self::from_level(level).ok_or(RatingError::BadLevel(i64::from(level)))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RatingError {
    #[error("评价等级无效（应为 1–5）/ rating level {0} is not 1–5")]
    BadLevel(i64),
    #[error("{rating}：请选择或填写不满意的原因 / a {level} rating needs a reason (a choice or text)", rating = .0.label(), level = .0.level())]
    ReasonRequired(Rating),
}

/// A rating with its reasons, as reported to the 好差评 platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingResult {
    pub rating: Rating,
    /// Reasons chosen from the pad's list.
    pub reasons: Vec<String>,
    /// Written comment, if any.
    pub text: Option<String>,
}

impl RatingResult {
    /// Checks a raw level and reasons: the level must be 1–5 and a negative level needs a
    /// non-blank reason choice or text.
    pub fn validate(level: i64, reasons: Vec<String>, text: Option<String>) -> Result<Self, RatingError> {
        let rating = u8::try_from(level)
            .ok()
            .and_then(Rating::from_level)
            .ok_or(RatingError::BadLevel(level))?;
        let reasons: Vec<String> = reasons
            .into_iter()
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty())
            .collect();
        let text = text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        if rating.needs_reason() && reasons.is_empty() && text.is_none() {
            return Err(RatingError::ReasonRequired(rating));
        }
        Ok(Self { rating, reasons, text })
    }
}
