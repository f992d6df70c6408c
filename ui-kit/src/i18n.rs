//! Text resources. Every user-facing string lives in a JSON file per language (`locales/zh.json`,
//! `locales/en.json` here for the shared pieces; each app adds its own); Chinese is the primary
//! language and the fallback, so a key missing in English shows the Chinese text, and a key missing
//! everywhere shows itself (visible in review, never a blank).

use std::collections::HashMap;

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub fn toggled(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

/// The kit's own texts.
pub const KIT_ZH: &str = include_str!("../locales/zh.json");
pub const KIT_EN: &str = include_str!("../locales/en.json");

/// Text tables of one app: the kit's plus the app's own (the app's win on equal keys).
#[derive(Debug, Clone, Default)]
pub struct Texts {
    zh: HashMap<String, String>,
    en: HashMap<String, String>,
}

impl Texts {
    /// Builds the tables from JSON objects of `key: text`. A malformed resource file is a build
    /// mistake; it is reported on the console and its keys then show as themselves.
    pub fn new(zh: &[&str], en: &[&str]) -> Texts {
        fn merge(into: &mut HashMap<String, String>, sources: &[&str]) {
            for src in sources {
                match serde_json::from_str::<HashMap<String, String>>(src) {
                    Ok(m) => into.extend(m),
                    Err(e) => leptos::logging::warn!("text resource: {e}"),
                }
            }
        }
        let mut t = Texts::default();
        merge(&mut t.zh, &[&[KIT_ZH], zh].concat());
        merge(&mut t.en, &[&[KIT_EN], en].concat());
        t
    }

    pub fn get(&self, lang: Lang, key: &str) -> String {
        let table = match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        };
        table
            .get(key)
            .or_else(|| self.zh.get(key))
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    }

    /// `get` with `{name}` placeholders filled.
    pub fn fill(&self, lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.get(lang, key);
        for (k, v) in args {
            s = s.replace(&format!("{{{k}}}"), v);
        }
        s
    }
}

/// The language and texts of the page, provided once at the root with [`provide_i18n`].
#[derive(Clone, Copy)]
pub struct I18n {
    pub lang: RwSignal<Lang>,
    texts: StoredValue<Texts>,
}

impl I18n {
    /// A reactive lookup: re-renders when the language changes.
    pub fn t(&self, key: &str) -> String {
        let lang = self.lang.get();
        self.texts.with_value(|t| t.get(lang, key))
    }

    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        let lang = self.lang.get();
        self.texts.with_value(|t| t.fill(lang, key, args))
    }
}

pub fn provide_i18n(texts: Texts, lang: Lang) -> I18n {
    let i = I18n {
        lang: RwSignal::new(lang),
        texts: StoredValue::new(texts),
    };
    provide_context(i);
    i
}

/// The page's [`I18n`]; falls back to the kit's own texts when the app did not provide one.
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(|| provide_i18n(Texts::new(&[], &[]), Lang::Zh))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_falls_back_to_chinese_then_to_the_key() {
        let t = Texts::new(&[r#"{"only_zh": "仅中文", "both": "两者"}"#], &[r#"{"both": "both"}"#]);
        assert_eq!(t.get(Lang::En, "both"), "both");
        assert_eq!(t.get(Lang::En, "only_zh"), "仅中文");
        assert_eq!(t.get(Lang::Zh, "missing.key"), "missing.key");
    }

    #[test]
    fn the_kit_resources_parse_and_have_the_same_keys() {
        let zh: HashMap<String, String> = serde_json::from_str(KIT_ZH).expect("zh.json");
        let en: HashMap<String, String> = serde_json::from_str(KIT_EN).expect("en.json");
        let mut a: Vec<_> = zh.keys().collect();
        let mut b: Vec<_> = en.keys().collect();
        a.sort();
        b.sort();
        assert_eq!(a, b);
    }

    #[test]
    fn placeholders_are_filled() {
        let t = Texts::new(&[r#"{"k": "请 {n} 号"}"#], &[]);
        assert_eq!(t.fill(Lang::Zh, "k", &[("n", "A023")]), "请 A023 号");
    }
}
