//! The lawyer's desk screens: sign-in, then the desk — the online switch, the inbox with live SLA
//! countdowns, and the work area (a realtime chat, a 留言 reply editor, or the lawyer's figures).
//! Everything goes through the shell's commands; the page never talks to the network.

use app_types::CommandError;
use app_types::lawyer_desk::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Serialize;
use ui_kit::bridge::{invoke, invoke0, listen};
use ui_kit::components::LangSwitch;
use ui_kit::i18n::{I18n, Lang, Texts, provide_i18n};

mod chat;
mod figures;
mod inbox;
mod mediation;
mod reply;

/// `set_webrtc`'s arguments.
#[derive(serde::Serialize)]
struct WebRtcArgs {
    available: bool,
}

const ZH: &str = include_str!("../locales/zh.json");
const EN: &str = include_str!("../locales/en.json");

/// What the work area shows.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Work {
    Nothing,
    Chat(String),
    Reply(String),
    /// Video or mediation work: shown, not worked on here.
    Detail(String),
    Figures,
}

/// Everything the views share.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub session: RwSignal<Option<Session>>,
    pub inbox: RwSignal<Inbox>,
    pub work: RwSignal<Work>,
    /// Messages of the open chat, oldest first.
    pub messages: RwSignal<Vec<ChatMessage>>,
    pub chat_status: RwSignal<Option<ChatStatus>>,
    /// The question of the open 留言.
    pub question: RwSignal<String>,
    pub message: RwSignal<(bool, String)>,
    /// A problem reaching the server (the refresh loop's), shown as a banner.
    pub link_problem: RwSignal<Option<String>>,
    pub busy: RwSignal<bool>,
    /// Now (ms), ticking every second: the countdowns run on it.
    pub now: RwSignal<f64>,
    pub i: I18n,
}

impl Ctx {
    pub fn fail(&self, e: &CommandError) {
        self.message.set((true, e.message.clone()));
    }
    pub fn info(&self, s: String) {
        self.message.set((false, s));
    }
    pub fn clear(&self) {
        self.message.set((false, String::new()));
    }
    pub fn add_message(&self, m: ChatMessage) {
        let open = matches!(self.work.get_untracked(), Work::Chat(ref id) if *id == m.consultation_id);
        if open {
            self.messages.update(|ms| {
                if !ms.iter().any(|x| x.seq == m.seq) {
                    ms.push(m);
                    ms.sort_by_key(|x| x.seq);
                }
            });
        }
    }
}

