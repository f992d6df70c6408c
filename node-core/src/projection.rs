//! What the public sees of an event: hall walls and the city wall get numbers, windows and counts —
//! never a name, an ID number or a token. The shape is `hall_api::feed::PublicEvent`.

use domain::event::Event;
use domain::hall::CityState;
use domain::{Config, EventBody};
use hall_api::feed::{PublicAppointment, PublicEvent, PublicTicket, PublicWindow};

pub fn public_view(cfg: &Config, st: &CityState, ev: &Event) -> String {
    let h = st.halls.get(&ev.hall_id);
    let ticket = ev.body.ticket_id().and_then(|id| h.and_then(|h| h.ticket(id)));
    let window_id = ev
        .body
        .window_id()
        .cloned()
        .or_else(|| ticket.and_then(|t| t.window_id.clone()));
    let mut v = PublicEvent {
        kind: ev.body.kind().to_owned(),
        hall_id: ev.hall_id.to_string(),
        at: ev.at.0,
        ticket: None,
        waiting_in_queue: None,
        window: None,
        to: None,
        level: None,
        appointment: None,
    };
    if let Some(t) = ticket {
        v.ticket = Some(PublicTicket {
            id: t.id.to_string(),
            display: t.display.clone(),
            queue_id: t.queue_id.to_string(),
            status: t.status,
            class: t.class,
            recall_count: t.recall_count,
        });
        v.waiting_in_queue = Some(h.map_or(0, |h| h.waiting_in(&t.queue_id)));
    }
    if let Some(w) = window_id {
        let ws = h.map(|h| h.window(&w)).unwrap_or_default();
        v.window = Some(PublicWindow {
            id: w.to_string(),
            number: cfg.window(&w).map(|w| w.number.clone()),
            status: ws.status,
            staffed: ws.staff.is_some(),
        });
    }
    match &ev.body {
        EventBody::TicketTransferred { to, .. } => v.to = Some(to.clone()),
        EventBody::TicketRated { level, .. } => v.level = Some(*level),
        EventBody::AppointmentBooked { appointment } => {
            v.appointment = Some(PublicAppointment {
                item_id: appointment.item_id.to_string(),
                day: appointment.day,
                start_minute: appointment.start_minute,
            });
        }
        _ => {}
    }
    v.to_data()
}
