//! The lawyer's own figures: stats (`GET /lawyer/stats`), QC results (`GET /lawyer/qc`) and tier
//! progress (`GET /lawyer/profile`). Each panel shows what the server answers, or "暂无数据" with the
//! reason — never a made-up number.

use app_types::lawyer_desk::Figures;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Serialize;
use ui_kit::bridge::invoke;

use crate::Ctx;

#[derive(Serialize)]
struct Which {
    which: &'static str,
}

#[component]
fn Panel(ctx: Ctx, which: &'static str) -> impl IntoView {
    let i = ctx.i;
    let figures = RwSignal::new(None::<Figures>);
    spawn_local(async move {
        match invoke::<_, Figures>("figures", &Which { which }).await {
            Ok(f) => figures.set(Some(f)),
            Err(e) => ctx.fail(&e),
        }
    });
    view! {
        <div class="figures card" id=format!("figures-{which}")>
            <h3>{move || i.t(&format!("figures.{which}"))}</h3>
            {move || match figures.get() {
                None => view! { <p class="muted">{move || i.t("figures.loading")}</p> }.into_any(),
                Some(Figures { rows: Some(rows), source, .. }) => view! {
                    <table class="rows">
                        {rows.into_iter().map(|(k, v)| view! { <tr><th>{k}</th><td>{v}</td></tr> }).collect_view()}
                    </table>
                    <p class="source muted">{source}</p>
                }.into_any(),
                Some(Figures { rows: None, note, source }) => view! {
                    <p class="nodata">{move || i.t("figures.none")}</p>
                    <p class="source muted">{format!("{source} · {}", note.clone().unwrap_or_default())}</p>
                }.into_any(),
            }}
        </div>
    }
}

#[component]
pub fn FiguresView(ctx: Ctx) -> impl IntoView {
    let i = ctx.i;
    view! {
        <div id="figures" class="figures-view">
            <h2>{move || i.t("figures.title")}</h2>
            <Panel ctx=ctx which="stats"/>
            <Panel ctx=ctx which="qc"/>
            <Panel ctx=ctx which="profile"/>
        </div>
    }
}
