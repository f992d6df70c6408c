//! The screens after enrollment. Each flow is at most three touches: choose → confirm → done.

use app_types::kiosk::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Serialize;
use ui_kit::bridge::{invoke, invoke0};

use crate::{Ctx, Screen};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ItemArgs {
    item_id: String,
}
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IssueArgs {
    item_id: String,
    claims: Vec<String>,
}
#[derive(Serialize)]
struct CodeArgs {
    code: String,
}
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CheckInArgs {
    appointment_id: String,
    code: String,
}

/// Asks the reader for a card every 600 ms while the screen is shown; `then` runs once per card.
fn poll_card(ctx: Ctx, then: impl Fn(CardHolder) + Clone + 'static) {
    let waiting = RwSignal::new(false);
    let handle = set_interval_with_handle(
        move || {
            if waiting.get_untracked() || ctx.holder.get_untracked().is_some() {
                return;
            }
            waiting.set(true);
            let then = then.clone();
            spawn_local(async move {
                match invoke0::<Option<CardHolder>>("read_card").await {
                    Ok(Some(h)) => {
                        ctx.touched.set(ui_kit::bridge::now_ms());
                        ctx.holder.set(Some(h.clone()));
                        then(h);
                    }
                    Ok(None) => {}
                    Err(e) => ctx.fail(&e),
                }
                waiting.set(false);
            });
        },
        std::time::Duration::from_millis(600),
    );
    on_cleanup(move || {
        if let Ok(h) = handle {
            h.clear();
        }
    });
}

#[component]
pub fn Home(ctx: Ctx) -> impl IntoView {
    let i = ctx.i;
    // A QR shown at home is an appointment or a receipt: open the matching screen.
    Effect::new(move |_| {
        if let Some(code) = ctx.scanned.get() {
            // A citizen code (一码通办) stands for the ID card: most people show it to take a number.
            let citizen = code.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("YM1-"));
            ctx.go(if citizen { Screen::Take } else { Screen::CheckIn });
        }
    });
    view! {
        <div class="home">
            <button id="go-take" class="tile primary" on:click=move |_| ctx.go(Screen::Take)>
                <span class="big">{move || i.t("home.take")}</span>
                <span class="hint">{move || i.t("home.take.hint")}</span>
            </button>
            <button id="go-checkin" class="tile" on:click=move |_| ctx.go(Screen::CheckIn)>
                <span class="big">{move || i.t("home.checkin")}</span>
                <span class="hint">{move || i.t("home.checkin.hint")}</span>
            </button>
            <button id="go-progress" class="tile" on:click=move |_| ctx.go(Screen::Progress)>
                <span class="big">{move || i.t("home.progress")}</span>
                <span class="hint">{move || i.t("home.progress.hint")}</span>
            </button>
            <button id="go-guides" class="tile" on:click=move |_| ctx.go(Screen::Guides)>
                <span class="big">{move || i.t("home.guides")}</span>
                <span class="hint">{move || i.t("home.guides.hint")}</span>
            </button>
            <button id="go-consult" class="tile" on:click=move |_| ctx.go(Screen::Consult)>
                <span class="big">{move || i.t("home.consult")}</span>
                <span class="hint">{move || i.t("home.consult.hint")}</span>
            </button>
        </div>
    }
}

#[component]
fn Back(ctx: Ctx) -> impl IntoView {
    let i = ctx.i;
    view! { <button id="go-home" class="back" on:click=move |_| ctx.home()>{move || i.t("nav.home")}</button> }
}

#[component]
fn Holder(ctx: Ctx) -> impl IntoView {
    let i = ctx.i;
    view! {
        {move || match ctx.holder.get() {
            None => view! { <div id="card-wait" class="card-wait">{move || i.t("card.place")}</div> }.into_any(),
            Some(h) => view! {
                <div id="card-holder" class="holder">
                    <span class="name">{h.name_masked.clone()}</span>
                    <span class="id">{h.id_masked.clone()}</span>
                    {h.elderly.then(|| view! { <span id="priority-elderly" class="badge">{move || i.t("priority.elderly")}</span> })}
                </div>
            }.into_any(),
        }}
    }
}

