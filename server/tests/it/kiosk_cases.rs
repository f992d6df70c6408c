//! Case progress (办件进度) over real HTTP: clerks open cases and move them through their stages, citizens
//! follow them at a kiosk by receipt number or ID card. Tender 21 "政务服务自助终端" (lines 3025–3041:
//! "查询…办件进度", "办件查询、补件、取件").

use node_testkit::*;
use serde_json::{Value, json};

fn stages_of(case: &Value) -> Vec<String> {
    case["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap().to_owned())
        .collect()
}

/// Tender 3025–3041 "查询…办件进度", "办件查询、补件、取件": a clerk opens a case (已受理) and moves it
/// through its stages; the moves the rules forbid are refused; the citizen follows it by receipt or ID
/// card at a kiosk of the hall and sees the stages in order, with no personal data.
#[tokio::test]
async fn cases_move_through_their_stages_and_citizens_follow_them() {
    let n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let w1 = n.login("w1").await;
    let (a_id, b_id) = (id_number("19800101", 21), id_number("19800101", 22));
    let open = |token: &str, body: Value| n.req("POST", "/api/v1/cases").bearer(token).json(body).send();
    let (st, c1) = open(&w1, json!({"hall_id": "H1", "item_id": "I1", "id_number": a_id})).await;
    assert_eq!(st, 201, "{c1}");
    assert_eq!(c1["receipt"], "T-20261123-000001");
    assert_eq!(c1["stage"], "accepted");
    assert_eq!(c1["stage_label"], "已受理");
    assert_eq!(c1["item_name"], "户口迁移");
    assert_eq!(c1["hall_name"], "第一大厅");
    assert_eq!(stages_of(&c1), ["accepted"]);
    assert!(!c1.to_string().contains(&a_id));
    let (st, t) = n
        .issue(&kiosk, json!({"hall_id": "H1", "item_id": "I2", "channel": "kiosk"}))
        .await;
    assert_eq!(st, 201, "{t}");
    n.clock.advance_minutes(5);
    let (st, c2) = open(
        &w1,
        json!({"hall_id": "H1", "item_id": "I3", "id_number": a_id, "ticket_id": t["ticket_id"]}),
    )
    .await;
    assert_eq!(st, 201, "{c2}");
    assert_eq!(c2["receipt"], "T-20261123-000002");

    let id = c1["id"].as_str().unwrap().to_owned();
    let stage = |s: &str, note: Option<&str>| {
        n.req("POST", &format!("/api/v1/cases/{id}/stages"))
            .bearer(&w1)
            .json(json!({"stage": s, "note": note}))
            .send()
    };
    let (st, v) = stage("reviewing", None).await;
    assert_eq!((st, v["stage_label"].as_str()), (200, Some("审查中")), "{v}");
    let (st, v) = stage("needs_more", None).await;
    assert_eq!(
        (st, v["code"].as_str(), v["field"].as_str()),
        (422, Some("invalid"), Some("note")),
        "{v}"
    );
    let (st, _) = stage("needs_more", Some("缺少准予迁入证明")).await;
    assert_eq!(st, 200);
    let (st, v) = stage("completed", None).await;
    assert_eq!(
        (st, v["code"].as_str(), v["field"].as_str()),
        (409, Some("bad_transition"), Some("stage")),
        "needs_more goes back to review first: {v}"
    );
    for s in ["reviewing", "completed"] {
        let (st, v) = stage(s, None).await;
        assert_eq!(st, 200, "{s}: {v}");
    }
    let (st, v) = stage("reviewing", None).await;
    assert_eq!(
        (st, v["code"].as_str()),
        (409, Some("bad_transition")),
        "completed → pickup/delivery only"
    );
    for s in ["ready_for_pickup", "delivered"] {
        let (st, v) = stage(s, None).await;
        assert_eq!(st, 200, "{s}: {v}");
    }
    let (st, v) = stage("reviewing", None).await;
    assert_eq!(
        (st, v["code"].as_str()),
        (409, Some("bad_transition")),
        "delivered is final: {v}"
    );
    let (st, v) = stage("done", None).await;
    assert_eq!((st, v["field"].as_str()), (400, Some("stage")), "unknown stage: {v}");

    // The citizen at the kiosk, by receipt: the stages in order, labelled, no personal data.
    let (st, text) = n
        .req("GET", "/api/v1/cases/by-receipt/T-20261123-000001")
        .device(&kiosk)
        .send_text()
        .await;
    assert_eq!(st, 200, "{text}");
    assert!(!text.contains(&a_id) && !text.contains("citizen") && !text.contains("actor"));
    let v: Value = serde_json::from_str(&text).unwrap();
    let case = &v["cases"][0];
    assert_eq!(case["receipt"], "T-20261123-000001");
    assert_eq!(case["item_name"], "户口迁移");
    assert_eq!(case["hall_name"], "第一大厅");
    assert_eq!(case["opened_at"], MONDAY_0900);
    assert_eq!(case["stage"], "delivered");
    assert_eq!(case["stage_label"], "已送达");
    assert_eq!(
        stages_of(case),
        [
            "accepted",
            "reviewing",
            "needs_more",
            "reviewing",
            "completed",
            "ready_for_pickup",
            "delivered"
        ]
    );
    let labels: Vec<&str> = case["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        ["已受理", "审查中", "需补正", "审查中", "已办结", "待领取", "已送达"]
    );
    assert_eq!(case["stages"][2]["note"], "缺少准予迁入证明");
    let (st, v) = n
        .req("GET", "/api/v1/cases/by-receipt/t-20261123-000002")
        .device(&kiosk)
        .send()
        .await;
    assert_eq!(
        (st, v["cases"][0]["stage"].as_str()),
        (200, Some("accepted")),
        "receipts read case-insensitively"
    );

    // By ID card: this person's cases, newest first; nobody else's.
    let lookup = |id: &str| {
        n.req("POST", "/api/v1/cases/lookup")
            .device(&kiosk)
            .json(json!({"hall_id": "H1", "id_number": id}))
            .send()
    };
    let (st, v) = lookup(&a_id).await;
    assert_eq!(st, 200, "{v}");
    let receipts: Vec<&str> = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["receipt"].as_str().unwrap())
        .collect();
    assert_eq!(receipts, ["T-20261123-000002", "T-20261123-000001"]);
    let (_, v) = lookup(&b_id).await;
    assert_eq!(v["cases"], json!([]));

    // Every change is an audit row; none carries the number.
    let rows = n.app().reader.events_after(0, Some("H1"), 10_000).unwrap();
    let kinds: Vec<&str> = rows
        .iter()
        .map(|r| r.kind.as_str())
        .filter(|k| k.starts_with("case_"))
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "case_opened").count(), 2);
    assert_eq!(kinds.iter().filter(|k| **k == "case_stage_changed").count(), 6);
    assert!(rows.iter().all(|r| !r.body.contains(&a_id)));
}

