//! The kiosk's logic, free of Tauri: enrollment, the configuration replica (items, queues, the hall's
//! rules), the citizen's card for one visit, the hall link. Commands only forward here, so the
//! mock-runtime tests and the real app run the same code.
//!
//! Personal data: the card read for a visit is held in memory only until the visit ends (ticket
//! issued and confirmed, "home" pressed, or the idle timeout), then dropped; only masked fields reach
//! the screen, and the ID number goes to the hall node (sealed there) or, offline, not at all — the
//! offline outbox carries the birth date for the age priority, never the number.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app_types::kiosk::*;
use app_types::{CommandError, LinkStatus};
use drivers::idcard::CardInfo;
use edge::{EdgeStore, SyncClient, Syncer, SyncerConfig};
use hall_api::ErrorBody;
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

use crate::config::Config;
use crate::devices::{DeviceError, Devices};

mod consult;
mod health;
mod issue;
mod lookup;
mod speech;

/// How the kiosk tells the window that something changed (Tauri's `emit` in the app).
pub type Emit = Arc<dyn Fn(&'static str, Value) + Send + Sync>;

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn store_err(e: impl std::fmt::Display) -> CommandError {
    CommandError::new("storage", format!("本机存储出错 / local storage failed: {e}"))
}

fn device_err(e: DeviceError) -> CommandError {
    let code = match e {
        DeviceError::Absent(..) => "device_absent",
        _ => "device_fault",
    };
    CommandError::new(code, e.to_string())
}

pub struct Kiosk {
    pub config: Config,
    store: EdgeStore,
    pub devices: Arc<Devices>,
    client: Mutex<Option<Arc<SyncClient>>>,
    syncer: Mutex<Option<Arc<Syncer>>>,
    link: Mutex<LinkStatus>,
    /// The card of the citizen at the kiosk now (one visit).
    card: Mutex<Option<CardInfo>>,
    /// Or the one-code-service code they scanned instead (一码通办 "替代身份证读取").
    citizen_code: Mutex<Option<String>>,
    /// Tickets per item issued here, persisted (`usage.json`): the home screen's order.
    usage: Mutex<HashMap<String, u32>>,
    emit: Mutex<Emit>,
    health: Mutex<edge::health::HealthTracker>,
    speaker: speech::Speaker,
    /// The citizen's legal consultation of this visit (its token forgotten with the card).
    consult: consult::Slot,
}

/// The hall's rules and names this kiosk needs, from the configuration replica.
#[derive(Debug, Clone)]
struct HallFacts {
    hall_id: String,
    name: String,
    utc_offset: i32,
    elderly_age: u32,
    early_minutes: i64,
    late_minutes: i64,
}

impl Kiosk {
    pub fn open(config: Config) -> anyhow::Result<Kiosk> {
        std::fs::create_dir_all(&config.data_dir)?;
        let store = EdgeStore::open(&config.data_dir)?;
        let devices = Devices::open(&config.idcard, &config.printer, &config.scanner)?;
        let audio = voice::AudioOutput::parse(&config.audio)?;
        let voice_dir = config.voice_dir.clone().unwrap_or_else(voice::default_dir);
        let speaker = speech::Speaker::start(&audio, &voice_dir)?;
        let usage = std::fs::read(config.data_dir.join("usage.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let k = Kiosk {
            config,
            store,
            devices: Arc::new(devices),
            client: Mutex::new(None),
            syncer: Mutex::new(None),
            link: Mutex::new(LinkStatus {
                online: true,
                since_ms: None,
                waiting_events: 0,
                waiting_blobs: 0,
                error: None,
            }),
            card: Mutex::new(None),
            citizen_code: Mutex::new(None),
            usage: Mutex::new(usage),
            emit: Mutex::new(Arc::new(|_, _| {})),
            health: Mutex::new(edge::health::HealthTracker::default()),
            speaker,
            consult: consult::Slot::default(),
        };
        if let Some(id) = k.store.identity()? {
            k.connect(&id)?;
        }
        Ok(k)
    }

    pub fn set_emitter(&self, emit: Emit) {
        *lock(&self.emit) = emit;
    }

    fn emit(&self, name: &'static str, v: impl serde::Serialize) {
        let f = lock(&self.emit).clone();
        if let Ok(v) = serde_json::to_value(v) {
            f(name, v);
        }
    }

    fn connect(&self, id: &edge::Identity) -> anyhow::Result<()> {
        let cfg = SyncerConfig {
            client: edge::ClientConfig {
                connect_timeout: Duration::from_secs(2),
                request_timeout: Duration::from_secs(5),
            },
            ..SyncerConfig::default()
        };
        *lock(&self.client) = Some(Arc::new(SyncClient::from_identity(id, &cfg.client)?));
        *lock(&self.syncer) = Some(Arc::new(Syncer::new(self.store.clone(), cfg)?));
        Ok(())
    }

    fn client(&self) -> Result<Arc<SyncClient>, CommandError> {
        lock(&self.client)
            .clone()
            .ok_or_else(|| CommandError::new("not_enrolled", "本机尚未注册 / this kiosk is not enrolled yet"))
    }

    fn identity(&self) -> Result<edge::Identity, CommandError> {
        self.store
            .identity()
            .map_err(store_err)?
            .ok_or_else(|| CommandError::new("not_enrolled", "本机尚未注册 / this kiosk is not enrolled yet"))
    }

    pub fn startup(&self) -> Result<Startup, CommandError> {
        let id = self.store.identity().map_err(store_err)?;
        let facts = self.hall_facts().ok();
        Ok(Startup {
            enrolled: id.is_some(),
            hall_id: id.as_ref().map(|i| i.hall_id.clone()),
            hall_name: facts.map(|f| f.name),
            device_id: id.as_ref().map(|i| i.device_id.clone()),
            letter: id.as_ref().and_then(|i| i.letter),
            devices: self.devices.status(),
            link: lock(&self.link).clone(),
            idle_secs: self.config.idle_secs,
        })
    }

    pub async fn enroll(&self, address: &str, code: &str) -> Result<Startup, CommandError> {
        let address = address.trim();
        if !(address.starts_with("http://") || address.starts_with("https://")) {
            return Err(CommandError::new(
                "invalid",
                "地址应以 http:// 或 https:// 开头 / address must start with http(s)://",
            )
            .field("address"));
        }
        if code.trim().is_empty() {
            return Err(CommandError::new("invalid", "请输入注册码 / enter the one-time code").field("code"));
        }
        let enrollment = SyncClient::enroll(address, code.trim(), "自助终端")
            .await
            .map_err(|e| match e {
                edge::ClientError::Refused { .. } => {
                    CommandError::new("enroll_refused", format!("注册码无效或已使用 / code refused: {e}")).field("code")
                }
                other => unreachable(&other),
            })?;
        if enrollment.kind != "kiosk" {
            return Err(CommandError::new(
                "wrong_kind",
                format!(
                    "该注册码用于 {0}，不是自助终端 / code is for a {0} device",
                    enrollment.kind
                ),
            )
            .field("code"));
        }
        let identity = enrollment.into_identity(address);
        self.store.save_identity(&identity).map_err(store_err)?;
        self.connect(&identity).map_err(store_err)?;
        // The configuration replica (items, queues) arrives with the first sync round.
        self.sync_round().await;
        self.startup()
    }

    /// The hall's entry of the configuration replica.
    fn hall_facts(&self) -> Result<HallFacts, CommandError> {
        let id = self.identity()?;
        let cfg = self.replica()?;
        let hall = cfg
            .halls
            .iter()
            .find(|h| h.id.as_str() == id.hall_id)
            .ok_or_else(no_config)?;
        Ok(HallFacts {
            hall_id: id.hall_id.clone(),
            name: hall.name.clone(),
            utc_offset: hall.utc_offset_minutes,
            elderly_age: hall.priority.elderly_age,
            early_minutes: i64::from(hall.appointments.early_minutes),
            late_minutes: i64::from(hall.appointments.late_minutes),
        })
    }

    /// The configuration replica as the hall rules read it (their defaults for what a hall leaves out).
    fn replica(&self) -> Result<domain::CityConfig, CommandError> {
        let v = self
            .store
            .config()
            .map_err(store_err)?
            .map(|(_, c)| c)
            .ok_or_else(no_config)?;
        serde_json::from_value(v).map_err(|e| {
            CommandError::new(
                "no_config",
                format!("事项配置无法读取 / the hall's configuration cannot be read: {e}"),
            )
        })
    }

    /// The items of this hall's queues, most used here first (then by name).
    pub fn items(&self) -> Result<Vec<ItemInfo>, CommandError> {
        let facts = self.hall_facts()?;
        let cfg = self.replica()?;
        let usage = lock(&self.usage).clone();
        let mut out = Vec::new();
        for q in cfg.queues.iter().filter(|q| q.hall_id.as_str() == facts.hall_id) {
            for item_id in q.item_ids.iter().map(|i| i.as_str()) {
                let Some(item) = cfg.items.iter().find(|i| i.id.as_str() == item_id) else {
                    continue;
                };
                if out.iter().any(|i: &ItemInfo| i.id == item_id) {
                    continue;
                }
                out.push(ItemInfo {
                    id: item_id.to_owned(),
                    name: item.name.clone(),
                    queue_id: q.id.to_string(),
                    queue_name: q.name.clone(),
                    id_card_required: item.id_card_required,
                    uses: usage.get(item_id).copied().unwrap_or(0),
                });
            }
        }
        out.sort_by(|a, b| b.uses.cmp(&a.uses).then_with(|| a.name.cmp(&b.name)));
        Ok(out)
    }

    fn item(&self, item_id: &str) -> Result<ItemInfo, CommandError> {
        self.items()?
            .into_iter()
            .find(|i| i.id == item_id)
            .ok_or_else(|| CommandError::new("invalid", "本厅没有该事项 / no such item in this hall").field("item_id"))
    }

    fn count_use(&self, item_id: &str) {
        let snapshot = {
            let mut u = lock(&self.usage);
            *u.entry(item_id.to_owned()).or_default() += 1;
            u.clone()
        };
        // Losing a count is harmless (only the order of the home screen); never fail a ticket for it.
        if let Ok(b) = serde_json::to_vec(&snapshot)
            && let Err(e) = std::fs::write(self.config.data_dir.join("usage.json"), b)
        {
            tracing::warn!("usage counts not saved: {e}");
        }
    }

    /// Looks for an ID card on the reader (the screen asks every ~0.5 s while it waits). `None`: no
    /// card yet. A card read is kept for this visit only.
    pub fn read_card(&self) -> Result<Option<CardHolder>, CommandError> {
        let card = self.devices.read_card().map_err(device_err)?;
        let Some(card) = card else { return Ok(None) };
        let holder = self.holder_of(&card);
        *lock(&self.card) = Some(card);
        Ok(Some(holder))
    }

    fn holder_of(&self, card: &CardInfo) -> CardHolder {
        let elderly_age = self.hall_facts().map_or(60, |f| f.elderly_age);
        let offset = self.hall_facts().map_or(480, |f| f.utc_offset);
        let today = domain::Millis(now_ms()).business_day(offset).date();
        let age = birth_date(&card.birth).map_or(0, |b| b.age_on(today));
        CardHolder {
            name_masked: drivers::idcard::text::mask_name(&card.name),
            id_masked: drivers::idcard::text::mask_id(&card.id_number),
            age,
            elderly: age >= elderly_age,
        }
    }

    /// Ends the visit: the card is forgotten (home, idle timeout, done).
    pub fn end_visit(&self) {
        lock(&self.card).take();
        lock(&self.citizen_code).take();
        self.forget_consultation();
    }

    fn citizen_code(&self) -> Option<String> {
        lock(&self.citizen_code).clone()
    }

    /// How the hall node is told who the citizen is: the ID number from the card, or the scanned
    /// citizen code (`field` names the request's key).
    fn citizen_ref(&self) -> Option<(&'static str, String)> {
        self.card()
            .map(|c| ("id_number", c.id_number))
            .or_else(|| self.citizen_code().map(|c| ("citizen_code", c)))
    }

    fn card(&self) -> Option<CardInfo> {
        lock(&self.card).clone()
    }

    pub fn link(&self) -> LinkStatus {
        lock(&self.link).clone()
    }

    /// The outcome of a hall request decides the link state (a transport failure = offline).
    fn mark_link(&self, offline: bool) {
        let changed = {
            let mut l = lock(&self.link);
            let was = l.online;
            if offline && was {
                l.online = false;
                l.since_ms = Some(now_ms());
            } else if !offline && !was {
                l.online = true;
                l.since_ms = None;
            }
            was != l.online
        };
        if changed {
            self.emit(EVENT_LINK, self.link());
        }
    }

    /// A signed request to the hall node; non-2xx answers become errors with the server's code.
    async fn request(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Value, CommandError> {
        let client = self.client()?;
        let answer = client.call(method, path, body, None).await;
        self.mark_link(matches!(answer, Err(edge::ClientError::Unreachable(_))));
        let (status, v) = answer.map_err(|e| unreachable(&e))?;
        if (200..300).contains(&status) {
            Ok(v)
        } else {
            Err(refused(status, &v))
        }
    }

    /// One sync round: device health, outbox push, configuration pull; updates the link status.
    pub async fn sync_round(&self) {
        self.check_devices().await;
        let syncer = lock(&self.syncer).clone();
        let Some(syncer) = syncer else { return };
        let result = syncer.sync_once().await;
        let changed = {
            let mut l = lock(&self.link);
            let before = l.clone();
            match &result {
                Err(e) if e.is_unreachable() => {
                    if l.online {
                        l.since_ms = Some(now_ms());
                    }
                    l.online = false;
                    l.error = Some(e.to_string());
                }
                _ => {
                    l.online = true;
                    l.since_ms = None;
                    l.error = result.as_ref().err().map(ToString::to_string);
                }
            }
            l.waiting_events = self.store.waiting_events().unwrap_or(0);
            l.waiting_blobs = self.store.waiting_blobs().unwrap_or(0);
            *l != before
        };
        if changed {
            self.emit(EVENT_LINK, self.link());
        }
    }
}

fn no_config() -> CommandError {
    CommandError::new(
        "no_config",
        "尚未从大厅服务器取得事项配置，请稍候 / the hall's configuration has not arrived yet",
    )
}

/// `YYYYMMDD` → date.
fn birth_date(s: &str) -> Option<domain::time::Date> {
    let y = s.get(0..4)?.parse().ok()?;
    let m = s.get(4..6)?.parse().ok()?;
    let d = s.get(6..8)?.parse().ok()?;
    domain::time::Date::new(y, m, d)
}

fn hhmm(minute_of_day: i64) -> String {
    let m = minute_of_day.rem_euclid(24 * 60);
    format!("{:02}:{:02}", m / 60, m % 60)
}

pub fn unreachable(e: &edge::ClientError) -> CommandError {
    match e {
        edge::ClientError::Unreachable(m) => CommandError::new(
            "unreachable",
            format!("暂时无法连接大厅服务器 / hall node unreachable: {m}"),
        ),
        other => CommandError::new("hall", format!("大厅服务器出错 / hall node error: {other}")),
    }
}

/// A refused request: the server's code, a plain Chinese reason, the server's message, the field.
fn refused(status: u16, body: &Value) -> CommandError {
    let body = ErrorBody::deserialize(body).ok();
    let code = body.as_ref().map_or("refused", |b| b.code.as_str()).to_owned();
    let msg = body.as_ref().map_or("", |b| b.message.as_str()).to_owned();
    let zh = match (status, code.as_str()) {
        (404, _) => "没有找到",
        (409, c) if c.contains("quota") => "今日该事项号源已取完",
        (409, _) => "当前无法办理",
        (422 | 400, _) => "信息有误",
        _ => "大厅服务器拒绝了请求",
    };
    let mut e = CommandError::new(code, format!("{zh} / {msg}"));
    if let Some(f) = body.and_then(|b| b.field) {
        e = e.field(f);
    }
    e
}

/// A server's answer read as its wire type (`hall_api`).
fn answer<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, CommandError> {
    serde_json::from_value(v).map_err(|e| {
        CommandError::new(
            "hall",
            format!("大厅服务器的回答无法读取 / unreadable answer from the hall node: {e}"),
        )
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn birth_dates_and_clock_times_are_read_plainly() {
        assert_eq!(birth_date("19500101").unwrap().to_string(), "1950-01-01");
        assert!(birth_date("1950-1-1").is_none());
        assert!(birth_date("19501301").is_none());
        assert_eq!(hhmm(510), "08:30");
        assert_eq!(hhmm(-30), "23:30");
    }

    #[test]
    fn a_quota_refusal_is_explained() {
        let e = refused(
            409,
            &serde_json::json!({"code": "quota_exhausted", "message": "daily quota reached"}),
        );
        assert!(e.message.starts_with("今日该事项号源已取完"), "{}", e.message);
        let e = refused(
            422,
            &serde_json::json!({"code": "invalid", "message": "x", "field": "id_card.number"}),
        );
        assert_eq!(e.field.as_deref(), Some("id_card.number"));
    }
}