/// Shows what the citizen will get before issuing. In elderly mode one step less: when nothing needs
/// explaining (quota left, printer ready, hall node reachable, card present if needed) the number is
/// issued at once and the ticket screen says people ahead and the wait.
fn open_preview(ctx: Ctx, item_id: String) {
    ctx.busy.set(true);
    spawn_local(async move {
        match invoke::<_, Preview>("preview", &ItemArgs { item_id }).await {
            Ok(p) => {
                let plain = !p.quota_exhausted
                    && !p.printer_down
                    && !p.offline
                    && (!p.id_card_required || ctx.holder.get_untracked().is_some());
                if ctx.elderly.get_untracked() && plain {
                    let args = IssueArgs {
                        item_id: p.item_id.clone(),
                        claims: ctx.claims.get_untracked(),
                    };
                    match invoke::<_, Issued>("issue", &args).await {
                        Ok(t) => {
                            ctx.ticket.set(Some(t));
                            ctx.go(Screen::Ticket);
                        }
                        Err(e) => ctx.fail(&e),
                    }
                } else {
                    ctx.preview.set(Some(p));
                    ctx.go(Screen::Preview);
                }
            }
            Err(e) => ctx.fail(&e),
        }
        ctx.busy.set(false);
    });
}

#[component]
pub fn Take(ctx: Ctx) -> impl IntoView {
    let i = ctx.i;
    ctx.load_items();
    poll_card(ctx, |_| {});
    Effect::new(move |_| {
        if let Some(c) = ctx.scanned.get() {
            ctx.scanned.set(None);
            spawn_local(async move {
                match invoke::<_, Scanned>("scanned", &CodeArgs { code: c }).await {
                    Ok(Scanned::Citizen { holder }) => ctx.holder.set(Some(holder)),
                    Ok(Scanned::Appointment { .. }) => ctx.info(ctx.i.t("progress.is_appointment")),
                    Ok(Scanned::Case { .. }) => ctx.info(ctx.i.t("take.is_receipt")),
                    Ok(Scanned::Unknown { message }) => ctx.info(message),
                    Err(e) => ctx.fail(&e),
                }
            });
        }
    });
    let claims = ["pregnant", "disabled", "military"];
    view! {
        <div class="take">
            <div class="row"><Back ctx=ctx/><h1>{move || i.t("take.title")}</h1></div>
            <Holder ctx=ctx/>
            <div class="claims">
                <span>{move || i.t("take.claims")}</span>
                {claims.into_iter().map(|c| view! {
                    <button class=move || if ctx.claims.get().iter().any(|x| x == c) { "chip on" } else { "chip" }
                        id=format!("claim-{c}")
                        on:click=move |_| ctx.claims.update(|v| if let Some(p) = v.iter().position(|x| x == c) { v.remove(p); } else { v.push(c.to_owned()); })>
                        {move || i.t(&format!("priority.{c}"))}
                    </button>
                }).collect_view()}
            </div>
            <div id="items" class="items">
                <For each=move || ctx.items.get() key=|it| it.id.clone() let:it>
                    <button class="item" data-item=it.id.clone() disabled=move || ctx.busy.get()
                        on:click={ let id = it.id.clone(); move |_| open_preview(ctx, id.clone()) }>
                        <span class="name">{it.name.clone()}</span>
                        <span class="queue">{it.queue_name.clone()}</span>
                        {it.id_card_required.then(|| view! { <span class="needs-card">{move || i.t("take.needs_card")}</span> })}
                    </button>
                </For>
            </div>
        </div>
    }
}

