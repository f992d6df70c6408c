//! The matcher: one double-array Aho-Corasick automaton over the normalised words.
//!
//! `CharwiseDoubleArrayAhoCorasick` steps one code point at a time, which suits CJK text (one
//! transition per character instead of three per UTF-8 byte). Matching is leftmost-longest:
//! with both 敏感 and 敏感词 listed, `敏感词` reports the longer word once.

use std::ops::Range;

use daachorse::{CharwiseDoubleArrayAhoCorasick, CharwiseDoubleArrayAhoCorasickBuilder, MatchKind};
use serde::Serialize;
use thiserror::Error;

use crate::list::{Entry, WordList};
use crate::normalize::{normalize, normalize_mapped};

/// The character [`Matcher::mask`] puts in place of each character of a hit.
pub const MASK_CHAR: char = '＊';

/// Building the automaton failed (in practice: a list far beyond daachorse's size limits).
#[derive(Debug, Error)]
#[error("敏感词自动机构建失败：{0}")]
pub struct BuildError(String);

/// One occurrence of a listed word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Hit<'m> {
    /// Byte offset in the ORIGINAL text of the word's first character.
    pub start: usize,
    /// Byte offset in the original text just past the word's last character. Symbols inserted
    /// inside the word lie within `start..end`; those before or after it do not.
    pub end: usize,
    /// The listed word that matched.
    pub entry: &'m Entry,
}

impl Hit<'_> {
    /// `start..end`, for slicing the original text.
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// Finds listed words in text, see the crate docs for what is normalised.
pub struct Matcher {
    /// `None` for an empty list: daachorse refuses to build an automaton without patterns.
    automaton: Option<CharwiseDoubleArrayAhoCorasick<u32>>,
    entries: Vec<Entry>,
}

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matcher")
            .field("words", &self.entries.len())
            .finish_non_exhaustive()
    }
}

impl Matcher {
    /// Builds the automaton for a parsed list.
    pub fn new(list: WordList) -> Result<Matcher, BuildError> {
        let entries = list.into_entries();
        if entries.is_empty() {
            return Ok(Matcher {
                automaton: None,
                entries,
            });
        }
        let count = u32::try_from(entries.len()).map_err(|_| BuildError(format!("词条过多：{}", entries.len())))?;
        let automaton = CharwiseDoubleArrayAhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build_with_values(entries.iter().map(|e| e.normalized.as_str()).zip(0..count))
            .map_err(|e| BuildError(e.to_string()))?;
        Ok(Matcher {
            automaton: Some(automaton),
            entries,
        })
    }

