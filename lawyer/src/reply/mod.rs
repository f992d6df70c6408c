//! 留言 reply rules, 6.2.1.2: a reply carries the platform's fixed opening (a), more than 50 characters from the
//! lawyer (b), a judgement of the legal question (c), the legal basis (d), actionable advice (e), and the fixed
//! disclaimer and closing (f).
//!
//! The standard gives no wording for the fixed parts, so [`ReplyTemplates::default`] holds sensible defaults that
//! an operator may replace. The lawyer-desk app writes the three lawyer-authored parts under section markers
//! (【法律分析】【法律依据】【建议】) and [`compose`] wraps them in the fixed parts; [`check`] re-reads any text and
//! lists every missing piece, so the check is deterministic and each problem points at its clause.
//!
//! Counting for 6.2.1.2 b ("服务律师回复应超过 50 字"): only the lawyer's own words count — the fixed opening,
//! disclaimer and closing are the platform's, not the lawyer's, and counting them would make the rule empty (the
//! default disclaimer alone is longer than 50 characters). Section markers and whitespace do not count either;
//! characters are Unicode scalar values, so one Chinese character is one 字.

pub mod qc;

use serde::{Deserialize, Serialize};

/// Marker of the judgement section (6.2.1.2 c).
pub const MARK_JUDGEMENT: &str = "【法律分析】";
/// Marker of the legal-basis section (6.2.1.2 d).
pub const MARK_BASIS: &str = "【法律依据】";
/// Marker of the advice section (6.2.1.2 e).
pub const MARK_ADVICE: &str = "【建议】";

/// Default fixed opening (统一开头语, 6.2.1.2 a); the standard gives no wording.
pub const DEFAULT_OPENING: &str = "您好，感谢您使用12348在线法律咨询服务。根据您描述的情况，律师解答如下：";
/// Default fixed disclaimer (统一的声明条款, 6.2.1.2 f).
pub const DEFAULT_DISCLAIMER: &str = "【声明】以上解答系服务律师根据您提供的信息作出的一般性法律意见，仅供参考，不构成正式的法律意见书；\
如需进一步帮助，请携带相关材料到当地公共法律服务机构咨询或委托律师办理。";
/// Default fixed closing (结束语, 6.2.1.2 f), which also prompts the rating (7.1.3.1 b).
pub const DEFAULT_CLOSING: &str = "感谢您的咨询，祝您生活愉快！欢迎您对本次服务进行评价。";

/// Minimum length of the lawyer's own words: strictly more than this many characters (6.2.1.2 b).
pub const MIN_BODY_CHARS_EXCLUSIVE: usize = 50;

/// The platform's fixed parts, configurable by the operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReplyTemplates {
    pub opening: String,
    pub disclaimer: String,
    pub closing: String,
}

impl Default for ReplyTemplates {
    fn default() -> Self {
        ReplyTemplates {
            opening: DEFAULT_OPENING.into(),
            disclaimer: DEFAULT_DISCLAIMER.into(),
            closing: DEFAULT_CLOSING.into(),
        }
    }
}

/// What the lawyer writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ReplyParts {
    /// 对所提法律问题的判断 (6.2.1.2 c).
    pub judgement: String,
    /// 法律依据, citing a law by title and article (6.2.1.2 d).
    pub basis: String,
    /// 可行、有效的行动建议 (6.2.1.2 e).
    pub advice: String,
}

/// The three lawyer-authored sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Judgement,
    Basis,
    Advice,
}

impl Section {
    pub const ALL: [Section; 3] = [Section::Judgement, Section::Basis, Section::Advice];

    pub fn marker(self) -> &'static str {
        match self {
            Section::Judgement => MARK_JUDGEMENT,
            Section::Basis => MARK_BASIS,
            Section::Advice => MARK_ADVICE,
        }
    }

    pub fn clause(self) -> &'static str {
        match self {
            Section::Judgement => "6.2.1.2 c",
            Section::Basis => "6.2.1.2 d",
            Section::Advice => "6.2.1.2 e",
        }
    }
}

/// Assembles a reply: opening, the three marked sections, disclaimer, closing, one per line.
pub fn compose(parts: &ReplyParts, templates: &ReplyTemplates) -> String {
    [
        templates.opening.trim().to_string(),
        format!("{MARK_JUDGEMENT}{}", parts.judgement.trim()),
        format!("{MARK_BASIS}{}", parts.basis.trim()),
        format!("{MARK_ADVICE}{}", parts.advice.trim()),
        templates.disclaimer.trim().to_string(),
        templates.closing.trim().to_string(),
    ]
    .join("\n")
}

/// One thing a reply lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ReplyProblem {
    /// Does not start with the fixed opening.
    MissingOpening,
    /// The lawyer's own words are `chars` characters; more than 50 are needed.
    TooShort {
        chars: usize,
    },
    /// A section marker is missing, or its section is empty.
    MissingSection {
        section: Section,
    },
    /// The basis section names no law (《…》) or no article (第…条).
    BasisCitesNoLaw,
    MissingDisclaimer,
    /// Does not end with the fixed closing.
    MissingClosing,
}

