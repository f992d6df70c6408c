//! Operator word lists: UTF-8 text, one `word<TAB>category<TAB>action` entry per line.
//!
//! ```text
//! # comment lines start with '#'; blank lines are ignored; ⇥ is a TAB
//! 测试敏感词⇥other⇥warn
//! 示例辱骂词⇥低俗辱骂⇥ban:7
//! 样例暴恐词⇥violence_terror⇥permanent
//! ```
//!
//! Lists are loaded at run time from files the operator maintains; the crate ships only a
//! harmless sample (`assets/wordfilter/sample.tsv`). Errors are meant for that operator, so
//! they are in Chinese, name the 1-based line and the field, and say what was expected.

use std::collections::HashMap;
use std::fmt;
use std::io::BufRead;

use serde::Serialize;
use thiserror::Error;

use crate::category::{Action, Category};
use crate::normalize::normalize;

/// One word from a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The word as the operator wrote it (trimmed).
    pub word: String,
    /// Its category.
    pub category: Category,
    /// The automatic action for using it.
    pub action: Action,
    /// 1-based line in the list it came from, so a reviewer can find it.
    pub line: usize,
    /// The normalised form the automaton matches.
    #[serde(skip)]
    pub(crate) normalized: String,
}

impl Entry {
    /// The normalised form that is actually matched (e.g. `測 試` → `测试`).
    pub fn normalized(&self) -> &str {
        &self.normalized
    }
}

/// Which field of a line an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The first field, the word.
    Word,
    /// The second field, the category.
    Category,
    /// The third field, the action.
    Action,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::Word => "word（词）",
            Field::Category => "category（类别）",
            Field::Action => "action（处理方式）",
        })
    }
}

/// Accepted category spellings, for error messages.
const CATEGORY_CHOICES: &str = "violence_terror/暴恐、vulgar_abuse/低俗辱骂、political/政治、pornography/色情、\
                                gambling/赌博、fraud/诈骗、other/其他";

/// Why a word list was rejected. Every variant names the line.
#[derive(Debug, Error)]
pub enum ListError {
    /// A field is absent or blank.
    #[error("第 {line} 行：缺少字段 {field}；每行格式为 词<TAB>类别<TAB>处理方式")]
    MissingField {
        /// 1-based line number.
        line: usize,
        /// The missing field.
        field: Field,
    },
    /// More than three tab-separated fields.
    #[error("第 {line} 行：字段过多；每行只应有 词、类别、处理方式 三个字段，以 TAB 分隔")]
    ExtraField {
        /// 1-based line number.
        line: usize,
    },
    /// The word is made only of characters normalisation drops (spaces, punctuation, symbols).
    #[error("第 {line} 行：字段 {field} 的“{word}”去掉空白和符号后为空，无法匹配；应至少含一个汉字、字母或数字", field = Field::Word)]
    Unmatchable {
        /// 1-based line number.
        line: usize,
        /// The word as written.
        word: String,
    },
    /// The category is not one of the closed set.
    #[error("第 {line} 行：字段 {field} 的值“{found}”无效；应为 {CATEGORY_CHOICES} 之一", field = Field::Category)]
    UnknownCategory {
        /// 1-based line number.
        line: usize,
        /// What the line had.
        found: String,
    },
    /// The action is not `warn`, `ban:N` or `permanent`.
    #[error("第 {line} 行：字段 {field} 的值“{found}”无效；应为 warn、ban:N（N 为不小于 1 的天数）或 permanent", field = Field::Action)]
    BadAction {
        /// 1-based line number.
        line: usize,
        /// What the line had.
        found: String,
    },
    /// Two lines normalise to the same word (`測試` and `测试`, `ＡＢ` and `ab` …).
    #[error(
        "第 {line} 行：词“{word}”与第 {first_line} 行的“{first_word}”规范化后相同（“{normalized}”），请删除其中一行"
    )]
    Duplicate {
        /// 1-based line of the second occurrence.
        line: usize,
        /// The word on that line.
        word: String,
        /// 1-based line of the first occurrence.
        first_line: usize,
        /// The word on the first line.
        first_word: String,
        /// The normalised form both share.
        normalized: String,
    },
    /// Reading from the caller's reader failed (including invalid UTF-8).
    #[error("第 {line} 行：读取失败：{source}")]
    Io {
        /// 1-based line that could not be read.
        line: usize,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl ListError {
    /// The 1-based line the error is about.
    pub fn line(&self) -> usize {
        match self {
            ListError::MissingField { line, .. }
            | ListError::ExtraField { line }
            | ListError::Unmatchable { line, .. }
            | ListError::UnknownCategory { line, .. }
            | ListError::BadAction { line, .. }
            | ListError::Duplicate { line, .. }
            | ListError::Io { line, .. } => *line,
        }
    }
}

/// A parsed, duplicate-free word list, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WordList {
    entries: Vec<Entry>,
}