#[derive(Serialize)]
struct SignInArgs {
    server: String,
    login: String,
    password: String,
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
        session: RwSignal::new(None),
        inbox: RwSignal::new(Inbox::default()),
        work: RwSignal::new(Work::Nothing),
        messages: RwSignal::new(Vec::new()),
        chat_status: RwSignal::new(None),
        question: RwSignal::new(String::new()),
        message: RwSignal::new((false, String::new())),
        link_problem: RwSignal::new(None),
        busy: RwSignal::new(false),
        now: RwSignal::new(js_sys::Date::now()),
        i,
    };
    let ready = RwSignal::new(false);
    let default_server = RwSignal::new(String::new());
    spawn_local(async move {
        let _ = listen::<Inbox>(EVENT_INBOX, move |b| ctx.inbox.set(b)).await;
        let _ = listen::<ChatMessage>(EVENT_CHAT, move |m| ctx.add_message(m)).await;
        let _ = listen::<ChatStatus>(EVENT_CHAT_STATUS, move |s| {
            if matches!(ctx.work.get_untracked(), Work::Chat(ref id) if *id == s.consultation_id) {
                ctx.chat_status.set(Some(s));
            }
        })
        .await;
        let _ = listen::<Option<String>>(EVENT_LINK, move |p| ctx.link_problem.set(p)).await;
        // Whether this engine could do a WebRTC call (6.2.3); WebKitGTK usually cannot. The shell
        // tells the citizen the right reason when a video consultation falls back to chat.
        let webrtc = web_sys::window().is_some_and(|w| {
            js_sys::Reflect::has(&w, &wasm_bindgen::JsValue::from_str("RTCPeerConnection")).unwrap_or(false)
        });
        let _ = invoke::<_, ()>("set_webrtc", &WebRtcArgs { available: webrtc }).await;
        if let Ok(s) = invoke0::<String>("default_server").await {
            default_server.set(s);
        }
        if let Ok(s) = invoke0::<Option<Session>>("session").await {
            ctx.session.set(s);
        }
        ready.set(true);
    });
    let tick = set_interval_with_handle(
        move || ctx.now.set(js_sys::Date::now()),
        std::time::Duration::from_millis(1000),
    );
    on_cleanup(move || {
        if let Ok(t) = tick {
            t.clear();
        }
    });
    let sign_out = move |_| {
        spawn_local(async move {
            match invoke0::<()>("sign_out").await {
                Ok(()) => {
                    ctx.session.set(None);
                    ctx.inbox.set(Inbox::default());
                    ctx.work.set(Work::Nothing);
                    ctx.info(i.t("signout.done"));
                }
                Err(e) => ctx.fail(&e),
            }
        });
    };
    view! {
        <div id="app" class="desk" data-ready=move || ready.get().to_string()>
            <header class="topbar">
                <div class="brand">{move || i.t("app.title")}</div>
                <Show when=move || ctx.session.get().is_some()>
                    <inbox::OnlineSwitch ctx=ctx/>
                </Show>
                <div class="spacer"></div>
                <Show when=move || ctx.session.get().is_some()>
                    <button id="nav-figures" class="nav" on:click=move |_| ctx.work.set(Work::Figures)>
                        {move || i.t("nav.figures")}
                    </button>
                    <span id="who" class="who">{move || ctx.session.get().map(|s| s.name).unwrap_or_default()}</span>
                    <button id="sign-out" class="nav" on:click=sign_out>{move || i.t("signout")}</button>
                </Show>
                <LangSwitch/>
            </header>
            <Show when=move || ctx.link_problem.get().is_some()>
                <div id="link-banner" class="offline-banner" role="alert">
                    <strong>{move || i.t("link.lost")}</strong>
                    <span>{move || ctx.link_problem.get().unwrap_or_default()}</span>
                </div>
            </Show>
            <main class="content">
                {move || {
                    if !ready.get() {
                        view! { <div class="loading"></div> }.into_any()
                    } else if ctx.session.get().is_none() {
                        view! { <SignIn ctx=ctx default_server=default_server/> }.into_any()
                    } else {
                        view! {
                            <div class="desk-grid">
                                <div class="queues">
                                    <inbox::InboxList ctx=ctx/>
                                    <mediation::Mediations ctx=ctx/>
                                </div>
                                <section class="work card" id="work">
                                    {move || match ctx.work.get() {
                                        Work::Nothing => view! { <p class="muted empty" id="work-empty">{move || i.t("work.empty")}</p> }.into_any(),
                                        Work::Chat(id) => view! { <chat::ChatView ctx=ctx id=id/> }.into_any(),
                                        Work::Reply(id) => view! { <reply::ReplyEditor ctx=ctx id=id/> }.into_any(),
                                        Work::Detail(id) => view! { <inbox::Detail ctx=ctx id=id/> }.into_any(),
                                        Work::Figures => view! { <figures::FiguresView ctx=ctx/> }.into_any(),
                                    }}
                                </section>
                            </div>
                        }.into_any()
                    }
                }}
            </main>
            <footer id="message" class=move || if ctx.message.get().0 { "statusbar error" } else { "statusbar" }>
                {move || ctx.message.get().1}
            </footer>
        </div>
    }
}

#[component]
fn SignIn(ctx: Ctx, default_server: RwSignal<String>) -> impl IntoView {
    let i = ctx.i;
    let server = RwSignal::new(default_server.get_untracked());
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<CommandError>);
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        if ctx.busy.get_untracked() {
            return;
        }
        ctx.busy.set(true);
        error.set(None);
        spawn_local(async move {
            let args = SignInArgs {
                server: server.get_untracked(),
                login: login.get_untracked(),
                password: password.get_untracked(),
            };
            match invoke::<_, Session>("sign_in", &args).await {
                Ok(s) => {
                    ctx.clear();
                    ctx.session.set(Some(s));
                }
                Err(e) => error.set(Some(e)),
            }
            ctx.busy.set(false);
        });
    };
    let field_class = move |f: &'static str| {
        if error.get().and_then(|e| e.field).as_deref() == Some(f) {
            "field bad"
        } else {
            "field"
        }
    };
    view! {
        <form id="signin-form" class="card form-card" on:submit=submit>
            <h1>{move || i.t("signin.title")}</h1>
            <label class=move || field_class("server")>{move || i.t("signin.server")}
                <input id="signin-server" prop:value=server on:input=move |e| server.set(event_target_value(&e))
                    placeholder="http://127.0.0.1:8080"/>
            </label>
            <label class=move || field_class("login")>{move || i.t("signin.login")}
                <input id="signin-login" prop:value=login on:input=move |e| login.set(event_target_value(&e))/>
            </label>
            <label class=move || field_class("password")>{move || i.t("signin.password")}
                <input id="signin-password" type="password" prop:value=password
                    on:input=move |e| password.set(event_target_value(&e))/>
            </label>
            <Show when=move || error.get().is_some()>
                <p id="signin-error" class="error" role="alert">{move || error.get().map(|e| e.message).unwrap_or_default()}</p>
            </Show>
            <button id="signin-submit" class="primary big" type="submit" disabled=move || ctx.busy.get()>
                {move || i.t("signin.submit")}
            </button>
        </form>
    }
}
