//! The hall node as the terminal sees it: signed requests (the device key) with the staff session,
//! answers turned into the panel's shapes. Transport failures are "unreachable", never guessed.

use app_types::CommandError;
use app_types::window_terminal::{Panel, QueueCount, TicketInfo, Today, TransferTarget};
use edge::{ClientError, SyncClient};
use reqwest::Method;
use serde_json::{Value, json};

/// The answer of a window action, reduced to what the terminal uses.
#[derive(Debug, Clone, Default)]
pub struct ActionResult {
    pub panel: Panel,
    /// The ticket the action was about (call-next: the one called).
    pub ticket: Option<TicketInfo>,
}

pub fn unreachable(e: &ClientError) -> CommandError {
    match e {
        ClientError::Unreachable(m) => CommandError::new(
            "unreachable",
            format!("无法连接大厅服务器，叫号已暂停 / hall node unreachable: {m}"),
        ),
        other => CommandError::new("hall", format!("大厅服务器出错 / hall node error: {other}")),
    }
}

/// A non-2xx answer as a command error with the server's own code and message.
pub fn refused(status: u16, body: &Value) -> CommandError {
    let code = body["code"].as_str().unwrap_or("refused").to_owned();
    let msg = body["message"].as_str().unwrap_or("").to_owned();
    let zh = match (status, code.as_str()) {
        (401, _) => "登录已失效或密码错误",
        (403, _) => "无权执行此操作",
        (404, _) => "对象不存在或服务器暂不支持此功能",
        (409, "no_ticket" | "nothing_waiting" | "queue_empty") => "当前没有等候的号码",
        (409, _) => "当前状态不允许此操作",
        _ => "大厅服务器拒绝了请求",
    };
    let mut e = CommandError::new(code, format!("{zh} / {msg}"));
    if let Some(f) = body["field"].as_str() {
        e = e.field(f);
    }
    e
}

pub async fn request(
    client: &SyncClient,
    method: Method,
    path: &str,
    body: Option<&Value>,
    session: Option<&str>,
) -> Result<Value, CommandError> {
    let (status, v) = client
        .call(method, path, body, session)
        .await
        .map_err(|e| unreachable(&e))?;
    if (200..300).contains(&status) {
        Ok(v)
    } else {
        Err(refused(status, &v))
    }
}

/// `TicketView` JSON → [`TicketInfo`]; personal data masked here even though window staff could see it.
pub fn ticket_info(v: &Value) -> Option<TicketInfo> {
    if !v.is_object() {
        return None;
    }
    let s = |k: &str| v[k].as_str().map(str::to_owned);
    let citizen = &v["citizen"];
    Some(TicketInfo {
        id: s("id")?,
        display: s("display").unwrap_or_default(),
        status: s("status").unwrap_or_default(),
        item_name: s("item_name"),
        queue_name: s("queue_name"),
        priority: v["priority"].as_str().map(str::to_owned).or_else(|| {
            // Priority reasons may be structured ({"kind": ...}); show the kind.
            v["priority"]["kind"].as_str().map(str::to_owned)
        }),
        appointment_id: s("appointment_id"),
        waited_secs: v["waited_secs"].as_u64().unwrap_or(0),
        recall_count: u32::try_from(v["recall_count"].as_u64().unwrap_or(0)).unwrap_or(u32::MAX),
        citizen_name: citizen["name"].as_str().map(drivers::idcard::text::mask_name),
        citizen_id: citizen["id_number"].as_str().map(|n| {
            if n.contains('*') {
                n.to_owned()
            } else {
                drivers::idcard::text::mask_id(n)
            }
        }),
        scans: 0,
        confirmation: None,
    })
}

/// `WindowView` JSON → the window part of [`Panel`] (counters this terminal keeps are filled by it).
pub fn panel_of(window: &Value, queue_names: &dyn Fn(&str) -> String) -> Panel {
    let s = |k: &str| window[k].as_str().map(str::to_owned);
    Panel {
        window_id: s("id").unwrap_or_default(),
        window_number: s("number").unwrap_or_default(),
        status: s("status").unwrap_or_default(),
        staff_name: s("staff_name"),
        pause_reason: s("pause_reason"),
        current: None,
        waiting: window["waiting"]
            .as_array()
            .map(|qs| {
                qs.iter()
                    .map(|q| {
                        let id = q["queue_id"].as_str().unwrap_or_default().to_owned();
                        QueueCount {
                            name: queue_names(&id),
                            waiting: q["waiting"].as_u64().unwrap_or(0),
                            queue_id: id,
                        }
                    })
                    .collect()
            })
            .unwrap_or_default(),
        served_today: u32::try_from(window["served_today"].as_u64().unwrap_or(0)).unwrap_or(u32::MAX),
        rated_today: 0,
        calls_today: 0,
        today: None,
        transfer_targets: Vec::new(),
    }
}

