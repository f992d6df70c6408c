//! The wire as the clients read it: every view round-trips through JSON, and the member names the
//! kiosk, the window terminal, the hall wall and the lawyer desk read are pinned here, so renaming one
//! fails a test on the wire's own crate and not only the build of one client.

use domain::config::PriorityReason;
use domain::hall::WindowStatus;
use domain::routing::Class;
use domain::ticket::{Channel, TicketStatus};
use domain::{BusinessDay, Millis};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::consultations::{ConsultKind, ConsultStatus, Due};
use crate::feed::{PublicAppointment, PublicEvent, PublicTicket, PublicWindow};
use crate::halls::{Counters, HallSnapshot, QueueSnapshot, RecentCall};
use crate::kiosk::{QuotaView, SlotView, TicketPreview};
use crate::tickets::IssueResponse;
use crate::views::{CitizenView, QueueWaiting, TicketView, WindowView};
use crate::{ErrorBody, paths};

/// Serializes, checks the object's member names (sorted), parses back and compares.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(v: &T, members: &[&str]) -> Value {
    let json = serde_json::to_value(v).expect("serialize");
    let mut got: Vec<&str> = json
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    got.sort_unstable();
    let mut want = members.to_vec();
    want.sort_unstable();
    assert_eq!(got, want, "member names of {}", std::any::type_name::<T>());
    let back: T = serde_json::from_value(json.clone()).expect("deserialize");
    assert_eq!(&back, v);
    json
}

fn window() -> WindowView {
    WindowView {
        id: "H00-W05".into(),
        hall_id: "H00".into(),
        number: "5".into(),
        status: WindowStatus::Open,
        staff_id: Some("S1".into()),
        staff_name: Some("王芳".into()),
        pause_reason: None,
        current: Some("A023".into()),
        served_today: 7,
        waiting: vec![QueueWaiting {
            queue_id: "Q1".into(),
            waiting: 3,
        }],
    }
}

fn ticket() -> TicketView {
    TicketView {
        id: "T1".into(),
        display: "A023".into(),
        hall_id: "H00".into(),
        queue_id: "Q1".into(),
        queue_name: Some("户籍业务".into()),
        item_id: Some("I1".into()),
        item_name: Some("户口迁移".into()),
        status: TicketStatus::Waiting,
        class: Class::Priority,
        priority: Some(PriorityReason::Elderly),
        channel: Channel::Kiosk,
        appointment_id: None,
        window_id: None,
        window_number: None,
        issued_at: Millis(1000),
        called_at: None,
        recall_count: 0,
        transfers: 0,
        waited_secs: 60,
        rating: None,
        evidence_requested: false,
        estimate: Some(domain::estimate::WaitEstimate {
            people_ahead: 2,
            windows_serving: 1,
            avg_service_secs: 300,
            estimated_wait_secs: Some(600),
        }),
        citizen: Some(CitizenView {
            id_number: Some("230***********0020".into()),
            name: Some("张*".into()),
            phone: None,
            masked: true,
        }),
        confirmations: None,
        token: None,
    }
}

#[test]
fn ticket_view_leaves_out_the_detail_only_members() {
    let base = [
        "id",
        "display",
        "hall_id",
        "queue_id",
        "queue_name",
        "item_id",
        "item_name",
        "status",
        "class",
        "priority",
        "channel",
        "appointment_id",
        "window_id",
        "window_number",
        "issued_at",
        "called_at",
        "recall_count",
        "transfers",
        "waited_secs",
        "rating",
        "evidence_requested",
        "estimate",
        "citizen",
    ];
    let json = round_trip(&ticket(), &base);
    assert_eq!(json["status"], "waiting");
    assert_eq!(json["class"], "priority");
    assert_eq!(json["priority"], "elderly");
    assert_eq!(json["channel"], "kiosk");
    assert_eq!(json["issued_at"], 1000);
    assert_eq!(json["estimate"]["people_ahead"], 2);
    assert_eq!(json["estimate"]["estimated_wait_secs"], 600);
    assert_eq!(json["citizen"]["masked"], true);
    // The QR token is there only for whoever just took the ticket.
    let mut t = ticket();
    t.token = Some("tok".into());
    let mut with_token = base.to_vec();
    with_token.push("token");
    assert_eq!(round_trip(&t, &with_token)["token"], "tok");
}