/// Who may open, move and read cases; bad input names its field.
#[tokio::test]
async fn case_endpoints_check_role_hall_and_input() {
    let n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let other = n.enroll("H2", "kiosk").await;
    let (mgr, w9) = (n.login("mgr").await, n.login("w9").await);
    let a_id = id_number("19800101", 31);
    let body = json!({"hall_id": "H1", "item_id": "I1", "id_number": a_id});
    let (st, c) = n
        .req("POST", "/api/v1/cases")
        .bearer(&mgr)
        .json(body.clone())
        .send()
        .await;
    assert_eq!(st, 201, "the hall manager opens cases: {c}");
    let (st, _) = n
        .req("POST", "/api/v1/cases")
        .device(&kiosk)
        .json(body.clone())
        .send()
        .await;
    assert!(st == 401 || st == 403, "a kiosk does not open cases: {st}");
    let (st, _) = n
        .req("POST", "/api/v1/cases")
        .bearer(&w9)
        .json(body.clone())
        .send()
        .await;
    assert_eq!(st, 403, "staff of another hall");
    let (st, _) = n.req("POST", "/api/v1/cases").json(body).send().await;
    assert_eq!(st, 401);
    let leader = n.login("leader").await;
    let (st, _) = n
        .req("POST", "/api/v1/cases")
        .bearer(&leader)
        .json(json!({"hall_id": "H1", "item_id": "I1", "id_number": a_id}))
        .send()
        .await;
    assert_eq!(st, 403, "a leader watches, does not accept matters");

    for (body, status, field) in [
        (
            json!({"hall_id": "H1", "item_id": "I9", "id_number": a_id}),
            422,
            "item_id",
        ),
        (
            json!({"hall_id": "H1", "item_id": "NOPE", "id_number": a_id}),
            404,
            "item_id",
        ),
        (
            json!({"hall_id": "H1", "item_id": "I1", "id_number": "12345"}),
            422,
            "id_number",
        ),
        (
            json!({"hall_id": "H1", "item_id": "I1", "id_number": a_id, "ticket_id": "nope"}),
            404,
            "ticket_id",
        ),
        (json!({"hall_id": "H1", "item_id": "I1"}), 400, "id_number"),
    ] {
        let (st, v) = n
            .req("POST", "/api/v1/cases")
            .bearer(&mgr)
            .json(body.clone())
            .send()
            .await;
        assert_eq!((st, v["field"].as_str()), (status, Some(field)), "{body}: {v}");
    }

    let id = c["id"].as_str().unwrap();
    let path = format!("/api/v1/cases/{id}/stages");
    let (st, _) = n
        .req("POST", &path)
        .bearer(&w9)
        .json(json!({"stage": "reviewing"}))
        .send()
        .await;
    assert_eq!(st, 403, "staff of another hall may not move it");
    let (st, _) = n
        .req("POST", &path)
        .device(&kiosk)
        .json(json!({"stage": "reviewing"}))
        .send()
        .await;
    assert!(st == 401 || st == 403, "a kiosk may not move it: {st}");
    let (st, v) = n
        .req("POST", "/api/v1/cases/nope/stages")
        .bearer(&mgr)
        .json(json!({"stage": "reviewing"}))
        .send()
        .await;
    assert_eq!((st, v["field"].as_str()), (404, Some("id")));

    let receipt = c["receipt"].as_str().unwrap();
    let path = format!("/api/v1/cases/by-receipt/{receipt}");
    let (st, _) = n.req("GET", &path).device(&other).send().await;
    assert_eq!(st, 403, "a kiosk of another hall");
    let (st, _) = n.req("GET", &path).send().await;
    assert_eq!(st, 401, "anonymous");
    let (st, v) = n
        .req("GET", "/api/v1/cases/by-receipt/T-20000101-000009")
        .device(&kiosk)
        .send()
        .await;
    assert_eq!((st, v["field"].as_str()), (404, Some("receipt")));
    let (st, _) = n
        .req("POST", "/api/v1/cases/lookup")
        .device(&other)
        .json(json!({"hall_id": "H1", "id_number": a_id}))
        .send()
        .await;
    assert_eq!(st, 403);
    let (st, v) = n
        .req("POST", "/api/v1/cases/lookup")
        .device(&kiosk)
        .json(json!({"hall_id": "H1", "id_number": "x"}))
        .send()
        .await;
    assert_eq!((st, v["field"].as_str()), (422, Some("id_number")));

    // The endpoints are in the OpenAPI document.
    let (_, doc) = n.req("GET", "/api/v1/openapi.json").send().await;
    for p in [
        "/api/v1/halls/{hall}/guides",
        "/api/v1/halls/{hall}/items/{item}/preview",
        "/api/v1/appointments/lookup",
        "/api/v1/cases",
        "/api/v1/cases/{id}/stages",
        "/api/v1/cases/by-receipt/{receipt}",
        "/api/v1/cases/lookup",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} documented");
    }
}

