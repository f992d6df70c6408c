//! Tauri commands: thin wrappers over [`crate::hall::Wall`].

use std::sync::Arc;

use app_types::CommandError;
use app_types::hall_wall::{SetupRequest, WallMetrics, WallView};
use tauri::State;

use crate::hall::Wall;

/// What the wall shows now (the page's first paint; later changes arrive as `wall-changed`).
#[tauri::command]
pub fn wall_state(wall: State<'_, Arc<Wall>>) -> WallView {
    wall.view()
}

/// The setup screen: enroll this PC with the hall node.
#[tauri::command]
pub async fn wall_setup(wall: State<'_, Arc<Wall>>, request: SetupRequest) -> Result<WallView, CommandError> {
    wall.setup(&request).await
}

/// Announcement latencies and counts (the end-to-end test's report).
#[tauri::command]
pub fn wall_metrics(wall: State<'_, Arc<Wall>>) -> WallMetrics {
    wall.metrics()
}
