//! Traditional → simplified lookup for single characters.
//!
//! The pairs live in `data/t2s.txt`: a hand-picked list of about 1,150 common traditional
//! characters (not a full converter; see the file's header for what is left out and why).
//! At first use they are unpacked into a dense table over the CJK Unified Ideographs block, so
//! the hot normalisation loop does one indexed load per Han character instead of a search.

use std::sync::LazyLock;

/// First and last code point of the CJK Unified Ideographs block the table covers.
pub(crate) const FIRST: u32 = 0x4E00;
pub(crate) const LAST: u32 = 0x9FFF;

const DATA: &str = include_str!("../data/t2s.txt");

/// Dense table: `table[cp - FIRST]` is the simplified code point, or 0 when `cp` maps to itself
/// (21K × u16 = 42 KB), plus a bitmap of the non-zero slots (2.6 KB) so that the common case,
/// a character with no traditional form, is answered from L1 cache.
struct Tables {
    table: Box<[u16]>,
    bitmap: Box<[u64]>,
}

const SLOTS: usize = (LAST - FIRST + 1) as usize;

static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let mut table = vec![0u16; SLOTS].into_boxed_slice();
    let mut bitmap = vec![0u64; SLOTS.div_ceil(64)].into_boxed_slice();
    for (traditional, simplified) in pairs() {
        let idx = (u32::from(traditional).wrapping_sub(FIRST)) as usize;
        // `pairs` yields only in-block chars; the checks keep a bad data edit from panicking.
        if let (Some(slot), Some(word), Ok(s)) = (
            table.get_mut(idx),
            bitmap.get_mut(idx / 64),
            u16::try_from(u32::from(simplified)),
        ) {
            *slot = s;
            *word |= 1 << (idx % 64);
        }
    }
    Tables { table, bitmap }
});

/// The (traditional, simplified) pairs from the data file. Malformed tokens are skipped here;
/// the unit tests below reject them so they never ship.
pub(crate) fn pairs() -> impl Iterator<Item = (char, char)> {
    DATA.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .flat_map(str::split_whitespace)
        .filter_map(|token| {
            let mut chars = token.chars();
            match (chars.next(), chars.next(), chars.next()) {
                (Some(t), Some(s), None) if in_block(t) && in_block(s) && t != s => Some((t, s)),
                _ => None,
            }
        })
}

fn in_block(c: char) -> bool {
    (FIRST..=LAST).contains(&u32::from(c))
}

/// A handle to the unpacked table, fetched once per normalisation call so the per-character
/// path does not touch the `LazyLock` state.
#[derive(Clone, Copy)]
pub(crate) struct Simplifier {
    // The two slices by value, so the hot loop keeps them in registers instead of reloading
    // them through the `LazyLock` on every character.
    table: &'static [u16],
    bitmap: &'static [u64],
}

impl Simplifier {
    pub(crate) fn get() -> Self {
        let tables: &'static Tables = &TABLES;
        Simplifier {
            table: &tables.table,
            bitmap: &tables.bitmap,
        }
    }

    /// Whether code point `cp` is a listed traditional character.
    #[inline(always)]
    pub(crate) fn is_traditional(self, cp: u32) -> bool {
        let idx = (cp.wrapping_sub(FIRST)) as usize;
        self.bitmap
            .get(idx / 64)
            .is_some_and(|word| word & (1 << (idx % 64)) != 0)
    }

    /// The simplified form of code point `cp` if it is a listed traditional character.
    #[inline]
    pub(crate) fn simplified(self, cp: u32) -> Option<char> {
        if !self.is_traditional(cp) {
            return None;
        }
        char::from_u32(u32::from(*self.table.get((cp.wrapping_sub(FIRST)) as usize)?))
    }

    /// Simplified form of `c`; characters without one come back unchanged.
    #[inline]
    pub(crate) fn simplify(self, c: char) -> char {
        self.simplified(u32::from(c)).unwrap_or(c)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn data_file_is_well_formed() {
        let mut keys: HashMap<char, char> = HashMap::new();
        let mut tokens = 0;
        for line in DATA.lines().filter(|l| !l.trim_start().starts_with('#')) {
            for token in line.split_whitespace() {
                tokens += 1;
                let chars: Vec<char> = token.chars().collect();
                assert_eq!(chars.len(), 2, "token {token:?} must be two characters");
                let (t, s) = (chars[0], chars[1]);
                assert!(in_block(t) && in_block(s), "{token:?} outside U+4E00..U+9FFF");
                assert_ne!(t, s, "{token:?} maps a character to itself");
                assert!(keys.insert(t, s).is_none(), "{t} listed twice");
            }
        }
        assert_eq!(tokens, pairs().count(), "every token must survive `pairs`");
        assert!(keys.len() > 1000, "table shrank to {}", keys.len());
        for (t, s) in &keys {
            assert!(!keys.contains_key(s), "{t}→{s} but {s} is itself a key");
        }
    }

    #[test]
    fn common_pairs() {
        let simp = Simplifier::get();
        for (t, s) in [
            ('國', '国'),
            ('詞', '词'),
            ('測', '测'),
            ('試', '试'),
            ('罵', '骂'),
            ('賭', '赌'),
        ] {
            assert_eq!(simp.simplify(t), s);
        }
        // Simplified and non-Han characters are left alone.
        for c in ['国', '敏', '感', 'a', '😀'] {
            assert_eq!(simp.simplify(c), c);
        }
    }
}
