//! What the public sees of an event: hall walls and the city wall get numbers, windows and counts —
//! never a name, an ID number or a token.

use domain::event::Event;
use domain::hall::CityState;
use domain::{Config, EventBody};
use serde_json::{Value, json};

pub fn public_view(cfg: &Config, st: &CityState, ev: &Event) -> String {
    let h = st.halls.get(&ev.hall_id);
    let ticket = ev.body.ticket_id().and_then(|id| h.and_then(|h| h.ticket(id)));
    let window_id = ev
        .body
        .window_id()
        .cloned()
        .or_else(|| ticket.and_then(|t| t.window_id.clone()));
    let mut v = json!({
        "kind": ev.body.kind(),
        "hall_id": ev.hall_id,
        "at": ev.at.0,
    });
    if let Some(t) = ticket {
        v["ticket"] = json!({
            "id": t.id,
            "display": t.display,
            "queue_id": t.queue_id,
            "status": t.status,
            "class": t.class,
            "recall_count": t.recall_count,
        });
        v["waiting_in_queue"] = json!(h.map_or(0, |h| h.waiting_in(&t.queue_id)));
    }
    if let Some(w) = window_id {
        let ws = h.map(|h| h.window(&w)).unwrap_or_default();
        v["window"] = json!({
            "id": w,
            "number": cfg.window(&w).map(|w| w.number.clone()),
            "status": ws.status,
            "staffed": ws.staff.is_some(),
        });
    }
    match &ev.body {
        EventBody::TicketTransferred { to, .. } => v["to"] = serde_json::to_value(to).unwrap_or(Value::Null),
        EventBody::TicketRated { level, .. } => v["level"] = json!(level),
        EventBody::AppointmentBooked { appointment } => {
            v["appointment"] = json!({"item_id": appointment.item_id, "day": appointment.day, "start_minute": appointment.start_minute});
        }
        _ => {}
    }
    v.to_string()
}
