//! Appointments over HTTP: slots, capacity, cancel, reschedule, check-in inside / outside the window
//! around the slot (tender 2818–2826: multi-channel appointments; 6 unified appointments).

use node_testkit::*;
use serde_json::json;

const TODAY: &str = "2026-11-23";

#[tokio::test]
async fn booking_respects_capacity_and_one_booking_per_person() {
    let mut n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let (st, slots) = n
        .req("GET", &format!("/api/v1/halls/H1/items/I1/slots?day={TODAY}"))
        .device(&kiosk)
        .send()
        .await;
    assert_eq!(st, 200, "{slots}");
    assert_eq!(slots.as_array().unwrap().len(), 14);
    assert_eq!(slots[2]["start_minute"], 600);
    assert_eq!(slots[2]["capacity"], 2);

    let book = |id: String, start: u16| json!({"hall_id": "H1", "item_id": "I1", "day": TODAY, "start_minute": start, "id_number": id});
    let (st, a) = n
        .req("POST", "/api/v1/appointments")
        .device(&kiosk)
        .json(book(id_number("19800101", 1), 600))
        .send()
        .await;
    assert_eq!(st, 201, "{a}");
    assert_eq!(a["status"], "booked");
    assert!(
        !a.to_string().contains("19800101"),
        "the ID number is not echoed or stored"
    );
    let (st, v) = n
        .req("POST", "/api/v1/appointments")
        .device(&kiosk)
        .json(book(id_number("19800101", 1), 630))
        .send()
        .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (409, Some("duplicate")),
        "one booking per person, item and day: {v}"
    );
    let (st, _) = n
        .req("POST", "/api/v1/appointments")
        .device(&kiosk)
        .json(book(id_number("19800101", 2), 600))
        .send()
        .await;
    assert_eq!(st, 201);
    let (st, v) = n
        .req("POST", "/api/v1/appointments")
        .device(&kiosk)
        .json(book(id_number("19800101", 3), 600))
        .send()
        .await;
    assert_eq!((st, v["code"].as_str()), (409, Some("slot_full")));
    let (st, v) = n
        .req("POST", "/api/v1/appointments")
        .device(&kiosk)
        .json(book(id_number("19800101", 3), 545))
        .send()
        .await;
    assert_eq!(
        (st, v["field"].as_str()),
        (422, Some("start_minute")),
        "no slot starts at 09:05: {v}"
    );
    let (st, v) = n
        .req("POST", "/api/v1/appointments")
        .device(&kiosk)
        .json(book(id_number("19800101", 3), 540))
        .send()
        .await;
    assert_eq!(
        (st, v["field"].as_str()),
        (422, Some("start_minute")),
        "09:00 has already started: {v}"
    );
    let (st, v) = n
        .req("POST", "/api/v1/appointments")
        .device(&kiosk)
        .json(book("230102198001011234".into(), 660))
        .send()
        .await;
    assert_eq!(
        (st, v["field"].as_str()),
        (422, Some("id_number")),
        "a wrong check character is refused: {v}"
    );

    // Cancelling frees the place; rescheduling moves it.
    let id = a["id"].as_str().unwrap();
    let (st, v) = n
        .req("POST", &format!("/api/v1/appointments/{id}/cancel"))
        .device(&kiosk)
        .send()
        .await;
    assert_eq!((st, v["status"].as_str()), (200, Some("cancelled")));
    let (_, slots) = n
        .req("GET", &format!("/api/v1/halls/H1/items/I1/slots?day={TODAY}"))
        .device(&kiosk)
        .send()
        .await;
    assert_eq!(slots[2]["booked"], 1);
    let (st, v) = n
        .req("POST", &format!("/api/v1/appointments/{id}/cancel"))
        .device(&kiosk)
        .send()
        .await;
    assert_eq!(st, 422, "already cancelled: {v}");
    let (st, b) = n
        .req("POST", "/api/v1/appointments")
        .device(&kiosk)
        .json(book(id_number("19800101", 4), 600))
        .send()
        .await;
    assert_eq!(st, 201);
    let bid = b["id"].as_str().unwrap();
    let (st, v) = n
        .req("POST", &format!("/api/v1/appointments/{bid}/reschedule"))
        .device(&kiosk)
        .json(json!({"day": "2026-11-24", "start_minute": 720}))
        .send()
        .await;
    assert_eq!(
        (st, v["day"].as_str(), v["start_minute"].as_u64()),
        (200, Some("2026-11-24"), Some(720)),
        "{v}"
    );
    let (_, slots) = n
        .req("GET", &format!("/api/v1/halls/H1/items/I1/slots?day={TODAY}"))
        .device(&kiosk)
        .send()
        .await;
    assert_eq!(slots[2]["booked"], 1, "the old slot is freed");
    let (_, v) = n
        .req(
            "GET",
            &format!("/api/v1/appointments/by-code/{}", b["code"].as_str().unwrap()),
        )
        .device(&kiosk)
        .send()
        .await;
    assert_eq!(v["id"].as_str(), Some(bid));
    n.stop().await;
}

