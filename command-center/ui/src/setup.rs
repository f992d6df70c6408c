//! First start without `--hall-url/--enroll-code`: the hall node's address and a one-time code.

use app_types::hall_wall::{CMD_WALL_SETUP, SetupRequest, WallView};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Serialize;
use ui_kit::bridge;
use ui_kit::i18n::use_i18n;

#[derive(Serialize)]
struct Args {
    request: SetupRequest,
}

#[component]
pub fn Setup(error: Option<String>, on_done: impl Fn(WallView) + Copy + 'static) -> impl IntoView {
    let i = use_i18n();
    let url = RwSignal::new(String::from("http://"));
    let code = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let message = RwSignal::new(error);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let request = SetupRequest {
            hall_url: url.get_untracked(),
            code: code.get_untracked(),
        };
        spawn_local(async move {
            match bridge::invoke::<_, WallView>(CMD_WALL_SETUP, &Args { request }).await {
                Ok(v) => on_done(v),
                Err(e) => message.set(Some(e.message)),
            }
            busy.set(false);
        });
    };
    view! {
        <main id="wall" class="setup" data-phase="setup" data-ready="1">
            <form class="setup-card" on:submit=submit>
                <h1>{move || i.t("setup.title")}</h1>
                <p class="hint">{move || i.t("setup.hint")}</p>
                <label>
                    <span>{move || i.t("setup.url")}</span>
                    <input id="setup-url" prop:value=url on:input=move |e| url.set(event_target_value(&e)) />
                </label>
                <label>
                    <span>{move || i.t("setup.code")}</span>
                    <input id="setup-code" prop:value=code on:input=move |e| code.set(event_target_value(&e)) />
                </label>
                <p id="setup-error" class="error">{move || message.get().unwrap_or_default()}</p>
                <button id="setup-submit" class="primary" type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { i.t("setup.busy") } else { i.t("setup.submit") }}
                </button>
            </form>
        </main>
    }
}
