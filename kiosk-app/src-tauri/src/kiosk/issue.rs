//! Taking a number (tender 3025–3041 "自助取号", 2818–2826 "身份证取号 … 优先"): the preview (people
//! ahead, estimated wait, quota with the next appointment slot, whether the printer can print), the
//! ticket from the hall node or — unreachable — from this kiosk's own letter series through the
//! outbox, and the print. A ticket is handed over only once it is printed, or once the citizen has
//! confirmed the on-screen ticket offered instead (paper out, cover open, printer silent).

use std::sync::Arc;

use app_types::CommandError;
use app_types::kiosk::{Issued, Preview};
use drivers::printer::HallTicket;
use edge::offline::{OfflineIssue, OfflineTarget, issue_ticket};
use hall_api::kiosk::{SlotView, TicketPreview};
use hall_api::paths;
use hall_api::tickets::IssueResponse;
use hall_api::views::TicketView;
use reqwest::Method;
#[cfg(test)]
use serde::Deserialize;
#[cfg(test)]
use serde_json::Value;
use serde_json::json;

use super::{Kiosk, answer, hhmm, now_ms, store_err};

/// Priority groups a citizen may declare at the kiosk (elderly comes from the card).
const CLAIMS: [&str; 3] = ["pregnant", "disabled", "military"];

fn minutes(secs: Option<u64>) -> Option<u32> {
    secs.map(|s| u32::try_from(s.div_ceil(60)).unwrap_or(u32::MAX))
}

impl Kiosk {
    /// What the citizen sees before taking the number.
    pub async fn preview(&self, item_id: &str) -> Result<Preview, CommandError> {
        let item = self.item(item_id)?;
        let facts = self.hall_facts()?;
        let devices = Arc::clone(&self.devices);
        let printer = tauri::async_runtime::spawn_blocking(move || devices.printer_ready())
            .await
            .map_err(|e| CommandError::new("internal", e.to_string()))?;
        let mut p = Preview {
            item_id: item.id.clone(),
            item_name: item.name.clone(),
            queue_name: item.queue_name.clone(),
            people_ahead: None,
            wait_minutes: None,
            id_card_required: item.id_card_required,
            quota_exhausted: false,
            quota_left: None,
            next_slot: None,
            offline: false,
            printer_down: printer.is_err(),
        };
        let path = paths::item_preview(&facts.hall_id, &item.id);
        match self.request(Method::GET, &path, None).await {
            Ok(v) => {
                let v: TicketPreview = answer(v)?;
                p.people_ahead = Some(v.people_ahead);
                p.wait_minutes = minutes(v.estimated_wait_secs.map(u64::from));
                p.quota_left = v.quota.remaining;
                p.quota_exhausted = p.quota_left == Some(0);
                p.next_slot = v.next_slot.as_ref().map(slot_label);
            }
            Err(e) if e.code == "unreachable" => p.offline = true,
            Err(e) => return Err(e),
        }
        Ok(p)
    }

    /// Issues the ticket and prints it. `claims`: declared priority groups.
    pub async fn issue(&self, item_id: &str, claims: &[String]) -> Result<Issued, CommandError> {
        let item = self.item(item_id)?;
        if let Some(bad) = claims.iter().find(|c| !CLAIMS.contains(&c.as_str())) {
            return Err(
                CommandError::new("invalid", format!("未知的优先类别 / unknown priority group {bad}")).field("claims"),
            );
        }
        let card = self.card();
        let code = self.citizen_code();
        if item.id_card_required && card.is_none() && code.is_none() {
            return Err(CommandError::new(
                "id_card_required",
                "该事项需要刷身份证取号 / this item needs your ID card",
            )
            .field("id_card"));
        }
        let facts = self.hall_facts()?;
        let mut body = json!({"hall_id": facts.hall_id, "item_id": item.id, "channel": "kiosk", "claims": claims});
        if let Some(c) = &card {
            body["id_card"] = json!({"number": c.id_number, "name": c.name});
        } else if let Some(code) = &code {
            body["citizen_code"] = json!(code);
        }
        let issued_at = hhmm(i64::from(domain::Millis(now_ms()).minute_of_day(facts.utc_offset)));
        let mut ticket = match self.request(Method::POST, &paths::tickets(), Some(&body)).await {
            Ok(v) => {
                let v: IssueResponse = answer(v)?;
                Issued {
                    ticket_id: v.ticket_id,
                    number: v.display,
                    queue_name: v.queue_name.unwrap_or_else(|| item.queue_name.clone()),
                    people_ahead: Some(v.people_ahead),
                    wait_minutes: minutes(v.estimated_wait_secs.map(u64::from)),
                    token: v.token,
                    offline: false,
                    printed: false,
                    print_problem: None,
                    priority: v.priority.map(wire_str),
                    issued_at,
                }
            }
            Err(e) if e.code == "unreachable" => self.issue_offline(&item, card.as_ref(), claims, issued_at)?,
            Err(e) => return Err(e),
        };
        self.count_use(&item.id);
        self.print(&mut ticket, &facts.name).await;
        Ok(ticket)
    }

