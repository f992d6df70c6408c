//! Components every app shows the same way.

use leptos::prelude::*;

use crate::i18n::use_i18n;
use app_types::{DeviceHealth, DeviceStatus, LinkStatus};

/// `HH:MM:SS` of a time in ms since the epoch, in the PC's local time zone.
pub fn clock_time(ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!("{:02}:{:02}:{:02}", d.get_hours(), d.get_minutes(), d.get_seconds())
}

/// The red banner across the top while the hall node cannot be reached. It says what still works and
/// how much is waiting to be uploaded, so staff neither panic nor act blindly.
#[component]
pub fn OfflineBanner(#[prop(into)] link: Signal<LinkStatus>) -> impl IntoView {
    let i = use_i18n();
    view! {
        <Show when=move || !link.get().online>
            <div id="offline-banner" class="offline-banner" role="alert">
                <strong>{move || i.t("offline.title")}</strong>
                <span>{move || i.t("offline.detail")}</span>
                <span class="offline-meta">
                    {move || {
                        let l = link.get();
                        let since = l
                            .since_ms
                            .map(|s| i.fill("offline.since", &[("time", &clock_time(s))]))
                            .unwrap_or_default();
                        let waiting = i.fill(
                            "offline.waiting",
                            &[("events", &l.waiting_events.to_string()), ("blobs", &l.waiting_blobs.to_string())],
                        );
                        format!("{since} · {waiting}")
                    }}
                </span>
            </div>
        </Show>
    }
}

fn health_class(h: DeviceHealth) -> &'static str {
    match h {
        DeviceHealth::Ok => "chip chip-ok",
        DeviceHealth::Warning => "chip chip-warning",
        DeviceHealth::Fault => "chip chip-fault",
        DeviceHealth::Absent => "chip chip-absent",
    }
}

fn health_key(h: DeviceHealth) -> &'static str {
    match h {
        DeviceHealth::Ok => "health.ok",
        DeviceHealth::Warning => "health.warning",
        DeviceHealth::Fault => "health.fault",
        DeviceHealth::Absent => "health.absent",
    }
}

/// One chip per device: name, state and the device's own detail ("纸将尽").
#[component]
pub fn DeviceChips(#[prop(into)] devices: Signal<Vec<DeviceStatus>>) -> impl IntoView {
    let i = use_i18n();
    view! {
        <div class="device-chips">
            <For each=move || devices.get() key=|d| (d.device.clone(), d.health, d.detail.clone()) let:d>
                <span class=health_class(d.health) data-device=d.device.clone() data-health=health_key(d.health)>
                    {
                        let name = format!("device.{}", d.device);
                        let detail = d.detail.clone();
                        move || {
                            let mut s = format!("{} · {}", i.t(&name), i.t(health_key(d.health)));
                            if let Some(x) = &detail {
                                s.push_str(" · ");
                                s.push_str(x);
                            }
                            s
                        }
                    }
                </span>
            </For>
        </div>
    }
}

/// A button that switches between Chinese and English.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let i = use_i18n();
    view! {
        <button class="lang-switch" id="lang-switch" on:click=move |_| i.lang.update(|l| *l = l.toggled())>
            {move || i.t("lang.switch")}
        </button>
    }
}
