//! The call panel: a window's actions. Window staff act only at the window they are signed in to;
//! hall managers at any window of their hall; admins anywhere.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use domain::config::Role;
use domain::ids::*;
use domain::{Command, Millis};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::{TicketView, WindowView};
use crate::caller::Caller;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;
pub use hall_api::windows::{CallTicketRequest, PauseRequest, WindowActionResponse};

/// This area's routes, each registered once with its OpenAPI description (paths relative to `/api/v1`).
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(call_next))
        .routes(routes!(call_ticket))
        .routes(routes!(recall))
        .routes(routes!(start))
        .routes(routes!(finish))
        .routes(routes!(no_show))
        .routes(routes!(park))
        .routes(routes!(open))
        .routes(routes!(pause))
        .routes(routes!(close))
        .routes(routes!(sign_in))
        .routes(routes!(sign_out))
}

const WINDOW_ROLES: [Role; 3] = [Role::Admin, Role::HallManager, Role::WindowStaff];

async fn act(
    app: &Arc<AppState>,
    caller: &Caller,
    id: &str,
    make: impl FnOnce(WindowId) -> Command,
) -> Result<Json<WindowActionResponse>, ApiError> {
    let staff = caller.staff(&WINDOW_ROLES)?;
    let window = WindowId::new(id);
    let hall = app
        .engine
        .shared
        .cfg
        .read()
        .window(&window)
        .map(|w| w.hall_id.clone())
        .ok_or_else(|| ApiError::not_found("window", "id"))?;
    caller.in_hall(&hall)?;
    let cmd = make(window.clone());
    // Window staff (without a manager role) act only where they are signed in.
    if !staff.has(&[Role::Admin, Role::HallManager]) && !matches!(cmd, Command::SignIn { .. }) {
        let at = app
            .engine
            .shared
            .state
            .read()
            .halls
            .get(&hall)
            .and_then(|h| h.window(&window).staff);
        if at.as_ref() != Some(&staff.id) {
            return Err(ApiError::forbidden(format!("you are not signed in at window {id}")));
        }
    }
    let done = app.engine.execute(hall.clone(), caller.actor(), cmd, None).await?;
    let cfg = app.engine.shared.cfg.read().clone();
    let st = app.engine.shared.state.read();
    let h = st.halls.get(&hall);
    let now = Millis((app.clock)());
    let ticket = done
        .events
        .iter()
        .find_map(|(_, e)| e.body.ticket_id())
        .and_then(|t| h.and_then(|h| h.ticket(t)))
        .map(|t| TicketView::new(&cfg, h, t, now));
    Ok(Json(WindowActionResponse {
        window: WindowView::new(&cfg, h, &window).ok_or_else(|| ApiError::not_found("window", "id"))?,
        ticket,
        events: done.events.iter().map(|(_, e)| e.body.kind().to_owned()).collect(),
    }))
}

macro_rules! window_action {
    ($name:ident, $path:literal, $doc:literal, $cmd:expr) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, params(("id" = String, Path, description = "window id")),
            responses((status = 200, body = WindowActionResponse), (status = 403, body = crate::error::ErrorBody),
                (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)),
            security(("session" = [])))]
        pub async fn $name(State(app): State<Arc<AppState>>, caller: Caller, Path(id): Path<String>) -> Result<Json<WindowActionResponse>, ApiError> {
            act(&app, &caller, &id, $cmd).await
        }
    };
}

window_action!(
    call_next,
    "/windows/{id}/call-next",
    "Call the next ticket under the window's work profile.",
    |window| Command::CallNext { window }
);
window_action!(
    recall,
    "/windows/{id}/recall",
    "Call the current ticket again (counted; never a second call).",
    |window| Command::Recall { window }
);
window_action!(
    start,
    "/windows/{id}/start",
    "The citizen arrived: service starts.",
    |window| Command::Start { window }
);
window_action!(finish, "/windows/{id}/finish", "Service finished.", |window| {
    Command::Finish { window }
});
window_action!(
    no_show,
    "/windows/{id}/no-show",
    "The called citizen did not come.",
    |window| Command::NoShow { window }
);
window_action!(
    park,
    "/windows/{id}/park",
    "Set the current ticket aside (e.g. a missing document); call it back later.",
    |window| Command::Park { window }
);
window_action!(open, "/windows/{id}/open", "Open the window for calling.", |window| {
    Command::OpenWindow { window }
});
window_action!(close, "/windows/{id}/close", "Close the window.", |window| {
    Command::CloseWindow { window }
});
window_action!(
    sign_out,
    "/windows/{id}/sign-out",
    "Sign the person at this window out (closes it).",
    |window| Command::SignOut { window }
);

/// Sign in at a window (the caller; hall managers and admins may sign in anywhere in their scope).
#[utoipa::path(post, path = "/windows/{id}/sign-in", params(("id" = String, Path)),
    responses((status = 200, body = WindowActionResponse), (status = 409, body = crate::error::ErrorBody)), security(("session" = [])))]
pub async fn sign_in(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<WindowActionResponse>, ApiError> {
    let staff = caller.staff(&WINDOW_ROLES)?.id.clone();
    act(&app, &caller, &id, |window| Command::SignIn { window, staff }).await
}

/// Pause calling (break, meeting); the window keeps its staff.
#[utoipa::path(post, path = "/windows/{id}/pause", params(("id" = String, Path)), request_body = PauseRequest,
    responses((status = 200, body = WindowActionResponse), (status = 409, body = crate::error::ErrorBody)), security(("session" = [])))]
pub async fn pause(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<PauseRequest>,
) -> Result<Json<WindowActionResponse>, ApiError> {
    act(&app, &caller, &id, |window| Command::PauseWindow {
        window,
        reason: req.reason,
    })
    .await
}

/// Call a chosen waiting ticket, or one this window parked.
#[utoipa::path(post, path = "/windows/{id}/call", params(("id" = String, Path)), request_body = CallTicketRequest,
    responses((status = 200, body = WindowActionResponse), (status = 409, body = crate::error::ErrorBody)), security(("session" = [])))]
pub async fn call_ticket(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CallTicketRequest>,
) -> Result<Json<WindowActionResponse>, ApiError> {
    act(&app, &caller, &id, |window| Command::CallTicket {
        window,
        ticket: TicketId::new(req.ticket_id),
    })
    .await
}
