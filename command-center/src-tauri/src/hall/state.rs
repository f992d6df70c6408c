//! The wall's state as plain data: folded from the hall node's snapshot and its live feed, with the
//! rule of what gets announced. No I/O, no clock: testable without a GUI or a network.
//!
//! Announcement rule: only a `ticket_called` or `ticket_recalled` feed event whose id is above every
//! id already applied is announced — the snapshot is history (never announced), and an event replayed
//! after a reconnect (the feed already drops those; this is the second guard) cannot speak twice. A
//! recall is a new event, so it is announced again.

use app_types::LinkStatus;
use app_types::hall_wall::{AudioStatus, WallCall, WallPhase, WallQueue, WallView};
use hall_api::feed::PublicEvent;
use hall_api::halls::HallSnapshot;
use serde::Deserialize;
use serde_json::Value;

/// A call to speak: what the announcer needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announce {
    pub display: String,
    pub window: String,
    /// The hall node's time of the call (ms since the epoch).
    pub called_at_ms: i64,
    pub event_id: i64,
}

#[derive(Debug, Clone)]
pub struct WallState {
    pub phase: WallPhase,
    pub hall_id: String,
    pub hall_name: String,
    /// Newest first, at most `max_calls`.
    pub calls: Vec<WallCall>,
    pub queues: Vec<WallQueue>,
    pub notices: Vec<String>,
    pub link: LinkStatus,
    pub last_event_id: Option<i64>,
    pub error: Option<String>,
    max_calls: usize,
}

fn key(display: &str, recall_count: u32) -> String {
    format!("{display}#{recall_count}")
}

impl WallState {
    pub fn new(max_calls: usize, notices: Vec<String>) -> WallState {
        WallState {
            phase: WallPhase::Setup,
            hall_id: String::new(),
            hall_name: String::new(),
            calls: Vec::new(),
            queues: Vec::new(),
            notices,
            // Not known to be reachable until the first answer.
            link: LinkStatus {
                online: false,
                since_ms: None,
                waiting_events: 0,
                waiting_blobs: 0,
                error: None,
            },
            last_event_id: None,
            error: None,
            max_calls: max_calls.max(1),
        }
    }

    /// Replaces the hall's picture with a snapshot (first connect). Nothing here is announced.
    pub fn apply_snapshot(&mut self, snap: &HallSnapshot) {
        self.phase = WallPhase::Running;
        self.hall_id.clone_from(&snap.hall_id);
        self.hall_name.clone_from(&snap.name);
        self.queues = snap
            .queues
            .iter()
            .map(|q| WallQueue {
                id: q.id.clone(),
                prefix: q.prefix.clone(),
                name: q.name.clone(),
                waiting: u32::try_from(q.waiting).unwrap_or(u32::MAX),
            })
            .collect();
        self.calls = snap
            .recent_calls
            .iter()
            .take(self.max_calls)
            .map(|c| WallCall {
                key: key(&c.display, c.recall_count),
                display: c.display.clone(),
                window: c.window_number.clone().unwrap_or_default(),
                called_at_ms: c.called_at.0,
                recall_count: c.recall_count,
            })
            .collect();
        // Never move the resume point back (a snapshot older than what the feed already gave).
        self.last_event_id = Some(
            self.last_event_id
                .map_or(snap.last_event_id, |l| l.max(snap.last_event_id)),
        );
    }

