//! Window actions (call, recall, start, finish, no-show, park, open, close, pause) and ticket actions
//! (void, transfer), with the window LED.

#[allow(clippy::wildcard_imports)]
use super::*;

impl Terminal {
    pub(super) async fn window_request(&self, action: &str, body: Option<Value>) -> Result<ActionResult, CommandError> {
        let client = self.client()?;
        let token = self.token()?;
        let path = paths::window_action(&self.config.window, action);
        let r = hall::request(&client, Method::POST, &path, body.as_ref(), Some(&token)).await;
        self.mark_link(&r);
        let r: WindowActionResponse = hall::answer(r?)?;
        Ok(hall::action_result(&r, &self.queue_names()))
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

    pub(super) fn show_led(&self, display: &str, sent: Instant, round_trip: Duration) {
        if let Err(e) = self.devices.led_show(display) {
            tracing::warn!("LED: {e}");
            self.emit(EVENT_DEVICES, self.device_status());
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

    pub(super) fn current_id(&self) -> Result<String, CommandError> {
        lock(&self.session)
            .current
            .as_ref()
            .map(|t| t.id.clone())
            .ok_or_else(|| CommandError::new("no_ticket", "当前没有正在办理的号码 / no current ticket"))
    }

    pub(super) async fn ticket_request(&self, what: &str, body: Value) -> Result<(), CommandError> {
        let client = self.client()?;
        let token = self.token()?;
        let id = self.current_id()?;
        let r = hall::request(
            &client,
            Method::POST,
            &paths::ticket_action(&id, what),
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
}
