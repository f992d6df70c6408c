//! The online switch (with specialties) and the inbox: every open item with what is owed next and a
//! countdown that ticks every second (red once overdue), most urgent first.

use app_types::lawyer_desk::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Serialize;
use ui_kit::bridge::invoke;

use crate::{Ctx, Work};

#[derive(Serialize)]
struct OnlineArgs {
    online: bool,
    specialties: Option<Vec<String>>,
}

#[derive(Serialize)]
struct IdArgs {
    id: String,
}

/// Seconds left on `due` now, from what the server said when the inbox was read.
pub fn remaining(due: &Due, read_at: i64, now_ms: f64) -> i64 {
    due.remaining_secs - ((now_ms as i64 - read_at) / 1000)
}

/// `12:05` / `-0:42` style.
pub fn clock(secs: i64) -> String {
    let sign = if secs < 0 { "-" } else { "" };
    let s = secs.abs();
    if s >= 3600 {
        format!("{sign}{}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
    } else {
        format!("{sign}{}:{:02}", s / 60, s % 60)
    }
}

/// Seconds left on the item's deadline now (negative once overdue), from the latest inbox.
fn seconds_left(ctx: &Ctx, id: &str) -> Option<i64> {
    let now = ctx.now.get();
    ctx.inbox.with(|b| {
        b.items
            .iter()
            .find(|i| i.id == id)
            .and_then(|i| i.due.as_ref())
            .map(|d| remaining(d, b.read_at, now))
    })
}

#[component]
pub fn OnlineSwitch(ctx: Ctx) -> impl IntoView {
    let i = ctx.i;
    let profile = Memo::new(move |_| ctx.inbox.get().profile);
    let specialties = RwSignal::new(String::new());
    // Show the server's list once it is known, unless the lawyer is editing it.
    Effect::new(move |_| {
        let p = profile.get();
        if specialties.get_untracked().is_empty() && !p.specialties.is_empty() {
            specialties.set(p.specialties.join("，"));
        }
    });
    let toggle = move |_| {
        let online = !profile.get_untracked().online;
        let list: Vec<String> = specialties
            .get_untracked()
            .split([',', '，', ' ', '、'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        ctx.busy.set(true);
        spawn_local(async move {
            let args = OnlineArgs {
                online,
                specialties: online.then_some(list),
            };
            match invoke::<_, Profile>("set_online", &args).await {
                Ok(p) => {
                    ctx.inbox.update(|b| b.profile = p.clone());
                    ctx.info(if p.online {
                        i.t("online.now")
                    } else {
                        i.t("offline.now")
                    });
                }
                Err(e) => ctx.fail(&e),
            }
            ctx.busy.set(false);
        });
    };
    let hours = move || {
        let p = profile.get();
        let mins = p.online_secs / 60;
        i.fill(
            "online.time",
            &[("h", &(mins / 60).to_string()), ("m", &(mins % 60).to_string())],
        )
    };
    view! {
        <div class="online-switch">
            <span id="online-status" class=move || if profile.get().online { "state on" } else { "state off" }
                data-online=move || profile.get().online.to_string()>
                {move || if profile.get().online { i.t("online.on") } else { i.t("online.off") }}
            </span>
            <input id="specialties" class="specialties" prop:value=specialties
                placeholder=move || i.t("online.specialties")
                title=move || i.t("online.specialties")
                on:input=move |e| specialties.set(event_target_value(&e))/>
            <button id="online-toggle" class=move || if profile.get().online { "switch" } else { "switch primary" }
                disabled=move || ctx.busy.get() on:click=toggle>
                {move || if profile.get().online { i.t("online.go_off") } else { i.t("online.go_on") }}
            </button>
            <span id="online-time" class="online-time">{hours}</span>
        </div>
    }
}

fn kind_key(kind: &str) -> String {
    format!("kind.{kind}")
}

#[component]
pub fn InboxList(ctx: Ctx) -> impl IntoView {
    let i = ctx.i;
    let items = Memo::new(move |_| ctx.inbox.get().items);
    let open = move |item: InboxItem| {
        let id = item.id.clone();
        // A video consultation is picked up like a realtime one: the shell tells the server this desk
        // cannot do the call, and it continues as a text chat (6.2.3). Anything else unknown is shown.
        if !matches!(item.kind.as_str(), "realtime" | "message" | "video") {
            ctx.clear();
            ctx.work.set(Work::Detail(id));
            return;
        }
        let realtime = matches!(item.kind.as_str(), "realtime" | "video");
        let waiting_pickup = matches!(item.status.as_str(), "assigned" | "queued");
        ctx.busy.set(true);
        ctx.clear();
        spawn_local(async move {
            let cmd = if realtime && waiting_pickup {
                "pick_up"
            } else {
                "open_consultation"
            };
            match invoke::<_, Consultation>(cmd, &IdArgs { id: id.clone() }).await {
                Ok(c) => {
                    if c.kind == "message" {
                        ctx.question
                            .set(c.messages.first().map(|m| m.body.clone()).unwrap_or_default());
                        ctx.work.set(Work::Reply(c.id.clone()));
                    } else {
                        ctx.messages.set(c.messages.clone());
                        ctx.chat_status.set(Some(ChatStatus {
                            consultation_id: c.id.clone(),
                            status: c.status.clone(),
                            label: c.status_label.clone(),
                        }));
                        ctx.work.set(Work::Chat(c.id.clone()));
                    }
                }
                Err(e) => ctx.fail(&e),
            }
            ctx.busy.set(false);
        });
    };
    view! {
        <section id="inbox" class="inbox card">
            <h2>{move || i.t("inbox.title")} <span class="count">{move || items.get().len()}</span></h2>
            <Show when=move || items.get().is_empty()>
                <p class="muted" id="inbox-empty">{move || i.t("inbox.empty")}</p>
            </Show>
            <For each=move || items.get() key=|it| (it.id.clone(), it.status.clone(), it.due.as_ref().map(|d| d.action.clone())) let:item>
                {
                    let it = item.clone();
                    let due = item.due.clone();
                    // The row is kept while its key holds; its countdown reads the latest inbox so it
                    // follows each refresh (a captured `due` would pair an old remaining with a new read time).
                    let id_for_left = item.id.clone();
                    let left = move || seconds_left(&ctx, &id_for_left);
                    let overdue = {
                        let left = left.clone();
                        move || left().is_some_and(|l| l < 0)
                    };
                    let realtime_waiting = matches!(item.kind.as_str(), "realtime" | "video")
                        && matches!(item.status.as_str(), "assigned" | "queued");
                    let selected = {
                        let id = item.id.clone();
                        move || matches!(ctx.work.get(), Work::Chat(ref x) | Work::Reply(ref x) | Work::Detail(ref x) if *x == id)
                    };
                    let kind = item.kind.clone();
                    view! {
                        <article class=move || format!("item {}{}{}", it.kind, if overdue() { " overdue" } else { "" }, if selected() { " selected" } else { "" })
                            data-consultation=item.id.clone() data-kind=item.kind.clone()>
                            <div class="item-head">
                                <span class="kind">{move || { let k = kind_key(&kind); let t = i.t(&k); if t == k { kind.clone() } else { t } }}</span>
                                <span class="specialty">{item.specialty.clone()}</span>
                                <span class="status-label">{item.status_label.clone()}</span>
                            </div>
                            <p class="question">{item.question.clone()}</p>
                            {due.clone().map(|d| {
                                view! {
                                    <div class="due">
                                        <span class="due-label">{d.label.clone()}</span>
                                        <span class="clause">{d.clause.clone()}</span>
                                        <span class="countdown" data-countdown=item.id.clone()>
                                            {move || match left() {
                                                Some(l) if l < 0 => i.fill("due.overdue", &[("t", &clock(-l))]),
                                                Some(l) => i.fill("due.left", &[("t", &clock(l))]),
                                                None => String::new(),
                                            }}
                                        </span>
                                    </div>
                                }
                            })}
                            {
                                let item = item.clone();
                                let id = item.id.clone();
                                let label_key = if realtime_waiting {
                                    "inbox.pickup"
                                } else if item.kind == "message" {
                                    "inbox.reply"
                                } else {
                                    "inbox.open"
                                };
                                view! {
                                    <button class=if realtime_waiting { "primary act" } else { "act" }
                                        data-open=id disabled=move || ctx.busy.get()
                                        on:click=move |_| open(item.clone())>
                                        {move || i.t(label_key)}
                                    </button>
                                }
                            }
                        </article>
                    }
                }
            </For>
        </section>
    }
}

/// An inbox item the desk cannot work on itself (video, mediation): what it is, what is owed, by when.
#[component]
pub fn Detail(ctx: Ctx, id: String) -> impl IntoView {
    let i = ctx.i;
    let item = {
        let id = id.clone();
        Memo::new(move |_| ctx.inbox.with(|b| b.items.iter().find(|x| x.id == id).cloned()))
    };
    view! {
        <div id="detail" class="detail" data-consultation=id.clone()>
            {move || match item.get() {
                None => view! { <p class="muted">{move || i.t("detail.gone")}</p> }.into_any(),
                Some(it) => {
                    let k = kind_key(&it.kind);
                    let kind = it.kind.clone();
                    view! {
                        <h2>{move || { let t = i.t(&k); if t == k { kind.clone() } else { t } }}</h2>
                        <p class="question">{it.question.clone()}</p>
                        <p>{it.status_label.clone()} " · " {it.specialty.clone()}</p>
                        {it.due.map(|d| view! { <p class="due">{d.label} " (" {d.clause} ")"</p> })}
                        <p class="note" id="detail-note">{move || i.t("detail.external")}</p>
                    }.into_any()
                }
            }}
        </div>
    }
}
