//! The citizen's screen: staff card while idle, the confirmation push, the five levels (a reason is
//! required for the two negative ones), thanks.

use app_types::CommandError;
use app_types::window_terminal::{EVENT_EVALUATOR, EvaluatorView, RatingInput, RatingStored, StaffCard};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Serialize;
use ui_kit::bridge::{invoke, invoke0, listen};
use ui_kit::i18n::use_i18n;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    ticket_id: String,
    ok: bool,
}

#[derive(Serialize)]
struct Rate {
    rating: RatingInput,
}

#[component]
fn Card(card: StaffCard) -> impl IntoView {
    let i = use_i18n();
    let initial = card.name.chars().next().map(String::from).unwrap_or_default();
    view! {
        <div class="staff-card" id="staff-card">
            <div class="staff-photo">
                {match card.photo.clone() {
                    Some(src) => view! { <img src=src alt=""/> }.into_any(),
                    None => view! { <span class="photo-initial">{initial}</span> }.into_any(),
                }}
            </div>
            <div class="staff-facts">
                <div class="staff-name" id="staff-name">{card.name.clone()}</div>
                <div><span class="label">{move || i.t("eval.dept")}</span>{card.department.clone()}</div>
                <div><span class="label">{move || i.t("eval.number")}</span>{card.staff_number.clone()}</div>
                <div><span class="label">{move || i.t("eval.window")}</span>{card.window_number.clone()}</div>
                {card.motto.clone().map(|m| view! { <div class="staff-motto">"“" {m} "”"</div> })}
            </div>
        </div>
    }
}

#[component]
pub fn EvaluatorApp() -> impl IntoView {
    let i = use_i18n();
    let state = RwSignal::new(None::<EvaluatorView>);
    let error = RwSignal::new(String::new());
    spawn_local(async move {
        let _ = listen::<EvaluatorView>(EVENT_EVALUATOR, move |v| {
            error.set(String::new());
            state.set(Some(v));
        })
        .await;
        if let Ok(v) = invoke0::<EvaluatorView>("evaluator_view").await {
            state.set(Some(v));
        }
    });
    let answer = move |ticket_id: String, ok: bool| {
        spawn_local(async move {
            if let Err(e) = invoke::<_, serde_json::Value>("answer_confirmation", &Answer { ticket_id, ok }).await {
                error.set(e.message);
            }
        });
    };
    view! {
        <div class="evaluator" id="evaluator">
            <header class="eval-header">{move || i.t("eval.title")}</header>
            {move || match state.get() {
                None => view! { <div class="eval-body"></div> }.into_any(),
                Some(EvaluatorView::Idle { card }) => view! {
                    <div class="eval-body eval-idle" id="eval-idle">
                        <div class="eval-welcome">{move || i.t("eval.welcome")}</div>
                        <Card card=card/>
                    </div>
                }.into_any(),
                Some(EvaluatorView::Confirm { confirmation: c, .. }) => {
                    let (t1, t2) = (c.ticket_id.clone(), c.ticket_id.clone());
                    view! {
                        <div class="eval-body eval-confirm" id="eval-confirm">
                            <h2>{move || i.t("eval.confirm.title")}</h2>
                            <dl class="confirm-fields">
                                <dt>{move || i.t("eval.confirm.ticket")}</dt><dd>{c.ticket.clone()}</dd>
                                <dt>{move || i.t("eval.confirm.item")}</dt><dd>{c.item.clone()}</dd>
                                <dt>{move || i.t("eval.confirm.name")}</dt><dd>{c.citizen_name.clone()}</dd>
                                <dt>{move || i.t("eval.confirm.id")}</dt><dd>{c.citizen_id.clone()}</dd>
                                <dt>{move || i.t("eval.confirm.scans")}</dt><dd>{c.scans}</dd>
                            </dl>
                            <div class="confirm-actions">
                                <button class="big primary" id="confirm-ok" on:click=move |_| answer(t1.clone(), true)>{move || i.t("eval.confirm.ok")}</button>
                                <button class="big" id="confirm-wrong" on:click=move |_| answer(t2.clone(), false)>{move || i.t("eval.confirm.wrong")}</button>
                            </div>
                        </div>
                    }.into_any()
                }
                Some(EvaluatorView::Rate { ticket_id, ticket, reasons, .. }) => view! {
                    <RatePanel ticket_id=ticket_id ticket=ticket reasons=reasons error=error/>
                }.into_any(),
                Some(EvaluatorView::Thanks { level, .. }) => {
                    spawn_local(async move {
                        gloo_sleep(3000).await;
                        let _ = invoke0::<()>("evaluator_idle").await;
                    });
                    view! {
                        <div class="eval-body eval-thanks" id="eval-thanks" data-level=level>
                            <div class="thanks">{move || i.t("eval.thanks")}</div>
                            <div class="thanks-level">{move || i.t(&format!("eval.level.{level}"))}</div>
                        </div>
                    }.into_any()
                }
            }}
            <Show when=move || !error.get().is_empty()>
                <div class="eval-error error" id="eval-error">{move || error.get()}</div>
            </Show>
        </div>
    }
}