    /// The hall node cannot be reached: a number from this kiosk's letter series, committed with its
    /// `ticket.issue` event in one transaction before anything is printed.
    fn issue_offline(
        &self,
        item: &app_types::kiosk::ItemInfo,
        card: Option<&drivers::idcard::CardInfo>,
        claims: &[String],
        issued_at: String,
    ) -> Result<Issued, CommandError> {
        let id = self.identity()?;
        let facts = self.hall_facts()?;
        let letter = id.letter.ok_or_else(|| {
            CommandError::new(
                "offline_unavailable",
                "大厅服务器暂时无法连接，本机没有离线号段，请到服务台取号 / hall node unreachable and this kiosk has no offline series",
            )
        })?;
        let prefix = self
            .replica()?
            .queues
            .iter()
            .find(|q| q.id.as_str() == item.queue_id)
            .map(|q| q.prefix.clone())
            .unwrap_or_default();
        let birth = card.and_then(|c| super::birth_date(&c.birth)).map(|d| d.to_string());
        let now = now_ms();
        let day = domain::Millis(now).business_day(facts.utc_offset).date().to_string();
        let t = issue_ticket(
            &self.store,
            &OfflineIssue {
                hall_id: &facts.hall_id,
                letter,
                target: OfflineTarget::Item {
                    item_id: &item.id,
                    queue_id: &item.queue_id,
                },
                prefix: &prefix,
                birth: birth.as_deref(),
                claims,
                day: &day,
                now_ms: now,
            },
        )
        .map_err(store_err)?;
        Ok(Issued {
            ticket_id: t.ticket_id,
            number: t.display_number,
            queue_name: item.queue_name.clone(),
            people_ahead: None,
            wait_minutes: None,
            token: t.token,
            offline: true,
            printed: false,
            print_problem: None,
            priority: None,
            issued_at,
        })
    }

    /// Prints `ticket`; a failure leaves it unprinted with the cause, for the on-screen alternative.
    async fn print(&self, ticket: &mut Issued, hall_name: &str) {
        let notice = if ticket.offline {
            "离线号码：网络恢复后自动登记，请留意叫号".to_owned()
        } else {
            "请留意叫号，过号请到服务台".to_owned()
        };
        let paper = HallTicket {
            hall_name: hall_name.to_owned(),
            number: ticket.number.clone(),
            queue: ticket.queue_name.clone(),
            people_ahead: ticket.people_ahead.unwrap_or(0),
            estimated_wait_minutes: ticket.wait_minutes.unwrap_or(0),
            qr_token: ticket.token.clone(),
            issued_at: ticket.issued_at.clone(),
            notice,
        };
        let devices = Arc::clone(&self.devices);
        let result = tauri::async_runtime::spawn_blocking(move || devices.print(&paper)).await;
        match result {
            Ok(Ok(())) => ticket.printed = true,
            Ok(Err(problem)) => ticket.print_problem = Some(problem),
            Err(e) => ticket.print_problem = Some(e.to_string()),
        }
        if !ticket.printed {
            tracing::warn!(number = %ticket.number, problem = ?ticket.print_problem, "ticket not printed; shown on screen");
        }
    }

    /// Checks a citizen in for an appointment and prints the ticket (the QR carries the appointment
    /// code: the check-in answer has no status token).
    pub async fn check_in(&self, appointment_id: &str, code: &str) -> Result<Issued, CommandError> {
        let facts = self.hall_facts()?;
        let v = self
            .request(
                Method::POST,
                &paths::appointment_action(appointment_id, "check-in"),
                None,
            )
            .await?;
        let v: TicketView = answer(v)?;
        let mut ticket = Issued {
            ticket_id: v.id,
            number: v.display,
            queue_name: v.queue_name.unwrap_or_default(),
            people_ahead: v.estimate.as_ref().map(|e| e.people_ahead),
            wait_minutes: minutes(v.estimate.and_then(|e| e.estimated_wait_secs).map(u64::from)),
            token: code.chars().filter(char::is_ascii_graphic).collect(),
            offline: false,
            printed: false,
            print_problem: None,
            priority: v.priority.map(wire_str),
            issued_at: hhmm(i64::from(domain::Millis(now_ms()).minute_of_day(facts.utc_offset))),
        };
        self.print(&mut ticket, &facts.name).await;
        Ok(ticket)
    }
}

/// A wire enum's spelling (e.g. a priority group: `elderly`), as the screen gets it.
pub(super) fn wire_str(v: impl serde::Serialize) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A slot → "2026-11-25 09:00–09:30".
pub(super) fn slot_label(s: &SlotView) -> String {
    format!(
        "{} {}–{}",
        s.day,
        hhmm(i64::from(s.start_minute)),
        hhmm(i64::from(s.end_minute))
    )
}

/// `{"day","start_minute","end_minute"}` (a [`SlotView`]) → "2026-11-25 09:00–09:30".
#[cfg(test)]
fn slot_text(v: &Value) -> Option<String> {
    SlotView::deserialize(v).ok().as_ref().map(slot_label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_and_waits_read_plainly() {
        let v = json!({"day": "2026-11-25", "start_minute": 540, "end_minute": 570, "left": 3});
        assert_eq!(slot_text(&v).as_deref(), Some("2026-11-25 09:00–09:30"));
        assert_eq!(slot_text(&Value::Null), None);
        assert_eq!(minutes(Some(61)), Some(2));
        assert_eq!(minutes(Some(0)), Some(0));
    }
}