impl WordList {
    /// Parses a whole list held in memory.
    pub fn parse(text: &str) -> Result<WordList, ListError> {
        let mut builder = Builder::default();
        for (idx, line) in text.lines().enumerate() {
            builder.line(idx + 1, line)?;
        }
        Ok(builder.finish())
    }

    /// Parses a whole list and reports every bad line, not only the first (an operator fixing a file
    /// wants the whole list of problems at once). Duplicates are judged against the good lines before.
    pub fn parse_all(text: &str) -> Result<WordList, Vec<ListError>> {
        let mut builder = Builder::default();
        let errors: Vec<ListError> = text
            .lines()
            .enumerate()
            .filter_map(|(idx, line)| builder.line(idx + 1, line).err())
            .collect();
        if errors.is_empty() {
            Ok(builder.finish())
        } else {
            Err(errors)
        }
    }

    /// Parses a list from a reader the caller opened (a file, an upload …), line by line.
    pub fn from_reader<R: BufRead>(reader: R) -> Result<WordList, ListError> {
        let mut builder = Builder::default();
        for (idx, line) in reader.lines().enumerate() {
            let line = line.map_err(|source| ListError::Io { line: idx + 1, source })?;
            builder.line(idx + 1, &line)?;
        }
        Ok(builder.finish())
    }

    /// The entries, in file order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn into_entries(self) -> Vec<Entry> {
        self.entries
    }
}

#[derive(Default)]
struct Builder {
    entries: Vec<Entry>,
    /// Normalised word → index into `entries`, for the duplicate check.
    seen: HashMap<String, usize>,
}

