//! The kiosk's screens: touch-first, readable at arm's length, zh/en, elderly mode (larger text,
//! higher contrast). Every screen but home and enrollment goes home after the idle timeout and tells
//! the shell to forget the citizen's card.

use app_types::kiosk::*;
use app_types::{CommandError, DeviceStatus, LinkStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Serialize;
use ui_kit::bridge::{invoke, invoke0, listen, now_ms};
use ui_kit::components::{LangSwitch, clock_time};
use ui_kit::i18n::{I18n, Lang, Texts, provide_i18n};

mod consult;
mod screens;

const ZH: &str = include_str!("../locales/zh.json");
const EN: &str = include_str!("../locales/en.json");

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Screen {
    Loading,
    Enroll,
    Home,
    Take,
    Preview,
    Ticket,
    CheckIn,
    Progress,
    Guides,
    Consult,
}

#[derive(Serialize)]
struct SpeakArgs {
    prompts: Vec<&'static str>,
    number: Option<String>,
    lang: &'static str,
}

#[derive(Serialize)]
struct EnrollArgs {
    address: String,
    code: String,
}

/// Everything the screens share.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub screen: RwSignal<Screen>,
    pub startup: RwSignal<Option<Startup>>,
    pub link: RwSignal<LinkStatus>,
    pub devices: RwSignal<Vec<DeviceStatus>>,
    pub holder: RwSignal<Option<CardHolder>>,
    pub items: RwSignal<Vec<ItemInfo>>,
    pub preview: RwSignal<Option<Preview>>,
    pub ticket: RwSignal<Option<Issued>>,
    pub message: RwSignal<(bool, String)>,
    pub busy: RwSignal<bool>,
    pub elderly: RwSignal<bool>,
    pub claims: RwSignal<Vec<String>>,
    /// Last touch (ms), for the idle timeout.
    pub touched: RwSignal<f64>,
    /// A scanned code not yet handled by a screen.
    pub scanned: RwSignal<Option<String>>,
    /// The legal consultation of this visit, as the shell last pushed it.
    pub consult: RwSignal<Option<Consultation>>,
    pub i: I18n,
}

impl Ctx {
    pub fn fail(&self, e: &CommandError) {
        self.message.set((true, e.message.clone()));
    }
    pub fn info(&self, s: String) {
        self.message.set((false, s));
    }
    /// Back home: the citizen's card and everything shown for them is forgotten.
    pub fn home(&self) {
        self.holder.set(None);
        self.preview.set(None);
        self.ticket.set(None);
        self.claims.set(Vec::new());
        self.scanned.set(None);
        self.consult.set(None);
        self.message.set((false, String::new()));
        self.screen.set(Screen::Home);
        spawn_local(async move {
            let _ = invoke0::<()>("end_visit").await;
        });
    }
    pub fn go(&self, s: Screen) {
        self.message.set((false, String::new()));
        self.screen.set(s);
    }
    pub fn load_items(&self) {
        let ctx = *self;
        spawn_local(async move {
            match invoke0::<Vec<ItemInfo>>("items").await {
                Ok(items) => ctx.items.set(items),
                Err(e) if e.code == "no_config" => {}
                Err(e) => ctx.fail(&e),
            }
        });
    }
}

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(|| {
        let i = provide_i18n(Texts::new(&[ZH], &[EN]), Lang::Zh);
        view! { <App i=i/> }
    });
}