#[component]
fn RatePanel(ticket_id: String, ticket: String, reasons: Vec<String>, error: RwSignal<String>) -> impl IntoView {
    let i = use_i18n();
    let level = RwSignal::new(0u8);
    let chosen = RwSignal::new(Vec::<String>::new());
    let comment = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let submit = move |_| {
        let rating = RatingInput {
            ticket_id: ticket_id.clone(),
            level: level.get_untracked(),
            reasons: chosen.get_untracked(),
            comment: comment.get_untracked(),
        };
        busy.set(true);
        spawn_local(async move {
            let r: Result<RatingStored, CommandError> = invoke("rate", &Rate { rating }).await;
            busy.set(false);
            if let Err(e) = r {
                error.set(e.message);
            }
        });
    };
    view! {
        <div class="eval-body eval-rate" id="eval-rate">
            <h2>{move || i.t("eval.rate.title")} <span class="rate-ticket">{ticket}</span></h2>
            <div class="levels">
                {[5u8, 4, 3, 2, 1].into_iter().map(|l| view! {
                    <button id=format!("level-{l}") class=move || format!("level level-{l}{}", if level.get() == l { " chosen" } else { "" })
                        on:click=move |_| level.set(l)>
                        {move || i.t(&format!("eval.level.{l}"))}
                    </button>
                }).collect_view()}
            </div>
            <Show when=move || (1..=2).contains(&level.get())>
                <div class="reasons" id="reasons">
                    <div class="label">{move || i.t("eval.rate.reasons")}</div>
                    {reasons.clone().into_iter().enumerate().map(|(n, r)| {
                        let r2 = r.clone();
                        let r3 = r.clone();
                        view! {
                            <button id=format!("reason-{n}") class=move || if chosen.get().contains(&r2) { "reason chosen" } else { "reason" }
                                on:click=move |_| chosen.update(|c| if let Some(p) = c.iter().position(|x| *x == r3) { c.remove(p); } else { c.push(r3.clone()); })>
                                {r}
                            </button>
                        }
                    }).collect_view()}
                    <textarea id="comment" placeholder=move || i.t("eval.rate.comment")
                        on:input=move |e| comment.set(event_target_value(&e))></textarea>
                </div>
            </Show>
            <div class="rate-foot">
                <span class="muted">{move || i.t("eval.rate.photo")}</span>
                <button class="big primary" id="rate-submit" disabled=move || level.get() == 0 || busy.get() on:click=submit>
                    {move || i.t("eval.rate.submit")}
                </button>
            </div>
        </div>
    }
}

/// `setTimeout` as a future (no extra crate).
pub async fn gloo_sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}
