//! The staff window: enrollment, sign-in, and the call panel with its dialogs. Every action has a
//! keyboard shortcut, shown on its button.

use app_types::window_terminal::*;
use app_types::{CommandError, DeviceStatus, LinkStatus};
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Serialize;
use ui_kit::bridge::{invoke, invoke0, listen};
use ui_kit::components::{DeviceChips, LangSwitch, OfflineBanner};
use ui_kit::i18n::{I18n, use_i18n};

mod dialogs;
use dialogs::{ReasonDialog, ScanReview, TransferDialog};

#[derive(Serialize)]
struct EnrollArgs {
    address: String,
    code: String,
}
#[derive(Serialize)]
struct SignInArgs {
    login: String,
    password: String,
}
#[derive(Serialize)]
struct ActionArgs {
    action: String,
}
#[derive(Serialize)]
struct ReasonArgs {
    reason: String,
}
#[derive(Serialize)]
struct TransferArgs {
    kind: String,
    id: String,
}
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ScanArgs {
    scan_id: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Screen {
    Loading,
    Enroll,
    SignIn,
    Panel,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialog {
    None,
    Scan,
    Transfer,
    Void,
    Pause,
}

/// Shortcut keys (`KeyboardEvent.key`) and the action each triggers.
pub const SHORTCUTS: [(&str, &str); 13] = [
    ("F1", "call"),
    ("F2", "recall"),
    ("F3", "start"),
    ("F4", "finish"),
    ("F6", "noshow"),
    ("F7", "transfer"),
    ("F8", "void"),
    ("F9", "pause"),
    ("F10", "readcard"),
    ("F12", "scan"),
    ("Insert", "confirm"),
    ("Escape", "close"),
    ("End", "signout"),
];

fn key_of(action: &str) -> &'static str {
    SHORTCUTS.iter().find(|(_, a)| *a == action).map_or("", |(k, _)| k)
}

#[derive(Clone, Copy)]
struct Ctx {
    panel: RwSignal<Panel>,
    link: RwSignal<LinkStatus>,
    devices: RwSignal<Vec<DeviceStatus>>,
    message: RwSignal<(bool, String)>,
    dialog: RwSignal<Dialog>,
    scan: RwSignal<Option<ScanPreview>>,
    busy: RwSignal<bool>,
    screen: RwSignal<Screen>,
    i: I18n,
}

impl Ctx {
    fn fail(&self, e: &CommandError) {
        self.message.set((true, e.message.clone()));
    }
    fn info(&self, s: String) {
        self.message.set((false, s));
    }
    /// Runs a command returning the panel and shows it (or the error).
    fn run_panel<A: Serialize + 'static>(self, cmd: &'static str, args: A) {
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        spawn_local(async move {
            let r = invoke::<_, Panel>(cmd, &args).await;
            self.busy.set(false);
            match r {
                Ok(p) => {
                    self.panel.set(p);
                    self.message.set((false, String::new()));
                    self.dialog.set(Dialog::None);
                }
                Err(e) => self.fail(&e),
            }
        });
    }
    fn action(self, a: &str) {
        self.run_panel("window_action", ActionArgs { action: a.to_owned() });
    }
}