impl ReplyProblem {
    pub fn clause(&self) -> &'static str {
        match self {
            ReplyProblem::MissingOpening => "6.2.1.2 a",
            ReplyProblem::TooShort { .. } => "6.2.1.2 b",
            ReplyProblem::MissingSection { section } => section.clause(),
            ReplyProblem::BasisCitesNoLaw => "6.2.1.2 d",
            ReplyProblem::MissingDisclaimer | ReplyProblem::MissingClosing => "6.2.1.2 f",
        }
    }

    /// The message shown to the lawyer, Chinese first.
    pub fn message(&self) -> String {
        match self {
            ReplyProblem::MissingOpening => "缺少统一开头语 (missing the fixed opening)".into(),
            ReplyProblem::TooShort { chars } => format!(
                "律师回复仅 {chars} 字，应超过 {MIN_BODY_CHARS_EXCLUSIVE} 字 (reply has {chars} characters; more than \
                 {MIN_BODY_CHARS_EXCLUSIVE} are required)"
            ),
            ReplyProblem::MissingSection { section } => {
                let (zh, en) = match section {
                    Section::Judgement => ("缺少对法律问题的判断", "missing the legal judgement"),
                    Section::Basis => ("缺少法律依据", "missing the legal basis"),
                    Section::Advice => ("缺少行动建议", "missing the advice"),
                };
                format!("{zh}（{}） ({en})", section.marker())
            }
            ReplyProblem::BasisCitesNoLaw => {
                "法律依据应写明法律名称《…》及条文第…条 (the basis must cite a law 《…》 and an article 第…条)".into()
            }
            ReplyProblem::MissingDisclaimer => "缺少统一声明条款 (missing the fixed disclaimer)".into(),
            ReplyProblem::MissingClosing => "缺少统一结束语 (missing the fixed closing)".into(),
        }
    }
}

/// Checks a reply against 6.2.1.2, listing every problem (in clause order).
pub fn check(text: &str, templates: &ReplyTemplates) -> Result<(), Vec<ReplyProblem>> {
    let mut problems = Vec::new();
    let trimmed = text.trim();
    let fixed = |s: &str| s.trim().to_string();
    if !trimmed.starts_with(&fixed(&templates.opening)) {
        problems.push(ReplyProblem::MissingOpening);
    }
    let chars = body_chars(text, templates);
    if chars <= MIN_BODY_CHARS_EXCLUSIVE {
        problems.push(ReplyProblem::TooShort { chars });
    }
    let boundaries = boundaries(text, templates);
    for section in Section::ALL {
        match section_text(text, section, &boundaries) {
            Some(s) if !s.trim().is_empty() => {
                if section == Section::Basis && !cites_law(s) {
                    problems.push(ReplyProblem::BasisCitesNoLaw);
                }
            }
            _ => problems.push(ReplyProblem::MissingSection { section }),
        }
    }
    if !trimmed.contains(&fixed(&templates.disclaimer)) {
        problems.push(ReplyProblem::MissingDisclaimer);
    }
    if !trimmed.ends_with(&fixed(&templates.closing)) {
        problems.push(ReplyProblem::MissingClosing);
    }
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

/// The lawyer's own words: the text without the fixed parts (first occurrence of each), the section markers and
/// whitespace. Also the input of the duplicate check, so shared boilerplate never makes replies look alike.
pub fn lawyer_words(text: &str, templates: &ReplyTemplates) -> String {
    let mut s = text.to_string();
    for fixed in [&templates.opening, &templates.disclaimer, &templates.closing] {
        let fixed = fixed.trim();
        if !fixed.is_empty() {
            s = s.replacen(fixed, "", 1);
        }
    }
    for section in Section::ALL {
        s = s.replace(section.marker(), "");
    }
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Characters of the lawyer's own words (6.2.1.2 b).
pub fn body_chars(text: &str, templates: &ReplyTemplates) -> usize {
    lawyer_words(text, templates).chars().count()
}

/// Byte offsets where some section, the disclaimer or the closing starts: a section runs to the next of them.
fn boundaries(text: &str, templates: &ReplyTemplates) -> Vec<usize> {
    let mut b: Vec<usize> = Section::ALL.iter().filter_map(|s| text.find(s.marker())).collect();
    for fixed in [&templates.disclaimer, &templates.closing] {
        let fixed = fixed.trim();
        if !fixed.is_empty() {
            b.extend(text.find(fixed));
        }
    }
    b.push(text.len());
    b.sort_unstable();
    b
}

fn section_text<'a>(text: &'a str, section: Section, boundaries: &[usize]) -> Option<&'a str> {
    let start = text.find(section.marker())? + section.marker().len();
    let end = boundaries.iter().copied().find(|&b| b >= start).unwrap_or(text.len());
    text.get(start..end)
}