impl Builder {
    fn line(&mut self, line_no: usize, raw: &str) -> Result<(), ListError> {
        // Editors on Windows add a BOM; it would otherwise become part of the first word.
        let raw = if line_no == 1 {
            raw.trim_start_matches('\u{feff}')
        } else {
            raw
        };
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return Ok(());
        }
        let mut fields = raw.split('\t').map(str::trim);
        let mut field = |which: Field| match fields.next() {
            Some(value) if !value.is_empty() => Ok(value),
            _ => Err(ListError::MissingField {
                line: line_no,
                field: which,
            }),
        };
        let word = field(Field::Word)?;
        let category_text = field(Field::Category)?;
        let action_text = field(Field::Action)?;
        if fields.any(|extra| !extra.is_empty()) {
            return Err(ListError::ExtraField { line: line_no });
        }
        let category = Category::parse(category_text).ok_or_else(|| ListError::UnknownCategory {
            line: line_no,
            found: category_text.to_owned(),
        })?;
        let action = Action::parse(action_text).ok_or_else(|| ListError::BadAction {
            line: line_no,
            found: action_text.to_owned(),
        })?;
        let normalized = normalize(word);
        if normalized.is_empty() {
            return Err(ListError::Unmatchable {
                line: line_no,
                word: word.to_owned(),
            });
        }
        if let Some(&first) = self.seen.get(&normalized) {
            let first = &self.entries[first];
            return Err(ListError::Duplicate {
                line: line_no,
                word: word.to_owned(),
                first_line: first.line,
                first_word: first.word.clone(),
                normalized,
            });
        }
        self.seen.insert(normalized.clone(), self.entries.len());
        self.entries.push(Entry {
            word: word.to_owned(),
            category,
            action,
            line: line_no,
            normalized,
        });
        Ok(())
    }

    fn finish(self) -> WordList {
        WordList { entries: self.entries }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> ListError {
        WordList::parse(text).expect_err("list should be rejected")
    }

    #[test]
    fn parse_all_names_every_bad_line() {
        let errors =
            WordList::parse_all("好词\tother\twarn\n坏词\tnope\twarn\n又一个\tother\tban:0\n好词\tother\twarn\n")
                .expect_err("three bad lines");
        assert_eq!(errors.iter().map(ListError::line).collect::<Vec<_>>(), vec![2, 3, 4]);
        assert_eq!(WordList::parse_all("好词\tother\twarn\n").expect("valid").len(), 1);
    }

    #[test]
    fn parses_entries_comments_and_blank_lines() {
        let list = WordList::parse(
            "\u{feff}# 注释\n\n测试敏感词\tother\twarn\r\n 示例辱骂词 \t低俗辱骂\t ban:7 \n样例\t暴恐违禁\tpermanent\n",
        )
        .expect("valid list");
        let got: Vec<(&str, Category, Action, usize)> = list
            .entries()
            .iter()
            .map(|e| (e.word.as_str(), e.category, e.action, e.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("测试敏感词", Category::Other, Action::Warn, 3),
                ("示例辱骂词", Category::VulgarAbuse, Action::Ban { days: 7 }, 4),
                ("样例", Category::ViolenceTerror, Action::Permanent, 5),
            ]
        );
        assert_eq!(WordList::parse("").expect("empty list is fine").len(), 0);
    }

    #[test]
    fn missing_fields_name_line_and_field() {
        match err("# x\n测试\n") {
            ListError::MissingField {
                line: 2,
                field: Field::Category,
            } => {}
            other => panic!("unexpected {other:?}"),
        }
        match err("a\tother\twarn\n测试\tother\n") {
            ListError::MissingField {
                line: 2,
                field: Field::Action,
            } => {}
            other => panic!("unexpected {other:?}"),
        }
        match err("\tother\twarn\n") {
            ListError::MissingField {
                line: 1,
                field: Field::Word,
            } => {}
            other => panic!("unexpected {other:?}"),
        }
        let msg = err("a\tother\n").to_string();
        assert!(msg.contains("第 1 行") && msg.contains("action"), "{msg}");
    }

    #[test]
    fn bad_category_and_action_say_what_was_expected() {
        let e = err("a\tother\twarn\n\nb\tspam\twarn\n");
        assert_eq!(e.line(), 3);
        let msg = e.to_string();
        assert!(
            msg.contains("category") && msg.contains("spam") && msg.contains("低俗辱骂"),
            "{msg}"
        );

        let e = err("b\tfraud\tban:0\n");
        assert!(matches!(e, ListError::BadAction { line: 1, ref found } if found == "ban:0"));
        let msg = e.to_string();
        assert!(msg.contains("action") && msg.contains("ban:N"), "{msg}");
    }

    #[test]
    fn extra_fields_and_unmatchable_words() {
        assert!(matches!(
            err("a\tother\twarn\textra\n"),
            ListError::ExtraField { line: 1 }
        ));
        // A trailing tab with nothing after it is tolerated.
        assert!(WordList::parse("a\tother\twarn\t\n").is_ok());
        match err("ok\tother\twarn\n*-*\tother\twarn\n") {
            ListError::Unmatchable { line: 2, word } => assert_eq!(word, "*-*"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn duplicates_after_normalisation_name_both_lines() {
        let e = err("测试\tother\twarn\n# c\n測 試\tfraud\tban:1\n");
        match &e {
            ListError::Duplicate {
                line: 3,
                first_line: 1,
                word,
                first_word,
                normalized,
            } => {
                assert_eq!(
                    (word.as_str(), first_word.as_str(), normalized.as_str()),
                    ("測 試", "测试", "测试")
                );
            }
            other => panic!("unexpected {other:?}"),
        }
        let msg = e.to_string();
        assert!(msg.contains("第 3 行") && msg.contains("第 1 行"), "{msg}");
        assert!(matches!(
            err("AB\tother\twarn\nａｂ\tother\twarn\n"),
            ListError::Duplicate {
                line: 2,
                first_line: 1,
                ..
            }
        ));
    }

    #[test]
    fn reader_reports_invalid_utf8_with_line() {
        let bytes: &[u8] = b"a\tother\twarn\n\xff\tother\twarn\n";
        match WordList::from_reader(bytes) {
            Err(ListError::Io { line: 2, .. }) => {}
            other => panic!("unexpected {other:?}"),
        }
        let ok: &[u8] = "测试\tother\twarn\n".as_bytes();
        assert_eq!(
            WordList::from_reader(ok).expect("valid").entries()[0].normalized(),
            "测试"
        );
    }
}
