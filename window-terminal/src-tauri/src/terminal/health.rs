//! Device health at the counter: the printer is polled, the chips are re-sent to the staff window
//! whenever one changes (the local alarm), and the hall node hears the same through the outbox as
//! `device.heartbeat` (`edge::health` decides when). Scanned codes go to the staff window.

use app_types::window_terminal::{EVENT_DEVICES, EVENT_SCANNED, ScannedCode};
use serde_json::{Value, json};

use super::{Terminal, lock, now_ms};

/// The printer is asked every this many sync rounds (a status round trip is a few ms, but a silent
/// printer costs the driver's whole deadline).
const PRINTER_POLL_ROUNDS: u64 = 5;

impl Terminal {
    /// Called every sync round, enrolled or not.
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
            let mut status = edge::health::heartbeat_status("window_terminal", &chips, uptime);
            status.insert("window".into(), json!(self.config.window));
            let payload = json!({"status": Value::Object(status)});
            if let Err(e) = self
                .store
                .append(protocol::sync::kinds::DEVICE_HEARTBEAT, 1, now_ms(), &payload)
            {
                tracing::warn!("heartbeat not queued: {e}");
            }
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
