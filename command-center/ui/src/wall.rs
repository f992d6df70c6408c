//! The wall itself: header (hall, date, clock), the newest call large, recent calls in a grid,
//! waiting per queue, notices and the audio chip; the kit's offline banner above it all while the
//! hall node is unreachable (the last known calls stay visible under it).

use std::time::Duration;

use app_types::LinkStatus;
use app_types::hall_wall::{WallCall, WallView};
use leptos::prelude::*;
use ui_kit::components::{OfflineBanner, clock_time};
use ui_kit::i18n::use_i18n;

/// Milliseconds since the epoch: stamped on a call row when it is put into the DOM, so a test can
/// measure call → shown against the HTTP answer of the call.
fn epoch_ms() -> f64 {
    js_sys::Date::now()
}

/// Records when a call (by key) was first put into the DOM in `window.__wallShown` (first sight wins:
/// a call moving from the big card into the history keeps its first time).
fn mark_shown(key: &str) -> f64 {
    let now = epoch_ms();
    let Some(w) = web_sys::window() else { return now };
    let name = wasm_bindgen::JsValue::from_str("__wallShown");
    let map = js_sys::Reflect::get(&w, &name)
        .ok()
        .filter(|m| m.is_object())
        .unwrap_or_else(|| {
            let m = js_sys::Object::new().into();
            let _ = js_sys::Reflect::set(&w, &name, &m);
            m
        });
    let k = wasm_bindgen::JsValue::from_str(key);
    match js_sys::Reflect::get(&map, &k).ok().and_then(|v| v.as_f64()) {
        Some(first) => first,
        None => {
            let _ = js_sys::Reflect::set(&map, &k, &wasm_bindgen::JsValue::from_f64(now));
            now
        }
    }
}

fn date_line(ms: f64, weekday: &str) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!(
        "{}年{}月{}日 {weekday}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    )
}

