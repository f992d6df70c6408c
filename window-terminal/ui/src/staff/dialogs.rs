//! The call panel's dialogs: scan review (accept / retake), transfer (choices from the hall), and the
//! reason dialogs (void, pause).

#[allow(clippy::wildcard_imports)]
use super::*;

#[component]
pub(super) fn ScanReview(ctx: Ctx) -> impl IntoView {
    let i = use_i18n();
    let accept = move |_| {
        let Some(s) = ctx.scan.get_untracked() else { return };
        spawn_local(async move {
            match invoke::<_, ScanAccepted>("scan_accept", &ScanArgs { scan_id: s.scan_id }).await {
                Ok(a) => {
                    ctx.dialog.set(Dialog::None);
                    ctx.info(i.fill("scan.saved", &[("n", &a.waiting_blobs.to_string())]));
                    if let Ok(p) = invoke0::<Panel>("panel").await {
                        ctx.panel.set(p);
                    }
                }
                Err(e) => ctx.fail(&e),
            }
        });
    };
    let cancel = move |_| {
        ctx.dialog.set(Dialog::None);
        spawn_local(async move {
            let _ = invoke0::<()>("scan_discard").await;
        });
    };
    view! {
        <div class="modal-backdrop">
            <div class="modal scan-modal" id="scan-review">
                <h2>{move || i.t("scan.title")}</h2>
                <div class="scan-image">
                    {move || match ctx.scan.get() {
                        Some(s) => view! { <img id="scan-image" src=s.data_url.clone() alt=""/> }.into_any(),
                        None => view! { <div class="spinner"></div> }.into_any(),
                    }}
                </div>
                <div class="muted" id="scan-info">{move || ctx.scan.get().map(|s| i.fill("scan.info", &[
                    ("w", &s.width.to_string()), ("h", &s.height.to_string()), ("kb", &(s.bytes / 1024).to_string()), ("sm3", &s.sm3[..12.min(s.sm3.len())])])).unwrap_or_default()}</div>
                <div class="modal-actions">
                    <button class="primary big" id="scan-accept" disabled=move || ctx.scan.get().is_none() on:click=accept>{move || i.t("scan.accept")}</button>
                    <button class="big" id="scan-retake" on:click=move |_| capture(ctx)>{move || i.t("scan.retake")}</button>
                    <button class="big" id="scan-cancel" on:click=cancel>{move || i.t("scan.cancel")}<kbd>"Esc"</kbd></button>
                </div>
            </div>
        </div>
    }
}

#[component]
pub(super) fn TransferDialog(ctx: Ctx) -> impl IntoView {
    let i = use_i18n();
    let kind = RwSignal::new(String::from("queue"));
    let target = RwSignal::new(String::new());
    view! {
        <div class="modal-backdrop">
            <form class="modal" id="transfer-dialog" on:submit=move |e: ev::SubmitEvent| {
                e.prevent_default();
                ctx.run_panel("transfer", TransferArgs { kind: kind.get_untracked(), id: target.get_untracked() });
            }>
                <h2>{move || i.t("transfer.title")}</h2>
                <div class="segmented">
                    {["queue", "window", "staff"].into_iter().map(|k| view! {
                        <button type="button" id=format!("transfer-{k}") class=move || if kind.get() == k { "seg chosen" } else { "seg" }
                            on:click=move |_| { kind.set(k.into()); target.set(String::new()); }>{move || i.t(&format!("transfer.{k}"))}</button>
                    }).collect_view()}
                </div>
                <div class="target-list" id="transfer-targets">
                    {move || {
                        let k = kind.get();
                        let list: Vec<_> = ctx.panel.get().transfer_targets.into_iter().filter(|t| t.kind == k).collect();
                        if list.is_empty() {
                            return view! { <p class="muted" id="transfer-none">{move || i.t("transfer.none")}</p> }.into_any();
                        }
                        list.into_iter().map(|t| {
                            let id = t.id.clone();
                            let pick = t.id.clone();
                            let waiting = t.waiting.map(|n| i.fill("transfer.waiting", &[("n", &n.to_string())]));
                            view! {
                                <button type="button" id=format!("transfer-to-{}-{}", t.kind, t.id)
                                    class=move || if target.get() == id { "target chosen" } else { "target" }
                                    on:click=move |_| target.set(pick.clone())>
                                    <span>{t.label.clone()}</span>
                                    {waiting.map(|w| view! { <small>{w}</small> })}
                                </button>
                            }
                        }).collect_view().into_any()
                    }}
                </div>
                <div class="modal-actions">
                    <button class="primary big" id="transfer-submit" type="submit"
                        disabled=move || target.get().is_empty()>{move || i.t("transfer.submit")}</button>
                    <button class="big" type="button" on:click=move |_| ctx.dialog.set(Dialog::None)>{move || i.t("dialog.cancel")}</button>
                </div>
            </form>
        </div>
    }
}

#[component]
pub(super) fn ReasonDialog(
    ctx: Ctx,
    cmd: &'static str,
    title: &'static str,
    label: &'static str,
    submit: &'static str,
    id: &'static str,
) -> impl IntoView {
    let i = use_i18n();
    let reason = RwSignal::new(String::new());
    view! {
        <div class="modal-backdrop">
            <form class="modal" id=format!("{id}-dialog") on:submit=move |e: ev::SubmitEvent| {
                e.prevent_default();
                ctx.run_panel(cmd, ReasonArgs { reason: reason.get_untracked() });
            }>
                <h2>{move || i.t(title)}</h2>
                <label>{move || i.t(label)}
                    <input id=format!("{id}-reason") on:input=move |e| reason.set(event_target_value(&e))/></label>
                <div class="modal-actions">
                    <button class="primary big" id=format!("{id}-submit") type="submit">{move || i.t(submit)}</button>
                    <button class="big" type="button" on:click=move |_| ctx.dialog.set(Dialog::None)>{move || i.t("dialog.cancel")}</button>
                </div>
            </form>
        </div>
    }
}