    /// The words this matcher looks for, in list order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Every non-overlapping hit, left to right, with byte ranges in `text`.
    pub fn find_all<'m>(&'m self, text: &str) -> Vec<Hit<'m>> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        let mapped = normalize_mapped(text);
        automaton
            .leftmost_find_iter(&mapped.text)
            .filter_map(|m| {
                let entry = self.entries.get(usize::try_from(m.value()).ok()?)?;
                let (start, end) = mapped.original_range(text, m.start(), m.end());
                Some(Hit { start, end, entry })
            })
            .collect()
    }

    /// Whether `text` contains no listed word. Cheaper than [`Matcher::find_all`]: no offset map
    /// is kept and the scan stops at the first hit.
    pub fn is_clean(&self, text: &str) -> bool {
        match &self.automaton {
            None => true,
            Some(automaton) => automaton.leftmost_find_iter(normalize(text)).next().is_none(),
        }
    }

    /// `text` with every character of every hit replaced by [`MASK_CHAR`], so the masked text
    /// has as many characters as the original. Symbols inserted inside a word are masked too
    /// (they are part of the evasion); text outside hits is unchanged.
    pub fn mask(&self, text: &str) -> String {
        let hits = self.find_all(text);
        if hits.is_empty() {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        for hit in hits {
            out.push_str(text.get(copied..hit.start).unwrap_or_default());
            let masked = text.get(hit.start..hit.end).unwrap_or_default();
            out.extend(std::iter::repeat_n(MASK_CHAR, masked.chars().count()));
            copied = hit.end;
        }
        out.push_str(text.get(copied..).unwrap_or_default());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::category::{Action, Category};

    const LIST: &str = "测试敏感词\tother\twarn\n\
                        敏感\tother\twarn\n\
                        示例辱骂词\tvulgar_abuse\tban:7\n\
                        赌博样例\tgambling\tban:30\n\
                        badword\tother\twarn\n";

    fn matcher() -> Matcher {
        Matcher::new(WordList::parse(LIST).expect("valid list")).expect("builds")
    }

    /// (matched original text, listed word) for each hit.
    fn hits(m: &Matcher, text: &str) -> Vec<(String, String)> {
        m.find_all(text)
            .iter()
            .map(|h| (text[h.range()].to_owned(), h.entry.word.clone()))
            .collect()
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_owned(), b.to_owned())
    }

    #[test]
    fn plain_hit_reports_entry_and_offsets() {
        let m = matcher();
        let text = "这是测试敏感词。";
        let found = m.find_all(text);
        assert_eq!(found.len(), 1);
        let hit = found[0];
        assert_eq!((hit.start, hit.end), ("这是".len(), "这是测试敏感词".len()));
        assert_eq!(hit.entry.category, Category::Other);
        assert_eq!(hit.entry.action, Action::Warn);
        assert!(!m.is_clean(text));
    }

    #[test]
    fn leftmost_longest_prefers_the_longer_word() {
        let m = matcher();
        assert_eq!(hits(&m, "测试敏感词"), vec![pair("测试敏感词", "测试敏感词")]);
        assert_eq!(hits(&m, "很敏感"), vec![pair("敏感", "敏感")]);
    }

    #[test]
    fn full_width_and_case_evasion() {
        let m = matcher();
        assert_eq!(
            hits(&m, "你是ＢＡＤ ｗｏｒｄ吗"),
            vec![pair("ＢＡＤ ｗｏｒｄ", "badword")]
        );
        assert_eq!(hits(&m, "BadWord!"), vec![pair("BadWord", "badword")]);
    }

    #[test]
    fn traditional_evasion() {
        let m = matcher();
        assert_eq!(hits(&m, "測試敏感詞"), vec![pair("測試敏感詞", "测试敏感词")]);
        assert_eq!(hits(&m, "示例辱罵詞"), vec![pair("示例辱罵詞", "示例辱骂词")]);
        assert_eq!(hits(&m, "賭博樣例"), vec![pair("賭博樣例", "赌博样例")]);
    }

    #[test]
    fn inserted_symbol_evasion() {
        let m = matcher();
        assert_eq!(
            hits(&m, "看：测*试 敏.感-词！"),
            vec![pair("测*试 敏.感-词", "测试敏感词")]
        );
        assert_eq!(
            hits(&m, "示\u{200b}例😀辱　骂，词"),
            vec![pair("示\u{200b}例😀辱　骂，词", "示例辱骂词")]
        );
    }

    #[test]
    fn mixed_evasion_and_several_hits() {
        let m = matcher();
        let text = "A：測-试 敏＊感詞；B：ｂ.Ａ.d_W o R d；C：赌 博 樣 例。";
        assert_eq!(
            hits(&m, text),
            vec![
                pair("測-试 敏＊感詞", "测试敏感词"),
                pair("ｂ.Ａ.d_W o R d", "badword"),
                pair("赌 博 樣 例", "赌博样例")
            ]
        );
    }

    #[test]
    fn clean_text_has_no_false_positives() {
        let m = matcher();
        for text in [
            "",
            "   ",
            "今天天气很好，我们去公园散步。",
            "测试一下敏捷开发",
            "bad apple words",
            "敏 捷 感 觉",
        ] {
            assert!(m.find_all(text).is_empty(), "{text}");
            assert!(m.is_clean(text), "{text}");
            assert_eq!(m.mask(text), text);
        }
    }

    #[test]
    fn separators_between_words_are_dropped_too() {
        // The known cost of catching inserted symbols: a word can span a space or a sentence
        // break. The reviewer who confirms each automatic action (10.3.2) filters these out.
        let m = matcher();
        assert_eq!(hits(&m, "bad words"), vec![pair("bad word", "badword")]);
        assert_eq!(hits(&m, "过敏。感冒"), vec![pair("敏。感", "敏感")]);
    }

    #[test]
    fn mask_replaces_each_character_of_each_hit() {
        let m = matcher();
        assert_eq!(m.mask("这是测*试敏感词。"), "这是＊＊＊＊＊＊。");
        assert_eq!(m.mask("BADWORD和敏感"), "＊＊＊＊＊＊＊和＊＊");
    }

    #[test]
    fn empty_list_matches_nothing() {
        let m = Matcher::new(WordList::default()).expect("empty list builds");
        assert!(m.find_all("测试敏感词").is_empty());
        assert!(m.is_clean("测试敏感词"));
        assert_eq!(m.mask("测试敏感词"), "测试敏感词");
    }

    #[test]
    fn hits_serialise_with_their_entry() {
        let m = matcher();
        let json = serde_json::to_value(m.find_all("敏感")).expect("serialises");
        assert_eq!(json[0]["start"], 0);
        assert_eq!(json[0]["end"], 6);
        assert_eq!(json[0]["entry"]["category"], "other");
        assert_eq!(json[0]["entry"]["action"]["kind"], "warn");
    }
}