/// `GET /windows/{id}/panel` → the window part of [`Panel`] with the served queues' waiting counts,
/// today's figures and the transfer targets (the current ticket stays the terminal's own).
pub fn live_panel(v: &Value, queue_names: &dyn Fn(&str) -> String) -> Panel {
    let mut p = panel_of(&v["window"], queue_names);
    let u32_of = |x: &Value| u32::try_from(x.as_u64().unwrap_or(0)).unwrap_or(u32::MAX);
    let s = |x: &Value| x.as_str().unwrap_or_default().to_owned();
    if let Some(qs) = v["queues"].as_array() {
        p.waiting = qs
            .iter()
            .map(|q| QueueCount {
                queue_id: s(&q["id"]),
                name: q["name"]
                    .as_str()
                    .map_or_else(|| queue_names(&s(&q["id"])), str::to_owned),
                waiting: q["waiting"].as_u64().unwrap_or(0),
            })
            .collect();
    }
    let t = &v["today"];
    if t.is_object() {
        let today = Today {
            served: u32_of(&t["served"]),
            no_shows: u32_of(&t["no_shows"]),
            avg_service_secs: t["avg_service_secs"].as_u64().and_then(|x| u32::try_from(x).ok()),
            ratings: u32_of(&t["ratings"]["count"]),
            rating_avg_x100: t["ratings"]["avg"]
                .as_f64()
                .map(|a| (a * 100.0).round().clamp(0.0, 500.0) as u32),
            transferred: u32_of(&t["transferred"]),
        };
        p.served_today = today.served;
        p.today = Some(today);
    }
    let targets = &v["transfer_targets"];
    let list = |k: &str| targets[k].as_array().cloned().unwrap_or_default();
    for q in list("queues") {
        p.transfer_targets.push(TransferTarget {
            kind: "queue".into(),
            id: s(&q["id"]),
            label: s(&q["name"]),
            waiting: q["waiting"].as_u64(),
        });
    }
    for w in list("windows") {
        let who = w["staff_name"].as_str().map(|n| format!(" · {n}")).unwrap_or_default();
        p.transfer_targets.push(TransferTarget {
            kind: "window".into(),
            id: s(&w["id"]),
            label: format!("{} 号窗口{who}", s(&w["number"])),
            waiting: None,
        });
    }
    for st in list("staff") {
        p.transfer_targets.push(TransferTarget {
            kind: "staff".into(),
            id: s(&st["staff_id"]),
            label: format!("{} · {} 号窗口", s(&st["name"]), s(&st["window_number"])),
            waiting: None,
        });
    }
    p
}

pub fn action_result(v: &Value, queue_names: &dyn Fn(&str) -> String) -> ActionResult {
    ActionResult {
        panel: panel_of(&v["window"], queue_names),
        ticket: ticket_info(&v["ticket"]),
    }
}

pub fn transfer_body(kind: &str, id: &str) -> Result<Value, CommandError> {
    if !["queue", "window", "staff"].contains(&kind) {
        return Err(CommandError::new(
            "invalid",
            "转办目标只能是队列、窗口或人员 / transfer to queue, window or staff",
        )
        .field("kind"));
    }
    if id.trim().is_empty() {
        return Err(CommandError::new("invalid", "请选择转办目标 / choose where to transfer").field("id"));
    }
    Ok(json!({"to": {"to": kind, "id": id.trim()}}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_info_masks_personal_data() {
        let v = json!({"id": "t1", "display": "A001", "status": "called", "waited_secs": 75,
            "citizen": {"id_number": "230102199001011230", "name": "张三"}});
        let t = ticket_info(&v).expect("ticket");
        assert_eq!(t.citizen_id.as_deref(), Some("230***********1230"));
        assert_eq!(t.citizen_name.as_deref(), Some("张*"));
        assert_eq!(t.waited_secs, 75);
        assert!(ticket_info(&Value::Null).is_none());
    }

    #[test]
    fn transfer_targets_are_checked() {
        assert!(transfer_body("desk", "W2").is_err());
        assert!(transfer_body("window", " ").is_err());
        assert_eq!(transfer_body("window", "W2").expect("ok")["to"]["id"], "W2");
    }

    #[test]
    fn the_live_panel_reads_counts_figures_and_targets() {
        let v = json!({
            "window": {"id": "W1", "number": "1", "status": "open", "served_today": 0},
            "queues": [{"id": "QA", "name": "户政", "prefix": "A", "waiting": 3}],
            "today": {"staff_id": "S1", "served": 4, "no_shows": 1, "avg_service_secs": 95,
                "ratings": {"count": 3, "avg": 4.67}, "transferred": 2},
            "transfer_targets": {
                "queues": [{"id": "QB", "name": "咨询", "prefix": "B", "waiting": 0}],
                "windows": [{"id": "W2", "number": "2", "staff_id": "S2", "staff_name": "李四"}],
                "staff": [{"staff_id": "S2", "name": "李四", "window_id": "W2", "window_number": "2"}]
            }
        });
        let p = live_panel(&v, &|id: &str| id.to_owned());
        assert_eq!(p.waiting[0].waiting, 3);
        assert_eq!(p.waiting[0].name, "户政");
        assert_eq!(p.served_today, 4);
        let t = p.today.expect("today");
        assert_eq!(
            (t.no_shows, t.ratings, t.rating_avg_x100, t.transferred),
            (1, 3, Some(467), 2)
        );
        let kinds: Vec<_> = p
            .transfer_targets
            .iter()
            .map(|t| (t.kind.as_str(), t.id.as_str()))
            .collect();
        assert_eq!(kinds, [("queue", "QB"), ("window", "W2"), ("staff", "S2")]);
        assert_eq!(p.transfer_targets[1].label, "2 号窗口 · 李四");
    }

    #[test]
    fn refusals_keep_the_server_code() {
        let e = refused(409, &json!({"code": "window_busy", "message": "busy"}));
        assert_eq!(e.code, "window_busy");
        assert!(e.message.contains("当前状态不允许"));
    }
}
