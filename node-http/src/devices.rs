//! Device health for hall staff: every enrolled device of a hall with its latest heartbeat
//! (`device.heartbeat`: printer paper, reader, scanner, alarms, uptime), so a kiosk out of paper or a
//! counter whose reader failed is seen from the back office (tender 15 "设备状态监控").

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use domain::config::Role;
use domain::ids::HallId;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::caller::Caller;
use crate::error::ApiError;
use crate::state::AppState;
pub use hall_api::devices::HallDevices;

/// This area's routes, each registered once with its OpenAPI description (paths relative to `/api/v1`).
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new().routes(routes!(hall_devices))
}

/// The hall's devices and their latest reported health. Admins and hall managers of the hall.
#[utoipa::path(get, path = "/halls/{hall}/devices", params(("hall" = String, Path, description = "hall id")),
    responses((status = 200, body = HallDevices), (status = 403, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn hall_devices(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(hall): Path<String>,
) -> Result<Json<HallDevices>, ApiError> {
    caller.staff(&[Role::Admin, Role::HallManager])?;
    caller.in_hall(&HallId::new(hall.clone()))?;
    let reader = app.reader.clone();
    let h = hall.clone();
    let devices = tokio::task::spawn_blocking(move || reader.hall_devices(&h))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
    Ok(Json(HallDevices { hall_id: hall, devices }))
}
