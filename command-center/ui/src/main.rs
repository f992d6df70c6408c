//! The hall wall page (Leptos CSR). The shell owns the state; this page draws the [`WallView`] it
//! answers on start and pushes on every change, and shows the setup form before enrollment.

mod setup;
mod wall;

use app_types::hall_wall::{CMD_WALL_STATE, EVENT_WALL_CHANGED, WallPhase, WallView};
use leptos::prelude::*;
use leptos::task::spawn_local;
use ui_kit::bridge;
use ui_kit::i18n::{Lang, Texts, provide_i18n};

const ZH: &str = include_str!("../locales/zh.json");
const EN: &str = include_str!("../locales/en.json");

#[component]
fn App() -> impl IntoView {
    provide_i18n(Texts::new(&[ZH], &[EN]), Lang::Zh);
    let view_sig: RwSignal<Option<WallView>> = RwSignal::new(None);
    let load_error: RwSignal<Option<String>> = RwSignal::new(None);
    spawn_local(async move {
        // Listen first, then ask: a change between the two is not lost (the answer is at least as new).
        if let Err(e) = bridge::listen::<WallView>(EVENT_WALL_CHANGED, move |v| view_sig.set(Some(v))).await {
            load_error.set(Some(e.message));
        }
        match bridge::invoke0::<WallView>(CMD_WALL_STATE).await {
            Ok(v) => {
                // Keep a pushed view that arrived meanwhile if it is newer.
                let newer = view_sig.with_untracked(|cur| {
                    cur.as_ref()
                        .is_some_and(|c| c.last_event_id.unwrap_or(-1) > v.last_event_id.unwrap_or(-1))
                });
                if !newer {
                    view_sig.set(Some(v));
                }
            }
            Err(e) => load_error.set(Some(e.message)),
        }
    });
    view! {
        {move || match view_sig.get() {
            None => view! {
                <main id="wall" class="wall loading" data-ready="0">
                    <p class="error">{move || load_error.get().unwrap_or_default()}</p>
                </main>
            }.into_any(),
            Some(v) if v.phase == WallPhase::Setup => {
                view! { <setup::Setup error=v.error.clone() on_done=move |nv| view_sig.set(Some(nv)) /> }.into_any()
            }
            Some(_) => view! { <wall::Wall view=Signal::derive(move || view_sig.get()) /> }.into_any(),
        }}
    }
}

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