/// The demo city's kiosk data (README "Demo"): the demo citizen's cases by receipt and appointments by
/// ID card, seeded once however often the demo starts.
#[tokio::test]
async fn the_demo_city_has_cases_and_appointments_for_the_demo_citizen() {
    use server::demo::kiosk::{DEMO_ID_NUMBER, DEMO_RECEIPTS};
    let tmp = tempfile::tempdir().unwrap();
    let mut n = Node::start_in(
        tmp.path().to_path_buf(),
        TestClock::new(MONDAY_0900),
        server::app::Role::All,
    )
    .await;
    let app = n.app();
    server::demo::seed(&app).await.unwrap();
    server::demo::kiosk::seed(&app).await.unwrap();
    server::demo::kiosk::seed(&app).await.unwrap();
    let stages = |receipt: &str| {
        let c = app.reader.case_by_receipt(receipt).unwrap().expect("demo case");
        (
            c.hall_id.clone(),
            c.stages.into_iter().map(|s| s.stage).collect::<Vec<_>>(),
        )
    };
    let (hall, s) = stages(DEMO_RECEIPTS[0]);
    assert_eq!(hall, "H00");
    assert_eq!(s, ["accepted", "reviewing", "completed", "ready_for_pickup"]);
    assert_eq!(
        stages(DEMO_RECEIPTS[1]).1.last().map(String::as_str),
        Some("needs_more")
    );
    assert_eq!(stages(DEMO_RECEIPTS[3]).1.last().map(String::as_str), Some("delivered"));
    let key = app.sealer.blind_index(DEMO_ID_NUMBER);
    assert_eq!(app.reader.cases_of_citizen("H00", &key, 50).unwrap().len(), 3);
    let booked = {
        let st = app.engine.shared.state.read();
        st.halls[&domain::ids::HallId::new("H00")]
            .appointments
            .values()
            .filter(|a| a.citizen_key == key)
            .count()
    };
    assert_eq!(booked, 2, "居民身份证换领 and 不动产转移登记, once each");
    n.stop().await;
}