#[component]
pub fn PreviewScreen(ctx: Ctx) -> impl IntoView {
    let i = ctx.i;
    let Some(p) = ctx.preview.get_untracked() else {
        return view! { <div></div> }.into_any();
    };
    let need_card = p.id_card_required;
    let blocked = move || ctx.busy.get() || (need_card && ctx.holder.get().is_none());
    poll_card(ctx, |_| {});
    let issue = {
        let item_id = p.item_id.clone();
        move |_| {
            ctx.busy.set(true);
            let args = IssueArgs {
                item_id: item_id.clone(),
                claims: ctx.claims.get_untracked(),
            };
            spawn_local(async move {
                match invoke::<_, Issued>("issue", &args).await {
                    Ok(t) => {
                        ctx.ticket.set(Some(t));
                        ctx.go(Screen::Ticket);
                    }
                    Err(e) => ctx.fail(&e),
                }
                ctx.busy.set(false);
            });
        }
    };
    let ahead = p.people_ahead.map_or_else(|| "—".to_owned(), |n| n.to_string());
    let wait = p.wait_minutes.map_or_else(|| "—".to_owned(), |n| n.to_string());
    view! {
        <div class="preview" id="preview">
            <div class="row"><Back ctx=ctx/><h1 id="preview-item">{p.item_name.clone()}</h1></div>
            <div class="figures">
                <div><span class="label">{move || i.t("preview.ahead")}</span><span id="preview-ahead" class="value">{ahead}</span></div>
                <div><span class="label">{move || i.t("preview.wait")}</span><span id="preview-wait" class="value">{wait}</span></div>
            </div>
            {p.offline.then(|| view! { <div id="preview-offline" class="note warn">{move || i.t("preview.offline")}</div> })}
            {p.printer_down.then(|| view! { <div id="preview-printer" class="note warn">{move || i.t("preview.printer_down")}</div> })}
            {need_card.then(|| view! { <Holder ctx=ctx/> })}
            {if p.quota_exhausted {
                let slot = p.next_slot.clone().unwrap_or_else(|| i.t("preview.no_slot"));
                view! {
                    <div id="quota-exhausted" class="note error">
                        <div>{move || i.t("preview.quota")}</div>
                        <div id="next-slot">{move || i.fill("preview.next_slot", &[("slot", &slot)])}</div>
                    </div>
                }.into_any()
            } else {
                view! {
                    <button id="issue" class="primary huge" disabled=blocked on:click=issue>
                        {move || if p.printer_down { i.t("preview.issue_screen") } else { i.t("preview.issue") }}
                    </button>
                }.into_any()
            }}
        </div>
    }
    .into_any()
}

