//! Replays a node's event log (in `seq` order) and looks for calls that must never happen: a ticket
//! called while it is already called or being served (a double call), a ticket called after it was
//! closed, a window calling while it still has a ticket, a ticket issued twice.
//!
//! Works on the stored JSON (the domain `Event`, `body.kind` tagged), not on domain types, so that it
//! checks what is in the file rather than what today's code would make of it.

use std::collections::HashMap;

use serde_json::Value;

/// One row of `events`, as much as the checks need.
#[derive(Debug, Clone)]
pub struct EventRow {
    pub seq: i64,
    pub event_id: String,
    pub kind: String,
    pub actor: String,
    pub ticket_id: Option<String>,
    pub body: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TicketState {
    Waiting,
    Called,
    Serving,
    Parked,
    Closed,
}

#[derive(Debug, Default)]
pub struct Replay {
    /// Evidence of each double call: "seq N: ticket T called at W while called at V since seq M".
    pub double_calls: Vec<String>,
    pub calls_after_close: Vec<String>,
    pub window_busy_calls: Vec<String>,
    pub issued_twice: Vec<String>,
    /// Events that could not be read (a failure of its own: the log must be readable).
    pub unreadable: Vec<String>,
    pub tickets: usize,
    pub calls: usize,
}

struct Ticket {
    state: TicketState,
    window: Option<String>,
    since: i64,
}

/// Replays `events` (any order; they are sorted by `seq` here).
pub fn replay(events: &[EventRow]) -> Replay {
    let mut sorted: Vec<&EventRow> = events.iter().collect();
    sorted.sort_by_key(|e| e.seq);
    let mut out = Replay::default();
    let mut tickets: HashMap<String, Ticket> = HashMap::new();
    // Each window's current ticket.
    let mut windows: HashMap<String, String> = HashMap::new();
    for e in sorted {
        let interesting = matches!(
            e.kind.as_str(),
            "ticket_issued"
                | "ticket_called"
                | "ticket_recalled"
                | "service_started"
                | "service_finished"
                | "ticket_no_show"
                | "ticket_voided"
                | "ticket_transferred"
                | "ticket_parked"
                | "ticket_expired"
        );
        if !interesting {
            continue;
        }
        let ev: Value = match serde_json::from_str(&e.body) {
            Ok(v) => v,
            Err(err) => {
                out.unreadable.push(format!("seq {} ({}): {err}", e.seq, e.kind));
                continue;
            }
        };
        let body = &ev["body"];
        let text = |k: &str| body[k].as_str().map(str::to_owned);
        let ticket_id = if e.kind == "ticket_issued" {
            body["ticket"]["id"].as_str().map(str::to_owned)
        } else {
            text("ticket")
        };
        let Some(ticket_id) = ticket_id.or_else(|| e.ticket_id.clone()) else {
            out.unreadable.push(format!("seq {} ({}): no ticket id", e.seq, e.kind));
            continue;
        };
        if e.kind == "ticket_issued" {
            out.tickets += 1;
            if tickets.contains_key(&ticket_id) {
                out.issued_twice
                    .push(format!("seq {}: ticket {ticket_id} issued again", e.seq));
            }
            tickets.insert(
                ticket_id,
                Ticket {
                    state: TicketState::Waiting,
                    window: None,
                    since: e.seq,
                },
            );
            continue;
        }
        let t = tickets.entry(ticket_id.clone()).or_insert(Ticket {
            // An event about a ticket this log never issued: replay from the first sight of it.
            state: TicketState::Waiting,
            window: None,
            since: e.seq,
        });
        let close_window = |t: &mut Ticket, windows: &mut HashMap<String, String>| {
            if let Some(w) = t.window.take()
                && windows.get(&w) == Some(&ticket_id)
            {
                windows.remove(&w);
            }
        };
        match e.kind.as_str() {
            "ticket_called" => {
                out.calls += 1;
                let window = text("window").unwrap_or_default();
                match t.state {
                    TicketState::Called | TicketState::Serving => out.double_calls.push(format!(
                        "seq {}: ticket {ticket_id} called at {window} by {} while already {:?} at {} since seq {}",
                        e.seq,
                        e.actor,
                        t.state,
                        t.window.as_deref().unwrap_or("?"),
                        t.since
                    )),
                    TicketState::Closed => out.calls_after_close.push(format!(
                        "seq {}: ticket {ticket_id} called at {window} after it was closed at seq {}",
                        e.seq, t.since
                    )),
                    TicketState::Waiting | TicketState::Parked => {}
                }
                if let Some(current) = windows.get(&window)
                    && current != &ticket_id
                {
                    out.window_busy_calls.push(format!(
                        "seq {}: window {window} called {ticket_id} while ticket {current} was still its current one",
                        e.seq
                    ));
                }
                close_window(t, &mut windows);
                windows.insert(window.clone(), ticket_id.clone());
                t.state = TicketState::Called;
                t.window = Some(window);
                t.since = e.seq;
            }
            "ticket_recalled" => {}
            "service_started" => {
                t.state = TicketState::Serving;
                t.since = e.seq;
            }
            "ticket_parked" => {
                close_window(t, &mut windows);
                // A parked ticket is called back by the window that parked it.
                t.window = text("window");
                t.state = TicketState::Parked;
                t.since = e.seq;
            }
            "ticket_transferred" => {
                close_window(t, &mut windows);
                t.state = TicketState::Waiting;
                t.since = e.seq;
            }
            // Finished, no-show, voided, expired.
            _ => {
                close_window(t, &mut windows);
                t.state = TicketState::Closed;
                t.since = e.seq;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    fn ev(seq: i64, kind: &str, body: Value) -> EventRow {
        let mut b = body;
        b["kind"] = json!(kind);
        EventRow {
            seq,
            event_id: format!("e{seq}"),
            kind: kind.to_owned(),
            actor: "staff:S1".to_owned(),
            ticket_id: None,
            body: json!({"v": 1, "hall_id": "H1", "at": 0, "actor": {"type": "system"}, "body": b}).to_string(),
        }
    }

    fn issued(seq: i64, t: &str) -> EventRow {
        ev(seq, "ticket_issued", json!({"ticket": {"id": t}}))
    }

    fn called(seq: i64, t: &str, w: &str) -> EventRow {
        ev(
            seq,
            "ticket_called",
            json!({"ticket": t, "window": w, "staff": null, "pool": []}),
        )
    }

    fn at(seq: i64, kind: &str, t: &str, w: &str) -> EventRow {
        ev(seq, kind, json!({"ticket": t, "window": w}))
    }

    #[test]
    fn a_normal_day_has_no_findings() {
        let log = vec![
            issued(1, "t1"),
            issued(2, "t2"),
            called(3, "t1", "W1"),
            ev(4, "ticket_recalled", json!({"ticket": "t1", "window": "W1"})),
            at(5, "service_started", "t1", "W1"),
            at(6, "service_finished", "t1", "W1"),
            called(7, "t2", "W1"),
            at(8, "ticket_parked", "t2", "W1"),
            called(9, "t2", "W1"),
            ev(
                10,
                "ticket_transferred",
                json!({"ticket": "t2", "from_window": "W1", "to": {"queue": "QB"}}),
            ),
            called(11, "t2", "W2"),
            ev(12, "ticket_expired", json!({"ticket": "t2"})),
        ];
        let r = replay(&log);
        assert!(r.double_calls.is_empty(), "{:?}", r.double_calls);
        assert!(r.calls_after_close.is_empty() && r.window_busy_calls.is_empty() && r.issued_twice.is_empty());
        assert!(r.unreadable.is_empty(), "{:?}", r.unreadable);
        assert_eq!((r.tickets, r.calls), (2, 4));
    }

    #[test]
    fn double_calls_and_their_relatives_are_found() {
        let log = vec![
            issued(1, "t1"),
            issued(2, "t2"),
            called(3, "t1", "W1"),
            // The same ticket at a second window: a double call.
            called(4, "t1", "W2"),
            // W2 calls another while t1 is still its current ticket.
            called(5, "t2", "W2"),
            at(6, "service_finished", "t2", "W2"),
            called(7, "t2", "W3"),
            issued(8, "t1"),
        ];
        let r = replay(&log);
        assert_eq!(r.double_calls.len(), 1, "{:?}", r.double_calls);
        assert!(r.double_calls[0].contains("seq 4"));
        assert_eq!(r.window_busy_calls.len(), 1, "{:?}", r.window_busy_calls);
        assert_eq!(r.calls_after_close.len(), 1);
        assert_eq!(r.issued_twice.len(), 1);
    }
}
