//! Device health for every app's shell: which chips changed since the last look, and when a
//! `device.heartbeat` is due — at every change (queued in the outbox while offline, so an alarm is
//! never lost) and once a minute while the link is up (so device management sees the device alive).

use std::time::{Duration, Instant};

use app_types::{DeviceHealth, DeviceStatus};
use serde_json::{Map, Value, json};

/// A heartbeat at least this often while online, even without a change.
pub const BEAT_EVERY: Duration = Duration::from_secs(60);

/// What one look at the chips decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observed {
    /// A chip differs from the last look: re-send them to the screen.
    pub changed: bool,
    /// Queue a `device.heartbeat` now.
    pub beat: bool,
}

#[derive(Debug)]
pub struct HealthTracker {
    started: Instant,
    round: u64,
    chips: Option<Vec<DeviceStatus>>,
    last_beat: Option<Instant>,
}

impl Default for HealthTracker {
    fn default() -> Self {
        HealthTracker {
            started: Instant::now(),
            round: 0,
            chips: None,
            last_beat: None,
        }
    }
}

impl HealthTracker {
    /// Counts a sync round; returns its number (1, 2, …) so callers can poll slow devices every n-th.
    pub fn next_round(&mut self) -> u64 {
        self.round += 1;
        self.round
    }

    /// Compares `chips` with the last look. A device not enrolled yet has nobody to tell: no beat (the
    /// first look after enrolment sends one).
    pub fn observe(&mut self, chips: &[DeviceStatus], online: bool, enrolled: bool) -> Observed {
        let changed = self.chips.as_deref() != Some(chips);
        let due = self.last_beat.is_none_or(|t| t.elapsed() >= BEAT_EVERY);
        let beat = enrolled && (changed || (online && due));
        if beat {
            self.last_beat = Some(Instant::now());
        }
        self.chips = Some(chips.to_vec());
        Observed { changed, beat }
    }

    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }
}

fn key(h: DeviceHealth) -> &'static str {
    match h {
        DeviceHealth::Ok => "ok",
        DeviceHealth::Warning => "warning",
        DeviceHealth::Fault => "fault",
        DeviceHealth::Absent => "absent",
    }
}

/// The heartbeat's status object: `app`, every device's health, the alarms (warnings and faults with
/// their text) and the uptime; the caller adds its own keys (window, disk) to the returned object.
pub fn heartbeat_status(app: &str, chips: &[DeviceStatus], uptime: Duration) -> Map<String, Value> {
    let mut devices = Map::new();
    let mut alarms = Vec::new();
    for c in chips {
        devices.insert(c.device.clone(), json!({"health": key(c.health), "detail": c.detail}));
        if matches!(c.health, DeviceHealth::Warning | DeviceHealth::Fault) {
            alarms.push(json!({"device": c.device, "health": key(c.health), "detail": c.detail}));
        }
    }
    let mut status = Map::new();
    status.insert("app".into(), json!(app));
    status.insert("devices".into(), Value::Object(devices));
    status.insert("alarms".into(), Value::Array(alarms));
    status.insert("uptime_s".into(), json!(uptime.as_secs()));
    status
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
    fn only_warnings_and_faults_are_alarms() {
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
        let v = Value::Object(heartbeat_status("window_terminal", &chips, Duration::from_secs(90)));
        assert_eq!(v["devices"]["idcard"]["health"], "ok");
        assert_eq!(v["devices"]["led"]["health"], "absent");
        assert_eq!(v["uptime_s"], 90);
        let alarms = v["alarms"].as_array().unwrap();
        assert_eq!(alarms.len(), 2);
        assert_eq!(
            (alarms[0]["device"].as_str(), alarms[1]["device"].as_str()),
            (Some("printer"), Some("scanner"))
        );
    }

    #[test]
    fn a_beat_at_every_change_and_none_before_enrolment() {
        let mut t = HealthTracker::default();
        let ok = [chip("printer", DeviceHealth::Ok, None)];
        let out = [chip("printer", DeviceHealth::Fault, Some("out"))];
        assert_eq!(
            t.observe(&ok, true, false),
            Observed {
                changed: true,
                beat: false
            }
        );
        // Enrolled now: the first look beats (none sent yet), then quiet until a change.
        assert_eq!(
            t.observe(&ok, true, true),
            Observed {
                changed: false,
                beat: true
            }
        );
        assert_eq!(
            t.observe(&ok, true, true),
            Observed {
                changed: false,
                beat: false
            }
        );
        // A change offline still beats: the outbox keeps it until the link is back.
        assert_eq!(
            t.observe(&out, false, true),
            Observed {
                changed: true,
                beat: true
            }
        );
        assert_eq!(
            t.observe(&out, false, true),
            Observed {
                changed: false,
                beat: false
            }
        );
        assert_eq!(t.next_round(), 1);
        assert_eq!(t.next_round(), 2);
    }
}
