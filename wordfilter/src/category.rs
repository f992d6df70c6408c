//! What a listed word is (its category) and what happens to an account that uses it (its action).
//!
//! Standard 10.3.2 names the categories 暴恐违禁, 低俗辱骂 and 政治敏感 "for example"; the set here is
//! closed so statistics and reviewer queues can group by it, with 其他 for anything else.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Category of a sensitive word. Serialised as its English key (`violence_terror`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 暴恐 (violence and terror, 暴恐违禁 in the standard).
    ViolenceTerror,
    /// 低俗辱骂 (vulgarity and abuse).
    VulgarAbuse,
    /// 政治 (political, 政治敏感 in the standard).
    Political,
    /// 色情 (pornography).
    Pornography,
    /// 赌博 (gambling).
    Gambling,
    /// 诈骗 (fraud).
    Fraud,
    /// 其他 (other).
    Other,
}

impl Category {
    /// Every category, in display order.
    pub const ALL: [Category; 7] = [
        Category::ViolenceTerror,
        Category::VulgarAbuse,
        Category::Political,
        Category::Pornography,
        Category::Gambling,
        Category::Fraud,
        Category::Other,
    ];

    /// The English key used in word lists and serialised data.
    pub fn key(self) -> &'static str {
        match self {
            Category::ViolenceTerror => "violence_terror",
            Category::VulgarAbuse => "vulgar_abuse",
            Category::Political => "political",
            Category::Pornography => "pornography",
            Category::Gambling => "gambling",
            Category::Fraud => "fraud",
            Category::Other => "other",
        }
    }

    /// The Chinese label shown to reviewers and accepted in word lists.
    pub fn label_zh(self) -> &'static str {
        match self {
            Category::ViolenceTerror => "暴恐",
            Category::VulgarAbuse => "低俗辱骂",
            Category::Political => "政治",
            Category::Pornography => "色情",
            Category::Gambling => "赌博",
            Category::Fraud => "诈骗",
            Category::Other => "其他",
        }
    }

    /// Parses an English key or a Chinese label; the standard's longer wording
    /// (暴恐违禁, 政治敏感) is accepted too because operators copy it from the text.
    pub fn parse(field: &str) -> Option<Category> {
        let field = field.trim();
        Category::ALL
            .into_iter()
            .find(|c| c.key().eq_ignore_ascii_case(field) || c.label_zh() == field)
            .or(match field {
                "暴恐违禁" => Some(Category::ViolenceTerror),
                "政治敏感" => Some(Category::Political),
                _ => None,
            })
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_zh())
    }
}

/// What the platform does automatically when a word is used; a reviewer confirms it afterwards
/// (10.3.2: 后台人员根据平台自动处理结果进行审核).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// 警告: a warning only.
    Warn,
    /// 封禁 N 天: the account is suspended for `days` days (at least 1).
    Ban {
        /// Length of the suspension in days.
        days: u32,
    },
    /// 永久封禁: the account is closed for good and may not re-register (不支持重新申请).
    Permanent,
}

impl Action {
    /// Parses `warn`, `ban:N` (N ≥ 1) or `permanent`, case-insensitively.
    pub fn parse(field: &str) -> Option<Action> {
        let field = field.trim();
        if field.eq_ignore_ascii_case("warn") {
            return Some(Action::Warn);
        }
        if field.eq_ignore_ascii_case("permanent") {
            return Some(Action::Permanent);
        }
        let (head, days) = field.split_once(':')?;
        if !head.trim().eq_ignore_ascii_case("ban") {
            return None;
        }
        let days = days.trim();
        // u32::from_str accepts a leading '+'; a list entry should be plain digits.
        if !days.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        match days.parse::<u32>() {
            Ok(0) | Err(_) => None,
            Ok(days) => Some(Action::Ban { days }),
        }
    }

    /// How severe the action is: warnings < bans (longer is more severe) < permanent.
    /// Used when one text hits several words and the caller wants the strongest action.
    pub fn severity(self) -> u64 {
        match self {
            Action::Warn => 0,
            Action::Ban { days } => u64::from(days),
            Action::Permanent => u64::MAX,
        }
    }

    /// Chinese description for reviewers and notices.
    pub fn label_zh(self) -> String {
        match self {
            Action::Warn => "警告".to_owned(),
            Action::Ban { days } => format!("封禁 {days} 天"),
            Action::Permanent => "永久封禁".to_owned(),
        }
    }
}

impl fmt::Display for Action {
    /// The word-list spelling (`warn`, `ban:7`, `permanent`), so lists can be written back out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Warn => f.write_str("warn"),
            Action::Ban { days } => write!(f, "ban:{days}"),
            Action::Permanent => f.write_str("permanent"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_parse_from_key_and_label() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.key()), Some(c));
            assert_eq!(Category::parse(c.label_zh()), Some(c));
        }
        assert_eq!(Category::parse("暴恐违禁"), Some(Category::ViolenceTerror));
        assert_eq!(Category::parse("政治敏感"), Some(Category::Political));
        assert_eq!(Category::parse("Fraud"), Some(Category::Fraud));
        assert_eq!(Category::parse("spam"), None);
        assert_eq!(Category::parse(""), None);
    }

    #[test]
    fn actions_parse() {
        assert_eq!(Action::parse("warn"), Some(Action::Warn));
        assert_eq!(Action::parse("ban:7"), Some(Action::Ban { days: 7 }));
        assert_eq!(Action::parse("BAN: 30"), Some(Action::Ban { days: 30 }));
        assert_eq!(Action::parse("permanent"), Some(Action::Permanent));
        for bad in [
            "ban",
            "ban:",
            "ban:0",
            "ban:-1",
            "ban:+3",
            "ban:x",
            "ban:99999999999",
            "kick",
            "",
        ] {
            assert_eq!(Action::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn actions_round_trip_and_order_by_severity() {
        for a in [Action::Warn, Action::Ban { days: 3 }, Action::Permanent] {
            assert_eq!(Action::parse(&a.to_string()), Some(a));
        }
        assert!(Action::Warn.severity() < Action::Ban { days: 1 }.severity());
        assert!(Action::Ban { days: 1 }.severity() < Action::Ban { days: 30 }.severity());
        assert!(Action::Ban { days: u32::MAX }.severity() < Action::Permanent.severity());
        assert_eq!(Action::Ban { days: 7 }.label_zh(), "封禁 7 天");
    }
}
