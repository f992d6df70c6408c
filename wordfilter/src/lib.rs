//! Sensitive-word matching for Chinese text (lawyer-platform standard 10.3.2, 敏感字监测).
//!
//! - [`WordList`] parses operator word lists (`word<TAB>category<TAB>action`, see [`list`]);
//!   lists are loaded at run time, the repository ships only a harmless sample
//!   (`assets/wordfilter/sample.tsv`).
//! - [`Matcher`] finds listed words after normalising away the usual evasions: full-width
//!   letters, upper case, traditional characters and symbols inserted between characters
//!   (`測*試 敏.感-詞` finds 测试敏感词). Hits carry byte ranges in the original text and the
//!   listed [`Entry`] with its [`Category`] and [`Action`].
//! - [`Stats`] tallies hits by month, region, sex, word and category for the reports of 10.5.1.2.
//!
//! What happens next (the automatic action, the reviewer who confirms it, the user's appeal)
//! is the platform's business; this crate only says which word, where, and what the list
//! prescribes. It does no I/O of its own.
//!
//! ```
//! use wordfilter::{Matcher, WordList};
//!
//! let list = WordList::parse("测试敏感词\tother\twarn\n").expect("valid list");
//! let matcher = Matcher::new(list).expect("builds");
//! let text = "这是測*試敏感詞。";
//! let hits = matcher.find_all(text);
//! assert_eq!(&text[hits[0].range()], "測*試敏感詞");
//! assert_eq!(matcher.mask(text), "这是＊＊＊＊＊＊。");
//! ```

pub mod category;
pub mod list;
mod matcher;
mod normalize;
pub mod stats;
mod t2s;

#[cfg(test)]
mod proptests;

pub use category::{Action, Category};
pub use list::{Entry, Field, ListError, WordList};
pub use matcher::{BuildError, Hit, MASK_CHAR, Matcher};
pub use normalize::normalize;
pub use stats::{HitRecord, Month, Sex, Stats};
