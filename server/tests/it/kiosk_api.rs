//! What the citizen kiosk (自助终端) calls, over real HTTP: service guides, the ticket preview, finding
//! appointments by ID card, and case progress. Tender 21 "政务服务自助终端" (lines 3025–3041: "大厅办事
//! 预约…大厅取号排队", "办事指南打印、预约履约、排队取号…办件查询、补件、取件", "查询…办件进度") and the queuing
//! clauses 2818–2826 ("显示办理事项、排队人数等信息", "群众多渠道预约、刷身份证取号", "预约数量限制").

use node_testkit::*;
use serde_json::{Value, json};

const TODAY: &str = "2026-11-23";
const TOMORROW: &str = "2026-11-24";

/// Tender 3025–3041 "办事指南打印" and 2818–2826 "显示办理事项": the hall's items with their guides, queue
/// and the windows that serve them; kiosks and staff of that hall only.
#[tokio::test]
async fn guides_list_the_halls_items_with_their_windows_and_guides() {
    let n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let (st, v) = n.req("GET", "/api/v1/halls/H1/guides").device(&kiosk).send().await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["hall_id"], "H1");
    let items = v["items"].as_array().unwrap();
    let ids: Vec<&str> = items.iter().map(|i| i["item_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["I1", "I2", "I3"], "queue order; H2's item is not listed");
    let i1 = &items[0];
    assert_eq!(i1["code"], "2301-I1");
    assert_eq!(i1["name"], "户口迁移");
    assert_eq!(i1["department"], "公安户政");
    assert_eq!(i1["id_card_required"], true);
    assert_eq!(i1["queue_id"], "QA");
    assert_eq!(i1["queue_name"], "A队列");
    assert_eq!(i1["window_numbers"], json!(["1", "2", "3"]), "W1–W3 serve QA");
    assert_eq!(i1["guide"]["materials"][2]["name"], "准予迁入证明");
    assert_eq!(i1["guide"]["materials"][2]["note"], "迁入地派出所开具");
    assert_eq!(i1["guide"]["materials"][0]["original"], true);
    assert_eq!(i1["guide"]["fee"], "免费");
    assert_eq!(i1["guide"]["time_limit"], "即办");
    let i3 = &items[2];
    assert_eq!(i3["window_numbers"], json!(["3", "4"]));
    assert_eq!(i3["daily_quota"], 2);
    assert_eq!(i3["guide"]["materials"][2]["copies"], 2);
    assert_eq!(i3["guide"]["time_limit"], "5 个工作日");

    let mgr = n.login("mgr").await;
    let (st, _) = n.req("GET", "/api/v1/halls/H1/guides").bearer(&mgr).send().await;
    assert_eq!(st, 200, "the hall's manager");
    let w9 = n.login("w9").await;
    let (st, _) = n.req("GET", "/api/v1/halls/H1/guides").bearer(&w9).send().await;
    assert_eq!(st, 403, "staff of another hall");
    let other = n.enroll("H2", "kiosk").await;
    let (st, _) = n.req("GET", "/api/v1/halls/H1/guides").device(&other).send().await;
    assert_eq!(st, 403, "a kiosk of another hall");
    let (st, v) = n.req("GET", "/api/v1/halls/H2/guides").device(&other).send().await;
    assert_eq!(
        (st, v["items"][0]["guide"].clone()),
        (200, Value::Null),
        "no guide configured"
    );
    let evaluator = n.enroll("H1", "evaluator").await;
    let (st, _) = n.req("GET", "/api/v1/halls/H1/guides").device(&evaluator).send().await;
    assert_eq!(st, 403, "an evaluator has no business here");
    let (st, _) = n.req("GET", "/api/v1/halls/H1/guides").send().await;
    assert_eq!(st, 401, "anonymous");
}

/// A guide that is not well-formed is refused with the path of the field at fault.
#[tokio::test]
async fn a_bad_guide_in_the_configuration_names_the_field() {
    let n = Node::start().await;
    let admin = n.login("admin").await;
    let mut city = test_city();
    city.items[2].guide.as_mut().unwrap().materials[1].name = " ".into();
    let (st, v) = n
        .req("PUT", "/api/v1/config")
        .bearer(&admin)
        .json(json!(city))
        .send()
        .await;
    assert_eq!(st, 422, "{v}");
    assert_eq!(v["field"], "items[2].guide.materials[1].name");
    let mut city = test_city();
    city.items[0].guide.as_mut().unwrap().materials[0].copies = 0;
    let (st, v) = n
        .req("PUT", "/api/v1/config")
        .bearer(&admin)
        .json(json!(city))
        .send()
        .await;
    assert_eq!(
        (st, v["field"].as_str()),
        (422, Some("items[0].guide.materials[0].copies"))
    );
}

/// Tender 2818–2826 "显示办理事项、排队人数等信息": before taking a ticket the kiosk shows what it would
/// say — the same people ahead and wait as the ticket issued right after.
#[tokio::test]
async fn the_preview_says_what_the_ticket_will_say() {
    let n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    for _ in 0..2 {
        let (st, v) = n
            .issue(&kiosk, json!({"hall_id": "H1", "item_id": "I2", "channel": "kiosk"}))
            .await;
        assert_eq!(st, 201, "{v}");
    }
    let preview = || n.req("GET", "/api/v1/halls/H1/items/I2/preview").device(&kiosk).send();
    let (st, p) = preview().await;
    assert_eq!(st, 200, "{p}");
    assert_eq!(p["item_id"], "I2");
    assert_eq!(p["queue_id"], "QB");
    assert_eq!(p["queue_name"], "B队列");
    assert_eq!(p["people_ahead"], 2);
    assert_eq!(p["estimated_wait_secs"], Value::Null, "no window serving QB is open");
    assert_eq!(p["id_card_required"], false);
    assert_eq!(p["quota"], json!({"limit": null, "issued": 2, "remaining": null}));
    assert_eq!(p["next_slot"], Value::Null, "I2 takes no appointments");

    n.open_window("w2", "W2").await;
    let (_, p) = preview().await;
    assert_eq!(p["estimated_wait_secs"], 2 * 120, "two ahead × 120 s ÷ one open window");
    let (st, t) = n
        .issue(&kiosk, json!({"hall_id": "H1", "item_id": "I2", "channel": "kiosk"}))
        .await;
    assert_eq!(st, 201, "{t}");
    assert_eq!(t["people_ahead"], p["people_ahead"]);
    assert_eq!(t["estimated_wait_secs"], p["estimated_wait_secs"]);

    // I1 takes appointments: the 09:00 slot has started (it is 09:00), the next one is offered.
    let (st, p) = n
        .req("GET", "/api/v1/halls/H1/items/I1/preview")
        .device(&kiosk)
        .send()
        .await;
    assert_eq!(st, 200, "{p}");
    assert_eq!(p["id_card_required"], true);
    assert_eq!(
        p["next_slot"],
        json!({"day": TODAY, "start_minute": 570, "end_minute": 600, "left": 2})
    );

    let (st, v) = n
        .req("GET", "/api/v1/halls/H1/items/I9/preview")
        .device(&kiosk)
        .send()
        .await;
    assert_eq!(
        (st, v["field"].as_str()),
        (422, Some("item")),
        "I9 is not offered in H1: {v}"
    );
    let (st, v) = n
        .req("GET", "/api/v1/halls/H1/items/NOPE/preview")
        .device(&kiosk)
        .send()
        .await;
    assert_eq!((st, v["field"].as_str()), (404, Some("item")));
    let other = n.enroll("H2", "kiosk").await;
    let (st, _) = n
        .req("GET", "/api/v1/halls/H1/items/I2/preview")
        .device(&other)
        .send()
        .await;
    assert_eq!(st, 403, "a kiosk of another hall");
    let (st, _) = n.req("GET", "/api/v1/halls/H1/items/I2/preview").send().await;
    assert_eq!(st, 401);
}

/// Tender 2818–2826 "预约数量限制": once the day's quota is used up the preview says 0 remaining and
/// offers the next appointment slot, and a ticket is refused with `quota_exhausted` naming that slot.
#[tokio::test]
async fn an_exhausted_quota_offers_the_next_appointment_slot() {
    let n = Node::start().await;
    // I3 (quota 2) takes appointments too, from 09:00 in 30-minute slots of 3.
    let mut city = test_city();
    city.slot_templates.push(domain::config::SlotTemplate {
        hall_id: "H1".into(),
        item_id: "I3".into(),
        weekdays: vec![1, 2, 3, 4, 5],
        first_start: 540,
        slot_minutes: 30,
        slots: 16,
        capacity: 3,
    });
    server::api::halls::install_config(&n.app(), domain::Actor::System, city)
        .await
        .unwrap();
    let kiosk = n.enroll("H1", "kiosk").await;
    let take = json!({"hall_id": "H1", "item_id": "I3", "channel": "kiosk"});
    for _ in 0..2 {
        let (st, v) = n.issue(&kiosk, take.clone()).await;
        assert_eq!(st, 201, "{v}");
    }
    let (st, p) = n
        .req("GET", "/api/v1/halls/H1/items/I3/preview")
        .device(&kiosk)
        .send()
        .await;
    assert_eq!(st, 200, "{p}");
    assert_eq!(p["quota"], json!({"limit": 2, "issued": 2, "remaining": 0}));
    assert_eq!(
        p["next_slot"],
        json!({"day": TODAY, "start_minute": 570, "end_minute": 600, "left": 3})
    );
    let (st, v) = n.issue(&kiosk, take.clone()).await;
    assert_eq!(st, 409, "{v}");
    assert_eq!(v["code"], "quota_exhausted");
    assert_eq!(v["field"], "item_id");
    let msg = v["message"].as_str().unwrap();
    assert!(msg.starts_with("今日取号名额已满"), "{msg}");
    assert!(msg.contains("2026-11-23 09:30–10:00（剩余 3 个）"), "{msg}");

    // Fill today's remaining slots from 09:30 on: the next one is tomorrow's first.
    for start in (570..=990u32).step_by(30) {
        for k in 0..3 {
            let (st, v) = n
                .req("POST", "/api/v1/appointments")
                .device(&kiosk)
                .json(
                    json!({"hall_id": "H1", "item_id": "I3", "day": TODAY, "start_minute": start,
                    "id_number": id_number("19700101", (start - 570) / 30 * 3 + k + 1)}),
                )
                .send()
                .await;
            assert_eq!(st, 201, "{start} {k}: {v}");
        }
    }
    let (_, p) = n
        .req("GET", "/api/v1/halls/H1/items/I3/preview")
        .device(&kiosk)
        .send()
        .await;
    assert_eq!(p["next_slot"]["day"], TOMORROW, "{p}");
    assert_eq!(p["next_slot"]["start_minute"], 540);
    let (_, v) = n.issue(&kiosk, take).await;
    assert!(v["message"].as_str().unwrap().contains("2026-11-24 09:00–09:30"), "{v}");
}

/// Tender 3025–3041 "预约履约" and 2818–2826 "刷身份证取号": the kiosk reads the ID card and finds that
/// person's bookings in this hall (today's and later, still to check in), with the check-in rule; no one
/// else's, and never the number itself.
#[tokio::test]
async fn appointments_are_found_by_id_card_and_explain_the_check_in_rule() {
    let n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let (a_id, b_id) = (id_number("19800101", 11), id_number("19800101", 12));
    let book = |id: &str, day: &str, start: u16| json!({"hall_id": "H1", "item_id": "I1", "day": day, "start_minute": start, "id_number": id});
    let mut booked = Vec::new();
    for (id, day, start) in [
        (&a_id, TOMORROW, 570),
        (&a_id, TODAY, 600),
        (&b_id, TODAY, 600),
        (&a_id, "2026-11-25", 540),
    ] {
        let (st, v) = n
            .req("POST", "/api/v1/appointments")
            .device(&kiosk)
            .json(book(id, day, start))
            .send()
            .await;
        assert_eq!(st, 201, "{v}");
        booked.push(v["id"].as_str().unwrap().to_owned());
    }
    let (st, _) = n
        .req("POST", &format!("/api/v1/appointments/{}/cancel", booked[3]))
        .device(&kiosk)
        .send()
        .await;
    assert_eq!(st, 200);

    let lookup = |id: &str| {
        n.req("POST", "/api/v1/appointments/lookup")
            .device(&kiosk)
            .json(json!({"hall_id": "H1", "id_number": id}))
            .send_text()
    };
    let (st, text) = lookup(&a_id).await;
    assert_eq!(st, 200, "{text}");
    assert!(
        !text.contains(&a_id) && !text.contains(&b_id),
        "no ID number in the answer"
    );
    let v: Value = serde_json::from_str(&text).unwrap();
    let list = v["appointments"].as_array().unwrap();
    let got: Vec<(&str, &str)> = list
        .iter()
        .map(|a| (a["id"].as_str().unwrap(), a["day"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [(booked[1].as_str(), TODAY), (booked[0].as_str(), TOMORROW)],
        "only this person's, soonest first, not the cancelled one"
    );
    let first = &list[0];
    assert_eq!(first["item_name"], "户口迁移");
    assert_eq!(first["hall_name"], "第一大厅");
    assert_eq!(
        (first["early_minutes"].as_u64(), first["late_minutes"].as_u64()),
        (Some(30), Some(15))
    );
    assert_eq!(first["checkin_opens_minute"], 570);
    assert_eq!(first["late_after_minute"], 615);
    assert_eq!(first["checkin_opens_at"], MONDAY_0900 + 30 * 60_000);
    assert_eq!(first["late_after"], MONDAY_0900 + 75 * 60_000);
    assert_eq!(
        first["checkin_rule"],
        "签到时间为 09:30 起；迟到超过 15 分钟（10:15 后）将按普通号排队"
    );

    let (_, text) = lookup(&b_id).await;
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["appointments"].as_array().unwrap().len(), 1);
    assert_eq!(v["appointments"][0]["id"], booked[2].as_str());

    // Checked in: no longer listed.
    n.clock.set(MONDAY_0900 + 35 * 60_000);
    let (st, t) = n
        .req("POST", &format!("/api/v1/appointments/{}/check-in", booked[1]))
        .device(&kiosk)
        .send()
        .await;
    assert_eq!(st, 200, "{t}");
    let (_, text) = lookup(&a_id).await;
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["appointments"].as_array().unwrap().len(), 1);
    assert_eq!(v["appointments"][0]["id"], booked[0].as_str());

    let (st, v) = n
        .req("POST", "/api/v1/appointments/lookup")
        .device(&kiosk)
        .json(json!({"hall_id": "H1", "id_number": "230102199001011231"}))
        .send()
        .await;
    assert_eq!((st, v["field"].as_str()), (422, Some("id_number")), "{v}");
    let other = n.enroll("H2", "kiosk").await;
    let (st, _) = n
        .req("POST", "/api/v1/appointments/lookup")
        .device(&other)
        .json(json!({"hall_id": "H1", "id_number": a_id}))
        .send()
        .await;
    assert_eq!(st, 403, "a kiosk of another hall");
    let (st, _) = n
        .req("POST", "/api/v1/appointments/lookup")
        .json(json!({"hall_id": "H1", "id_number": a_id}))
        .send()
        .await;
    assert_eq!(st, 401);
    // The number never reaches the database.
    let db = std::fs::read(n.db_path()).unwrap();
    let wal = std::fs::read(n.dir.join("node.db-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(!bytes.windows(a_id.len()).any(|w| w == a_id.as_bytes()));
    }
}
