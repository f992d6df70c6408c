//! The lawyer's own history with the citizens' ratings (`GET /lawyer/consultations`), and figures: stats (`GET /lawyer/stats`), QC results (`GET /lawyer/qc`) and tier
//! progress (`GET /lawyer/profile`). Each panel shows what the server answers, or "暂无数据" with the
//! reason — never a made-up number.

use app_types::lawyer_desk::{Figures, History};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Serialize;
use ui_kit::bridge::{invoke, invoke0};
use ui_kit::components::clock_time;

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
            <HistoryPanel ctx=ctx/>
            <Panel ctx=ctx which="stats"/>
            <Panel ctx=ctx which="qc"/>
            <Panel ctx=ctx which="profile"/>
        </div>
    }
}

#[component]
fn HistoryPanel(ctx: Ctx) -> impl IntoView {
    let i = ctx.i;
    let history = RwSignal::new(None::<History>);
    spawn_local(async move {
        match invoke0::<History>("history").await {
            Ok(h) => history.set(Some(h)),
            Err(e) => ctx.fail(&e),
        }
    });
    view! {
        <div class="figures card" id="history">
            <h3>{move || i.t("history.title")}</h3>
            {move || match history.get() {
                None => view! { <p class="muted">{move || i.t("figures.loading")}</p> }.into_any(),
                Some(h) => {
                    let rating = match h.average_rating {
                        Some(avg) => i.fill("history.rating", &[("avg", &format!("{avg:.1}")), ("n", &h.rated.to_string())]),
                        None => i.t("history.no_rating"),
                    };
                    view! {
                        <p id="history-rating" class="rating">{rating}</p>
                        <Show when={let empty = h.items.is_empty(); move || empty}>
                            <p class="nodata">{move || i.t("figures.none")}</p>
                        </Show>
                        <table class="history">
                            {h.items.into_iter().map(|it| {
                                let kind = format!("kind.{}", it.kind);
                                let stars = it.rating.map(|l| "★".repeat(usize::from(l))).unwrap_or_default();
                                view! {
                                    <tr data-history=it.id.clone()>
                                        <td class="when">{clock_time(it.created_at)}</td>
                                        <td class="kind">{move || i.t(&kind)}</td>
                                        <td class="question">{it.question.clone()}</td>
                                        <td class="status-label">{it.status_label.clone()}</td>
                                        <td class="stars" title=it.rating_comment.clone().unwrap_or_default()>{stars}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </table>
                    }.into_any()
                }
            }}
        </div>
    }
}
