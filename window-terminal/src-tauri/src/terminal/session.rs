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
        let path = paths::window_action(&self.config.window, "sign-out");
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
            &paths::sessions(),
            Some(&json!({"login": login.trim(), "password": password})),
            None,
        )
        .await?;
        let s: SessionResponse = hall::answer(s)?;
        let token = s.token;
        let staff = StaffInfo {
            staff_id: s.staff_id,
            name: s.name,
        };
        let w = &self.config.window;
        hall::request(
            &client,
            Method::POST,
            &paths::window_action(w, "sign-in"),
            None,
            Some(&token),
        )
        .await?;
        let opened = hall::request(
            &client,
            Method::POST,
            &paths::window_action(w, "open"),
            None,
            Some(&token),
        )
        .await;
        // Opening an already open window is refused; the sign-in stands either way.
        let names = self.queue_names();
        let panel = match opened {
            Ok(v) => hall::answer::<WindowActionResponse>(v)
                .map_or_else(|_| Panel::default(), |r| hall::action_result(&r, &names).panel),
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
            &paths::staff_card(&staff.staff_id),
            None,
            token.as_deref(),
        )
        .await
            && let Ok(v) = hall::answer::<StaffCardView>(v)
        {
            card.department = v.department.unwrap_or_default();
            card.staff_number = v.staff_number;
            card.motto = v.motto.or(card.motto);
        }
        if let Some(cfg) = self.replica() {
            let w = cfg.windows.iter().find(|w| w.id.as_str() == self.config.window);
            if let Some(w) = w {
                card.window_number = w.number.clone();
                if card.department.is_empty() {
                    card.department = department_of(&cfg, w).unwrap_or_default();
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
        let path = paths::window_panel(&self.config.window);
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
fn department_of(cfg: &domain::CityConfig, window: &domain::config::Window) -> Option<String> {
    let name = |id: &domain::ids::DepartmentId| cfg.departments.iter().find(|d| &d.id == id).map(|d| d.name.clone());
    if let Some(d) = &window.department_id {
        return name(d);
    }
    let q = window.profile.queues.first()?;
    let queue = cfg.queues.iter().find(|x| &x.id == q)?;
    let item = queue.item_ids.first()?;
    let item = cfg.items.iter().find(|i| &i.id == item)?;
    name(&item.department_id)
}
