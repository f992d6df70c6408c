//! 法律咨询 (issue 7; standard 6.1 a/b): the citizen asks a lawyer in a live chat or leaves a
//! written question (留言) answered within 120 minutes and announced by SMS. The shell keeps the
//! consultation and pushes every change (`kiosk://consultation`); this screen only shows it.

use app_types::kiosk::Consultation;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Serialize;
use ui_kit::bridge::{invoke, now_ms};

use crate::Ctx;

/// The fields of law a citizen can pick (matched against the lawyers' specialties; `general`
/// reaches the generalists).
const SPECIALTIES: [&str; 6] = ["labour", "family", "contract", "traffic", "property", "general"];

#[derive(Serialize)]
struct StartArgs {
    kind: String,
    specialty: String,
    question: String,
    phone: Option<String>,
}

#[derive(Serialize)]
struct SendArgs {
    body: String,
    kind: &'static str,
}

#[derive(Serialize)]
struct RateArgs {
    level: u8,
    comment: Option<String>,
}

#[derive(Serialize)]
struct NoArgs {}

#[component]
pub fn Consult(ctx: Ctx) -> impl IntoView {
    view! {
        <div class="consult">
            {move || match ctx.consult.get() {
                None => view! { <Ask ctx=ctx/> }.into_any(),
                Some(c) => view! { <Chat ctx=ctx c=c/> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn Ask(ctx: Ctx) -> impl IntoView {
    let i = ctx.i;
    let kind = RwSignal::new("realtime".to_owned());
    let specialty = RwSignal::new("general".to_owned());
    let question = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let submit = move |_| {
        ctx.busy.set(true);
        spawn_local(async move {
            let p = phone.get_untracked();
            let args = StartArgs {
                kind: kind.get_untracked(),
                specialty: specialty.get_untracked(),
                question: question.get_untracked(),
                phone: (!p.trim().is_empty()).then_some(p),
            };
            match invoke::<_, Consultation>("consult_start", &args).await {
                Ok(c) => {
                    ctx.message.set((false, String::new()));
                    ctx.consult.set(Some(c));
                }
                Err(e) => ctx.fail(&e),
            }
            ctx.busy.set(false);
        });
    };
    let kind_button = move |k: &'static str| {
        view! {
            <button id=format!("consult-kind-{k}") class=move || if kind.get() == k { "choice chosen" } else { "choice" }
                on:click=move |_| kind.set(k.to_owned())>
                <span class="big">{move || i.t(&format!("consult.kind.{k}"))}</span>
                <span class="hint">{move || i.t(&format!("consult.kind.{k}.hint"))}</span>
            </button>
        }
    };
    view! {
        <div class="consult-ask">
            <h1>{move || i.t("consult.title")}</h1>
            <div class="choices">{kind_button("realtime")}{kind_button("message")}</div>
            <div class="specialties">
                {SPECIALTIES.iter().map(|s| {
                    let s = *s;
                    view! {
                        <button id=format!("consult-specialty-{s}")
                            class=move || if specialty.get() == s { "chip chosen" } else { "chip" }
                            on:click=move |_| specialty.set(s.to_owned())>
                            {move || i.t(&format!("consult.specialty.{s}"))}
                        </button>
                    }
                }).collect_view()}
            </div>
            <label>{move || i.t("consult.question")}
                <textarea id="consult-question" rows="5" maxlength="4000" prop:value=question
                    on:input=move |e| question.set(event_target_value(&e))></textarea>
            </label>
            <label>{move || if kind.get() == "message" { i.t("consult.phone.required") } else { i.t("consult.phone.optional") }}
                <input id="consult-phone" inputmode="numeric" maxlength="11" prop:value=phone
                    on:input=move |e| phone.set(event_target_value(&e))/>
            </label>
            <p class="note">{move || i.t("consult.privacy")}</p>
            <div class="actions">
                <button id="consult-submit" class="primary" disabled=move || ctx.busy.get() on:click=submit>
                    {move || i.t("consult.submit")}
                </button>
                <button id="go-home" class="back" on:click=move |_| ctx.home()>{move || i.t("nav.home")}</button>
            </div>
        </div>
    }
}

fn open(status: &str) -> bool {
    matches!(status, "queued" | "assigned" | "active")
}

#[component]
fn Chat(ctx: Ctx, c: Consultation) -> impl IntoView {
    let i = ctx.i;
    let draft = RwSignal::new(String::new());
    let send = move |kind: &'static str, body: String| {
        ctx.busy.set(true);
        spawn_local(async move {
            match invoke::<_, ()>("consult_send", &SendArgs { body, kind }).await {
                Ok(()) => draft.set(String::new()),
                Err(e) => ctx.fail(&e),
            }
            ctx.busy.set(false);
        });
    };
    let close = move |_| {
        spawn_local(async move {
            match invoke::<_, Consultation>("consult_close", &NoArgs {}).await {
                Ok(c) => ctx.consult.set(Some(c)),
                Err(e) => ctx.fail(&e),
            }
        });
    };
    let rate = move |level: u8| {
        spawn_local(async move {
            match invoke::<_, Consultation>("consult_rate", &RateArgs { level, comment: None }).await {
                Ok(c) => {
                    ctx.consult.set(Some(c));
                    ctx.info(i.t("consult.thanks"));
                }
                Err(e) => ctx.fail(&e),
            }
        });
    };
    // The lawyer (or the system for them) asked whether the citizen agrees to wait longer (6.2.2.3.4 b).
    let consent_asked = c
        .messages
        .last()
        .is_some_and(|m| m.author != "citizen" && m.kind == "consent");
    let status = c.status.clone();
    let waiting = matches!(status.as_str(), "queued" | "assigned");
    let written = matches!(status.as_str(), "waiting_reply");
    let rateable = matches!(status.as_str(), "closed" | "answered") && !c.rated;
    view! {
        <div class="consult-chat">
            <div class="consult-head">
                <span id="consult-status" class="status-label" data-status=status.clone()>{c.status_label.clone()}</span>
                {(!c.live && open(&status)).then(|| view! { <span id="consult-reconnecting" class="hint">{move || i.t("consult.reconnecting")}</span> })}
            </div>
            <ol id="consult-messages" class="messages">
                {c.messages.into_iter().map(|m| {
                    let who = format!("consult.author.{}", m.author);
                    view! {
                        <li class=format!("msg {} {}", m.author, m.kind) data-seq=m.seq.to_string()>
                            <span class="who">{move || i.t(&who)}</span>
                            <span class="body">{m.body}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
            {waiting.then(|| view! { <p id="consult-waiting" class="note">{move || i.t("consult.waiting")}</p> })}
            {written.then(|| view! { <p id="consult-written" class="note">{move || i.t("consult.written")}</p> })}
            {consent_asked.then(|| view! {
                <button id="consult-consent" class="primary" on:click=move |_| send("consent", i.t("consult.consent.body"))>
                    {move || i.t("consult.consent")}
                </button>
            })}
            {open(&status).then(|| view! {
                <div class="composer">
                    <textarea id="consult-input" rows="2" maxlength="4000" prop:value=draft
                        on:input=move |e| draft.set(event_target_value(&e))></textarea>
                    <button id="consult-send" class="primary" disabled=move || ctx.busy.get()
                        on:click=move |_| send("text", draft.get_untracked())>{move || i.t("consult.send")}</button>
                    <button id="consult-close" on:click=close>{move || i.t("consult.close")}</button>
                </div>
            })}
            {rateable.then(|| view! {
                <div id="consult-rating" class="rating">
                    <span>{move || i.t("consult.rate")}</span>
                    {(1u8..=5).map(|l| view! {
                        <button id=format!("rate-{l}") class="chip" on:click=move |_| rate(l)>
                            {move || i.t(&format!("consult.rate.{l}"))}
                        </button>
                    }).collect_view()}
                </div>
            })}
            <button id="go-home" class="back" on:click=move |_| ctx.home()>{move || i.t("consult.done")}</button>
        </div>
    }
}

/// A change pushed by the shell: shown, and it counts as activity (a citizen reading the lawyer's
/// answer is not idle).
pub fn on_event(ctx: Ctx, c: Consultation) {
    ctx.touched.set(now_ms());
    // A late event of a consultation already left (home pressed) must not bring it back.
    if ctx.screen.get_untracked() == crate::Screen::Consult {
        ctx.consult.set(Some(c));
    }
}