#[component]
pub fn StaffApp() -> impl IntoView {
    let i = use_i18n();
    let screen = RwSignal::new(Screen::Loading);
    let startup = RwSignal::new(None::<Startup>);
    let ctx = Ctx {
        panel: RwSignal::new(Panel::default()),
        link: RwSignal::new(LinkStatus {
            online: true,
            since_ms: None,
            waiting_events: 0,
            waiting_blobs: 0,
            error: None,
        }),
        devices: RwSignal::new(Vec::new()),
        message: RwSignal::new((false, String::new())),
        dialog: RwSignal::new(Dialog::None),
        scan: RwSignal::new(None),
        busy: RwSignal::new(false),
        screen,
        i,
    };
    spawn_local(async move {
        let _ = listen::<LinkStatus>(EVENT_LINK, move |l| ctx.link.set(l)).await;
        let _ = listen::<Vec<DeviceStatus>>(EVENT_DEVICES, move |d| ctx.devices.set(d)).await;
        let _ = listen::<Panel>(EVENT_PANEL, move |p| ctx.panel.set(p)).await;
        let _ = listen::<ScannedCode>(EVENT_SCANNED, move |c| {
            ctx.info(i.fill("scan.code", &[("code", &c.code)]))
        })
        .await;
        match invoke0::<Startup>("startup").await {
            Ok(s) => {
                ctx.link.set(s.link.clone());
                ctx.devices.set(s.devices.clone());
                screen.set(if !s.enrolled {
                    Screen::Enroll
                } else if s.staff.is_some() {
                    Screen::Panel
                } else {
                    Screen::SignIn
                });
                startup.set(Some(s));
            }
            Err(e) => ctx.fail(&e),
        }
    });
    let window_id = move || startup.get().map(|s| s.window_id).unwrap_or_default();
    view! {
        <div class="app" id="app" data-screen=move || match screen.get() {
            Screen::Loading => "loading", Screen::Enroll => "enroll", Screen::SignIn => "signin", Screen::Panel => "panel" }>
            <OfflineBanner link=ctx.link/>
            <header class="topbar">
                <div class="brand">{move || i.t("app.title")}</div>
                <div class="window-badge">{move || {
                    let n = ctx.panel.get().window_number;
                    i.fill("panel.window", &[("n", &if n.is_empty() { window_id() } else { n })])
                }}</div>
                <div class="spacer"></div>
                <DeviceChips devices=ctx.devices/>
                <Show when=move || screen.get() == Screen::Panel>
                    <button id="act-signout" class="signout" disabled=move || !ctx.link.get().online || ctx.busy.get()
                        on:click=move |_| trigger(ctx, "signout")>
                        {move || i.t("act.signout")}<kbd>{key_of("signout")}</kbd>
                    </button>
                </Show>
                <LangSwitch/>
            </header>
            <main class="content">
                {move || match screen.get() {
                    Screen::Loading => view! { <div class="loading"></div> }.into_any(),
                    Screen::Enroll => view! { <Enroll ctx=ctx on_done=move |s: Startup| { startup.set(Some(s)); screen.set(Screen::SignIn); }/> }.into_any(),
                    Screen::SignIn => view! { <SignIn ctx=ctx window=window_id() on_done=move || screen.set(Screen::Panel)/> }.into_any(),
                    Screen::Panel => view! { <CallPanel ctx=ctx/> }.into_any(),
                }}
            </main>
            <footer class=move || if ctx.message.get().0 { "statusbar error" } else { "statusbar" } id="message">
                {move || ctx.message.get().1}
            </footer>
        </div>
    }
}

#[component]
fn Enroll(ctx: Ctx, on_done: impl Fn(Startup) + Copy + 'static) -> impl IntoView {
    let i = use_i18n();
    let address = RwSignal::new(String::from("http://"));
    let code = RwSignal::new(String::new());
    let submit = move |e: ev::SubmitEvent| {
        e.prevent_default();
        let args = EnrollArgs {
            address: address.get_untracked(),
            code: code.get_untracked(),
        };
        ctx.busy.set(true);
        spawn_local(async move {
            let r = invoke::<_, Startup>("enroll", &args).await;
            ctx.busy.set(false);
            match r {
                Ok(s) => {
                    ctx.info(String::new());
                    on_done(s);
                }
                Err(e) => ctx.fail(&e),
            }
        });
    };
    view! {
        <form class="card form-card" id="enroll-form" on:submit=submit>
            <h1>{move || i.t("enroll.title")}</h1>
            <p class="muted">{move || i.t("enroll.hint")}</p>
            <label>{move || i.t("enroll.address")}
                <input id="enroll-address" prop:value=move || address.get() on:input=move |e| address.set(event_target_value(&e))/></label>
            <label>{move || i.t("enroll.code")}
                <input id="enroll-code" prop:value=move || code.get() on:input=move |e| code.set(event_target_value(&e))/></label>
            <button class="primary big" id="enroll-submit" type="submit" disabled=move || ctx.busy.get()>{move || i.t("enroll.submit")}</button>
        </form>
    }
}

