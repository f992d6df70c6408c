//! Looking things up for the citizen (tender 3025–3041 "预约签到、办件进度查询、办事指南查询"): an
//! appointment by its QR code or the ID card, with the early/late rule explained; a case's stages by
//! receipt QR or ID card; the service guides.

use app_types::CommandError;
use app_types::kiosk::{AppointmentInfo, CaseInfo, CaseStage, GuideInfo, Scanned};
use hall_api::appointments::{AppointmentView, LookupResponse};
use hall_api::cases::{CaseView, CasesResponse};
use hall_api::citizen_codes::ResolvedCitizen;
use hall_api::kiosk::{GuideItem, HallGuides};
use hall_api::paths;
use reqwest::Method;
use serde_json::json;

use super::{HallFacts, Kiosk, answer, hhmm, now_ms};

/// Codes are printed ASCII; anything else (or a path separator) cannot be one of ours.
fn plausible_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 128
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl Kiosk {
    /// What a scanned QR code is: an appointment to check in, a case receipt, or nothing we know.
    pub async fn scanned(&self, code: &str) -> Result<Scanned, CommandError> {
        let code = code.trim();
        if !plausible_code(code) {
            return Ok(Scanned::Unknown {
                message: "无法识别该二维码 / this code is not one this kiosk knows".into(),
            });
        }
        if code.len() > 4 && code[..4].eq_ignore_ascii_case("YM1-") {
            return self.citizen_by_code(code).await;
        }
        match self.appointment_by_code(code).await {
            Ok(a) => return Ok(Scanned::Appointment { appointment: a }),
            Err(e) if e.code == "not_found" || e.code == "no_route" => {}
            Err(e) => return Err(e),
        }
        match self.request(Method::GET, &paths::case_by_receipt(code), None).await {
            Ok(v) => {
                // The node answers exactly one case for a receipt.
                let Some(case) = answer::<CasesResponse>(v)?.cases.into_iter().next() else {
                    return Ok(Scanned::Unknown {
                        message: "未找到该预约或办件 / no appointment or case with this code".into(),
                    });
                };
                let offset = self.hall_facts().map_or(480, |f| f.utc_offset);
                Ok(Scanned::Case {
                    case: case_info(&case, offset),
                })
            }
            Err(e) if e.code == "not_found" || e.code == "no_route" => Ok(Scanned::Unknown {
                message: "未找到该预约或办件 / no appointment or case with this code".into(),
            }),
            Err(e) => Err(e),
        }
    }

    /// A one-code-service code: resolved by the hall node to the masked citizen, kept for this visit
    /// in place of the card.
    async fn citizen_by_code(&self, code: &str) -> Result<Scanned, CommandError> {
        let facts = self.hall_facts()?;
        let v = self
            .request(
                Method::POST,
                &paths::citizen_codes_resolve(),
                Some(&json!({"hall_id": facts.hall_id, "code": code})),
            )
            .await?;
        let v: ResolvedCitizen = answer(v)?;
        let holder = app_types::kiosk::CardHolder {
            name_masked: v.name_masked.unwrap_or_else(|| "—".to_owned()),
            id_masked: v.id_masked,
            age: v.age,
            elderly: v.elderly,
        };
        self.end_visit();
        *super::lock(&self.citizen_code) = Some(code.to_owned());
        Ok(Scanned::Citizen { holder })
    }

    async fn appointment_by_code(&self, code: &str) -> Result<AppointmentInfo, CommandError> {
        let facts = self.hall_facts()?;
        let v = self
            .request(Method::GET, &paths::appointment_by_code(code), None)
            .await?;
        Ok(self.appointment_info(&answer(v)?, &facts))
    }

    /// The card holder's appointments in this hall (today and later, not yet checked in).
    pub async fn appointments_by_card(&self) -> Result<Vec<AppointmentInfo>, CommandError> {
        let (key, value) = self.citizen_ref().ok_or_else(need_card)?;
        let facts = self.hall_facts()?;
        let mut body = json!({"hall_id": facts.hall_id});
        body[key] = json!(value);
        let v = self
            .request(Method::POST, &paths::appointments_lookup(), Some(&body))
            .await?;
        Ok(answer::<LookupResponse>(v)?
            .appointments
            .iter()
            .map(|a| self.appointment_info(a, &facts))
            .collect())
    }

    /// The rule of `domain` (AppointmentRules): check-in opens `early_minutes` before the slot; up to
    /// `late_minutes` after its start the appointment keeps precedence, later it joins the queue.
    fn appointment_info(&self, v: &AppointmentView, facts: &HallFacts) -> AppointmentInfo {
        let start = i64::from(v.start_minute);
        let end = i64::from(v.end_minute);
        let day = v.day.clone();
        let item_id = v.item_id.clone();
        let item_name = self
            .items()
            .ok()
            .and_then(|is| is.into_iter().find(|i| i.id == item_id))
            .map_or(item_id, |i| i.name);
        let now = domain::Millis(now_ms());
        let today = now.business_day(facts.utc_offset).date().to_string();
        let minute = i64::from(now.minute_of_day(facts.utc_offset));
        let opens = start - facts.early_minutes;
        let late_after = start + facts.late_minutes;
        let timing = match day.cmp(&today) {
            std::cmp::Ordering::Greater => "early",
            std::cmp::Ordering::Less => "late",
            std::cmp::Ordering::Equal if minute < opens => "early",
            std::cmp::Ordering::Equal if minute > late_after => "late",
            std::cmp::Ordering::Equal => "on_time",
        };
        AppointmentInfo {
            id: v.id.clone(),
            item_name,
            slot: format!("{day} {}–{}", hhmm(start), hhmm(end)),
            opens_at: hhmm(opens),
            late_after: hhmm(late_after),
            timing: timing.into(),
        }
    }

    /// The card holder's cases in this hall.
    pub async fn cases_by_card(&self) -> Result<Vec<CaseInfo>, CommandError> {
        let (key, value) = self.citizen_ref().ok_or_else(need_card)?;
        let facts = self.hall_facts()?;
        let mut body = json!({"hall_id": facts.hall_id});
        body[key] = json!(value);
        let v = self.request(Method::POST, &paths::cases_lookup(), Some(&body)).await?;
        Ok(answer::<CasesResponse>(v)?
            .cases
            .iter()
            .map(|c| case_info(c, facts.utc_offset))
            .collect())
    }

    /// The hall's service guides.
    pub async fn guides(&self) -> Result<Vec<GuideInfo>, CommandError> {
        let facts = self.hall_facts()?;
        let v = self
            .request(Method::GET, &paths::hall_guides(&facts.hall_id), None)
            .await?;
        Ok(answer::<HallGuides>(v)?.items.iter().map(guide_info).collect())
    }
}