#[test]
fn issue_response_and_preview_members() {
    let issued = IssueResponse {
        ticket_id: "T1".into(),
        display: "A023".into(),
        hall_id: "H00".into(),
        queue_id: "Q1".into(),
        queue_name: None,
        people_ahead: 4,
        estimated_wait_secs: None,
        token: "tok".into(),
        issued_at: Millis(5),
        priority: Some(PriorityReason::Military),
    };
    let json = round_trip(
        &issued,
        &[
            "ticket_id",
            "display",
            "hall_id",
            "queue_id",
            "queue_name",
            "people_ahead",
            "estimated_wait_secs",
            "token",
            "issued_at",
            "priority",
        ],
    );
    assert_eq!(json["queue_name"], Value::Null, "absent values are null, not left out");
    assert_eq!(json["priority"], "military");

    let preview = TicketPreview {
        item_id: "I1".into(),
        item_name: "户口迁移".into(),
        queue_id: "Q1".into(),
        queue_name: "户籍业务".into(),
        people_ahead: 3,
        estimated_wait_secs: Some(900),
        windows_serving: 2,
        id_card_required: true,
        quota: QuotaView {
            limit: Some(100),
            issued: 100,
            remaining: Some(0),
        },
        next_slot: Some(SlotView {
            day: "2026-11-24".into(),
            start_minute: 540,
            end_minute: 570,
            left: 3,
        }),
    };
    let json = round_trip(
        &preview,
        &[
            "item_id",
            "item_name",
            "queue_id",
            "queue_name",
            "people_ahead",
            "estimated_wait_secs",
            "windows_serving",
            "id_card_required",
            "quota",
            "next_slot",
        ],
    );
    assert_eq!(json["quota"], json!({"limit": 100, "issued": 100, "remaining": 0}));
    assert_eq!(json["next_slot"]["start_minute"], 540);
}

#[test]
fn hall_snapshot_members_the_wall_reads() {
    let snap = HallSnapshot {
        hall_id: "H00".into(),
        name: "哈尔滨市政务服务中心".into(),
        day: "2026-11-23".into(),
        windows: vec![window()],
        queues: vec![QueueSnapshot {
            id: "Q1".into(),
            prefix: "A".into(),
            name: "户籍业务".into(),
            waiting: 3,
            next: Some("A004".into()),
            avg_service_secs: 300,
            today: Counters {
                issued: 9,
                ..Counters::default()
            },
        }],
        recent_calls: vec![RecentCall {
            display: "A003".into(),
            window_number: Some("2".into()),
            called_at: Millis(3000),
            recall_count: 1,
        }],
        open_windows: 1,
        waiting_total: 3,
        last_event_id: 40,
    };
    let json = round_trip(
        &snap,
        &[
            "hall_id",
            "name",
            "day",
            "windows",
            "queues",
            "recent_calls",
            "open_windows",
            "waiting_total",
            "last_event_id",
        ],
    );
    assert_eq!(
        json["recent_calls"][0],
        json!({"display": "A003", "window_number": "2", "called_at": 3000, "recall_count": 1})
    );
    assert_eq!(json["queues"][0]["today"]["issued"], 9);
    assert_eq!(json["windows"][0]["status"], "open");
    assert_eq!(json["windows"][0]["waiting"], json!([{"queue_id": "Q1", "waiting": 3}]));
}

