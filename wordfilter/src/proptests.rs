//! Property tests against the shipped sample list: any listed word, disguised any way the
//! normaliser undoes and buried in random text, is found with exactly its original byte range;
//! and nothing panics or breaks the hit invariants on arbitrary strings.

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;

use crate::normalize::{Folder, fold_char, normalize, normalize_mapped};
use crate::t2s;
use crate::{Matcher, WordList};

const SAMPLE: &str = include_str!("../../assets/wordfilter/sample.tsv");

fn sample_matcher() -> Matcher {
    Matcher::new(WordList::parse(SAMPLE).expect("sample list parses")).expect("sample list builds")
}

/// Characters the sample words are made of, after normalisation.
fn word_chars() -> HashSet<char> {
    WordList::parse(SAMPLE)
        .expect("sample list parses")
        .entries()
        .iter()
        .flat_map(|e| e.normalized().chars())
        .collect()
}

/// Ways to write `c` that normalise back to it: itself, traditional forms, and for ASCII
/// letters and digits upper case and full width.
fn disguises(c: char, traditional: &HashMap<char, Vec<char>>) -> Vec<char> {
    let mut out = vec![c];
    out.extend(traditional.get(&c).into_iter().flatten().copied());
    if c.is_ascii_alphanumeric() {
        let upper = c.to_ascii_uppercase();
        out.push(upper);
        for a in [c, upper] {
            out.extend(char::from_u32(u32::from(a) + 0xFEE0));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

const SEPARATORS: &[char] = &[
    ' ', '*', '.', '-', '_', '/', '，', '。', '、', '！', '＊', '　', '\u{200b}', '\t', '\n', '😀', '♥', '·',
];

/// A word from the sample list written with disguised characters and random separators in
/// between; returns the disguised text and the listed word.
fn disguised_word() -> impl Strategy<Value = (String, String)> {
    let list = WordList::parse(SAMPLE).expect("sample list parses");
    let mut traditional: HashMap<char, Vec<char>> = HashMap::new();
    for (t, s) in t2s::pairs() {
        traditional.entry(s).or_default().push(t);
    }
    let words: Vec<(String, Vec<Vec<char>>)> = list
        .entries()
        .iter()
        .map(|e| {
            (
                e.word.clone(),
                e.normalized().chars().map(|c| disguises(c, &traditional)).collect(),
            )
        })
        .collect();
    prop::sample::select(words).prop_flat_map(|(word, choices)| {
        let n = choices.len();
        let chars: Vec<_> = choices.into_iter().map(prop::sample::select).collect();
        let gaps = prop::collection::vec(prop::collection::vec(prop::sample::select(SEPARATORS), 0..3), n - 1);
        (chars, gaps).prop_map(move |(chars, gaps)| {
            let mut text = String::new();
            for (i, c) in chars.iter().enumerate() {
                if i > 0 {
                    text.extend(gaps.get(i - 1).into_iter().flatten());
                }
                text.push(*c);
            }
            (text, word.clone())
        })
    })
}

/// Random surrounding text: CJK, ASCII and separators, minus anything that normalises to a
/// character of a listed word (so the only possible hit is the planted one).
fn filler() -> impl Strategy<Value = String> {
    let banned = word_chars();
    let folder = Folder::get();
    let ch = prop_oneof![
        4 => prop::char::range('\u{4e00}', '\u{9fa5}'),
        2 => prop::char::range('!', '~'),
        1 => prop::char::range('\u{ff01}', '\u{ff5e}'),
        1 => prop::sample::select(SEPARATORS),
    ]
    .prop_filter("must not normalise into a listed word's character", move |c| {
        fold_char(*c, folder).is_none_or(|f| !banned.contains(&f))
    });
    prop::collection::vec(ch, 0..40).prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn planted_word_is_found_with_its_exact_range(
        before in filler(),
        (word_text, word) in disguised_word(),
        after in filler(),
    ) {
        let matcher = sample_matcher();
        let text = format!("{before}{word_text}{after}");
        let hits = matcher.find_all(&text);
        prop_assert_eq!(hits.len(), 1, "hits {:?} in {:?}", hits, text);
        prop_assert_eq!(&hits[0].entry.word, &word);
        prop_assert_eq!(hits[0].range(), before.len()..before.len() + word_text.len());
        prop_assert!(!matcher.is_clean(&text));
        let without = format!("{before}{after}");
        prop_assert!(matcher.is_clean(&without));
    }

    #[test]
    fn arbitrary_text_keeps_the_invariants(text in any::<String>()) {
        let matcher = sample_matcher();
        let hits = matcher.find_all(&text);
        let mut previous_end = 0;
        for hit in &hits {
            prop_assert!(previous_end <= hit.start && hit.start < hit.end && hit.end <= text.len());
            prop_assert!(text.is_char_boundary(hit.start) && text.is_char_boundary(hit.end));
            prop_assert_eq!(normalize(&text[hit.range()]), hit.entry.normalized());
            previous_end = hit.end;
        }
        prop_assert_eq!(matcher.is_clean(&text), hits.is_empty());
        prop_assert_eq!(matcher.mask(&text).chars().count(), text.chars().count());
    }

    #[test]
    fn arbitrary_text_with_sample_chars_keeps_the_invariants(
        text in prop::collection::vec(
            prop_oneof![any::<char>(), prop::sample::select(word_chars().into_iter().collect::<Vec<_>>())],
            0..60,
        ).prop_map(|v| v.into_iter().collect::<String>())
    ) {
        let matcher = sample_matcher();
        for hit in matcher.find_all(&text) {
            prop_assert_eq!(normalize(&text[hit.range()]), hit.entry.normalized());
        }
    }

    #[test]
    fn offset_map_points_at_each_kept_char(text in any::<String>()) {
        let folder = Folder::get();
        let mapped = normalize_mapped(&text);
        let kept: Vec<usize> = text.char_indices().filter(|&(_, c)| fold_char(c, folder).is_some()).map(|(i, _)| i).collect();
        let starts: Vec<usize> = mapped.text.char_indices().map(|(i, _)| mapped.original_start(i)).collect();
        prop_assert_eq!(kept, starts);
        prop_assert_eq!(normalize(&mapped.text), mapped.text.clone(), "normalisation is idempotent");
    }

    #[test]
    fn list_parser_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = WordList::parse(&text);
        let _ = WordList::from_reader(bytes.as_slice());
    }
}

#[test]
fn sample_list_is_valid_and_every_word_is_found() {
    let matcher = sample_matcher();
    assert!(matcher.entries().len() >= 5);
    for entry in matcher.entries() {
        let hits = matcher.find_all(&entry.word);
        assert_eq!(hits.len(), 1, "{}", entry.word);
        assert_eq!(hits[0].entry, entry);
    }
}