#[component]
fn SignIn(ctx: Ctx, window: String, on_done: impl Fn() + Copy + 'static) -> impl IntoView {
    let i = use_i18n();
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submit = move |e: ev::SubmitEvent| {
        e.prevent_default();
        let args = SignInArgs {
            login: login.get_untracked(),
            password: password.get_untracked(),
        };
        ctx.busy.set(true);
        spawn_local(async move {
            let r = invoke::<_, Panel>("sign_in", &args).await;
            ctx.busy.set(false);
            match r {
                Ok(p) => {
                    ctx.panel.set(p);
                    ctx.info(String::new());
                    on_done();
                }
                Err(e) => ctx.fail(&e),
            }
        });
    };
    view! {
        <form class="card form-card" id="signin-form" on:submit=submit>
            <h1>{move || i.t("signin.title")}</h1>
            <p class="muted">{move || i.t("signin.window")} " " {window.clone()}</p>
            <label>{move || i.t("signin.login")}
                <input id="signin-login" autocomplete="username" on:input=move |e| login.set(event_target_value(&e))/></label>
            <label>{move || i.t("signin.password")}
                <input id="signin-password" type="password" autocomplete="current-password" on:input=move |e| password.set(event_target_value(&e))/></label>
            <button class="primary big" id="signin-submit" type="submit" disabled=move || ctx.busy.get()>{move || i.t("signin.submit")}</button>
        </form>
    }
}

fn read_card(ctx: Ctx) {
    let i = ctx.i;
    spawn_local(async move {
        match invoke0::<CardRead>("read_card").await {
            Ok(c) => {
                let mut s = i.fill("card.read", &[("name", &c.name_masked), ("id", &c.id_masked)]);
                if c.stored == "local" {
                    s.push_str(&i.t("card.local"));
                }
                ctx.info(s);
                if let Ok(p) = invoke0::<Panel>("panel").await {
                    ctx.panel.set(p);
                }
            }
            Err(e) => ctx.fail(&e),
        }
    });
}

fn capture(ctx: Ctx) {
    ctx.dialog.set(Dialog::Scan);
    ctx.scan.set(None);
    spawn_local(async move {
        match invoke0::<ScanPreview>("scan_capture").await {
            Ok(s) => ctx.scan.set(Some(s)),
            Err(e) => {
                ctx.dialog.set(Dialog::None);
                ctx.fail(&e);
            }
        }
    });
}

fn push_confirmation(ctx: Ctx) {
    spawn_local(async move {
        if let Err(e) = invoke0::<Confirmation>("push_confirmation").await {
            ctx.fail(&e);
        }
    });
}

/// Signs out at this window and returns to the sign-in screen.
fn sign_out(ctx: Ctx) {
    if ctx.busy.get_untracked() {
        return;
    }
    ctx.busy.set(true);
    spawn_local(async move {
        let r = invoke0::<Startup>("sign_out").await;
        ctx.busy.set(false);
        match r {
            Ok(_) => {
                ctx.dialog.set(Dialog::None);
                ctx.panel.set(Panel::default());
                ctx.info(ctx.i.t("signout.done"));
                ctx.screen.set(Screen::SignIn);
            }
            Err(e) => ctx.fail(&e),
        }
    });
}

fn trigger(ctx: Ctx, what: &str) {
    let online = ctx.link.get_untracked().online;
    let has_ticket = ctx.panel.get_untracked().current.is_some();
    let paused = ctx.panel.get_untracked().status == "paused";
    match what {
        "call" if online => ctx.action("call-next"),
        "recall" if online && has_ticket => ctx.action("recall"),
        "start" if online && has_ticket => ctx.action("start"),
        "finish" if online && has_ticket => ctx.action("finish"),
        "noshow" if online && has_ticket => ctx.action("no-show"),
        "transfer" if online && has_ticket => ctx.dialog.set(Dialog::Transfer),
        "void" if online && has_ticket => ctx.dialog.set(Dialog::Void),
        "pause" if online && paused => ctx.action("open"),
        "pause" if online => ctx.dialog.set(Dialog::Pause),
        "readcard" => read_card(ctx),
        "scan" => capture(ctx),
        "confirm" if has_ticket => push_confirmation(ctx),
        "close" => ctx.dialog.set(Dialog::None),
        "signout" if online => sign_out(ctx),
        _ => {}
    }
}

