//! Tauri commands: thin forwards to [`Terminal`]. Test hooks (`sim_*`) refuse unless the terminal was
//! started with `WT_SIM_CONTROL=1`.

use std::sync::Arc;

use app_types::window_terminal::*;
use app_types::{CommandError, DeviceStatus, LinkStatus};
use tauri::State;

use crate::terminal::Terminal;

type T<'a> = State<'a, Arc<Terminal>>;
type R<V> = Result<V, CommandError>;

#[tauri::command]
pub fn startup(t: T<'_>) -> R<Startup> {
    t.startup()
}

#[tauri::command]
pub async fn enroll(t: T<'_>, address: String, code: String) -> R<Startup> {
    t.enroll(&address, &code).await
}

#[tauri::command]
pub async fn sign_in(t: T<'_>, login: String, password: String) -> R<Panel> {
    t.sign_in(&login, &password).await
}

/// Signs out at this window; answers what the terminal knows afterwards (no staff).
#[tauri::command]
pub async fn sign_out(t: T<'_>) -> R<Startup> {
    t.sign_out().await
}

#[tauri::command]
pub fn panel(t: T<'_>) -> Panel {
    t.panel()
}

/// `call-next`, `recall`, `start`, `finish`, `no-show`, `park`, `open` (resume), `close`.
#[tauri::command]
pub async fn window_action(t: T<'_>, action: String) -> R<Panel> {
    t.action(&action).await
}

#[tauri::command]
pub async fn pause(t: T<'_>, reason: String) -> R<Panel> {
    t.pause(&reason).await
}

#[tauri::command]
pub async fn void_ticket(t: T<'_>, reason: String) -> R<Panel> {
    t.void(&reason).await
}

#[tauri::command]
pub async fn transfer(t: T<'_>, kind: String, id: String) -> R<Panel> {
    t.transfer(&kind, &id).await
}

#[tauri::command]
pub async fn read_card(t: T<'_>) -> R<CardRead> {
    t.read_card().await
}

#[tauri::command]
pub async fn scan_capture(t: T<'_>) -> R<ScanPreview> {
    t.scan_capture().await
}

#[tauri::command]
pub fn scan_accept(t: T<'_>, scan_id: u64) -> R<ScanAccepted> {
    t.scan_accept(scan_id)
}

#[tauri::command]
pub fn scan_discard(t: T<'_>) {
    t.scan_discard();
}

#[tauri::command]
pub fn push_confirmation(t: T<'_>) -> R<Confirmation> {
    t.push_confirmation()
}

#[tauri::command]
pub fn answer_confirmation(t: T<'_>, ticket_id: String, ok: bool) -> R<Panel> {
    t.answer_confirmation(&ticket_id, ok)
}

#[tauri::command]
pub fn evaluator_view(t: T<'_>) -> EvaluatorView {
    t.evaluator_view()
}

#[tauri::command]
pub async fn rate(t: T<'_>, rating: RatingInput) -> R<RatingStored> {
    t.rate(rating).await
}

#[tauri::command]
pub fn evaluator_idle(t: T<'_>) {
    t.evaluator_idle();
}

#[tauri::command]
pub fn devices(t: T<'_>) -> Vec<DeviceStatus> {
    t.device_status()
}

#[tauri::command]
pub fn link(t: T<'_>) -> LinkStatus {
    t.link()
}

fn sim_only(t: &Terminal) -> R<()> {
    if t.config.sim_control {
        Ok(())
    } else {
        Err(CommandError::new(
            "forbidden",
            "测试接口未启用 / test hooks are off (WT_SIM_CONTROL)",
        ))
    }
}

/// Puts the sample card on the simulated reader (`present`), or takes it off.
#[tauri::command]
pub fn sim_present_card(t: T<'_>, present: bool) -> R<()> {
    sim_only(&t)?;
    let card = present.then(drivers::idcard::sim::sample_card);
    t.devices
        .sim_present_card(card)
        .map_err(|e| CommandError::new("device_fault", e.to_string()))
}

#[tauri::command]
pub fn sim_measurements(t: T<'_>) -> R<SimMeasurements> {
    sim_only(&t)?;
    Ok(t.measurements())
}

/// Puts the simulated printer into a state: `ok`, `paper_near_end`, `paper_out`, `cover_open`,
/// `offline`, `silent`.
#[tauri::command]
pub fn sim_printer(t: T<'_>, fault: String) -> R<()> {
    sim_only(&t)?;
    t.devices
        .sim_printer(&fault)
        .map_err(|e| CommandError::new("device_fault", e.to_string()))
}

/// The simulated scanner reads `code`.
#[tauri::command]
pub fn sim_scan(t: T<'_>, code: String) -> R<()> {
    sim_only(&t)?;
    t.devices
        .sim_scan(&code)
        .map_err(|e| CommandError::new("device_fault", e.to_string()))
}