#[component]
pub fn Wall(#[prop(into)] view: Signal<Option<WallView>>) -> impl IntoView {
    let i = use_i18n();
    let now = RwSignal::new(epoch_ms());
    // The clock ticks on the page; nothing else here needs a timer.
    let _ = set_interval_with_handle(move || now.set(epoch_ms()), Duration::from_millis(1000));
    let link = Signal::derive(move || {
        view.with(|v| v.as_ref().map(|v| v.link.clone())).unwrap_or(LinkStatus {
            online: true,
            since_ms: None,
            waiting_events: 0,
            waiting_blobs: 0,
            error: None,
        })
    });
    let calls = Memo::new(move |_| view.with(|v| v.as_ref().map(|v| v.calls.clone()).unwrap_or_default()));
    let latest = Memo::new(move |_| calls.with(|c| c.first().cloned()));
    let history = Memo::new(move |_| calls.with(|c| c.iter().skip(1).cloned().collect::<Vec<_>>()));
    let queues = Memo::new(move |_| view.with(|v| v.as_ref().map(|v| v.queues.clone()).unwrap_or_default()));
    let notices = Memo::new(move |_| view.with(|v| v.as_ref().map(|v| v.notices.clone()).unwrap_or_default()));
    let hall_name = move || view.with(|v| v.as_ref().map(|v| v.hall_name.clone()).unwrap_or_default());
    let last_id = move || {
        view.with(|v| v.as_ref().and_then(|v| v.last_event_id))
            .map(|x| x.to_string())
            .unwrap_or_default()
    };
    view! {
        <main id="wall" class="wall" data-phase="running" data-ready="1" data-last-event-id=last_id
            data-online=move || link.get().online.to_string()>
            <OfflineBanner link=link />
            <header class="wall-header">
                <div class="hall">
                    <span id="hall-name" class="hall-name">{hall_name}</span>
                    <span class="title">{move || i.t("wall.title")}<small>{move || i.t("wall.title.sub")}</small></span>
                </div>
                <div class="time">
                    <span class="date">{move || {
                        let ms = now.get();
                        let wd = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms)).get_day();
                        date_line(ms, &i.t(&format!("weekday.{wd}")))
                    }}</span>
                    <span id="clock" class="clock">{move || clock_time(now.get() as i64)}</span>
                </div>
            </header>
            <section class="calls">
                <div class="section-title">
                    {move || i.t("calls.latest.title")}<small>{move || i.t("calls.latest.sub")}</small>
                </div>
                {move || match latest.get() {
                    Some(c) => view! { <Latest call=c /> }.into_any(),
                    None => view! { <div id="call-latest" class="latest empty">{move || i.t("calls.none")}</div> }.into_any(),
                }}
                <div class="section-title small">
                    {move || i.t("calls.history")}<small>{move || i.t("calls.history.sub")}</small>
                </div>
                <div id="call-history" class="history">
                    <For each=move || history.get() key=|c| c.key.clone() let:c>
                        <CallRow call=c />
                    </For>
                </div>
            </section>
            <aside class="queues">
                <div class="section-title">
                    {move || i.t("queues.title")}<small>{move || i.t("queues.title.sub")}</small>
                </div>
                <Show when=move || queues.with(|q| q.is_empty())>
                    <p class="muted">{move || i.t("queues.none")}</p>
                </Show>
                <ul id="queue-list">
                    <For each=move || queues.get() key=|q| (q.id.clone(), q.waiting) let:q>
                        <li class="queue" data-queue=q.id.clone() data-waiting=q.waiting.to_string()>
                            <span class="prefix">{q.prefix.clone()}</span>
                            <span class="name">{q.name.clone()}</span>
                            <span class="waiting">{q.waiting.to_string()}</span>
                            <span class="unit">{move || i.t("queues.people")}</span>
                        </li>
                    </For>
                </ul>
            </aside>
            <footer class="wall-footer">
                <span class="notice-label">{move || i.t("notices.title")}</span>
                <div id="notices" class="notices">
                    {move || {
                        let n = notices.get();
                        if n.is_empty() { i.t("notices.default") } else { n.join("　　") }
                    }}
                </div>
                <span id="audio-chip" class=move || {
                    let failing = view.with(|v| v.as_ref().is_some_and(|v| v.audio.last_failure.is_some()));
                    if failing { "chip chip-fault" } else { "chip chip-ok" }
                }>
                    {move || view.with(|v| {
                        let Some(v) = v else { return String::new() };
                        if let Some(e) = &v.audio.last_failure {
                            return i.fill("audio.failed", &[("e", e)]);
                        }
                        if v.audio.output == "none" {
                            return i.t("audio.off");
                        }
                        let mut s = i.t("audio.on");
                        if v.audio.waiting > 0 {
                            s.push_str(" · ");
                            s.push_str(&i.fill("audio.waiting", &[("n", &v.audio.waiting.to_string())]));
                        }
                        s
                    })}
                </span>
            </footer>
        </main>
    }
}

/// The newest call, as large as the screen allows. Keyed by the call (a recall is a new key), so the
/// highlight animation restarts for every call.
#[component]
fn Latest(call: WallCall) -> impl IntoView {
    let i = use_i18n();
    let shown_at = mark_shown(&call.key).to_string();
    let window = call.window.clone();
    let recalled = call.recall_count > 0;
    view! {
        <div id="call-latest" class="latest flash" data-key=call.key.clone() data-display=call.display.clone()
            data-window=call.window.clone() data-shown-at=shown_at>
            <span class="word">{move || i.t("calls.latest")}</span>
            <span class="number">{call.display.clone()}</span>
            <span class="word">{move || i.t("calls.to")}</span>
            <span class="window-number">{window}</span>
            <span class="word">{move || i.t("calls.window")}</span>
            <Show when=move || recalled>
                <span class="recall">{move || i.t("calls.recall")}</span>
            </Show>
        </div>
    }
}

#[component]
fn CallRow(call: WallCall) -> impl IntoView {
    let i = use_i18n();
    let shown_at = mark_shown(&call.key).to_string();
    let window = call.window.clone();
    view! {
        <div class="call" data-key=call.key.clone() data-display=call.display.clone()
            data-window=call.window.clone() data-shown-at=shown_at>
            <span class="number">{call.display.clone()}</span>
            <span class="arrow">"→"</span>
            <span class="window">{move || i.fill("calls.window.short", &[("n", &window)])}</span>
        </div>
    }
}
