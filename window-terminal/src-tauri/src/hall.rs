//! The hall node as the terminal sees it: signed requests (the device key) with the staff session,
//! answers turned into the panel's shapes. Transport failures are "unreachable", never guessed.

use app_types::CommandError;
use app_types::window_terminal::{Panel, QueueCount, TicketInfo, Today, TransferTarget};
use edge::{ClientError, SyncClient};
use hall_api::ErrorBody;
use hall_api::counter::PanelResponse;
use hall_api::views::{TicketView, WindowView};
use hall_api::windows::WindowActionResponse;
use reqwest::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;
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
    let body = ErrorBody::deserialize(body).ok();
    let code = body.as_ref().map_or("refused", |b| b.code.as_str()).to_owned();
    let msg = body.as_ref().map_or("", |b| b.message.as_str()).to_owned();
    let zh = match (status, code.as_str()) {
        (401, _) => "登录已失效或密码错误",
        (403, _) => "无权执行此操作",
        (404, _) => "对象不存在或服务器暂不支持此功能",
        (409, "no_ticket" | "nothing_waiting" | "queue_empty") => "当前没有等候的号码",
        (409, _) => "当前状态不允许此操作",
        _ => "大厅服务器拒绝了请求",
    };
    let mut e = CommandError::new(code, format!("{zh} / {msg}"));
    if let Some(f) = body.and_then(|b| b.field) {
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

/// A server's answer read as its wire type (`hall_api`).
pub fn answer<T: DeserializeOwned>(v: Value) -> Result<T, CommandError> {
    serde_json::from_value(v).map_err(|e| {
        CommandError::new(
            "hall",
            format!("大厅服务器的回答无法读取 / unreadable answer from the hall node: {e}"),
        )
    })
}

/// A wire enum's spelling (e.g. a priority group: `elderly`), as the panel shows it.
fn wire_str(v: impl serde::Serialize) -> Option<String> {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned))
}

/// `TicketView` JSON → [`TicketInfo`] (`None` when it is not a ticket).
pub fn ticket_info(v: &Value) -> Option<TicketInfo> {
    TicketView::deserialize(v).ok().map(|t| ticket_of(&t))
}

/// A ticket → [`TicketInfo`]; personal data masked here even though window staff could see it.
pub fn ticket_of(v: &TicketView) -> TicketInfo {
    let citizen = v.citizen.as_ref();
    TicketInfo {
        id: v.id.clone(),
        display: v.display.clone(),
        status: wire_str(v.status).unwrap_or_default(),
        item_name: v.item_name.clone(),
        queue_name: v.queue_name.clone(),
        priority: v.priority.and_then(wire_str),
        appointment_id: v.appointment_id.clone(),
        waited_secs: u64::from(v.waited_secs),
        recall_count: v.recall_count,
        citizen_name: citizen
            .and_then(|c| c.name.as_deref())
            .map(drivers::idcard::text::mask_name),
        citizen_id: citizen.and_then(|c| c.id_number.as_deref()).map(|n| {
            if n.contains('*') {
                n.to_owned()
            } else {
                drivers::idcard::text::mask_id(n)
            }
        }),
        scans: 0,
        confirmation: None,
    }
}

/// `WindowView` → the window part of [`Panel`] (counters this terminal keeps are filled by it).
pub fn panel_of(window: &WindowView, queue_names: &dyn Fn(&str) -> String) -> Panel {
    Panel {
        window_id: window.id.clone(),
        window_number: window.number.clone(),
        status: window.status.as_str().to_owned(),
        staff_name: window.staff_name.clone(),
        pause_reason: window.pause_reason.clone(),
        current: None,
        waiting: window
            .waiting
            .iter()
            .map(|q| QueueCount {
                name: queue_names(&q.queue_id),
                waiting: q.waiting as u64,
                queue_id: q.queue_id.clone(),
            })
            .collect(),
        served_today: window.served_today,
        rated_today: 0,
        calls_today: 0,
        today: None,
        transfer_targets: Vec::new(),
    }
}

/// `GET /windows/{id}/panel` → the window part of [`Panel`] with the served queues' waiting counts,
/// today's figures and the transfer targets (the current ticket stays the terminal's own). An answer
/// that is not a panel gives an empty one (no window id), which the terminal ignores.
pub fn live_panel(v: &Value, queue_names: &dyn Fn(&str) -> String) -> Panel {
    let Ok(v) = PanelResponse::deserialize(v) else {
        return Panel::default();
    };
    let mut p = panel_of(&v.window, queue_names);
    p.waiting = v
        .queues
        .iter()
        .map(|q| QueueCount {
            queue_id: q.id.clone(),
            name: q.name.clone(),
            waiting: q.waiting as u64,
        })
        .collect();
    let t = &v.today;
    let today = Today {
        served: t.served,
        no_shows: t.no_shows,
        avg_service_secs: t.avg_service_secs,
        ratings: t.ratings.count,
        rating_avg_x100: t.ratings.avg.map(|a| (a * 100.0).round().clamp(0.0, 500.0) as u32),
        transferred: t.transferred,
    };
    p.served_today = today.served;
    p.today = Some(today);
    let targets = &v.transfer_targets;
    for q in &targets.queues {
        p.transfer_targets.push(TransferTarget {
            kind: "queue".into(),
            id: q.id.clone(),
            label: q.name.clone(),
            waiting: Some(q.waiting as u64),
        });
    }
    for w in &targets.windows {
        let who = w.staff_name.as_ref().map(|n| format!(" · {n}")).unwrap_or_default();
        p.transfer_targets.push(TransferTarget {
            kind: "window".into(),
            id: w.id.clone(),
            label: format!("{} 号窗口{who}", w.number),
            waiting: None,
        });
    }
    for st in &targets.staff {
        p.transfer_targets.push(TransferTarget {
            kind: "staff".into(),
            id: st.staff_id.clone(),
            label: format!("{} · {} 号窗口", st.name, st.window_number),
            waiting: None,
        });
    }
    p
}

pub fn action_result(v: &WindowActionResponse, queue_names: &dyn Fn(&str) -> String) -> ActionResult {
    ActionResult {
        panel: panel_of(&v.window, queue_names),
        ticket: v.ticket.as_ref().map(ticket_of),
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
        let v = json!({"id": "t1", "display": "A001", "hall_id": "H00", "queue_id": "QA", "queue_name": null,
            "item_id": null, "item_name": null, "status": "called", "class": "normal", "priority": null,
            "channel": "kiosk", "appointment_id": null, "window_id": null, "window_number": null,
            "issued_at": 1, "called_at": null, "recall_count": 0, "transfers": 0, "waited_secs": 75,
            "rating": null, "evidence_requested": false, "estimate": null,
            "citizen": {"id_number": "230102199001011230", "name": "张三", "phone": null, "masked": false}});
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
            "window": {"id": "W1", "hall_id": "H00", "number": "1", "status": "open", "staff_id": "S1",
                "staff_name": null, "pause_reason": null, "current": null, "served_today": 0, "waiting": []},
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
