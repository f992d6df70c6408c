//! Staff session at the window: sign-in (window opened), sign-out, the evaluator's staff card, and the
//! live panel refreshed from the hall node.

#[allow(clippy::wildcard_imports)]
use super::*;

impl Terminal {
    /// Signs the person out at this window (`POST /windows/{id}/sign-out`, which closes it): the
    /// session, its counters and any scan under review are dropped, the evaluator goes idle without a
    /// staff card, the LED is cleared. The staff window returns to sign-in.
    pub async fn sign_out(&self) -> Result<Startup, CommandError> {
        let client = self.client()?;
        let token = self.token()?;
        let path = format!("/api/v1/windows/{}/sign-out", self.config.window);
        let r = hall::request(&client, Method::POST, &path, None, Some(&token)).await;
        self.mark_link(&r);
        r?;
        {
            let mut s = lock(&self.session);
            let panel_gen = s.panel_gen + 1;
            *s = Session {
                panel_gen,
                ..Session::default()
            };
        }
        {
            let mut e = lock(&self.eval);
            e.card = StaffCard::default();
            e.stage = Stage::Idle;
        }
        *lock(&self.scan) = None;
        let _ = self.devices.led_show("");
        self.emit_evaluator();
        self.startup()
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
    pub(super) async fn staff_card(&self, client: &SyncClient, staff: &StaffInfo) -> StaffCard {
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
