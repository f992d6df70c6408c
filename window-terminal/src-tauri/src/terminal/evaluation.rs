//! The citizen's side: 双屏确认 (push, answer) and the evaluation (start, rate with photo, timeout).

#[allow(clippy::wildcard_imports)]
use super::*;
use drivers::evaluator::Outcome;

impl Terminal {
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

    pub(super) fn start_evaluation(&self, t: &TicketInfo) {
        if self.config.evaluator == "none" {
            return;
        }
        let deadline = now_ms() + i64::try_from(self.config.rating_timeout_secs).unwrap_or(60) * 1000;
        let reasons = self.rating_reasons();
        lock(&self.eval).reasons = reasons;
        lock(&self.eval).start_rating(t.id.clone(), t.display.clone(), deadline);
        self.emit_evaluator();
        if let Some(pad) = self.pad.clone() {
            self.evaluate_on_pad(pad, t);
        }
    }

    /// Shows the evaluation with the staff card on the network pad and waits (off the command's
    /// path) for the citizen: a rating goes through [`Terminal::rate`] like one from the evaluator
    /// window (same rules, photo, outbox); no rating within the timeout records nothing.
    fn evaluate_on_pad(&self, pad: Arc<PadServer>, t: &TicketInfo) {
        let card = lock(&self.eval).card.clone();
        let evaluation = drivers::evaluator::Evaluation {
            ticket: t.display.clone(),
            case_no: None,
            staff: drivers::evaluator::StaffCard {
                department: card.department,
                staff_no: card.staff_number,
                name: card.name,
                photo_url: card.photo.unwrap_or_default(),
                motto: card.motto.unwrap_or_default(),
            },
        };
        let this = lock(&self.this).clone();
        let work_no = self.config.window.clone();
        let ticket_id = t.id.clone();
        tauri::async_runtime::spawn(async move {
            let outcome = tauri::async_runtime::spawn_blocking(move || pad.evaluate(&work_no, &evaluation)).await;
            let Some(terminal) = this.upgrade() else { return };
            match outcome {
                Ok(Ok(Outcome::Rated(r))) => {
                    let input = RatingInput {
                        ticket_id,
                        level: r.rating.level(),
                        reasons: r.reasons,
                        comment: r.text.unwrap_or_default(),
                    };
                    if let Err(e) = terminal.rate(input).await {
                        tracing::warn!("pad rating not stored: {}", e.message);
                    }
                }
                Ok(Ok(Outcome::NoRating)) => terminal.lapse_evaluation(&ticket_id),
                Ok(Err(e)) => {
                    tracing::warn!("evaluator pad: {e}");
                    terminal.lapse_evaluation(&ticket_id);
                }
                Err(e) => tracing::warn!("evaluator pad task: {e}"),
            }
        });
    }

    /// Ends the open evaluation of `ticket_id` without a rating (the pad timed out or went away).
    fn lapse_evaluation(&self, ticket_id: &str) {
        let mut e = lock(&self.eval);
        if matches!(&e.stage, Stage::Rate { ticket_id: open, .. } if open == ticket_id) {
            e.stage = Stage::Idle;
            drop(e);
            self.emit_evaluator();
        }
    }

    pub fn evaluator_view(&self) -> EvaluatorView {
        let mut e = lock(&self.eval);
        e.expire(now_ms());
        e.view()
    }

    pub(super) fn emit_evaluator(&self) {
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
        let now = now_ms();
        lock(&self.eval).idle_after_thanks(now);
        self.emit_evaluator();
    }

    /// The hall's reasons for a negative rating (configuration replica), else the domain's defaults:
    /// the hall node accepts only reasons from its list.
    pub(super) fn rating_reasons(&self) -> Vec<String> {
        let hall = self.store.identity().ok().flatten().map(|i| i.hall_id);
        self.replica()
            .and_then(|cfg| {
                let h = cfg.halls.into_iter().find(|h| Some(h.id.as_str()) == hall.as_deref())?;
                let list = h.rating_reasons;
                (!list.is_empty()).then_some(list)
            })
            .unwrap_or_else(domain::config::default_rating_reasons)
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