    /// Folds one feed event (its public projection) in; answers the call to announce, if any.
    pub fn apply_event(&mut self, id: i64, kind: &str, data: &Value) -> Option<Announce> {
        if self.last_event_id.is_some_and(|l| id <= l) {
            return None;
        }
        self.last_event_id = Some(id);
        // An event the wall cannot read changes nothing (the node always sends the whole shape).
        let ev = PublicEvent::deserialize(data).ok()?;
        let ticket = ev.ticket.as_ref();
        // Every event about a ticket carries its queue's waiting count after the event.
        let queue_id = ticket.map(|t| t.queue_id.as_str());
        let queue = queue_id.and_then(|q| self.queues.iter_mut().find(|x| x.id == q));
        if let (Some(queue), Some(w)) = (queue, ev.waiting_in_queue) {
            queue.waiting = u32::try_from(w).unwrap_or(u32::MAX);
        }
        if kind != "ticket_called" && kind != "ticket_recalled" {
            return None;
        }
        let display = ticket?.display.clone();
        let recall_count = ticket.map_or(0, |t| t.recall_count);
        let window = ev.window.as_ref().and_then(|w| w.number.clone()).unwrap_or_default();
        let at = ev.at;
        // A number shows once: its newest call (or recall) moves to the top.
        self.calls.retain(|c| c.display != display);
        self.calls.insert(
            0,
            WallCall {
                key: key(&display, recall_count),
                display: display.clone(),
                window: window.clone(),
                called_at_ms: at,
                recall_count,
            },
        );
        self.calls.truncate(self.max_calls);
        Some(Announce {
            display,
            window,
            called_at_ms: at,
            event_id: id,
        })
    }

    /// The link is up (a snapshot or the feed answered).
    pub fn set_online(&mut self) {
        self.link = LinkStatus {
            online: true,
            since_ms: None,
            waiting_events: 0,
            waiting_blobs: 0,
            error: None,
        };
    }

    /// The link is down since `since_ms`; the first moment of an outage is kept across retries.
    pub fn set_offline(&mut self, since_ms: i64, error: String) {
        let since = if self.link.online {
            since_ms
        } else {
            self.link.since_ms.unwrap_or(since_ms)
        };
        self.link = LinkStatus {
            online: false,
            since_ms: Some(since),
            waiting_events: 0,
            waiting_blobs: 0,
            error: Some(error),
        };
    }

