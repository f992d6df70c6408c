//! What users type: sensitive-word matching on any text never panics, hits are in order, on char
//! boundaries and do not overlap, and masking keeps the character count; the word-list parser
//! never panics on any bytes.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use wordfilter::{Matcher, WordList};

/// Built once: the shipped sample list, so inputs near its words reach the hit paths.
static MATCHER: LazyLock<Matcher> = LazyLock::new(|| {
    let list = WordList::parse(include_str!("../../assets/wordfilter/sample.tsv")).expect("sample list parses");
    Matcher::new(list).expect("sample list builds")
});

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = WordList::parse(&text);
    let _ = WordList::from_reader(data);

    let hits = MATCHER.find_all(&text);
    let mut previous_end = 0;
    for hit in &hits {
        assert!(previous_end <= hit.start && hit.start < hit.end && hit.end <= text.len());
        assert!(text.is_char_boundary(hit.start) && text.is_char_boundary(hit.end));
        previous_end = hit.end;
    }
    assert_eq!(MATCHER.is_clean(&text), hits.is_empty());
    assert_eq!(MATCHER.mask(&text).chars().count(), text.chars().count());
});
