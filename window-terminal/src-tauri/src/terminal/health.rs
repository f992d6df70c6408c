//! Device health: the printer is polled, the chips are re-sent to the staff window whenever one
//! changes (the local alarm), and the hall node hears the same through the outbox as
//! `device.heartbeat` — at every change (queued while offline, so an alarm is never lost) and once a
//! minute while the link is up (so device management sees the terminal is alive).

use std::time::{Duration, Instant};

use app_types::window_terminal::{EVENT_DEVICES, EVENT_SCANNED, ScannedCode};
use app_types::{DeviceHealth, DeviceStatus};
use serde_json::{Map, Value, json};

use super::{Terminal, lock, now_ms};

/// The printer is asked every this many sync rounds (a status round trip is a few ms, but a silent
/// printer costs the driver's whole deadline).
const PRINTER_POLL_ROUNDS: u64 = 5;
/// A heartbeat at least this often while online, even without a change.
const BEAT_EVERY: Duration = Duration::from_secs(60);

pub(super) struct Health {
    started: Instant,
    round: u64,
    chips: Option<Vec<DeviceStatus>>,
    last_beat: Option<Instant>,
}

impl Default for Health {
    fn default() -> Self {
        Health {
            started: Instant::now(),
            round: 0,
            chips: None,
            last_beat: None,
        }
    }
}

fn health_key(h: DeviceHealth) -> &'static str {
    match h {
        DeviceHealth::Ok => "ok",
        DeviceHealth::Warning => "warning",
        DeviceHealth::Fault => "fault",
        DeviceHealth::Absent => "absent",
    }
}

/// The heartbeat's status object: every device's health, the alarms (warnings and faults with their
/// text) and the uptime.
pub fn heartbeat_status(window: &str, chips: &[DeviceStatus], uptime: Duration) -> Value {
    let mut devices = Map::new();
    let mut alarms = Vec::new();
    for c in chips {
        devices.insert(
            c.device.clone(),
            json!({"health": health_key(c.health), "detail": c.detail}),
        );
        if matches!(c.health, DeviceHealth::Warning | DeviceHealth::Fault) {
            alarms.push(json!({"device": c.device, "health": health_key(c.health), "detail": c.detail}));
        }
    }
    json!({"app": "window_terminal", "window": window, "devices": devices, "alarms": alarms,
        "uptime_s": uptime.as_secs()})
}

impl Terminal {
    /// Called every sync round, enrolled or not.
    pub(super) async fn check_devices(&self) {
        let round = {
            let mut h = lock(&self.health);
            h.round += 1;
            h.round
        };
        if round % PRINTER_POLL_ROUNDS == 1 {
            let devices = std::sync::Arc::clone(&self.devices);
            let _ = tauri::async_runtime::spawn_blocking(move || devices.poll_printer()).await;
        }
        let chips = self.device_status();
        let online = lock(&self.link).online;
        let (changed, beat) = {
            let mut h = lock(&self.health);
            let changed = h.chips.as_ref() != Some(&chips);
            let due = h.last_beat.is_none_or(|t| t.elapsed() >= BEAT_EVERY);
            let beat = changed || (online && due);
            if beat {
                h.last_beat = Some(Instant::now());
            }
            h.chips = Some(chips.clone());
            (changed, beat)
        };
        if changed {
            self.emit(EVENT_DEVICES, &chips);
        }
        // Not enrolled yet: nobody to tell; the first round after enrolment sends one (chips
        // unchanged, but no beat was recorded for an upstream).
        if beat && self.store.identity().ok().flatten().is_some() {
            let uptime = lock(&self.health).started.elapsed();
            let payload = json!({"status": heartbeat_status(&self.config.window, &chips, uptime)});
            if let Err(e) = self
                .store
                .append(protocol::sync::kinds::DEVICE_HEARTBEAT, 1, now_ms(), &payload)
            {
                tracing::warn!("heartbeat not queued: {e}");
            }
        } else if beat {
            lock(&self.health).last_beat = None;
        }
    }

    /// Scanned codes go to the staff window (shown in the status bar).
    pub(super) fn forward_scans(self: &std::sync::Arc<Self>) {
        let weak = std::sync::Arc::downgrade(self);
        self.devices.on_scan(Box::new(move |scan| {
            if let Some(t) = weak.upgrade() {
                tracing::info!(len = scan.text.len(), "code scanned");
                t.emit(
                    EVENT_SCANNED,
                    ScannedCode {
                        code: scan.text,
                        at_ms: now_ms(),
                    },
                );
            }
        }));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn chip(device: &str, health: DeviceHealth, detail: Option<&str>) -> DeviceStatus {
        DeviceStatus {
            device: device.into(),
            health,
            detail: detail.map(str::to_owned),
        }
    }

    #[test]
    fn heartbeat_lists_every_device_and_only_warnings_and_faults_as_alarms() {
        let chips = [
            chip("idcard", DeviceHealth::Ok, None),
            chip(
                "printer",
                DeviceHealth::Fault,
                Some("打印机缺纸 / printer out of paper"),
            ),
            chip("scanner", DeviceHealth::Warning, Some("x")),
            chip("led", DeviceHealth::Absent, None),
        ];
        let v = heartbeat_status("W1", &chips, Duration::from_secs(90));
        assert_eq!(v["devices"]["idcard"]["health"], "ok");
        assert_eq!(v["devices"]["led"]["health"], "absent");
        assert_eq!(v["uptime_s"], 90);
        let alarms = v["alarms"].as_array().unwrap();
        assert_eq!(alarms.len(), 2);
        assert_eq!(alarms[0]["device"], "printer");
        assert_eq!(alarms[0]["health"], "fault");
        assert_eq!(alarms[1]["device"], "scanner");
    }
}
