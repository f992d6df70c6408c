//! Automatic quality checks (质检) of a lawyer's reply, sorted by the standard's two error grades:
//!
//! - fatal (3.2): abusive or threatening language (①), another client's personal data (③, also 6.2.2.3.5);
//! - non-fatal (3.1): a mechanical, copy-paste reply (6.2.2.3.2 a), a 留言 reply missing a required part (6.2.1.2).
//!
//! Abusive language is recognised by the separate word-filter crate; this module only takes the verdict through
//! [`AbuseFilter`], so the rules stay free of word lists. "推诿客户" (3.2 ②) needs a human reviewer and is not
//! checked automatically.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::{ReplyProblem, ReplyTemplates, check, lawyer_words};
use crate::ratio::{BasisPoints, Ratio};

/// Decides whether a text contains abusive or threatening words (10.3.2 低俗辱骂). Any `Fn(&str) -> bool` is one.
pub trait AbuseFilter {
    fn is_abusive(&self, text: &str) -> bool;
}

impl<F: Fn(&str) -> bool> AbuseFilter for F {
    fn is_abusive(&self, text: &str) -> bool {
        self(text)
    }
}

/// Default similarity at or above which a reply counts as mechanical: 80% of character bigrams shared.
pub const DEFAULT_SIMILARITY_THRESHOLD: BasisPoints = BasisPoints::percent(80);

/// Jaccard similarity of the two texts' sets of character bigrams (whitespace ignored). Exact, so the threshold
/// comparison is reproducible. A text of fewer than two characters has no bigrams; two such texts compare as
/// "no data" (`den == 0`).
pub fn bigram_similarity(a: &str, b: &str) -> Ratio {
    let (a, b) = (bigrams(a), bigrams(b));
    let common = a.intersection(&b).count();
    let union = a.len() + b.len() - common;
    Ratio::new(common as u64, union as u64)
}

fn bigrams(s: &str) -> HashSet<(char, char)> {
    let chars: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

/// The recent reply a new one is too similar to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MechanicalReply {
    /// Index into the `recent` slice.
    pub index: usize,
    pub similarity: Ratio,
}

/// 6.2.2.3.2 a "不应出现机械式回复": the most similar of the lawyer's `recent` replies whose similarity is at least
/// `threshold`. Only the lawyer's own words are compared — the fixed opening, disclaimer and closing are the same
/// in every reply by design.
pub fn find_mechanical(
    text: &str,
    recent: &[&str],
    threshold: BasisPoints,
    templates: &ReplyTemplates,
) -> Option<MechanicalReply> {
    let words = lawyer_words(text, templates);
    recent
        .iter()
        .enumerate()
        .map(|(index, r)| MechanicalReply {
            index,
            similarity: bigram_similarity(&words, &lawyer_words(r, templates)),
        })
        .filter(|m| m.similarity.at_least(threshold) == Some(true))
        .max_by(|a, b| a.similarity.cmp_rate(b.similarity).unwrap_or(std::cmp::Ordering::Equal))
}

/// What is known about another client of the lawyer's, to catch it leaking into a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OtherClient {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeakKind {
    Name,
    Phone,
    IdNumber,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leak {
    /// Index into the `others` slice.
    pub client: usize,
    pub kind: LeakKind,
}

/// Shortest name that is looked for: a one-character "name" would match ordinary words.
const MIN_NAME_CHARS: usize = 2;
/// Shortest number that is looked for.
const MIN_NUMBER_DIGITS: usize = 5;

/// 3.2 ③ / 6.2.2.3.5: the other clients whose name, phone or ID number appears in `text`. Numbers are compared on
/// their digits only (and an ID's final X), so "138 0013 8000" and "138-0013-8000" are caught too.
pub fn find_leaks(text: &str, others: &[OtherClient]) -> Vec<Leak> {
    let digits = number_chars(text);
    let mut out = Vec::new();
    for (client, other) in others.iter().enumerate() {
        let name = other
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| n.chars().count() >= MIN_NAME_CHARS);
        if name.is_some_and(|n| text.contains(n)) {
            out.push(Leak {
                client,
                kind: LeakKind::Name,
            });
        }
        for (kind, number) in [(LeakKind::Phone, &other.phone), (LeakKind::IdNumber, &other.id_number)] {
            let number = number
                .as_deref()
                .map(number_chars)
                .filter(|n| n.len() >= MIN_NUMBER_DIGITS);
            if number.is_some_and(|n| digits.contains(&n)) {
                out.push(Leak { client, kind });
            }
        }
    }
    out
}

fn number_chars(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_digit() || *c == 'x' || *c == 'X')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The two error grades of 3.1 and 3.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    NonFatal,
    Fatal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum QcIssue {
    Abusive,
    Leak(Leak),
    Mechanical(MechanicalReply),
    Format(ReplyProblem),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QcFinding {
    pub severity: Severity,
    pub clause: &'static str,
    pub issue: QcIssue,
}

/// What an automatic check needs besides the reply.
pub struct QcContext<'a> {
    pub templates: &'a ReplyTemplates,
    /// The lawyer's recent replies, for the duplicate check.
    pub recent_replies: &'a [&'a str],
    pub similarity_threshold: BasisPoints,
    pub other_clients: &'a [OtherClient],
    pub abuse: &'a dyn AbuseFilter,
    /// A 留言 reply also gets the 6.2.1.2 format check; a real-time chat message does not.
    pub message_reply: bool,
}