#[component]
fn App(i: I18n) -> impl IntoView {
    let ctx = Ctx {
        screen: RwSignal::new(Screen::Loading),
        startup: RwSignal::new(None),
        link: RwSignal::new(LinkStatus {
            online: true,
            since_ms: None,
            waiting_events: 0,
            waiting_blobs: 0,
            error: None,
        }),
        devices: RwSignal::new(Vec::new()),
        holder: RwSignal::new(None),
        items: RwSignal::new(Vec::new()),
        preview: RwSignal::new(None),
        ticket: RwSignal::new(None),
        message: RwSignal::new((false, String::new())),
        busy: RwSignal::new(false),
        elderly: RwSignal::new(false),
        claims: RwSignal::new(Vec::new()),
        touched: RwSignal::new(now_ms()),
        scanned: RwSignal::new(None),
        consult: RwSignal::new(None),
        i,
    };
    spawn_local(async move {
        let _ = listen::<LinkStatus>(EVENT_LINK, move |l| ctx.link.set(l)).await;
        let _ = listen::<Vec<DeviceStatus>>(EVENT_DEVICES, move |d| ctx.devices.set(d)).await;
        let _ = listen::<String>(EVENT_SCANNED, move |c| {
            ctx.touched.set(now_ms());
            ctx.scanned.set(Some(c));
        })
        .await;
        let _ = listen::<Consultation>(EVENT_CONSULT, move |c| consult::on_event(ctx, c)).await;
        match invoke0::<Startup>("startup").await {
            Ok(s) => {
                ctx.link.set(s.link.clone());
                ctx.devices.set(s.devices.clone());
                ctx.screen.set(if s.enrolled { Screen::Home } else { Screen::Enroll });
                if s.enrolled {
                    ctx.load_items();
                }
                ctx.startup.set(Some(s));
            }
            Err(e) => ctx.fail(&e),
        }
    });
    // Elderly mode: each screen says what to do, from the local prompt clips.
    Effect::new(move |_| {
        let screen = ctx.screen.get();
        if !ctx.elderly.get() {
            return;
        }
        let ticket = ctx.ticket.get_untracked();
        let (prompts, number) = match (screen, ticket) {
            (Screen::Take, _) => (vec!["place_card", "choose_item"], None),
            (Screen::CheckIn | Screen::Progress, _) => (vec!["scan_code"], None),
            (Screen::Ticket, Some(t)) if t.printed => (vec!["your_number", "take_ticket"], Some(t.number)),
            (Screen::Ticket, Some(t)) => (vec!["your_number", "number_on_screen"], Some(t.number)),
            _ => return,
        };
        let args = SpeakArgs {
            prompts,
            number,
            lang: i.lang.get_untracked().code(),
        };
        spawn_local(async move {
            if let Err(e) = invoke::<_, ()>("speak", &args).await {
                ctx.fail(&e);
            }
        });
    });
    // Idle timeout: any screen with the citizen's data goes home and forgets it.
    let clock = RwSignal::new(now_ms());
    let tick = leptos::prelude::set_interval_with_handle(
        move || {
            clock.set(now_ms());
            let idle = ctx.startup.get_untracked().map_or(60, |s| s.idle_secs);
            let away = now_ms() - ctx.touched.get_untracked() > f64::from(idle) * 1000.0;
            let screen = ctx.screen.get_untracked();
            if away && !matches!(screen, Screen::Home | Screen::Enroll | Screen::Loading) {
                ctx.home();
            }
        },
        std::time::Duration::from_millis(500),
    );
    on_cleanup(move || {
        if let Ok(t) = tick {
            t.clear();
        }
    });
    let printer_warning = move || {
        ctx.devices
            .get()
            .iter()
            .any(|d| d.device == "printer" && d.health != app_types::DeviceHealth::Ok)
    };
    view! {
        <div id="app" class=move || if ctx.elderly.get() { "kiosk elderly" } else { "kiosk" }
            data-screen=move || format!("{:?}", ctx.screen.get()).to_lowercase()
            on:pointerdown=move |_| ctx.touched.set(now_ms()) on:click=move |_| ctx.touched.set(now_ms())
            on:keydown=move |_| ctx.touched.set(now_ms())>
            <header class="topbar">
                <div class="hall">{move || ctx.startup.get().and_then(|s| s.hall_name).unwrap_or_else(|| i.t("app.title"))}</div>
                <div class="clock">{move || { clock.track(); clock_time(js_sys::Date::now() as i64) }}</div>
                // A discreet status: a dot and one word, never an alarming banner for citizens.
                <div id="link-status" class=move || if ctx.link.get().online { "status online" } else { "status offline" }>
                    {move || if ctx.link.get().online { i.t("status.online") } else { i.t("status.offline") }}
                </div>
                <Show when=printer_warning>
                    <div id="printer-status" class="status warn">{move || i.t("status.printer")}</div>
                </Show>
                <button id="elderly-toggle" class="toggle" on:click=move |_| ctx.elderly.update(|e| *e = !*e)>
                    {move || if ctx.elderly.get() { i.t("elderly.off") } else { i.t("elderly.on") }}
                </button>
                <LangSwitch/>
            </header>
            <main class="content">
                {move || match ctx.screen.get() {
                    Screen::Loading => view! { <div class="loading"></div> }.into_any(),
                    Screen::Enroll => view! { <Enroll ctx=ctx/> }.into_any(),
                    Screen::Home => view! { <screens::Home ctx=ctx/> }.into_any(),
                    Screen::Take => view! { <screens::Take ctx=ctx/> }.into_any(),
                    Screen::Preview => view! { <screens::PreviewScreen ctx=ctx/> }.into_any(),
                    Screen::Ticket => view! { <screens::TicketScreen ctx=ctx/> }.into_any(),
                    Screen::CheckIn => view! { <screens::CheckIn ctx=ctx/> }.into_any(),
                    Screen::Progress => view! { <screens::Progress ctx=ctx/> }.into_any(),
                    Screen::Guides => view! { <screens::Guides ctx=ctx/> }.into_any(),
                    Screen::Consult => view! { <consult::Consult ctx=ctx/> }.into_any(),
                }}
            </main>
            <footer id="message" class=move || if ctx.message.get().0 { "message error" } else { "message" }>
                {move || ctx.message.get().1}
            </footer>
        </div>
    }
}

#[component]
fn Enroll(ctx: Ctx) -> impl IntoView {
    let i = ctx.i;
    let address = RwSignal::new(String::from("http://"));
    let code = RwSignal::new(String::new());
    let submit = move |_| {
        ctx.busy.set(true);
        spawn_local(async move {
            let args = EnrollArgs {
                address: address.get_untracked(),
                code: code.get_untracked(),
            };
            match invoke::<_, Startup>("enroll", &args).await {
                Ok(s) => {
                    ctx.startup.set(Some(s));
                    ctx.load_items();
                    ctx.go(Screen::Home);
                }
                Err(e) => ctx.fail(&e),
            }
            ctx.busy.set(false);
        });
    };
    view! {
        <form id="enroll-form" class="card enroll" on:submit=|e| e.prevent_default()>
            <h1>{move || i.t("enroll.title")}</h1>
            <label>{move || i.t("enroll.address")}
                <input id="enroll-address" prop:value=address on:input=move |e| address.set(event_target_value(&e))/>
            </label>
            <label>{move || i.t("enroll.code")}
                <input id="enroll-code" prop:value=code on:input=move |e| code.set(event_target_value(&e))/>
            </label>
            <button id="enroll-submit" class="primary" disabled=move || ctx.busy.get() on:click=submit>
                {move || i.t("enroll.submit")}
            </button>
        </form>
    }
}
