//! The window terminal's screens. One page, two windows: the staff window (`main`) shows enrollment,
//! sign-in and the call panel; the citizen-facing window (`?view=evaluator`) shows the evaluator.

use leptos::prelude::*;
use ui_kit::i18n::{Lang, Texts, provide_i18n};

mod evaluator;
mod staff;

const ZH: &str = include_str!("../locales/zh.json");
const EN: &str = include_str!("../locales/en.json");

fn is_evaluator() -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|s| s.contains("view=evaluator"))
}

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(|| {
        provide_i18n(Texts::new(&[ZH], &[EN]), Lang::Zh);
        if is_evaluator() {
            // Both windows load index.html; the evaluator's own title is how people (and tests) find it.
            if let Some(d) = web_sys::window().and_then(|w| w.document()) {
                d.set_title("服务评价 / Evaluation");
            }
            view! { <evaluator::EvaluatorApp/> }.into_any()
        } else {
            view! { <staff::StaffApp/> }.into_any()
        }
    });
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    #[test]
    fn both_languages_have_the_same_keys() {
        let zh: HashMap<String, String> = serde_json::from_str(super::ZH).expect("zh.json");
        let en: HashMap<String, String> = serde_json::from_str(super::EN).expect("en.json");
        let mut a: Vec<_> = zh.keys().collect();
        let mut b: Vec<_> = en.keys().collect();
        a.sort();
        b.sort();
        assert_eq!(a, b);
    }
}