#[test]
fn the_feed_event_keeps_its_shape() {
    let ev = PublicEvent {
        kind: "ticket_called".into(),
        hall_id: "H00".into(),
        at: 5000,
        ticket: Some(PublicTicket {
            id: "T1".into(),
            display: "A023".into(),
            queue_id: "Q1".into(),
            status: TicketStatus::Called,
            class: Class::Normal,
            recall_count: 0,
        }),
        waiting_in_queue: Some(2),
        window: Some(PublicWindow {
            id: "H00-W05".into(),
            number: None,
            status: WindowStatus::Open,
            staffed: true,
        }),
        to: None,
        level: None,
        appointment: None,
    };
    round_trip(&ev, &["kind", "hall_id", "at", "ticket", "waiting_in_queue", "window"]);
    // Keys sorted at every level, members without a value left out, the window's number null.
    assert_eq!(
        ev.to_data(),
        r#"{"at":5000,"hall_id":"H00","kind":"ticket_called","ticket":{"class":"normal","display":"A023","id":"T1","queue_id":"Q1","recall_count":0,"status":"called"},"waiting_in_queue":2,"window":{"id":"H00-W05","number":null,"staffed":true,"status":"open"}}"#
    );
    let booked = PublicEvent {
        kind: "appointment_booked".into(),
        hall_id: "H00".into(),
        at: 1,
        ticket: None,
        waiting_in_queue: None,
        window: None,
        to: None,
        level: None,
        appointment: Some(PublicAppointment {
            item_id: "I1".into(),
            day: BusinessDay(20_000),
            start_minute: 540,
        }),
    };
    assert_eq!(
        booked.to_data(),
        r#"{"appointment":{"day":20000,"item_id":"I1","start_minute":540},"at":1,"hall_id":"H00","kind":"appointment_booked"}"#
    );
}

#[test]
fn error_body_and_nouns_spellings() {
    let e = ErrorBody {
        code: "quota_exhausted".into(),
        message: "今日号源已满".into(),
        field: None,
    };
    round_trip(&e, &["code", "message", "field"]);
    assert_eq!(
        serde_json::to_value(ConsultKind::Realtime).ok(),
        Some(json!("realtime"))
    );
    assert_eq!(
        serde_json::to_value(ConsultStatus::WaitingReply).ok(),
        Some(json!("waiting_reply"))
    );
    assert_eq!(ConsultStatus::WaitingReply.as_str(), "waiting_reply");
    assert_eq!(ConsultKind::parse("video"), Some(ConsultKind::Video));
    let due = Due {
        action: "first_reply".into(),
        label: "首次回复".into(),
        clause: "6.2.2.3".into(),
        due: 10,
        remaining_secs: -5,
    };
    round_trip(&due, &["action", "label", "clause", "due", "remaining_secs"]);
}

#[test]
fn paths_are_the_routes() {
    assert_eq!(paths::hall_snapshot("H00"), "/api/v1/halls/H00/snapshot");
    assert_eq!(paths::item_preview("H00", "I1"), "/api/v1/halls/H00/items/I1/preview");
    assert_eq!(paths::window_action("W5", "call-next"), "/api/v1/windows/W5/call-next");
    assert_eq!(paths::window_panel("W5"), "/api/v1/windows/W5/panel");
    assert_eq!(paths::consultation_action("C1", "ws"), "/api/v1/consultations/C1/ws");
    assert_eq!(
        paths::sync_pull(3, 2, 5000),
        "/api/v1/sync/pull?after=3&config_version=2&limit=5000"
    );
    assert_eq!(paths::blob_chunk("ab", 0, 9), "/api/v1/blobs/ab?offset=0&total=9");
}

#[test]
fn chat_frames_are_tagged_by_type() {
    use crate::consultations::{Author, ChatFrame, MessageKind, MessageView};
    let frame = ChatFrame::Message {
        message: MessageView {
            id: "m1".into(),
            seq: 1,
            author: Author::Citizen,
            kind: MessageKind::Text,
            body: "问".into(),
            at: 5,
            warning: None,
        },
    };
    assert_eq!(
        frame.to_text(),
        r#"{"message":{"at":5,"author":"citizen","body":"问","id":"m1","kind":"text","seq":1},"type":"message"}"#
    );
    let status = ChatFrame::Status {
        status: ConsultStatus::Active,
        label: "咨询中".into(),
    };
    assert_eq!(
        status.to_text(),
        r#"{"label":"咨询中","status":"active","type":"status"}"#
    );
    let back: ChatFrame = serde_json::from_str(&status.to_text()).expect("parse");
    assert_eq!(back, status);
}