    pub fn view(&self, audio: AudioStatus) -> WallView {
        WallView {
            phase: self.phase,
            hall_id: self.hall_id.clone(),
            hall_name: self.hall_name.clone(),
            calls: self.calls.clone(),
            queues: self.queues.clone(),
            notices: self.notices.clone(),
            link: self.link.clone(),
            audio,
            last_event_id: self.last_event_id,
            error: self.error.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn snapshot() -> HallSnapshot {
        serde_json::from_value(json!({
            "hall_id": "H00", "name": "哈尔滨市政务服务中心", "day": "2026-11-23",
            "windows": [], "open_windows": 1, "waiting_total": 5,
            "queues": [
                {"id": "Q1", "prefix": "A", "name": "户籍业务", "waiting": 3, "next": "A004",
                 "avg_service_secs": 300, "today": {"issued": 9, "called": 6, "done": 5, "no_show": 0, "voided": 0}},
                {"id": "Q2", "prefix": "B", "name": "出入境业务", "waiting": 2, "next": null,
                 "avg_service_secs": 0, "today": {"issued": 2, "called": 0, "done": 0, "no_show": 0, "voided": 0}}
            ],
            "recent_calls": [
                {"display": "A003", "window_number": "2", "called_at": 3000, "recall_count": 0},
                {"display": "A002", "window_number": "1", "called_at": 2000, "recall_count": 1}
            ],
            "last_event_id": 40
        }))
        .expect("snapshot")
    }

    fn called(kind: &str, display: &str, window: &str, recall: u32, waiting: u32, at: i64) -> Value {
        json!({
            "kind": kind, "hall_id": "H00", "at": at,
            "ticket": {"id": format!("T-{display}"), "display": display, "queue_id": "Q1",
                       "status": "called", "class": "normal", "recall_count": recall},
            "waiting_in_queue": waiting,
            "window": {"id": "W5", "number": window, "status": "open", "staffed": true}
        })
    }

    fn state() -> WallState {
        let mut s = WallState::new(4, vec!["请保管好随身物品".into()]);
        s.apply_snapshot(&snapshot());
        s
    }

    #[test]
    fn snapshot_sets_the_picture_without_announcing() {
        let s = state();
        assert_eq!(s.phase, WallPhase::Running);
        assert_eq!(s.hall_name, "哈尔滨市政务服务中心");
        assert_eq!(
            s.calls.iter().map(|c| c.display.as_str()).collect::<Vec<_>>(),
            ["A003", "A002"]
        );
        assert_eq!(s.calls[1].key, "A002#1");
        assert_eq!(s.queues[0].waiting, 3);
        assert_eq!(s.last_event_id, Some(40));
    }

    #[test]
    fn a_call_goes_on_top_updates_waiting_and_is_announced() {
        let mut s = state();
        let a = s.apply_event(41, "ticket_called", &called("ticket_called", "A023", "5", 0, 2, 5000));
        assert_eq!(
            a,
            Some(Announce {
                display: "A023".into(),
                window: "5".into(),
                called_at_ms: 5000,
                event_id: 41
            })
        );
        assert_eq!(s.calls[0].display, "A023");
        assert_eq!(s.calls[0].window, "5");
        assert_eq!(s.queues[0].waiting, 2);
        assert_eq!(s.last_event_id, Some(41));
    }

    #[test]
    fn replayed_and_old_events_are_never_announced_again() {
        let mut s = state();
        let ev = called("ticket_called", "A023", "5", 0, 2, 5000);
        assert!(s.apply_event(41, "ticket_called", &ev).is_some());
        assert!(s.apply_event(41, "ticket_called", &ev).is_none(), "same id twice");
        assert!(
            s.apply_event(39, "ticket_called", &ev).is_none(),
            "older than the snapshot"
        );
        assert_eq!(s.calls.iter().filter(|c| c.display == "A023").count(), 1);
    }

    #[test]
    fn a_recall_is_announced_again_and_keeps_one_row() {
        let mut s = state();
        s.apply_event(41, "ticket_called", &called("ticket_called", "A023", "5", 0, 2, 5000));
        s.apply_event(42, "ticket_called", &called("ticket_called", "A024", "6", 0, 1, 6000));
        let again = s.apply_event(
            43,
            "ticket_recalled",
            &called("ticket_recalled", "A023", "5", 1, 1, 7000),
        );
        assert_eq!(again.map(|a| a.display), Some("A023".into()));
        assert_eq!(s.calls[0].key, "A023#1");
        assert_eq!(s.calls.iter().filter(|c| c.display == "A023").count(), 1);
        assert_eq!(s.calls[1].display, "A024");
    }

    #[test]
    fn other_events_only_update_counts_and_the_list_is_bounded() {
        let mut s = state();
        let issued = json!({"kind": "ticket_issued", "hall_id": "H00", "at": 1,
            "ticket": {"id": "T9", "display": "B007", "queue_id": "Q2", "status": "waiting", "class": "normal",
                       "recall_count": 0},
            "waiting_in_queue": 9});
        assert!(s.apply_event(41, "ticket_issued", &issued).is_none());
        assert_eq!(s.queues[1].waiting, 9);
        for (i, n) in ["A010", "A011", "A012", "A013", "A014"].iter().enumerate() {
            s.apply_event(
                50 + i as i64,
                "ticket_called",
                &called("ticket_called", n, "1", 0, 0, 1),
            );
        }
        assert_eq!(s.calls.len(), 4);
        assert_eq!(s.calls[0].display, "A014");
    }

    #[test]
    fn an_outage_keeps_its_first_moment_and_the_picture() {
        let mut s = state();
        s.set_online();
        s.set_offline(1000, "refused".into());
        s.set_offline(2000, "refused again".into());
        assert_eq!(s.link.since_ms, Some(1000));
        assert!(!s.link.online);
        assert_eq!(s.calls.len(), 2, "last known calls stay");
        s.set_online();
        assert!(s.link.online && s.link.since_ms.is_none());
    }

    #[test]
    fn a_later_snapshot_never_moves_the_resume_point_back() {
        let mut s = state();
        s.apply_event(45, "ticket_called", &called("ticket_called", "A030", "3", 0, 0, 1));
        s.apply_snapshot(&snapshot());
        assert_eq!(s.last_event_id, Some(45));
    }
}
