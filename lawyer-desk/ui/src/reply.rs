//! The 留言 reply editor (6.2.1.2): the fixed opening, disclaimer and closing come from the server's
//! templates and are not editable; the lawyer writes the judgement, the legal basis and the advice.
//! The shell checks the draft with the same rules as the server on every change, so what is missing
//! is listed before sending; if the server still refuses (e.g. a sensitive word, 10.3.2), its
//! problems are listed the same way.

use app_types::lawyer_desk::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Serialize;
use ui_kit::bridge::invoke;

use crate::{Ctx, Work};

#[derive(Serialize)]
struct CheckArgs {
    draft: ReplyDraft,
}

#[derive(Serialize)]
struct SendArgs {
    id: String,
    draft: ReplyDraft,
}

#[component]
fn Problems(#[prop(into)] list: Signal<Vec<ReplyProblem>>, id: &'static str) -> impl IntoView {
    view! {
        <ul id=id class="problems">
            <For each=move || list.get() key=|p| (p.clause.clone(), p.message.clone()) let:p>
                <li><span class="clause">{p.clause.clone()}</span>{p.message.clone()}</li>
            </For>
        </ul>
    }
}

#[component]
pub fn ReplyEditor(ctx: Ctx, id: String) -> impl IntoView {
    let i = ctx.i;
    let judgement = RwSignal::new(String::new());
    let basis = RwSignal::new(String::new());
    let advice = RwSignal::new(String::new());
    let check = RwSignal::new(None::<ReplyCheck>);
    let outcome = RwSignal::new(None::<ReplyOutcome>);
    let draft = move || ReplyDraft {
        judgement: judgement.get_untracked(),
        basis: basis.get_untracked(),
        advice: advice.get_untracked(),
    };
    let recheck = move || {
        let args = CheckArgs { draft: draft() };
        spawn_local(async move {
            match invoke::<_, ReplyCheck>("check_reply", &args).await {
                Ok(c) => check.set(Some(c)),
                Err(e) => ctx.fail(&e),
            }
        });
    };
    recheck();
    let templates = Memo::new(move |_| ctx.inbox.get().templates);
    let id_send = id.clone();
    let send = move |_| {
        let args = SendArgs {
            id: id_send.clone(),
            draft: draft(),
        };
        ctx.busy.set(true);
        outcome.set(None);
        spawn_local(async move {
            match invoke::<_, ReplyOutcome>("send_reply", &args).await {
                Ok(o) => {
                    if o.sent {
                        ctx.info(i.t("reply.sent"));
                    }
                    outcome.set(Some(o));
                }
                Err(e) => ctx.fail(&e),
            }
            ctx.busy.set(false);
        });
    };
    let sent = move || outcome.get().is_some_and(|o| o.sent);
    let refused = move || outcome.get().filter(|o| !o.sent);
    let local_problems = Signal::derive(move || check.get().map(|c| c.problems).unwrap_or_default());
    let refused_problems = Signal::derive(move || refused().map(|o| o.problems).unwrap_or_default());
    let area = move |sig: RwSignal<String>, el: &'static str, label: &'static str, hint: &'static str| {
        view! {
            <label class="part">
                <span class="part-label">{move || i.t(label)}</span>
                <textarea id=el rows="3" prop:value=sig disabled=sent placeholder=move || i.t(hint)
                    on:input=move |e| { sig.set(event_target_value(&e)); outcome.set(None); recheck(); }></textarea>
            </label>
        }
    };
    view! {
        <div id="reply-editor" class="reply" data-consultation=id.clone()>
            <h2>{move || i.t("reply.title")}</h2>
            <blockquote id="reply-question" class="question">{move || ctx.question.get()}</blockquote>
            <div class="fixed" id="reply-opening"><span class="tag">{move || i.t("reply.fixed")}</span>{move || templates.get().opening}</div>
            {area(judgement, "reply-judgement", "reply.judgement", "reply.judgement.hint")}
            {area(basis, "reply-basis", "reply.basis", "reply.basis.hint")}
            {area(advice, "reply-advice", "reply.advice", "reply.advice.hint")}
            <div class="fixed" id="reply-disclaimer"><span class="tag">{move || i.t("reply.fixed")}</span>{move || templates.get().disclaimer}</div>
            <div class="fixed" id="reply-closing"><span class="tag">{move || i.t("reply.fixed")}</span>{move || templates.get().closing}</div>
            <div class="checks">
                <span id="reply-chars" class=move || if check.get().is_some_and(|c| c.own_chars > 50) { "ok" } else { "error" }>
                    {move || i.fill("reply.chars", &[("n", &check.get().map_or(0, |c| c.own_chars).to_string())])}
                </span>
                <Show when=move || check.get().is_some_and(|c| c.ok)
                    fallback=move || view! { <span id="reply-check-todo" class="error">{move || i.t("reply.todo")}</span> }>
                    <span id="reply-check-ok" class="ok">{move || i.t("reply.ready")}</span>
                </Show>
            </div>
            // Once a send was refused, its list replaces the live one (the same problems, said once).
            <Show when=move || refused().is_none()>
                <Problems list=local_problems id="reply-check"/>
            </Show>
            <Show when=move || refused().is_some()>
                <div id="reply-refused" class="refused" role="alert">
                    <strong>{move || if refused().and_then(|o| o.refused_by).as_deref() == Some("server") { i.t("reply.refused.server") } else { i.t("reply.refused.local") }}</strong>
                    <Problems list=refused_problems id="reply-problems"/>
                </div>
            </Show>
            <Show when=sent>
                <p id="reply-sent" class="done">{move || i.t("reply.sent")}</p>
            </Show>
            <div class="actions">
                <button id="reply-send" class="primary big" disabled=move || ctx.busy.get() || sent() on:click=send>
                    {move || i.t("reply.send")}
                </button>
                <button id="reply-cancel" on:click=move |_| ctx.work.set(Work::Nothing)>{move || i.t("reply.back")}</button>
            </div>
        </div>
    }
}
