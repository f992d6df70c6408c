//! Sensitive-word matching throughput (issue: ≥ 200 MB/s per core with a 10,000-word list).
//!
//! Everything is generated from a fixed seed: a 10,000-word list of 2–6-character Chinese
//! words and about 1 MB of Chinese text with punctuation and some planted hits (half of them
//! disguised with an inserted `*`). The text comes in two flavours over the same 3,500-character
//! alphabet: `zipf`, where character frequencies fall off like real Chinese (rank r ∝ 1/r: the
//! top 100 characters make up about 60 % of the text, the top 1,000 about 85 %), and `uniform`,
//! where every character is equally likely, the cache-unfriendly worst case. Measured in one run:
//! - `normalize`: normalisation alone;
//! - `find_all`: normalisation with offset map + leftmost-longest matching + hit mapping;
//! - `is_clean`: the fast check on text with no hits (so it must scan everything);
//! - `naive`: the baseline, normalise then `str::match_indices` for each of the 10,000 words
//!   (on a 64 KB slice, because it is slow; MB/s is per input byte either way).
#![allow(clippy::expect_used)]

use std::collections::HashSet;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use wordfilter::{Matcher, WordList, normalize};

const WORDS: usize = 10_000;
const ALPHABET: usize = 3_500;
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

/// How text characters are drawn from the alphabet.
#[derive(Clone, Copy)]
enum Spread {
    Uniform,
    /// Zipf with exponent 1, sampled through the cumulative weights.
    Zipf,
}

struct Corpus {
    list: String,
    zipf: String,
    zipf_clean: String,
    uniform: String,
}

fn corpus() -> Corpus {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    // Distinct characters from the whole CJK block, so words and text share characters and
    // the automaton sees many partial matches.
    let mut alphabet = Vec::with_capacity(ALPHABET);
    let mut taken = HashSet::new();
    while alphabet.len() < ALPHABET {
        if let Some(c) = char::from_u32(0x4E00 + (rng.next() % (0x9FA5 - 0x4E00)) as u32)
            && taken.insert(c)
        {
            alphabet.push(c);
        }
    }
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
        // Word characters are uniform over the alphabet: a list of 10,000 words made of the
        // commonest characters would match everywhere, which no real list does.
        let word: String = (0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect();
        // The alphabet may contain traditional forms; the parser rejects two words that
        // collide after normalisation.
        if seen.insert(normalize(&word)) {
            list.push_str(&format!(
                "{word}\t{}\tban:{}\n",
                categories[rng.below(categories.len())],
                1 + rng.below(30)
            ));
            words.push(word);
        }
    }
    let mut cumulative = Vec::with_capacity(ALPHABET);
    let mut total = 0.0;
    for rank in 1..=ALPHABET {
        total += 1.0 / rank as f64;
        cumulative.push(total);
    }
    let punctuation = ['，', '。', '、', '；', '：', '！', '？', ' ', '“', '”'];
    let gen_text = |spread: Spread, plant: bool, rng: &mut Rng| {
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
                let idx = match spread {
                    Spread::Uniform => rng.below(alphabet.len()),
                    Spread::Zipf => {
                        let u = (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * total;
                        cumulative.partition_point(|&c| c < u).min(alphabet.len() - 1)
                    }
                };
                text.push(alphabet[idx]);
            }
            until_punct -= 1;
            if until_punct == 0 {
                text.push(punctuation[rng.below(punctuation.len())]);
                until_punct = 8 + rng.below(12);
            }
        }
        text
    };
    let zipf = gen_text(Spread::Zipf, true, &mut rng);
    let uniform = gen_text(Spread::Uniform, true, &mut rng);
    // Random text can still contain a listed word by chance; mask those out so the clean
    // text really is clean (and `is_clean` has to scan all of it).
    let matcher = Matcher::new(WordList::parse(&list).expect("generated list parses")).expect("builds");
    let zipf_clean = matcher.mask(&gen_text(Spread::Zipf, false, &mut rng));
    Corpus {
        list,
        zipf,
        zipf_clean,
        uniform,
    }
}

fn bench(c: &mut Criterion) {
    let corpus = corpus();
    let matcher = Matcher::new(WordList::parse(&corpus.list).expect("generated list parses")).expect("builds");
    assert!(matcher.is_clean(&corpus.zipf_clean));
    eprintln!(
        "wordfilter bench: {} words; zipf text {} bytes, {} hits; uniform text {} bytes, {} hits",
        matcher.entries().len(),
        corpus.zipf.len(),
        matcher.find_all(&corpus.zipf).len(),
        corpus.uniform.len(),
        matcher.find_all(&corpus.uniform).len(),
    );

    let mut group = c.benchmark_group("wordfilter");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    let bytes = |text: &str| Throughput::Bytes(text.len() as u64);

    group.throughput(bytes(&corpus.zipf));
    group.bench_function("normalize/zipf", |b| {
        b.iter(|| normalize(black_box(&corpus.zipf)).len())
    });
    group.bench_function("find_all/zipf", |b| {
        b.iter(|| matcher.find_all(black_box(&corpus.zipf)).len())
    });
    group.throughput(bytes(&corpus.uniform));
    group.bench_function("find_all/uniform", |b| {
        b.iter(|| matcher.find_all(black_box(&corpus.uniform)).len())
    });
    group.throughput(bytes(&corpus.zipf_clean));
    group.bench_function("is_clean/zipf", |b| {
        b.iter(|| matcher.is_clean(black_box(&corpus.zipf_clean)))
    });

    let mut cut = NAIVE_BYTES;
    while !corpus.zipf.is_char_boundary(cut) {
        cut += 1;
    }
    let slice = &corpus.zipf[..cut];
    group.throughput(bytes(slice));
    group.sample_size(10);
    group.bench_function("naive/zipf", |b| {
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