fn fmt_wait(secs: u64) -> String {
    format!("{}:{:02}", secs / 60, secs % 60)
}

#[component]
fn ActionButton(
    ctx: Ctx,
    what: &'static str,
    label: &'static str,
    class: &'static str,
    enabled: Signal<bool>,
) -> impl IntoView {
    let i = use_i18n();
    view! {
        <button id=format!("act-{what}") class=format!("action {class}") disabled=move || !enabled.get() || ctx.busy.get()
            on:click=move |_| trigger(ctx, what)>
            <span class="action-label">{move || i.t(label)}</span>
            <kbd>{key_of(what)}</kbd>
        </button>
    }
}

#[component]
fn CallPanel(ctx: Ctx) -> impl IntoView {
    let i = use_i18n();
    // Removed with the panel (sign-out), so signing in again does not add a second listener.
    let keys = window_event_listener(ev::keydown, move |e: web_sys::KeyboardEvent| {
        let key = e.key();
        if let Some((_, what)) = SHORTCUTS.iter().find(|(k, _)| *k == key) {
            e.prevent_default();
            trigger(ctx, what);
        }
    });
    on_cleanup(move || keys.remove());
    let online = Signal::derive(move || ctx.link.get().online);
    let has = Signal::derive(move || ctx.link.get().online && ctx.panel.get().current.is_some());
    let local_has = Signal::derive(move || ctx.panel.get().current.is_some());
    let always = Signal::derive(|| true);
    let cur = move || ctx.panel.get().current;
    let field = move |key: &'static str, val: Option<String>| {
        view! { <div class="field"><span class="label">{move || i.t(key)}</span><span class="value">{val.unwrap_or_else(|| "—".into())}</span></div> }
    };
    view! {
        <div class="panel">
            <section class="card current" id="current">
                <div class="current-head">
                    <span class="label">{move || i.t("panel.current")}</span>
                    <span class=move || format!("status status-{}", ctx.panel.get().status) id="window-status">
                        {move || i.t(&format!("panel.status.{}", ctx.panel.get().status))}
                    </span>
                </div>
                {move || match cur() {
                    None => view! { <div class="ticket-none" id="ticket-none">{move || i.t("panel.none")}</div> }.into_any(),
                    Some(t) => view! {
                        <div class="ticket">
                            <div class="ticket-left">
                                <div class="ticket-number" id="ticket-number">{t.display.clone()}</div>
                                <div class=format!("ticket-status ts-{}", t.status) id="ticket-status" data-status=t.status.clone()>{
                                    let st = t.status.clone();
                                    move || i.t(&format!("ticket.status.{st}"))
                                }</div>
                            </div>
                            <div class="ticket-fields">
                                {field("panel.item", t.item_name.clone())}
                                {field("panel.priority", t.priority.clone())}
                                {field("panel.appointment", t.appointment_id.clone())}
                                {field("panel.citizen", t.citizen_name.clone())}
                                <div class="field"><span class="label">{move || i.t("panel.idno")}</span><span class="value" id="citizen-id">{t.citizen_id.clone().unwrap_or_else(|| "—".into())}</span></div>
                                {field("panel.waited", Some(fmt_wait(t.waited_secs)))}
                                <div class="field"><span class="label">{move || i.t("panel.recalls")}</span><span class="value" id="recall-count">{t.recall_count}</span></div>
                                <div class="field"><span class="label">{move || i.t("panel.scans")}</span><span class="value" id="scan-count">{t.scans}</span></div>
                                <div class="field"><span class="label">{move || i.t("panel.confirmation")}</span><span class="value" id="confirmation">{
                                    let c = t.confirmation.clone();
                                    move || match c.as_deref() { Some("confirmed") => i.t("panel.confirmed"), Some("disputed") => i.t("panel.disputed"), _ => "—".into() }
                                }</span></div>
                            </div>
                        </div>
                    }.into_any(),
                }}
            </section>
            <aside class="side">
                <section class="card">
                    <h3>{move || i.t("panel.waiting")}</h3>
                    <ul class="waiting" id="waiting">
                        <For each=move || ctx.panel.get().waiting key=|q| (q.queue_id.clone(), q.waiting) let:q>
                            <li><span>{q.name.clone()}</span><strong data-queue=q.queue_id.clone()>{q.waiting}</strong></li>
                        </For>
                    </ul>
                </section>
                <section class="card">
                    <h3>{move || i.t("panel.today")}</h3>
                    <div class="figures" id="figures">
                        <div><strong id="served-today">{move || ctx.panel.get().served_today}</strong><span>{move || i.t("panel.served")}</span></div>
                        <div><strong id="calls-today">{move || ctx.panel.get().calls_today}</strong><span>{move || i.t("panel.calls")}</span></div>
                        <div><strong id="rated-today">{move || ctx.panel.get().rated_today}</strong><span>{move || i.t("panel.rated")}</span></div>
                    </div>
                    {move || ctx.panel.get().today.map(|d| view! {
                        <div class="figures" id="figures-hall">
                            <div><strong id="no-shows-today">{d.no_shows}</strong><span>{move || i.t("panel.no_shows")}</span></div>
                            <div><strong id="avg-service">{d.avg_service_secs.map_or_else(|| "—".to_owned(), |s| fmt_wait(u64::from(s)))}</strong><span>{move || i.t("panel.avg_service")}</span></div>
                            <div><strong id="rating-avg">{d.rating_avg_x100.map_or_else(|| "—".to_owned(), |a| format!("{}.{:02}", a / 100, a % 100))}</strong><span>{move || i.t("panel.rating_avg")}</span></div>
                        </div>
                    })}
                </section>
            </aside>
            <section class="actions">
                <ActionButton ctx=ctx what="call" label="act.call" class="primary huge" enabled=online/>
                <ActionButton ctx=ctx what="recall" label="act.recall" class="" enabled=has/>
                <ActionButton ctx=ctx what="start" label="act.start" class="" enabled=has/>
                <ActionButton ctx=ctx what="finish" label="act.finish" class="success" enabled=has/>
                <ActionButton ctx=ctx what="noshow" label="act.noshow" class="" enabled=has/>
                <ActionButton ctx=ctx what="transfer" label="act.transfer" class="" enabled=has/>
                <ActionButton ctx=ctx what="void" label="act.void" class="danger-outline" enabled=has/>
                <button id="act-pause" class="action" disabled=move || !online.get() || ctx.busy.get() on:click=move |_| trigger(ctx, "pause")>
                    <span class="action-label">{move || if ctx.panel.get().status == "paused" { i.t("act.resume") } else { i.t("act.pause") }}</span>
                    <kbd>{key_of("pause")}</kbd>
                </button>
                <ActionButton ctx=ctx what="readcard" label="act.readcard" class="device" enabled=always/>
                <ActionButton ctx=ctx what="scan" label="act.scan" class="device" enabled=always/>
                <ActionButton ctx=ctx what="confirm" label="act.confirm" class="device" enabled=local_has/>
            </section>
            {move || match ctx.dialog.get() {
                Dialog::None => ().into_any(),
                Dialog::Scan => view! { <ScanReview ctx=ctx/> }.into_any(),
                Dialog::Transfer => view! { <TransferDialog ctx=ctx/> }.into_any(),
                Dialog::Void => view! { <ReasonDialog ctx=ctx cmd="void_ticket" title="void.title" label="void.reason" submit="void.submit" id="void"/> }.into_any(),
                Dialog::Pause => view! { <ReasonDialog ctx=ctx cmd="pause" title="pause.title" label="pause.reason" submit="pause.submit" id="pause"/> }.into_any(),
            }}
        </div>
    }
}