/// Runs every automatic check; fatal findings first.
pub fn auto_qc(text: &str, ctx: &QcContext<'_>) -> Vec<QcFinding> {
    let mut out = Vec::new();
    if ctx.abuse.is_abusive(text) {
        out.push(QcFinding {
            severity: Severity::Fatal,
            clause: "3.2 ①",
            issue: QcIssue::Abusive,
        });
    }
    for leak in find_leaks(text, ctx.other_clients) {
        out.push(QcFinding {
            severity: Severity::Fatal,
            clause: "3.2 ③",
            issue: QcIssue::Leak(leak),
        });
    }
    if let Some(m) = find_mechanical(text, ctx.recent_replies, ctx.similarity_threshold, ctx.templates) {
        out.push(QcFinding {
            severity: Severity::NonFatal,
            clause: "6.2.2.3.2 a",
            issue: QcIssue::Mechanical(m),
        });
    }
    if ctx.message_reply
        && let Err(problems) = check(text, ctx.templates)
    {
        out.extend(problems.into_iter().map(|p| QcFinding {
            severity: Severity::NonFatal,
            clause: p.clause(),
            issue: QcIssue::Format(p),
        }));
    }
    out
}

/// The worst grade among the findings, or `None` if the reply passed.
pub fn verdict(findings: &[QcFinding]) -> Option<Severity> {
    findings.iter().map(|f| f.severity).max()
}

#[cfg(test)]
mod tests {
    use super::super::{compose, tests::parts};
    use super::*;

    #[test]
    fn similarity_is_bigram_jaccard() {
        assert_eq!(bigram_similarity("abcd", "abcd"), Ratio::new(3, 3));
        // {ab, bc, cd} vs {ab, bc, ce}: 2 shared of 4.
        assert_eq!(bigram_similarity("abcd", "abce"), Ratio::new(2, 4));
        assert_eq!(bigram_similarity("a b", "ab"), Ratio::new(1, 1), "whitespace ignored");
        assert!(bigram_similarity("a", "b").is_empty());
    }

    #[test]
    fn mechanical_reply_ignores_the_fixed_parts_6_2_2_3_2_a() {
        let t = ReplyTemplates::default();
        let first = compose(&parts(), &t);
        let mut other = parts();
        other.judgement =
            "房屋租赁合同约定不明的，出租人应当在合理期限内通知承租人，不得随意解除合同并扣留押金。".into();
        other.basis = "《中华人民共和国民法典》第七百三十条".into();
        other.advice = "建议您与房东书面沟通并保存聊天记录，必要时向人民法院起诉要求返还押金。".into();
        let different = compose(&other, &t);
        assert_eq!(
            find_mechanical(&different, &[&first], DEFAULT_SIMILARITY_THRESHOLD, &t),
            None
        );
        let again = compose(&parts(), &t);
        let hit = find_mechanical(&again, &[&different, &first], DEFAULT_SIMILARITY_THRESHOLD, &t);
        assert_eq!(hit.map(|m| m.index), Some(1));
    }

    #[test]
    fn another_clients_data_is_caught_3_2() {
        let others = [
            OtherClient {
                name: Some("张三丰".into()),
                phone: Some("13800138000".into()),
                id_number: None,
            },
            OtherClient {
                name: Some("李".into()),
                phone: None,
                id_number: Some("11010519491231002x".into()),
            },
        ];
        assert_eq!(
            find_leaks("请联系张三丰，电话 138-0013-8000。", &others),
            vec![
                Leak {
                    client: 0,
                    kind: LeakKind::Name
                },
                Leak {
                    client: 0,
                    kind: LeakKind::Phone
                }
            ]
        );
        assert_eq!(
            find_leaks("身份证号 11010519491231002X", &others),
            vec![Leak {
                client: 1,
                kind: LeakKind::IdNumber
            }]
        );
        assert_eq!(
            find_leaks("李先生您好", &others),
            vec![],
            "one-character names are not searched"
        );
    }

    #[test]
    fn auto_qc_grades_findings_3_1_3_2() {
        let t = ReplyTemplates::default();
        let others = [OtherClient {
            name: Some("王五".into()),
            ..Default::default()
        }];
        let abuse = |s: &str| s.contains("滚");
        let ctx = QcContext {
            templates: &t,
            recent_replies: &[],
            similarity_threshold: DEFAULT_SIMILARITY_THRESHOLD,
            other_clients: &others,
            abuse: &abuse,
            message_reply: true,
        };
        let good = compose(&parts(), &t);
        assert_eq!(auto_qc(&good, &ctx), vec![]);
        assert_eq!(verdict(&auto_qc(&good, &ctx)), None);
        let findings = auto_qc("滚，王五的事别问我", &ctx);
        assert_eq!(findings[0].issue, QcIssue::Abusive);
        assert_eq!(
            findings[1].issue,
            QcIssue::Leak(Leak {
                client: 0,
                kind: LeakKind::Name
            })
        );
        assert!(findings[2..].iter().all(|f| f.severity == Severity::NonFatal));
        assert_eq!(verdict(&findings), Some(Severity::Fatal));
        let chat = QcContext {
            message_reply: false,
            ..ctx
        };
        assert_eq!(
            auto_qc("好的，请稍等。", &chat),
            vec![],
            "chat messages skip the 留言 format"
        );
    }
}
