//! Remote mediations assigned to the lawyer (6.2.4): accept, then join the online room 10 minutes
//! before the start (6.2.4.2 a) — the countdown runs to that join-by time and turns red after it.

use app_types::lawyer_desk::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Serialize;
use ui_kit::bridge::invoke;

use crate::Ctx;
use crate::inbox::{clock, remaining};

#[derive(Serialize)]
struct MediationArgs {
    id: String,
    action: &'static str,
}

/// `11-30 14:00` in this PC's time zone.
fn when(ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{:02}-{:02} {:02}:{:02}",
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

#[component]
pub fn Mediations(ctx: Ctx) -> impl IntoView {
    let i = ctx.i;
    let list = Memo::new(move |_| ctx.inbox.get().mediations);
    let act = move |id: String, action: &'static str| {
        ctx.busy.set(true);
        ctx.clear();
        spawn_local(async move {
            match invoke::<_, Inbox>("mediation", &MediationArgs { id, action }).await {
                Ok(b) => ctx.inbox.set(b),
                Err(e) => ctx.fail(&e),
            }
            ctx.busy.set(false);
        });
    };
    view! {
        <Show when=move || !list.get().is_empty()>
            <section id="mediations" class="inbox card">
                <h2>{move || i.t("mediation.title")} <span class="count">{move || list.get().len()}</span></h2>
                <For each=move || list.get() key=|m| (m.id.clone(), m.status.clone(), m.joined_at) let:m>
                    {
                        let id = m.id.clone();
                        let left = {
                            let id = id.clone();
                            move || {
                                let now = ctx.now.get();
                                ctx.inbox.with(|b| {
                                    b.mediations.iter().find(|x| x.id == id).map(|x| remaining(&x.join_by, b.read_at, now))
                                })
                            }
                        };
                        let overdue = {
                            let left = left.clone();
                            move || m.joined_at.is_none() && left().is_some_and(|l| l < 0)
                        };
                        let (accept_id, join_id) = (id.clone(), id.clone());
                        let assigned = m.status == "assigned";
                        let joined = m.joined_at.is_some();
                        let late = m.join_late == Some(true);
                        view! {
                            <article class=move || format!("item mediation{}", if overdue() { " overdue" } else { "" })
                                data-mediation=id.clone()>
                                <div class="item-head">
                                    <span class="kind">{move || i.t("kind.mediation")}</span>
                                    <span class="specialty">{m.committee.clone()}</span>
                                    <span class="status-label">{m.status_label.clone()}</span>
                                </div>
                                <p class="question">{m.matter.clone()}</p>
                                <p class="muted">{move || i.fill("mediation.starts", &[("t", &when(m.starts_at))])}
                                    " · " {m.parties.join("、")}</p>
                                {(!joined).then(|| view! {
                                    <div class="due">
                                        <span class="due-label">{m.join_by.label.clone()}</span>
                                        <span class="clause">{m.join_by.clause.clone()}</span>
                                        <span class="countdown" data-countdown=id.clone()>
                                            {move || match left() {
                                                Some(l) if l < 0 => i.fill("due.overdue", &[("t", &clock(-l))]),
                                                Some(l) => i.fill("due.left", &[("t", &clock(l))]),
                                                None => String::new(),
                                            }}
                                        </span>
                                    </div>
                                })}
                                {joined.then(|| view! {
                                    <p class=if late { "joined late" } else { "joined" } data-joined=id.clone()>
                                        {move || if late { i.t("mediation.joined_late") } else { i.t("mediation.joined") }}
                                    </p>
                                })}
                                {(assigned).then(|| view! {
                                    <button class="primary act" data-accept=accept_id.clone() disabled=move || ctx.busy.get()
                                        on:click=move |_| act(accept_id.clone(), "accept")>{move || i.t("mediation.accept")}</button>
                                })}
                                {(!assigned && !joined).then(|| view! {
                                    <button class="primary act" data-join=join_id.clone() disabled=move || ctx.busy.get()
                                        on:click=move |_| act(join_id.clone(), "join")>{move || i.t("mediation.join")}</button>
                                })}
                            </article>
                        }
                    }
                </For>
            </section>
        </Show>
    }
}