impl Kiosk {
    /// Prints one item's guide (materials, fee, time limit, windows) for the citizen to take along.
    pub async fn print_guide(&self, item_id: &str) -> Result<(), CommandError> {
        let g = self
            .guides()
            .await?
            .into_iter()
            .find(|g| g.item_id == item_id)
            .ok_or_else(|| {
                CommandError::new("invalid", "没有该事项的办事指南 / no guide for this item").field("item_id")
            })?;
        let mut lines = vec![format!("部门：{}", g.department), "所需材料：".to_owned()];
        lines.extend(g.materials.iter().map(|m| format!("  · {m}")));
        lines.push(format!("收费：{}", g.fee));
        lines.push(format!("办理时限：{}", g.time_limit));
        if !g.windows.is_empty() {
            lines.push(format!("办理窗口：{} 号", g.windows.join("、")));
        }
        if let Some(c) = &g.conditions {
            lines.push(format!("办理条件：{c}"));
        }
        let doc = drivers::printer::Document {
            title: g.name.clone(),
            lines,
        };
        let devices = std::sync::Arc::clone(&self.devices);
        tauri::async_runtime::spawn_blocking(move || devices.print_document(&doc))
            .await
            .map_err(|e| CommandError::new("internal", e.to_string()))?
            .map_err(|why| CommandError::new("printer", format!("打印失败 / not printed: {why}")))
    }
}

fn need_card() -> CommandError {
    CommandError::new("no_card", "请先刷身份证 / place your ID card on the reader first").field("id_card")
}

/// `offset`: the hall's UTC offset in minutes (stage times are shown in the hall's local time).
fn case_info(v: &CaseView, offset: i32) -> CaseInfo {
    let when = |m: domain::Millis| {
        format!(
            "{} {}",
            m.business_day(offset).date(),
            hhmm(i64::from(m.minute_of_day(offset)))
        )
    };
    CaseInfo {
        receipt: v.receipt.clone(),
        item_name: v.item_name.clone().unwrap_or_default(),
        stage_label: v.stage_label.clone(),
        stages: v
            .stages
            .iter()
            .map(|st| CaseStage {
                label: st.label.clone(),
                at: when(st.at),
                note: st.note.clone(),
            })
            .collect(),
    }
}

fn guide_info(v: &GuideItem) -> GuideInfo {
    let g = v.guide.as_ref();
    GuideInfo {
        item_id: v.item_id.clone(),
        name: v.name.clone(),
        department: v.department.clone().unwrap_or_default(),
        materials: g
            .map(|g| g.materials.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|m| {
                let kind = if m.original { "原件" } else { "复印件" };
                let mut line = format!("{} {} {} 份", m.name, kind, m.copies);
                if let Some(n) = &m.note {
                    line.push_str(&format!("（{n}）"));
                }
                line
            })
            .collect(),
        fee: g.map_or_else(|| "—".to_owned(), |g| g.fee.clone()),
        time_limit: g.map_or_else(|| "—".to_owned(), |g| g.time_limit.clone()),
        windows: v.window_numbers.clone(),
        conditions: g.and_then(|g| g.conditions.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_printable_codes_are_looked_up() {
        assert!(plausible_code("YY-20261124-0007"));
        assert!(!plausible_code("../../admin"));
        assert!(!plausible_code(""));
        assert!(!plausible_code("办件 1"));
    }

    #[test]
    fn a_guide_lists_materials_plainly() {
        let v = json!({"item_id": "I1", "code": "C1", "name": "户口迁移", "department": "公安",
            "id_card_required": true, "daily_quota": null, "queue_id": "Q1", "queue_name": "户籍业务",
            "window_numbers": ["1", "2"],
            "guide": {"materials": [{"name": "居民身份证", "copies": 1, "original": true, "note": "本人"}],
                "fee": "免费", "time_limit": "即办"}});
        let g = guide_info(&serde_json::from_value(v).expect("a guide item"));
        assert_eq!(g.materials, ["居民身份证 原件 1 份（本人）"]);
        assert_eq!(g.windows, ["1", "2"]);
        assert_eq!(g.fee, "免费");
    }
}