#[tokio::test]
async fn check_in_window_decides_precedence() {
    let mut n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let w1 = n.open_window("w1", "W1").await;
    let book = |serial: u32, start: u16| json!({"hall_id": "H1", "item_id": "I1", "day": TODAY, "start_minute": start, "id_number": id_number("19700101", serial)});
    let (_, early) = n
        .req("POST", "/api/v1/appointments")
        .device(&kiosk)
        .json(book(1, 660))
        .send()
        .await; // 11:00
    let (_, late) = n
        .req("POST", "/api/v1/appointments")
        .device(&kiosk)
        .json(book(2, 600))
        .send()
        .await; // 10:00

    // 09:00: 11:00 opens for check-in at 10:30 (30 min early).
    let eid = early["id"].as_str().unwrap();
    let (st, v) = n
        .req("POST", &format!("/api/v1/appointments/{eid}/check-in"))
        .device(&kiosk)
        .send()
        .await;
    assert_eq!((st, v["code"].as_str()), (409, Some("check_in_too_early")), "{v}");
    assert!(
        v["message"].as_str().unwrap().contains("630"),
        "says when check-in opens: {v}"
    );

    // A walk-in arrives first, then at 10:40 both check in: 11:00 is on time, 10:00 is 40 min late.
    n.issue(
        &kiosk,
        json!({"hall_id": "H1", "item_id": "I1", "channel": "kiosk", "id_card": {"number": ID_1990}}),
    )
    .await;
    n.clock.advance_minutes(100);
    let (st, on_time) = n
        .req("POST", &format!("/api/v1/appointments/{eid}/check-in"))
        .device(&kiosk)
        .send()
        .await;
    assert_eq!(st, 200, "{on_time}");
    assert_eq!(
        (on_time["class"].as_str(), on_time["channel"].as_str()),
        (Some("appointment"), Some("appointment"))
    );
    assert!(on_time["token"].is_string(), "the citizen gets a QR token");
    let lid = late["id"].as_str().unwrap();
    let (st, late_t) = n
        .req("POST", &format!("/api/v1/appointments/{lid}/check-in"))
        .device(&kiosk)
        .send()
        .await;
    assert_eq!(
        (st, late_t["class"].as_str()),
        (200, Some("normal")),
        "late beyond 15 min joins the normal queue: {late_t}"
    );
    let (st, v) = n
        .req("POST", &format!("/api/v1/appointments/{eid}/check-in"))
        .device(&kiosk)
        .send()
        .await;
    assert_eq!(st, 422, "checked in once only: {v}");

    let (_, v) = n.window_action(&w1, "W1", "call-next").await;
    assert_eq!(
        v["ticket"]["display"], on_time["display"],
        "the on-time appointment is called before the earlier walk-in"
    );
    n.window_action(&w1, "W1", "finish").await;
    let (_, v) = n.window_action(&w1, "W1", "call-next").await;
    assert_eq!(
        v["ticket"]["display"], "A001",
        "then the walk-in, who came before the late appointment"
    );
    n.stop().await;
}
