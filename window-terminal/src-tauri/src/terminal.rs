//! The terminal's logic, free of Tauri: enrollment, staff session, window actions, ID card, scans,
//! confirmation and evaluation, the hall link. Commands (`commands.rs`) only forward to it, so the
//! mock-runtime tests and the real app run the same code.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app_types::window_terminal::*;
use app_types::{CommandError, LinkStatus};
use base64::Engine;
use edge::{EdgeStore, SyncClient, Syncer, SyncerConfig};
use reqwest::Method;
use serde_json::{Value, json};

use crate::config::Config;
use crate::devices::{DeviceError, Devices};
use crate::evaluator::{Evaluator, Stage};
use crate::hall::{self, ActionResult};

/// How the terminal tells the windows that something changed (Tauri's `emit` in the app).
pub type Emit = Arc<dyn Fn(&'static str, Value) + Send + Sync>;

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn store_err(e: impl std::fmt::Display) -> CommandError {
    CommandError::new("storage", format!("本机存储出错 / local storage failed: {e}"))
}

fn device_err(e: DeviceError) -> CommandError {
    let code = match e {
        DeviceError::Absent(..) => "device_absent",
        DeviceError::NoCard => "no_card",
        DeviceError::NoDocument(_) => "no_document",
        _ => "device_fault",
    };
    CommandError::new(code, e.to_string())
}

#[derive(Default)]
struct Session {
    token: Option<String>,
    staff: Option<StaffInfo>,
    panel: Panel,
    current: Option<TicketInfo>,
    calls: u32,
    rated: u32,
    /// Bumped whenever an action sets the panel, so a refresh that raced it is dropped.
    panel_gen: u64,
}

struct PendingScan {
    id: u64,
    jpeg: Vec<u8>,
}

pub struct Terminal {
    pub config: Config,
    store: EdgeStore,
    pub devices: Arc<Devices>,
    client: Mutex<Option<Arc<SyncClient>>>,
    syncer: Mutex<Option<Arc<Syncer>>>,
    session: Mutex<Session>,
    eval: Mutex<Evaluator>,
    link: Mutex<LinkStatus>,
    scan: Mutex<Option<PendingScan>>,
    scan_seq: Mutex<u64>,
    measurements: Arc<Mutex<SimMeasurements>>,
    emit: Mutex<Emit>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A poisoned lock means a command panicked; the data is still consistent enough to go on.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Terminal {
    pub fn open(config: Config) -> anyhow::Result<Terminal> {
        check_evaluator(&config.evaluator)?;
        std::fs::create_dir_all(&config.data_dir)?;
        let store = EdgeStore::open(&config.data_dir)?;
        let devices = Devices::open(
            &config.idcard,
            &config.camera,
            &config.led,
            config.led_addr,
            &config.evaluator,
        )?;
        let t = Terminal {
            config,
            store,
            devices: Arc::new(devices),
            client: Mutex::new(None),
            syncer: Mutex::new(None),
            session: Mutex::new(Session::default()),
            eval: Mutex::new(Evaluator::default()),
            link: Mutex::new(LinkStatus {
                online: true,
                since_ms: None,
                waiting_events: 0,
                waiting_blobs: 0,
                error: None,
            }),
            scan: Mutex::new(None),
            scan_seq: Mutex::new(0),
            measurements: Arc::new(Mutex::new(SimMeasurements::default())),
            emit: Mutex::new(Arc::new(|_, _| {})),
        };
        if let Some(id) = t.store.identity()? {
            t.connect(&id)?;
        }
        Ok(t)
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
        let client = SyncClient::from_identity(id, &cfg.client)?;
        *lock(&self.client) = Some(Arc::new(client));
        let syncer = Syncer::new(self.store.clone(), cfg)?;
        *lock(&self.syncer) = Some(Arc::new(syncer));
        Ok(())
    }

    fn client(&self) -> Result<Arc<SyncClient>, CommandError> {
        lock(&self.client)
            .clone()
            .ok_or_else(|| CommandError::new("not_enrolled", "本终端尚未注册 / this terminal is not enrolled yet"))
    }

    fn token(&self) -> Result<String, CommandError> {
        lock(&self.session)
            .token
            .clone()
            .ok_or_else(|| CommandError::new("not_signed_in", "请先登录 / sign in first"))
    }

    pub fn startup(&self) -> Result<Startup, CommandError> {
        let id = self.store.identity().map_err(store_err)?;
        let s = lock(&self.session);
        Ok(Startup {
            enrolled: id.is_some(),
            window_id: self.config.window.clone(),
            hall_id: id.as_ref().map(|i| i.hall_id.clone()),
            device_id: id.as_ref().map(|i| i.device_id.clone()),
            upstream: id.as_ref().map(|i| i.upstream.clone()),
            staff: s.staff.clone(),
            devices: self.devices.status(),
            link: lock(&self.link).clone(),
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
        let name = format!("窗口终端 {}", self.config.window);
        let enrollment = SyncClient::enroll(address, code.trim(), &name)
            .await
            .map_err(|e| match e {
                edge::ClientError::Refused { .. } => {
                    CommandError::new("enroll_refused", format!("注册码无效或已使用 / code refused: {e}")).field("code")
                }
                other => hall::unreachable(&other),
            })?;
        if enrollment.kind != "window_terminal" {
            return Err(CommandError::new(
                "wrong_kind",
                format!(
                    "该注册码用于 {}，不是窗口终端 / code is for a {} device",
                    enrollment.kind, enrollment.kind
                ),
            )
            .field("code"));
        }
        let identity = enrollment.into_identity(address);
        self.store.save_identity(&identity).map_err(store_err)?;
        self.connect(&identity).map_err(store_err)?;
        self.startup()
    }

    fn queue_names(&self) -> impl Fn(&str) -> String + use<> {
        let names: HashMap<String, String> = self
            .store
            .config()
            .ok()
            .flatten()
            .and_then(|(_, c)| {
                let qs = c.get("queues")?.as_array()?.clone();
                Some(
                    qs.iter()
                        .filter_map(|q| Some((q["id"].as_str()?.to_owned(), q["name"].as_str()?.to_owned())))
                        .collect(),
                )
            })
            .unwrap_or_default();
        move |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }

    /// Login and sign-in at this terminal's window, which is then opened for calling.
    pub async fn sign_in(&self, login: &str, password: &str) -> Result<Panel, CommandError> {
        let client = self.client()?;
        if login.trim().is_empty() || password.is_empty() {
            return Err(CommandError::new("invalid", "请输入工号和密码 / enter login and password").field("login"));
        }
        let s = hall::request(
            &client,
            Method::POST,
            "/api/v1/sessions",
            Some(&json!({"login": login.trim(), "password": password})),
            None,
        )
        .await?;
        let token = s["token"].as_str().unwrap_or_default().to_owned();
        let staff = StaffInfo {
            staff_id: s["staff_id"].as_str().unwrap_or_default().to_owned(),
            name: s["name"].as_str().unwrap_or_default().to_owned(),
        };
        let w = &self.config.window;
        hall::request(
            &client,
            Method::POST,
            &format!("/api/v1/windows/{w}/sign-in"),
            None,
            Some(&token),
        )
        .await?;
        let opened = hall::request(
            &client,
            Method::POST,
            &format!("/api/v1/windows/{w}/open"),
            None,
            Some(&token),
        )
        .await;
        // Opening an already open window is refused; the sign-in stands either way.
        let names = self.queue_names();
        let panel = match opened {
            Ok(v) => hall::action_result(&v, &names).panel,
            Err(_) => Panel::default(),
        };
        {
            let mut sess = lock(&self.session);
            sess.token = Some(token);
            sess.staff = Some(staff.clone());
            sess.panel = panel;
            sess.panel_gen += 1;
        }
        self.refresh_panel().await;
        let card = self.staff_card(&client, &staff).await;
        lock(&self.eval).card = card;
        self.emit_evaluator();
        Ok(self.panel())
    }

    /// The card the evaluator shows. Uses `GET /staff/{id}/card` when the hall node has it, else what
    /// the session and the configuration replica say.
    async fn staff_card(&self, client: &SyncClient, staff: &StaffInfo) -> StaffCard {
        let token = lock(&self.session).token.clone();
        let mut card = StaffCard {
            name: staff.name.clone(),
            staff_number: staff.staff_id.clone(),
            department: String::new(),
            window_number: String::new(),
            motto: Some("用心服务，一次办好".into()),
            photo: None,
        };
        if let Ok(v) = hall::request(
            client,
            Method::GET,
            &format!("/api/v1/staff/{}/card", staff.staff_id),
            None,
            token.as_deref(),
        )
        .await
        {
            let s = |k: &str| v[k].as_str().map(str::to_owned);
            card.department = s("department").unwrap_or_default();
            card.staff_number = s("staff_number").unwrap_or(card.staff_number);
            card.motto = s("motto").or(card.motto);
        }
        if let Ok(Some((_, cfg))) = self.store.config() {
            let w = cfg["windows"]
                .as_array()
                .and_then(|ws| ws.iter().find(|w| w["id"] == self.config.window.as_str()))
                .cloned();
            if let Some(w) = w {
                card.window_number = w["number"].as_str().unwrap_or_default().to_owned();
                if card.department.is_empty() {
                    card.department = department_of(&cfg, &w).unwrap_or_default();
                }
            }
        }
        if card.window_number.is_empty() {
            card.window_number = lock(&self.session).panel.window_number.clone();
        }
        card
    }

    pub fn panel(&self) -> Panel {
        let s = lock(&self.session);
        let mut p = s.panel.clone();
        p.current = s.current.clone();
        p.calls_today = s.calls;
        p.rated_today = s.rated;
        p
    }

    fn mark_link(&self, result: &Result<Value, CommandError>) {
        let offline = matches!(result, Err(e) if e.code == "unreachable");
        let changed = {
            let mut l = lock(&self.link);
            let was = l.online;
            if offline && was {
                l.online = false;
                l.since_ms = Some(now_ms());
            } else if !offline && !was && result.is_ok() {
                l.online = true;
                l.since_ms = None;
            }
            was != l.online
        };
        if changed {
            self.emit(EVENT_LINK, lock(&self.link).clone());
        }
    }

    async fn window_request(&self, action: &str, body: Option<Value>) -> Result<ActionResult, CommandError> {
        let client = self.client()?;
        let token = self.token()?;
        let path = format!("/api/v1/windows/{}/{action}", self.config.window);
        let r = hall::request(&client, Method::POST, &path, body.as_ref(), Some(&token)).await;
        self.mark_link(&r);
        Ok(hall::action_result(&r?, &self.queue_names()))
    }

    /// call-next, recall, start, finish, no-show, park, open (resume), close.
    pub async fn action(&self, action: &str) -> Result<Panel, CommandError> {
        const ACTIONS: [&str; 8] = [
            "call-next",
            "recall",
            "start",
            "finish",
            "no-show",
            "park",
            "open",
            "close",
        ];
        if !ACTIONS.contains(&action) {
            return Err(CommandError::new(
                "invalid",
                format!("未知操作 / unknown action {action}"),
            ));
        }
        let sent = Instant::now();
        let r = self.window_request(action, None).await?;
        let round_trip = sent.elapsed();
        let finished = {
            let mut s = lock(&self.session);
            s.panel = r.panel.clone();
            s.panel_gen += 1;
            let previous = s.current.take();
            let mut finished = None;
            match (action, r.ticket) {
                ("call-next" | "recall" | "start", Some(mut t)) => {
                    // Keep what this terminal added to the ticket (card read, scans, confirmation).
                    if let Some(p) = previous.filter(|p| p.id == t.id) {
                        t.citizen_name = t.citizen_name.or(p.citizen_name);
                        t.citizen_id = t.citizen_id.or(p.citizen_id);
                        t.scans = p.scans;
                        t.confirmation = p.confirmation;
                    }
                    if action == "call-next" {
                        s.calls += 1;
                    }
                    s.current = Some(t);
                }
                ("finish", Some(t)) => finished = Some(t),
                ("open" | "close", _) => s.current = previous,
                _ => {}
            }
            finished
        };
        match action {
            "call-next" | "recall" => {
                let current = lock(&self.session).current.clone();
                if let Some(t) = current {
                    self.show_led(&t.display, sent, round_trip);
                }
            }
            "finish" | "no-show" | "park" => {
                let _ = self.devices.led_show("");
            }
            _ => {}
        }
        if let Some(t) = finished {
            self.start_evaluation(&t);
        }
        self.refresh_panel().await;
        Ok(self.panel())
    }

    /// Reloads waiting counts, today's figures and transfer targets from `GET /windows/{id}/panel`
    /// (each sync round and after each action). Only while signed in; a failure keeps the panel as
    /// it was. True when the panel changed.
    pub async fn refresh_panel(&self) -> bool {
        let (Ok(client), Ok(token)) = (self.client(), self.token()) else {
            return false;
        };
        let generation = lock(&self.session).panel_gen;
        let path = format!("/api/v1/windows/{}/panel", self.config.window);
        let Ok(v) = hall::request(&client, Method::GET, &path, None, Some(&token)).await else {
            return false;
        };
        let fresh = hall::live_panel(&v, &self.queue_names());
        let mut s = lock(&self.session);
        // Signed out, or an action answered meanwhile: its panel is newer than this one.
        if s.token.as_deref() != Some(token.as_str()) || s.panel_gen != generation || fresh.window_id.is_empty() {
            return false;
        }
        let changed = s.panel != fresh;
        s.panel = fresh;
        s.panel_gen += 1;
        changed
    }

    fn show_led(&self, display: &str, sent: Instant, round_trip: Duration) {
        if let Err(e) = self.devices.led_show(display) {
            tracing::warn!("LED: {e}");
            self.emit(EVENT_DEVICES, self.devices.status());
            return;
        }
        let m = Arc::clone(&self.measurements);
        lock(&m).call_ms.push(round_trip.as_secs_f64() * 1000.0);
        if self.config.sim_control {
            // Measured off the command's path: the simulated screen reports when the frame arrived.
            let devices = Arc::clone(&self.devices);
            let text = display.to_owned();
            std::thread::spawn(move || {
                if let Some(d) = devices.sim_led_wait(&text, sent, Duration::from_secs(3)) {
                    lock(&m).led_ms.push(d.as_secs_f64() * 1000.0);
                }
            });
        }
    }

    pub async fn pause(&self, reason: &str) -> Result<Panel, CommandError> {
        let r = self
            .window_request("pause", Some(json!({"reason": reason.trim()})))
            .await?;
        {
            let mut s = lock(&self.session);
            s.panel = r.panel;
            s.panel_gen += 1;
        }
        let _ = self.devices.led_show("暂停服务");
        self.refresh_panel().await;
        Ok(self.panel())
    }

    fn current_id(&self) -> Result<String, CommandError> {
        lock(&self.session)
            .current
            .as_ref()
            .map(|t| t.id.clone())
            .ok_or_else(|| CommandError::new("no_ticket", "当前没有正在办理的号码 / no current ticket"))
    }

    async fn ticket_request(&self, what: &str, body: Value) -> Result<(), CommandError> {
        let client = self.client()?;
        let token = self.token()?;
        let id = self.current_id()?;
        let r = hall::request(
            &client,
            Method::POST,
            &format!("/api/v1/tickets/{id}/{what}"),
            Some(&body),
            Some(&token),
        )
        .await;
        self.mark_link(&r);
        r?;
        lock(&self.session).current = None;
        let _ = self.devices.led_show("");
        Ok(())
    }

    pub async fn void(&self, reason: &str) -> Result<Panel, CommandError> {
        if reason.trim().is_empty() {
            return Err(CommandError::new("invalid", "请填写作废原因 / give a reason").field("reason"));
        }
        self.ticket_request("void", json!({"reason": reason.trim()})).await?;
        self.refresh_panel().await;
        Ok(self.panel())
    }

    pub async fn transfer(&self, kind: &str, id: &str) -> Result<Panel, CommandError> {
        let body = hall::transfer_body(kind, id)?;
        self.ticket_request("transfer", body).await?;
        self.refresh_panel().await;
        Ok(self.panel())
    }

    /// Reads the card on the reader and attaches it to the current ticket (hall node when it has the
    /// route and answers; otherwise kept on this terminal with the ticket).
    pub async fn read_card(&self) -> Result<CardRead, CommandError> {
        let devices = Arc::clone(&self.devices);
        let card = tauri::async_runtime::spawn_blocking(move || devices.read_card())
            .await
            .map_err(|e| CommandError::new("internal", e.to_string()))?;
        self.emit(EVENT_DEVICES, self.devices.status());
        let card = card.map_err(device_err)?;
        let name_masked = drivers::idcard::text::mask_name(&card.name);
        let id_masked = drivers::idcard::text::mask_id(&card.id_number);
        let Ok(ticket) = self.current_id() else {
            return Ok(CardRead {
                name_masked,
                id_masked,
                attached: false,
                stored: "none".into(),
            });
        };
        let mut stored = "local".to_owned();
        if let (Ok(client), Ok(token)) = (self.client(), self.token()) {
            let body = json!({"number": card.id_number, "name": card.name});
            let r = hall::request(
                &client,
                Method::POST,
                &format!("/api/v1/tickets/{ticket}/citizen"),
                Some(&body),
                Some(&token),
            )
            .await;
            if r.is_ok() {
                stored = "server".into();
            }
        }
        if let Some(t) = lock(&self.session).current.as_mut() {
            t.citizen_name = Some(name_masked.clone());
            t.citizen_id = Some(id_masked.clone());
        }
        Ok(CardRead {
            name_masked,
            id_masked,
            attached: true,
            stored,
        })
    }

    /// Captures and crops one document; it waits for accept or retake.
    pub async fn scan_capture(&self) -> Result<ScanPreview, CommandError> {
        let devices = Arc::clone(&self.devices);
        let scan = tauri::async_runtime::spawn_blocking(move || devices.scan())
            .await
            .map_err(|e| CommandError::new("internal", e.to_string()))?
            .map_err(device_err)?;
        let id = {
            let mut n = lock(&self.scan_seq);
            *n += 1;
            *n
        };
        let preview = ScanPreview {
            scan_id: id,
            width: scan.width,
            height: scan.height,
            bytes: scan.jpeg.len() as u64,
            sm3: scan.sm3.clone(),
            data_url: format!(
                "data:image/jpeg;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(&scan.jpeg)
            ),
        };
        *lock(&self.scan) = Some(PendingScan { id, jpeg: scan.jpeg });
        Ok(preview)
    }

    /// Keeps the reviewed scan: a local blob plus a `blob.attached` event, uploaded by the syncer.
    pub fn scan_accept(&self, scan_id: u64) -> Result<ScanAccepted, CommandError> {
        let ticket_id = self.current_id()?;
        let pending = {
            let mut slot = lock(&self.scan);
            // A stale id (an earlier preview) must not consume the one under review.
            if slot.as_ref().is_some_and(|p| p.id == scan_id) {
                slot.take()
            } else {
                None
            }
        };
        let Some(p) = pending else {
            return Err(CommandError::new(
                "not_pending",
                "没有待确认的扫描件 / no scan awaiting review",
            ));
        };
        let digest = self.store.put_blob(&p.jpeg).map_err(store_err)?;
        let payload = json!({"ticket_id": ticket_id, "digest": digest, "media": "scan", "size": p.jpeg.len()});
        self.store
            .append(protocol::sync::kinds::BLOB_ATTACHED, 1, now_ms(), &payload)
            .map_err(store_err)?;
        if let Some(t) = lock(&self.session).current.as_mut() {
            t.scans += 1;
        }
        Ok(ScanAccepted {
            digest,
            ticket_id,
            waiting_blobs: self.store.waiting_blobs().map_err(store_err)?,
        })
    }

    pub fn scan_discard(&self) {
        *lock(&self.scan) = None;
    }

    /// Pushes the key fields of the current ticket to the citizen's screen.
    pub fn push_confirmation(&self) -> Result<Confirmation, CommandError> {
        let t = lock(&self.session)
            .current
            .clone()
            .ok_or_else(|| CommandError::new("no_ticket", "当前没有正在办理的号码 / no current ticket"))?;
        let c = Confirmation {
            ticket_id: t.id.clone(),
            ticket: t.display.clone(),
            item: t.item_name.clone().unwrap_or_default(),
            citizen_name: t.citizen_name.clone().unwrap_or_default(),
            citizen_id: t.citizen_id.clone().unwrap_or_default(),
            scans: t.scans,
        };
        lock(&self.eval).push_confirmation(c.clone());
        self.emit_evaluator();
        Ok(c)
    }

    /// The citizen pressed 确认 (`ok`) or 有误 on the evaluator; recorded in the outbox.
    pub fn answer_confirmation(&self, ticket_id: &str, ok: bool) -> Result<Panel, CommandError> {
        lock(&self.eval).answer_confirmation(ticket_id)?;
        let answer = if ok { "confirmed" } else { "disputed" };
        let shown = lock(&self.eval).last_confirmation.clone();
        let payload = confirmation_payload(ticket_id, shown.as_ref(), ok);
        self.store
            .append(protocol::sync::kinds::TICKET_CONFIRMED, 1, now_ms(), &payload)
            .map_err(store_err)?;
        if let Some(t) = lock(&self.session).current.as_mut().filter(|t| t.id == ticket_id) {
            t.confirmation = Some(answer.into());
        }
        self.emit_evaluator();
        let panel = self.panel();
        self.emit(EVENT_PANEL, &panel);
        Ok(panel)
    }

    fn start_evaluation(&self, t: &TicketInfo) {
        if self.config.evaluator == "none" {
            return;
        }
        let deadline = now_ms() + i64::try_from(self.config.rating_timeout_secs).unwrap_or(60) * 1000;
        let reasons = self.rating_reasons();
        lock(&self.eval).reasons = reasons;
        lock(&self.eval).start_rating(t.id.clone(), t.display.clone(), deadline);
        self.emit_evaluator();
    }

    pub fn evaluator_view(&self) -> EvaluatorView {
        let mut e = lock(&self.eval);
        e.expire(now_ms());
        e.view()
    }

    fn emit_evaluator(&self) {
        let v = lock(&self.eval).view();
        self.emit(EVENT_EVALUATOR, v);
    }

    /// Stores the citizen's rating with a photo taken now: blob + `ticket.rated` + `blob.attached`
    /// in the outbox, synced whenever the hall node answers.
    pub async fn rate(&self, input: RatingInput) -> Result<RatingStored, CommandError> {
        let checked = lock(&self.eval).accept(&input, now_ms());
        if let Err(e) = checked {
            // Only a lapsed evaluation changes the screen; a missing reason keeps the citizen's choice.
            if e.code == "timeout" {
                self.emit_evaluator();
            }
            return Err(e);
        }
        let devices = Arc::clone(&self.devices);
        let photo = tauri::async_runtime::spawn_blocking(move || devices.photo())
            .await
            .map_err(|e| CommandError::new("internal", e.to_string()))?;
        // No photo (camera absent or failed): the rating still counts; the missing proof is logged.
        let photo_digest = match photo {
            Ok(jpeg) => {
                let d = self.store.put_blob(&jpeg).map_err(store_err)?;
                let p = json!({"ticket_id": input.ticket_id, "digest": d, "media": "photo", "size": jpeg.len()});
                self.store
                    .append(protocol::sync::kinds::BLOB_ATTACHED, 1, now_ms(), &p)
                    .map_err(store_err)?;
                d
            }
            Err(e) => {
                tracing::warn!("rating photo: {e}");
                String::new()
            }
        };
        let comment = Some(input.comment.trim()).filter(|c| !c.is_empty());
        let photo = Some(photo_digest.as_str()).filter(|d| !d.is_empty());
        let payload = json!({"ticket_id": input.ticket_id, "level": input.level, "reasons": input.reasons,
            "comment": comment, "photo": photo});
        let ev = self
            .store
            .append(protocol::sync::kinds::TICKET_RATED, 1, now_ms(), &payload)
            .map_err(store_err)?;
        lock(&self.session).rated += 1;
        lock(&self.measurements).ratings += 1;
        self.emit_evaluator();
        let panel = self.panel();
        self.emit(EVENT_PANEL, &panel);
        Ok(RatingStored {
            ticket_id: input.ticket_id,
            level: input.level,
            photo_digest,
            seq: ev.seq,
        })
    }

    /// Back to the staff card after the thank-you screen.
    pub fn evaluator_idle(&self) {
        let mut e = lock(&self.eval);
        if matches!(e.stage, Stage::Thanks { .. }) {
            e.stage = Stage::Idle;
        }
        drop(e);
        self.emit_evaluator();
    }

    pub fn measurements(&self) -> SimMeasurements {
        let mut m = lock(&self.measurements).clone();
        m.led_text = self.devices.sim_led_text();
        m
    }

    pub fn link(&self) -> LinkStatus {
        lock(&self.link).clone()
    }

    /// One sync round: pushes the outbox and blobs, pulls configuration; updates the link status.
    pub async fn sync_round(&self) {
        let syncer = lock(&self.syncer).clone();
        let Some(syncer) = syncer else { return };
        let result = syncer.sync_once().await;
        let (events, blobs) = (
            self.store.waiting_events().unwrap_or(0),
            self.store.waiting_blobs().unwrap_or(0),
        );
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
            l.waiting_events = events;
            l.waiting_blobs = blobs;
            *l != before
        };
        if changed {
            self.emit(EVENT_LINK, self.link());
        }
        let expired = lock(&self.eval).expire(now_ms());
        if expired {
            self.emit_evaluator();
        }
        if self.refresh_panel().await {
            self.emit(EVENT_PANEL, self.panel());
        }
    }
}

impl Terminal {
    /// The hall's reasons for a negative rating (configuration replica), else the domain's defaults:
    /// the hall node accepts only reasons from its list.
    fn rating_reasons(&self) -> Vec<String> {
        let hall = self.store.identity().ok().flatten().map(|i| i.hall_id);
        self.store
            .config()
            .ok()
            .flatten()
            .and_then(|(_, cfg)| {
                let h = cfg["halls"]
                    .as_array()?
                    .iter()
                    .find(|h| h["id"].as_str() == hall.as_deref())?
                    .clone();
                let list: Vec<String> = h["rating_reasons"]
                    .as_array()?
                    .iter()
                    .filter_map(|r| r.as_str().map(str::to_owned))
                    .collect();
                (!list.is_empty()).then_some(list)
            })
            .unwrap_or_else(domain::config::default_rating_reasons)
    }
}

/// The evaluator setting this terminal can honour: `window` or `none`. The network pad (`pad:HOST:PORT`)
/// is refused rather than accepted and ignored, so a counter is never set up with an evaluator that
/// silently records nothing.
pub fn check_evaluator(evaluator: &str) -> anyhow::Result<()> {
    match evaluator {
        "window" | "none" => Ok(()),
        pad if pad.starts_with("pad:") => anyhow::bail!(
            "网络评价器尚未接入，请使用 --evaluator window 或 none / the network evaluator pad is not wired yet; use --evaluator window or none (got {pad})"
        ),
        other => anyhow::bail!(
            "评价器设置无效，请使用 --evaluator window 或 none / unknown evaluator {other:?}; use --evaluator window or none"
        ),
    }
}

/// The `ticket.confirmed` payload: digests of what the citizen saw (the values stay here).
fn confirmation_payload(ticket_id: &str, shown: Option<&Confirmation>, ok: bool) -> Value {
    let fields: Vec<(&str, String)> = shown
        .map(|c| {
            vec![
                ("号码", c.ticket.clone()),
                ("办理事项", c.item.clone()),
                ("姓名", c.citizen_name.clone()),
                ("身份证号", c.citizen_id.clone()),
                ("提交材料", c.scans.to_string()),
            ]
        })
        .unwrap_or_default();
    let text: String = fields.iter().map(|(l, v)| format!("{l}：{v}\n")).collect();
    json!({
        "ticket_id": ticket_id,
        "fields": fields.iter().map(|(l, v)| json!({"label": l, "value_digest": protocol::sign::sm3_hex(v.as_bytes())})).collect::<Vec<_>>(),
        "digest": protocol::sign::sm3_hex(text.as_bytes()),
        "outcome": if ok { "confirmed" } else { "rejected" },
        "at": now_ms(),
    })
}

/// The department of a window: its own, else that of the first item it serves.
fn department_of(cfg: &Value, window: &Value) -> Option<String> {
    let depts = cfg["departments"].as_array()?;
    let name = |id: &str| {
        depts
            .iter()
            .find(|d| d["id"] == id)
            .and_then(|d| d["name"].as_str())
            .map(str::to_owned)
    };
    if let Some(d) = window["department_id"].as_str() {
        return name(d);
    }
    let q = window["profile"]["queues"].as_array()?.first()?.as_str()?;
    let queue = cfg["queues"].as_array()?.iter().find(|x| x["id"] == q)?;
    let item = queue["item_ids"].as_array()?.first()?.as_str()?;
    let item = cfg["items"].as_array()?.iter().find(|i| i["id"] == item)?;
    name(item["department_id"].as_str()?)
}
