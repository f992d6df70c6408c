//! Device health (issue: "heartbeat with printer, reader, scanner, disk and uptime status to the hall
//! node"): the printer is polled, the chips are re-sent when one changes, and `device.heartbeat` goes
//! through the outbox when `edge::health` says so (every change, once a minute online). Scanned codes
//! are forwarded to the screen.

use std::time::Duration;

use app_types::kiosk::{EVENT_DEVICES, EVENT_SCANNED};
use app_types::{DeviceHealth, DeviceStatus};
use serde_json::{Value, json};

use super::{Kiosk, lock, now_ms};

const PRINTER_POLL_ROUNDS: u64 = 3;
/// Below this much free space the disk is a warning (the outbox and logs need room).
const DISK_LOW_MB: u64 = 500;

/// Free megabytes on the file system holding `path`.
fn disk_free_mb(path: &std::path::Path) -> Option<u64> {
    let st = rustix::fs::statvfs(path).ok()?;
    Some(st.f_bavail.saturating_mul(st.f_frsize) / (1024 * 1024))
}

/// The disk chip: a warning when space runs low.
fn disk_chip(free_mb: Option<u64>) -> DeviceStatus {
    let (health, detail) = match free_mb {
        None => (
            DeviceHealth::Fault,
            Some("无法读取磁盘空间 / disk space unknown".to_owned()),
        ),
        Some(mb) if mb < DISK_LOW_MB => (DeviceHealth::Warning, Some(format!("磁盘剩余 {mb} MB / disk low"))),
        Some(_) => (DeviceHealth::Ok, None),
    };
    DeviceStatus {
        device: "disk".into(),
        health,
        detail,
    }
}

/// The heartbeat's status object: the shared one plus the free disk space.
pub fn heartbeat_status(chips: &[DeviceStatus], disk_free_mb: Option<u64>, uptime: Duration) -> Value {
    let mut status = edge::health::heartbeat_status("kiosk", chips, uptime);
    status.insert("disk_free_mb".into(), json!(disk_free_mb));
    Value::Object(status)
}

impl Kiosk {
    /// The chips: the devices and the disk.
    pub fn device_status(&self) -> Vec<DeviceStatus> {
        let mut chips = self.devices.status();
        chips.push(disk_chip(disk_free_mb(&self.config.data_dir)));
        chips
    }

    pub(super) async fn check_devices(&self) {
        let round = lock(&self.health).next_round();
        if round % PRINTER_POLL_ROUNDS == 1 {
            let devices = std::sync::Arc::clone(&self.devices);
            let _ = tauri::async_runtime::spawn_blocking(move || devices.poll_printer()).await;
        }
        let chips = self.device_status();
        let online = lock(&self.link).online;
        let enrolled = self.store.identity().ok().flatten().is_some();
        let (seen, uptime) = {
            let mut h = lock(&self.health);
            (h.observe(&chips, online, enrolled), h.uptime())
        };
        if seen.changed {
            self.emit(EVENT_DEVICES, &chips);
        }
        if seen.beat {
            let status = heartbeat_status(&chips, disk_free_mb(&self.config.data_dir), uptime);
            if let Err(e) = self.store.append(
                protocol::sync::kinds::DEVICE_HEARTBEAT,
                1,
                now_ms(),
                &json!({"status": status}),
            ) {
                tracing::warn!("heartbeat not queued: {e}");
            }
        }
    }

    /// Scanned codes go to the screen, which decides what to do with them.
    pub fn forward_scans(self: &std::sync::Arc<Self>) {
        let weak = std::sync::Arc::downgrade(self);
        self.devices.on_scan(Box::new(move |scan| {
            if let Some(k) = weak.upgrade() {
                k.emit(EVENT_SCANNED, &scan.text);
            }
        }));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn low_disk_warns_and_the_heartbeat_carries_the_free_space() {
        assert_eq!(disk_chip(Some(100)).health, DeviceHealth::Warning);
        assert_eq!(disk_chip(Some(10_000)).health, DeviceHealth::Ok);
        let chips = vec![
            DeviceStatus {
                device: "printer".into(),
                health: DeviceHealth::Warning,
                detail: Some("打印纸将用尽 / paper near end".into()),
            },
            disk_chip(Some(10_000)),
        ];
        let v = heartbeat_status(&chips, Some(10_000), Duration::from_secs(5));
        assert_eq!(v["app"], "kiosk");
        assert_eq!(v["alarms"].as_array().unwrap().len(), 1);
        assert_eq!(v["disk_free_mb"], 10_000);
        assert_eq!(v["devices"]["disk"]["health"], "ok");
    }

    #[test]
    fn the_data_dir_has_measurable_free_space() {
        let dir = tempfile::tempdir().unwrap();
        assert!(disk_free_mb(dir.path()).is_some());
    }
}
