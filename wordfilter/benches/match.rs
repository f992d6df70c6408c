//! Sensitive-word matching throughput (issue: ≥ 200 MB/s per core with a 10,000-word list).
//!
//! Everything is generated from a fixed seed: a 10,000-word list of 2–6-character Chinese
//! words and about 1 MB of Chinese text with punctuation and some planted (partly disguised)
//! hits. Measured in the same run:
//! - `normalize`: normalisation alone;
//! - `find_all`: normalisation with offset map + leftmost-longest matching + hit mapping;
//! - `is_clean`: the fast check on text with no hits (so it must scan everything);
//! - `naive`: the baseline, `str::match_indices` for each of the 10,000 words over the
//!   normalised text (on a 64 KB slice, because it is slow; MB/s is per input byte either way).
#![allow(clippy::expect_used)]

use std::collections::HashSet;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use wordfilter::{Matcher, WordList, normalize};

const WORDS: usize = 10_000;
const TEXT_BYTES: usize = 1 << 20;
const NAIVE_BYTES: usize = 64 << 10;

/// xorshift64*: deterministic and dependency-free; quality is irrelevant here.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

struct Corpus {
    list: String,
    text: String,
    clean_text: String,
}

fn corpus() -> Corpus {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    // A 3,500-character alphabet, roughly the size of everyday written Chinese, so words and
    // text share characters and the automaton sees many partial matches.
    let alphabet: Vec<char> = (0..3500)
        .filter_map(|_| char::from_u32(0x4E00 + (rng.next() % (0x9FA5 - 0x4E00)) as u32))
        .collect();
    let categories = [
        "violence_terror",
        "vulgar_abuse",
        "political",
        "pornography",
        "gambling",
        "fraud",
        "other",
    ];
    let mut seen = HashSet::new();
    let mut words = Vec::with_capacity(WORDS);
    let mut list = String::new();
    while words.len() < WORDS {
        let len = 2 + rng.below(5);
        let word: String = (0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect();
        // The generated text never contains traditional forms, but the list parser would
        // reject two words that collide after normalisation.
        if seen.insert(normalize(&word)) {
            list.push_str(&format!(
                "{word}\t{}\tban:{}\n",
                categories[rng.below(categories.len())],
                1 + rng.below(30)
            ));
            words.push(word);
        }
    }
    let punctuation = ['，', '。', '、', '；', '：', '！', '？', ' ', '“', '”'];
    let gen_text = |plant: bool, rng: &mut Rng| {
        let mut text = String::with_capacity(TEXT_BYTES + 64);
        let mut until_punct = 8 + rng.below(12);
        while text.len() < TEXT_BYTES {
            if plant && rng.below(400) == 0 {
                // A hit roughly every 400 characters; every other one disguised with a symbol.
                let word = &words[rng.below(words.len())];
                for (i, c) in word.chars().enumerate() {
                    if i == 1 && rng.below(2) == 0 {
                        text.push('*');
                    }
                    text.push(c);
                }
            } else {
                text.push(alphabet[rng.below(alphabet.len())]);
            }
            until_punct -= 1;
            if until_punct == 0 {
                text.push(punctuation[rng.below(punctuation.len())]);
                until_punct = 8 + rng.below(12);
            }
        }
        text
    };
    let text = gen_text(true, &mut rng);
    let mut clean_text = gen_text(false, &mut rng);
    // Random text can still contain a listed word by chance; mask those out so the clean
    // text really is clean (and `is_clean` has to scan all of it).
    let matcher = Matcher::new(WordList::parse(&list).expect("generated list parses")).expect("builds");
    clean_text = matcher.mask(&clean_text);
    Corpus { list, text, clean_text }
}

fn bench(c: &mut Criterion) {
    let corpus = corpus();
    let matcher = Matcher::new(WordList::parse(&corpus.list).expect("generated list parses")).expect("builds");
    assert!(matcher.is_clean(&corpus.clean_text));
    let hits = matcher.find_all(&corpus.text).len();
    eprintln!(
        "wordfilter bench: {} words, text {} bytes with {hits} hits, clean text {} bytes",
        matcher.entries().len(),
        corpus.text.len(),
        corpus.clean_text.len()
    );

    let mut group = c.benchmark_group("wordfilter");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));

    group.throughput(Throughput::Bytes(corpus.text.len() as u64));
    group.bench_function("normalize", |b| b.iter(|| normalize(black_box(&corpus.text)).len()));
    group.bench_function("find_all", |b| {
        b.iter(|| matcher.find_all(black_box(&corpus.text)).len())
    });

    group.throughput(Throughput::Bytes(corpus.clean_text.len() as u64));
    group.bench_function("is_clean", |b| {
        b.iter(|| matcher.is_clean(black_box(&corpus.clean_text)))
    });

    let mut cut = NAIVE_BYTES;
    while !corpus.text.is_char_boundary(cut) {
        cut += 1;
    }
    let slice = &corpus.text[..cut];
    group.throughput(Throughput::Bytes(slice.len() as u64));
    group.sample_size(10);
    group.bench_function("naive", |b| {
        b.iter(|| {
            let normalized = normalize(black_box(slice));
            matcher
                .entries()
                .iter()
                .map(|e| normalized.match_indices(e.normalized()).count())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
