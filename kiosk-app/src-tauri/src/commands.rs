//! Tauri commands: thin forwards to [`Kiosk`]. Test hooks (`sim_*`) refuse unless the kiosk was
//! started with `KIOSK_SIM_CONTROL`.

use std::sync::Arc;

use app_types::kiosk::*;
use app_types::{CommandError, DeviceStatus, LinkStatus};
use tauri::State;

use crate::kiosk::Kiosk;

type K<'a> = State<'a, Arc<Kiosk>>;
type R<T> = Result<T, CommandError>;

#[tauri::command]
pub fn startup(k: K<'_>) -> R<Startup> {
    k.startup()
}

#[tauri::command]
pub async fn enroll(k: K<'_>, address: String, code: String) -> R<Startup> {
    k.enroll(&address, &code).await
}

#[tauri::command]
pub fn items(k: K<'_>) -> R<Vec<ItemInfo>> {
    k.items()
}

#[tauri::command]
pub async fn read_card(k: K<'_>) -> R<Option<CardHolder>> {
    let k = Arc::clone(&k);
    tauri::async_runtime::spawn_blocking(move || k.read_card())
        .await
        .map_err(|e| CommandError::new("internal", e.to_string()))?
}

/// Home, idle timeout or done: the citizen's card is forgotten.
#[tauri::command]
pub fn end_visit(k: K<'_>) {
    k.end_visit();
}

#[tauri::command]
pub async fn preview(k: K<'_>, item_id: String) -> R<Preview> {
    k.preview(&item_id).await
}

#[tauri::command]
pub async fn issue(k: K<'_>, item_id: String, claims: Vec<String>) -> R<Issued> {
    k.issue(&item_id, &claims).await
}

#[tauri::command]
pub async fn scanned(k: K<'_>, code: String) -> R<Scanned> {
    k.scanned(&code).await
}

#[tauri::command]
pub async fn appointments_by_card(k: K<'_>) -> R<Vec<AppointmentInfo>> {
    k.appointments_by_card().await
}

#[tauri::command]
pub async fn check_in(k: K<'_>, appointment_id: String, code: String) -> R<Issued> {
    k.check_in(&appointment_id, &code).await
}

#[tauri::command]
pub async fn cases_by_card(k: K<'_>) -> R<Vec<CaseInfo>> {
    k.cases_by_card().await
}

#[tauri::command]
pub async fn guides(k: K<'_>) -> R<Vec<GuideInfo>> {
    k.guides().await
}

#[tauri::command]
pub async fn print_guide(k: K<'_>, item_id: String) -> R<()> {
    k.print_guide(&item_id).await
}

/// Elderly mode: speaks prompts from the local clips.
#[tauri::command]
pub fn speak(k: K<'_>, prompts: Vec<String>, number: Option<String>, lang: String) -> R<()> {
    k.speak(&prompts, number.as_deref(), &lang)
}

/// Legal consultation (issue 7): `kind` `realtime` or `message` (留言, needs `phone`).
#[tauri::command]
pub async fn consult_start(
    k: K<'_>,
    kind: String,
    specialty: String,
    question: String,
    phone: Option<String>,
) -> R<Consultation> {
    k.consult_start(&kind, &specialty, &question, phone.as_deref()).await
}

#[tauri::command]
pub fn consultation(k: K<'_>) -> Option<Consultation> {
    k.consultation()
}

#[tauri::command]
pub async fn consult_send(k: K<'_>, body: String, kind: String) -> R<()> {
    k.consult_send(&body, &kind).await
}

#[tauri::command]
pub async fn consult_close(k: K<'_>) -> R<Consultation> {
    k.consult_close().await
}

#[tauri::command]
pub async fn consult_rate(k: K<'_>, level: u8, comment: Option<String>) -> R<Consultation> {
    k.consult_rate(level, comment.as_deref()).await
}

#[tauri::command]
pub fn devices(k: K<'_>) -> Vec<DeviceStatus> {
    k.device_status()
}

#[tauri::command]
pub fn link(k: K<'_>) -> LinkStatus {
    k.link()
}

fn sim_only(k: &Kiosk) -> R<()> {
    if k.config.sim_control {
        Ok(())
    } else {
        Err(CommandError::new(
            "forbidden",
            "测试接口未启用 / test hooks are off (KIOSK_SIM_CONTROL)",
        ))
    }
}

fn sim_err(e: crate::devices::DeviceError) -> CommandError {
    CommandError::new("device_fault", e.to_string())
}

/// Puts a card on the simulated reader: `sample` (the drivers' sample card), `elderly` (born 1950),
/// or takes it off (`none`).
#[tauri::command]
pub fn sim_card(k: K<'_>, card: String) -> R<()> {
    sim_only(&k)?;
    let c = match card.as_str() {
        "none" => None,
        "sample" => Some(drivers::idcard::sim::sample_card()),
        "elderly" => {
            let mut c = drivers::idcard::sim::sample_card();
            c.birth = "19500101".into();
            c.id_number = elderly_id(&c.id_number);
            Some(c)
        }
        other => return Err(CommandError::new("invalid", format!("unknown sim card {other:?}"))),
    };
    k.devices.sim_present_card(c).map_err(sim_err)
}

/// The sample number with birth date 1950-01-01 and a valid check character.
fn elderly_id(sample: &str) -> String {
    let mut first17: Vec<u8> = sample.bytes().take(17).collect();
    if first17.len() == 17 {
        first17[6..14].copy_from_slice(b"19500101");
    }
    let check = domain::idcard::check_char(&first17).map_or('X', char::from);
    let mut s = String::from_utf8_lossy(&first17).into_owned();
    s.push(check);
    s
}

#[tauri::command]
pub fn sim_printer(k: K<'_>, fault: String) -> R<()> {
    sim_only(&k)?;
    k.devices.sim_printer(&fault).map_err(sim_err)
}

#[tauri::command]
pub fn sim_scan(k: K<'_>, code: String) -> R<()> {
    sim_only(&k)?;
    k.devices.sim_scan(&code).map_err(sim_err)
}

/// What the simulated printer has printed so far.
#[tauri::command]
pub fn sim_printed(k: K<'_>) -> R<String> {
    sim_only(&k)?;
    Ok(k.devices.sim_printed().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_elderly_sample_number_is_valid() {
        let id = super::elderly_id(&drivers::idcard::sim::sample_card().id_number);
        assert_eq!(&id[6..14], "19500101");
        assert!(domain::idcard::IdNumber::parse(&id).is_ok(), "{id}");
    }
}