/// Whether `s` cites a law: a title in 《》 (non-empty) and an article "第…条" whose number is written in digits
/// or Chinese numerals (第1条, 第一千零八十四条).
pub fn cites_law(s: &str) -> bool {
    let has_title = s
        .split('《')
        .skip(1)
        .any(|after| after.find('》').is_some_and(|end| !after[..end].trim().is_empty()));
    let has_article = s.split('第').skip(1).any(|after| {
        let number: Vec<char> = after.chars().take_while(|c| is_numeral(*c)).collect();
        !number.is_empty() && after.chars().nth(number.len()) == Some('条')
    });
    has_title && has_article
}

fn is_numeral(c: char) -> bool {
    c.is_ascii_digit() || "〇零一二三四五六七八九十百千两".contains(c)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn parts() -> ReplyParts {
        ReplyParts {
            judgement:
                "用人单位未依法与您签订书面劳动合同，自用工之日起超过一个月不满一年的，应当向您每月支付二倍的工资。"
                    .into(),
            basis: "《中华人民共和国劳动合同法》第八十二条".into(),
            advice:
                "建议您保留工资流水、考勤记录等证据，先与单位协商；协商不成的，可向当地劳动人事争议仲裁委员会申请仲裁。"
                    .into(),
        }
    }

    #[test]
    fn composed_reply_passes_6_2_1_2() {
        let t = ReplyTemplates::default();
        let text = compose(&parts(), &t);
        assert_eq!(check(&text, &t), Ok(()));
        assert!(text.starts_with(DEFAULT_OPENING));
        assert!(text.ends_with(DEFAULT_CLOSING));
    }

    #[test]
    fn every_missing_part_is_listed() {
        let t = ReplyTemplates::default();
        let problems = check("你好，去仲裁吧。", &t).expect_err("bad reply");
        assert_eq!(
            problems,
            vec![
                ReplyProblem::MissingOpening,
                ReplyProblem::TooShort { chars: 8 },
                ReplyProblem::MissingSection {
                    section: Section::Judgement
                },
                ReplyProblem::MissingSection {
                    section: Section::Basis
                },
                ReplyProblem::MissingSection {
                    section: Section::Advice
                },
                ReplyProblem::MissingDisclaimer,
                ReplyProblem::MissingClosing,
            ]
        );
        let clauses: Vec<_> = problems.iter().map(ReplyProblem::clause).collect();
        assert_eq!(
            clauses,
            [
                "6.2.1.2 a",
                "6.2.1.2 b",
                "6.2.1.2 c",
                "6.2.1.2 d",
                "6.2.1.2 e",
                "6.2.1.2 f",
                "6.2.1.2 f"
            ]
        );
        assert!(problems[1].message().starts_with("律师回复仅 8 字"));
    }

    #[test]
    fn fixed_parts_do_not_count_towards_50_characters_6_2_1_2_b() {
        let t = ReplyTemplates::default();
        // 51 characters of the lawyer's own is enough; 50 is not ("超过 50 字").
        let with_body = |n: usize| {
            let p = ReplyParts {
                judgement: "判".repeat(n - 20 - 10),
                basis: "《劳动合同法》第八十二条"
                    .chars()
                    .chain("依".repeat(8).chars())
                    .collect(),
                advice: "议".repeat(10),
            };
            compose(&p, &t)
        };
        assert_eq!(body_chars(&with_body(51), &t), 51);
        assert_eq!(check(&with_body(51), &t), Ok(()));
        assert_eq!(
            check(&with_body(50), &t),
            Err(vec![ReplyProblem::TooShort { chars: 50 }])
        );
    }

    #[test]
    fn basis_must_cite_a_law_and_an_article_6_2_1_2_d() {
        assert!(cites_law("依据《民法典》第1084条"));
        assert!(cites_law("《中华人民共和国劳动合同法》第八十二条规定"));
        assert!(!cites_law("依据劳动合同法第八十二条"), "no title marks");
        assert!(!cites_law("依据《劳动合同法》的规定"), "no article");
        assert!(!cites_law("《》第3条"), "empty title");
        assert!(!cites_law("《民法典》第条"), "no article number");
        let t = ReplyTemplates::default();
        let mut p = parts();
        p.basis = "根据相关法律规定，单位应当支付双倍工资差额。".into();
        assert_eq!(check(&compose(&p, &t), &t), Err(vec![ReplyProblem::BasisCitesNoLaw]));
        p.basis = String::new();
        assert_eq!(
            check(&compose(&p, &t), &t),
            Err(vec![ReplyProblem::MissingSection {
                section: Section::Basis
            }])
        );
    }

    #[test]
    fn templates_are_configurable() {
        let t: ReplyTemplates = serde_json::from_str(r#"{"opening":"您好！"}"#).expect("json");
        assert_eq!(t.closing, DEFAULT_CLOSING);
        let text = compose(&parts(), &t);
        assert!(text.starts_with("您好！\n"));
        assert_eq!(check(&text, &t), Ok(()));
        assert_eq!(
            check(&text, &ReplyTemplates::default()),
            Err(vec![ReplyProblem::MissingOpening])
        );
    }
}