/// The ticket's QR code as SVG (what the printed ticket carries), for the on-screen ticket.
fn qr_svg(token: &str) -> String {
    match qrcode::QrCode::new(token.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(240, 240)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

#[component]
pub fn TicketScreen(ctx: Ctx) -> impl IntoView {
    let i = ctx.i;
    let Some(t) = ctx.ticket.get_untracked() else {
        return view! { <div></div> }.into_any();
    };
    let printed = t.printed;
    view! {
        <div class=if printed { "ticket printed" } else { "ticket on-screen" } id="ticket">
            <div class="number" id="ticket-number">{t.number.clone()}</div>
            <div class="queue">{t.queue_name.clone()}</div>
            {t.people_ahead.map(|n| view! { <div id="ticket-ahead">{move || i.fill("ticket.ahead", &[("n", &n.to_string())])}</div> })}
            {t.offline.then(|| view! { <div id="ticket-offline" class="note warn">{move || i.t("ticket.offline")}</div> })}
            {if printed {
                view! { <div id="ticket-printed" class="done">{move || i.t("ticket.take")}</div> }.into_any()
            } else {
                let problem = t.print_problem.clone().unwrap_or_default();
                view! {
                    <div id="ticket-unprinted" class="note warn">{move || i.fill("ticket.unprinted", &[("why", &problem)])}</div>
                    <div id="ticket-qr" class="qr" inner_html=qr_svg(&t.token)></div>
                    <div class="token">{t.token.clone()}</div>
                }.into_any()
            }}
            <button id="ticket-done" class="primary huge" on:click=move |_| ctx.home()>
                {move || if printed { i.t("ticket.done") } else { i.t("ticket.noted") }}
            </button>
        </div>
    }
    .into_any()
}

#[component]
pub fn CheckIn(ctx: Ctx) -> impl IntoView {
    let i = ctx.i;
    let found = RwSignal::new(Vec::<AppointmentInfo>::new());
    let code = RwSignal::new(String::new());
    let case = RwSignal::new(None::<CaseInfo>);
    // A scanned code: an appointment here, or a receipt (then the progress is shown).
    Effect::new(move |_| {
        if let Some(c) = ctx.scanned.get() {
            ctx.scanned.set(None);
            code.set(c.clone());
            spawn_local(async move {
                match invoke::<_, Scanned>("scanned", &CodeArgs { code: c }).await {
                    Ok(Scanned::Appointment { appointment }) => found.set(vec![appointment]),
                    Ok(Scanned::Case { case: c }) => case.set(Some(c)),
                    Ok(Scanned::Citizen { holder }) => {
                        ctx.holder.set(Some(holder));
                        match invoke0::<Vec<AppointmentInfo>>("appointments_by_card").await {
                            Ok(a) if a.is_empty() => ctx.info(ctx.i.t("checkin.none")),
                            Ok(a) => found.set(a),
                            Err(e) => ctx.fail(&e),
                        }
                    }
                    Ok(Scanned::Unknown { message }) => ctx.info(message),
                    Err(e) => ctx.fail(&e),
                }
            });
        }
    });
    poll_card(ctx, move |_| {
        spawn_local(async move {
            match invoke0::<Vec<AppointmentInfo>>("appointments_by_card").await {
                Ok(a) if a.is_empty() => ctx.info(ctx.i.t("checkin.none")),
                Ok(a) => found.set(a),
                Err(e) => ctx.fail(&e),
            }
        });
    });
    let check_in = move |id: String| {
        ctx.busy.set(true);
        spawn_local(async move {
            let args = CheckInArgs {
                appointment_id: id,
                code: code.get_untracked(),
            };
            match invoke::<_, Issued>("check_in", &args).await {
                Ok(t) => {
                    ctx.ticket.set(Some(t));
                    ctx.go(Screen::Ticket);
                }
                Err(e) => ctx.fail(&e),
            }
            ctx.busy.set(false);
        });
    };
    view! {
        <div class="checkin">
            <div class="row"><Back ctx=ctx/><h1>{move || i.t("checkin.title")}</h1></div>
            <div class="hint">{move || i.t("checkin.hint")}</div>
            <Holder ctx=ctx/>
            <div id="appointments">
                <For each=move || found.get() key=|a| a.id.clone() let:a>
                    <div class="appointment" data-timing=a.timing.clone()>
                        <div class="name">{a.item_name.clone()}</div>
                        <div class="slot">{a.slot.clone()}</div>
                        <div class="rule">{
                            let (o, l) = (a.opens_at.clone(), a.late_after.clone());
                            move || i.fill("checkin.rule", &[("opens", &o), ("late", &l)])
                        }</div>
                        {(a.timing == "late").then(|| view! { <div class="note warn">{move || i.t("checkin.late")}</div> })}
                        <button class="primary checkin-go" disabled=move || ctx.busy.get()
                            on:click={ let id = a.id.clone(); move |_| check_in(id.clone()) }>
                            {move || i.t("checkin.go")}
                        </button>
                    </div>
                </For>
            </div>
            {move || case.get().map(|c| view! { <CaseView case=c/> })}
        </div>
    }
}

#[component]
fn CaseView(case: CaseInfo) -> impl IntoView {
    view! {
        <div class="case" data-receipt=case.receipt.clone()>
            <div class="name">{case.item_name.clone()}</div>
            <div class="receipt">{case.receipt.clone()}</div>
            <div class="stage current">{case.stage_label.clone()}</div>
            <ol class="stages">
                {case.stages.into_iter().map(|s| view! {
                    <li><span class="label">{s.label}</span><span class="at">{s.at}</span>
                        {s.note.map(|n| view! { <span class="note">{n}</span> })}</li>
                }).collect_view()}
            </ol>
        </div>
    }
}

#[component]
pub fn Progress(ctx: Ctx) -> impl IntoView {
    let i = ctx.i;
    let cases = RwSignal::new(Vec::<CaseInfo>::new());
    Effect::new(move |_| {
        if let Some(c) = ctx.scanned.get() {
            ctx.scanned.set(None);
            spawn_local(async move {
                match invoke::<_, Scanned>("scanned", &CodeArgs { code: c }).await {
                    Ok(Scanned::Case { case }) => cases.set(vec![case]),
                    Ok(Scanned::Citizen { holder }) => {
                        ctx.holder.set(Some(holder));
                        match invoke0::<Vec<CaseInfo>>("cases_by_card").await {
                            Ok(c) if c.is_empty() => ctx.info(ctx.i.t("progress.none")),
                            Ok(c) => cases.set(c),
                            Err(e) => ctx.fail(&e),
                        }
                    }
                    Ok(Scanned::Appointment { .. }) => ctx.info(ctx.i.t("progress.is_appointment")),
                    Ok(Scanned::Unknown { message }) => ctx.info(message),
                    Err(e) => ctx.fail(&e),
                }
            });
        }
    });
    poll_card(ctx, move |_| {
        spawn_local(async move {
            match invoke0::<Vec<CaseInfo>>("cases_by_card").await {
                Ok(c) if c.is_empty() => ctx.info(ctx.i.t("progress.none")),
                Ok(c) => cases.set(c),
                Err(e) => ctx.fail(&e),
            }
        });
    });
    view! {
        <div class="progress">
            <div class="row"><Back ctx=ctx/><h1>{move || i.t("progress.title")}</h1></div>
            <div class="hint">{move || i.t("progress.hint")}</div>
            <Holder ctx=ctx/>
            <div id="cases">
                {move || cases.get().into_iter().map(|c| view! { <CaseView case=c/> }).collect_view()}
            </div>
        </div>
    }
}

fn print_guide(ctx: Ctx, item_id: String) {
    ctx.busy.set(true);
    spawn_local(async move {
        match invoke::<_, ()>("print_guide", &ItemArgs { item_id }).await {
            Ok(()) => ctx.info(ctx.i.t("guides.printed")),
            Err(e) => ctx.fail(&e),
        }
        ctx.busy.set(false);
    });
}

#[component]
pub fn Guides(ctx: Ctx) -> impl IntoView {
    let i = ctx.i;
    let guides = RwSignal::new(Vec::<GuideInfo>::new());
    let open = RwSignal::new(None::<String>);
    spawn_local(async move {
        match invoke0::<Vec<GuideInfo>>("guides").await {
            Ok(g) => guides.set(g),
            Err(e) => ctx.fail(&e),
        }
    });
    view! {
        <div class="guides">
            <div class="row"><Back ctx=ctx/><h1>{move || i.t("guides.title")}</h1></div>
            <div id="guide-list" class="items">
                <For each=move || guides.get() key=|g| g.item_id.clone() let:g>
                    <div class="guide" data-item=g.item_id.clone()>
                        <button class="item" on:click={ let id = g.item_id.clone(); move |_| open.set(Some(id.clone())) }>
                            <span class="name">{g.name.clone()}</span><span class="queue">{g.department.clone()}</span>
                        </button>
                        <Show when={ let id = g.item_id.clone(); move || open.get().as_deref() == Some(id.as_str()) }>
                            <div class="guide-detail">
                                <h2>{move || i.t("guides.materials")}</h2>
                                <ul>{g.materials.iter().map(|m| view! { <li>{m.clone()}</li> }).collect_view()}</ul>
                                <div>{ let f = g.fee.clone(); move || i.fill("guides.fee", &[("fee", &f)]) }</div>
                                <div>{ let t = g.time_limit.clone(); move || i.fill("guides.time", &[("time", &t)]) }</div>
                                <div>{ let w = g.windows.join("、"); move || i.fill("guides.windows", &[("windows", &w)]) }</div>
                                {g.conditions.clone().map(|c| view! { <div class="conditions">{c}</div> })}
                                <button class="primary print-guide" disabled=move || ctx.busy.get()
                                    on:click=move |_| if let Some(id) = open.get_untracked() { print_guide(ctx, id) }>
                                    {move || i.t("guides.print")}
                                </button>
                            </div>
                        </Show>
                    </div>
                </For>
            </div>
        </div>
    }
}
