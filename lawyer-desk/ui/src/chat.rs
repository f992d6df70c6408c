//! A realtime conversation: the messages (the citizen's, the lawyer's, the system's), the input with
//! its send-time checks, the quick templates (6.2.2.3: reassurance, consent to continue, closing) and
//! the close button.

use app_types::lawyer_desk::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Serialize;
use ui_kit::bridge::invoke;
use ui_kit::components::clock_time;

use crate::Ctx;

#[derive(Serialize)]
struct SendArgs {
    id: String,
    body: String,
    kind: String,
}

#[derive(Serialize)]
struct IdArgs {
    id: String,
}

/// The quick templates: (button id, text key, message kind the server records).
const TEMPLATES: [(&str, &str, &str); 3] = [
    ("tpl-reassurance", "tpl.reassurance", "reassurance"),
    ("tpl-consent", "tpl.consent", "consent"),
    ("tpl-closing", "tpl.closing", "text"),
];

/// Longest message (the server's limit).
const MAX_TEXT: usize = 4000;

#[component]
pub fn ChatView(ctx: Ctx, id: String) -> impl IntoView {
    let i = ctx.i;
    let draft = RwSignal::new(String::new());
    let kind = RwSignal::new(String::from("text"));
    let closed = move || ctx.chat_status.get().is_some_and(|s| s.status == "closed");
    let chars = move || draft.get().trim().chars().count();
    // Send-time checks shown before the button is pressed (the shell checks again).
    let problem = move || {
        let n = chars();
        if n > MAX_TEXT {
            Some(i.fill("chat.too_long", &[("n", &n.to_string())]))
        } else {
            None
        }
    };
    let id_send = id.clone();
    let send = move || {
        if draft.get_untracked().trim().is_empty() || ctx.busy.get_untracked() {
            return;
        }
        let args = SendArgs {
            id: id_send.clone(),
            body: draft.get_untracked(),
            kind: kind.get_untracked(),
        };
        ctx.busy.set(true);
        spawn_local(async move {
            match invoke::<_, ChatMessage>("send_message", &args).await {
                Ok(m) => {
                    ctx.add_message(m);
                    draft.set(String::new());
                    kind.set("text".into());
                    ctx.clear();
                }
                Err(e) => ctx.fail(&e),
            }
            ctx.busy.set(false);
        });
    };
    let send_click = send.clone();
    let id_close = id.clone();
    let close = move |_| {
        let args = IdArgs { id: id_close.clone() };
        spawn_local(async move {
            match invoke::<_, Consultation>("close_consultation", &args).await {
                Ok(c) => {
                    ctx.chat_status.set(Some(ChatStatus {
                        consultation_id: c.id,
                        status: c.status,
                        label: c.status_label,
                    }));
                    ctx.info(i.t("chat.closed"));
                }
                Err(e) => ctx.fail(&e),
            }
        });
    };
    // Keep the newest message in view as messages arrive.
    let list = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        ctx.messages.track();
        if let Some(el) = list.get() {
            el.set_scroll_top(el.scroll_height());
        }
    });
    view! {
        <div id="chat" class="chat" data-consultation=id.clone()>
            <div class="chat-head">
                <h2>{move || i.t("chat.title")}</h2>
                <span id="chat-status" class="status-label">{move || ctx.chat_status.get().map(|s| s.label).unwrap_or_default()}</span>
                <div class="spacer"></div>
                <button id="chat-close" class="danger" disabled=closed on:click=close>{move || i.t("chat.close")}</button>
            </div>
            <div id="chat-messages" class="messages" node_ref=list>
                <For each=move || ctx.messages.get() key=|m| m.seq let:m>
                    <div class=format!("msg {} {}", m.author, m.kind) data-seq=m.seq>
                        <div class="meta">
                            <span class="author">{let a = format!("author.{}", m.author); move || i.t(&a)}</span>
                            <span class="at">{clock_time(m.at)}</span>
                            {(m.kind != "text").then(|| { let k = format!("mkind.{}", m.kind); view! { <span class="mkind">{move || i.t(&k)}</span> } })}
                        </div>
                        <div class="body">{m.body.clone()}</div>
                    </div>
                </For>
            </div>
            <div class="templates">
                <span class="muted">{move || i.t("tpl.title")}</span>
                {TEMPLATES.iter().map(|(bid, key, k)| {
                    let (key, k) = (*key, *k);
                    view! {
                        <button id=*bid class="tpl" disabled=closed
                            on:click=move |_| { draft.set(i.t(key)); kind.set(k.to_owned()); }>
                            {move || i.t(&format!("{key}.name"))}
                        </button>
                    }
                }).collect_view()}
            </div>
            <div class="compose">
                <textarea id="chat-input" rows="3" prop:value=draft disabled=closed
                    placeholder=move || i.t("chat.placeholder")
                    on:input=move |e| draft.set(event_target_value(&e))
                    on:keydown=move |e: leptos::ev::KeyboardEvent| {
                        if e.key() == "Enter" && e.ctrl_key() {
                            e.prevent_default();
                            send();
                        }
                    }></textarea>
                <div class="compose-side">
                    <span class=move || if problem().is_some() { "counter error" } else { "counter" }>
                        {move || format!("{} / {MAX_TEXT}", chars())}
                    </span>
                    <button id="chat-send" class="primary"
                        disabled=move || closed() || ctx.busy.get() || chars() == 0 || problem().is_some()
                        on:click=move |_| send_click()>
                        {move || i.t("chat.send")}
                    </button>
                </div>
            </div>
            <Show when=move || problem().is_some()>
                <p class="error" id="chat-problem">{move || problem().unwrap_or_default()}</p>
            </Show>
        </div>
    }
}
