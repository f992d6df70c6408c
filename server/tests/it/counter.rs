//! The counter's window terminal and the evaluator over real HTTP (tender lines 2953–2988: 13 评价系统,
//! 15 窗口呼叫终端): ratings with reasons, evidence holds, ID card at the window, 双屏确认, the staff
//! card, the counter panel, transfer and pause/resume by window staff.

use node_testkit::*;
use serde_json::{Value, json};

async fn push(n: &Node, d: &Device, events: Vec<Value>) -> Value {
    let (st, v) = n
        .req("POST", "/api/v1/sync/push")
        .device(d)
        .sync()
        .json(json!({"producer": d.id, "events": events}))
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    v
}

fn event(seq: i64, kind: &str, payload: Value) -> Value {
    json!({"seq": seq, "id": format!("00000000-0000-7000-8000-{seq:012}"), "kind": kind, "v": 1,
        "at": MONDAY_0900, "payload": payload})
}

async fn evidence(n: &Node, ticket: &str, token: &str) -> (u16, Value) {
    n.req("GET", &format!("/api/v1/tickets/{ticket}/evidence"))
        .bearer(token)
        .send()
        .await
}

fn digest(c: char) -> String {
    c.to_string().repeat(64)
}

/// Issues a ticket for I1 (with an ID card) at a kiosk, calls it at W1 (w1 signed in), starts and finishes it.
async fn served_ticket(n: &Node, kiosk: &Device, w1: &str) -> String {
    let (st, t) = n
        .issue(
            kiosk,
            json!({"hall_id": "H1", "item_id": "I1", "channel": "kiosk", "id_card": {"number": ID_1990}}),
        )
        .await;
    assert_eq!(st, 201, "{t}");
    for a in ["call-next", "start"] {
        let (st, v) = n.window_action(w1, "W1", a).await;
        assert_eq!(st, 200, "{a}: {v}");
    }
    n.clock.advance_minutes(4);
    let (st, v) = n.window_action(w1, "W1", "finish").await;
    assert_eq!(st, 200, "{v}");
    t["ticket_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_negative_rating_needs_a_reason_and_holds_the_evidence() {
    let n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let terminal = n.enroll("H1", "window_terminal").await;
    let w1 = n.open_window("w1", "W1").await;
    let t = served_ticket(&n, &kiosk, &w1).await;
    // A scan attached during the service, before the rating.
    let v = push(
        &n,
        &terminal,
        vec![event(
            1,
            "blob.attached",
            json!({"ticket_id": t, "digest": digest('1'), "media": "scan", "size": 10}),
        )],
    )
    .await;
    assert_eq!(v["results"][0]["status"], "applied", "{v}");

    let rate = |body: Value| {
        n.req("POST", &format!("/api/v1/tickets/{t}/rating"))
            .bearer(&w1)
            .json(body)
            .send()
    };
    let (st, v) = rate(json!({"level": 1})).await;
    assert_eq!((st, v["field"].as_str()), (422, Some("reasons")), "{v}");
    let (st, v) = rate(json!({"level": 2, "reasons": ["不是理由"]})).await;
    assert_eq!((st, v["field"].as_str()), (422, Some("reasons")), "{v}");
    let (st, v) = rate(json!({"level": 2, "reasons": ["等候时间长"], "photo": "XYZ"})).await;
    assert_eq!((st, v["field"].as_str()), (422, Some("photo")), "{v}");
    let (st, v) =
        rate(json!({"level": 2, "reasons": ["等候时间长", "办理效率低"], "comment": "等了很久", "photo": digest('9')}))
            .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["rating"], 2);
    assert_eq!(v["evidence_requested"], true);

    let mgr = n.login("mgr").await;
    let (st, v) = evidence(&n, &t, &mgr).await;
    assert_eq!(st, 200, "{v}");
    let hold = &v["holds"][0];
    assert_eq!(hold["ticket_id"], t.as_str());
    assert_eq!(hold["window_id"], "W1");
    assert_eq!(hold["window_number"], "1");
    assert_eq!(hold["staff_id"], "W1");
    assert_eq!(hold["staff_name"], "测试W1");
    assert_eq!(hold["level"], 2);
    assert_eq!(hold["photo"], digest('9').as_str());
    assert_eq!(hold["status"], "requested");
    assert!(hold["service_started_at"].as_i64().unwrap() < hold["service_finished_at"].as_i64().unwrap());
    assert_eq!(
        hold["blobs"],
        json!([{"digest": digest('1'), "media": "scan", "at": MONDAY_0900 + 4 * 60_000}])
    );

    // The recording arrives later and is linked to the hold.
    let v = push(
        &n,
        &terminal,
        vec![event(
            2,
            "blob.attached",
            json!({"ticket_id": t, "digest": digest('2'), "media": "recording", "size": 99}),
        )],
    )
    .await;
    assert_eq!(v["results"][0]["status"], "applied", "{v}");
    let (_, v) = evidence(&n, &t, &mgr).await;
    assert_eq!(v["holds"][0]["status"], "recording_linked", "{v}");
    let media: Vec<&str> = v["holds"][0]["blobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["media"].as_str().unwrap())
        .collect();
    assert_eq!(media, ["scan", "recording"]);

    // Window staff do not read evidence; a positive rating holds none.
    let (st, _) = evidence(&n, &t, &w1).await;
    assert_eq!(st, 403);
    let t2 = served_ticket(&n, &kiosk, &w1).await;
    let (st, v) = n
        .req("POST", &format!("/api/v1/tickets/{t2}/rating"))
        .bearer(&w1)
        .json(json!({"level": 5}))
        .send()
        .await;
    assert_eq!((st, &v["evidence_requested"]), (200, &json!(false)), "{v}");
    let (st, v) = n
        .req("GET", &format!("/api/v1/tickets/{t2}/evidence"))
        .bearer(&mgr)
        .send()
        .await;
    assert_eq!((st, &v["holds"]), (200, &json!([])), "{v}");

    // The evidence survives a restart (it is in the database, not only in memory).
    let mut n = n;
    n.restart().await;
    let mgr = n.login("mgr").await;
    let (_, v) = n
        .req("GET", &format!("/api/v1/tickets/{t}/evidence"))
        .bearer(&mgr)
        .send()
        .await;
    assert_eq!(v["holds"][0]["status"], "recording_linked", "{v}");
}

#[tokio::test]
async fn an_evaluator_pushes_ratings_with_reasons_and_a_bare_negative_one_is_rejected() {
    let n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let evaluator = n.enroll("H1", "evaluator").await;
    let w1 = n.open_window("w1", "W1").await;
    let a = served_ticket(&n, &kiosk, &w1).await;
    let b = served_ticket(&n, &kiosk, &w1).await;
    let v = push(
        &n,
        &evaluator,
        vec![
            event(1, "ticket.rated", json!({"ticket_id": a, "level": 1})),
            event(
                2,
                "ticket.rated",
                json!({"ticket_id": a, "level": 1, "reasons": ["服务态度差"], "photo": digest('7')}),
            ),
            event(3, "ticket.rated", json!({"ticket_id": b, "level": 4})),
        ],
    )
    .await;
    let r = &v["results"];
    assert_eq!(
        (r[0]["status"].as_str(), r[0]["code"].as_str()),
        (Some("rejected"), Some("invalid")),
        "{v}"
    );
    assert!(r[0]["reason"].as_str().unwrap().contains("reason"), "{v}");
    assert_eq!(r[1]["status"], "applied", "{v}");
    assert_eq!(r[2]["status"], "applied", "{v}");
    let mgr = n.login("mgr").await;
    let (_, v) = n
        .req("GET", &format!("/api/v1/tickets/{a}/evidence"))
        .bearer(&mgr)
        .send()
        .await;
    assert_eq!(v["holds"][0]["photo"], digest('7').as_str(), "{v}");
    // The hall's reasons reach devices with the configuration.
    let (st, cfg) = n.req("GET", "/api/v1/config").device(&evaluator).send().await;
    assert_eq!(st, 200);
    assert_eq!(cfg["config"]["halls"][0]["rating_reasons"][0], "等候时间长", "{cfg}");
}

#[tokio::test]
async fn the_id_card_read_at_the_window_is_sealed_onto_the_ticket() {
    let n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let w1 = n.open_window("w1", "W1").await;
    let w2 = n.open_window("w2", "W2").await;
    let (_, t) = n
        .issue(
            &kiosk,
            json!({"hall_id": "H1", "item_id": "I2", "channel": "kiosk", "phone": "13800138000"}),
        )
        .await;
    let t = t["ticket_id"].as_str().unwrap().to_owned();
    let attach = |token: &str, body: Value| {
        n.req("POST", &format!("/api/v1/tickets/{t}/citizen"))
            .bearer(token)
            .json(body)
            .send()
    };
    let card = json!({"number": ID_1990, "name": "张三丰"});
    // Not yet at anyone's window: only managers may.
    let (st, _) = attach(&w2, card.clone()).await;
    assert_eq!(st, 403);
    let (st, v) = n.window_action(&w2, "W2", "call-next").await;
    assert_eq!(st, 200, "{v}");
    let (st, _) = attach(&w1, card.clone()).await;
    assert_eq!(st, 403, "another window's staff");
    let (st, v) = attach(&w2, json!({"number": "230102199001011231", "name": "张三丰"})).await;
    assert_eq!((st, v["field"].as_str()), (422, Some("number")), "{v}");
    let (st, v) = attach(&w2, json!({"number": ID_1990, "nmae": "typo"})).await;
    assert!((400..500).contains(&st), "{v}");
    let (st, v) = attach(&w2, card.clone()).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["citizen"]["id_number"], ID_1990);
    assert_eq!(v["citizen"]["name"], "张三丰");
    assert_eq!(v["citizen"]["phone"], "13800138000", "the phone from the issue stays");
    assert_eq!(v["citizen"]["masked"], false);
    // A manager sees it masked; the audit chain holds the event, without the number in clear.
    let mgr = n.login("mgr").await;
    let (_, v) = n.req("GET", &format!("/api/v1/tickets/{t}")).bearer(&mgr).send().await;
    assert_eq!(v["citizen"]["masked"], true, "{v}");
    assert_ne!(v["citizen"]["id_number"], ID_1990);
    let db = rusqlite::Connection::open(n.db_path()).unwrap();
    let (actor, body, sealed): (String, String, String) = db
        .query_row(
            "SELECT actor, body, sealed FROM events WHERE kind = 'ticket_identified'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(actor, "staff:W2");
    assert!(!body.contains(ID_1990) && !sealed.contains(ID_1990) && !sealed.contains("张三丰"));
}

#[tokio::test]
async fn a_confirmation_is_recorded_with_the_ticket() {
    let n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let terminal = n.enroll("H1", "window_terminal").await;
    let w1 = n.open_window("w1", "W1").await;
    let (_, t) = n
        .issue(&kiosk, json!({"hall_id": "H1", "item_id": "I2", "channel": "kiosk"}))
        .await;
    let t = t["ticket_id"].as_str().unwrap().to_owned();
    n.window_action(&w1, "W1", "call-next").await;
    let fields =
        json!([{"label": "姓名", "value_digest": digest('a')}, {"label": "事项", "value_digest": digest('b')}]);
    let v = push(
        &n,
        &terminal,
        vec![
            event(1, "ticket.confirmed", json!({"ticket_id": t, "fields": fields, "digest": digest('c'), "outcome": "confirmed", "at": MONDAY_0900 - 5})),
            event(2, "ticket.confirmed", json!({"ticket_id": t, "fields": fields, "digest": digest('c'), "outcome": "maybe", "at": MONDAY_0900})),
            event(3, "ticket.confirmed", json!({"ticket_id": "nope", "fields": fields, "digest": digest('c'), "outcome": "rejected", "at": MONDAY_0900})),
            event(4, "ticket.confirmed", json!({"ticket_id": t, "fields": [{"label": "姓名", "value_digest": "张三"}], "digest": digest('c'), "outcome": "rejected", "at": MONDAY_0900})),
        ],
    )
    .await;
    let r = &v["results"];
    assert_eq!(r[0]["status"], "applied", "{v}");
    assert!(r[1]["reason"].as_str().unwrap().contains("payload.outcome"), "{v}");
    assert_eq!(r[2]["code"], "not_found", "{v}");
    assert!(
        r[3]["reason"]
            .as_str()
            .unwrap()
            .contains("payload.fields[0].value_digest"),
        "{v}"
    );
    let (st, v) = n.req("GET", &format!("/api/v1/tickets/{t}")).bearer(&w1).send().await;
    assert_eq!(st, 200, "{v}");
    let c = &v["confirmations"];
    assert_eq!(c.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(c[0]["outcome"], "confirmed");
    assert_eq!(c[0]["digest"], digest('c').as_str());
    assert_eq!(c[0]["fields"], fields);
    assert_eq!(c[0]["device_id"], terminal.id.as_str());
    assert_eq!(c[0]["at"], MONDAY_0900 - 5);
    // It is an audit record in the chain, linked to the ticket.
    let db = rusqlite::Connection::open(n.db_path()).unwrap();
    let linked: String = db
        .query_row(
            "SELECT ticket_id FROM events WHERE kind = 'confirmation_recorded'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(linked, t);
    assert!(server::store::sqlite::verify_chain(&n.db_path()).is_ok());
}

#[tokio::test]
async fn the_staff_card_is_read_by_devices_of_the_staff_members_hall() {
    let n = Node::start().await;
    let evaluator = n.enroll("H1", "evaluator").await;
    let elsewhere = n.enroll("H2", "evaluator").await;
    let (st, v) = n.req("GET", "/api/v1/staff/W1/card").device(&evaluator).send().await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(
        v,
        json!({"staff_id": "W1", "name": "测试W1", "department": "公安户政", "staff_number": "HRB00001",
            "motto": "用心服务，让群众少跑腿", "photo_digest": "ab".repeat(32)})
    );
    let (st, v) = n.req("GET", "/api/v1/staff/W2/card").device(&evaluator).send().await;
    assert_eq!(
        (st, &v["staff_number"], &v["motto"]),
        (200, &json!("w2"), &Value::Null),
        "{v}"
    );
    let (st, _) = n.req("GET", "/api/v1/staff/W1/card").device(&elsewhere).send().await;
    assert_eq!(st, 403);
    let (st, v) = n
        .req("GET", "/api/v1/staff/NOBODY/card")
        .device(&evaluator)
        .send()
        .await;
    assert_eq!((st, v["field"].as_str()), (404, Some("id")));
    // A photo that is not a digest is refused with the configuration.
    let mut city = test_city();
    city.staff[2].card.photo = Some("me.jpg".into());
    let err = server::api::halls::install_config(&n.app(), domain::Actor::System, city)
        .await
        .unwrap_err();
    assert_eq!(
        err.body.field.as_deref(),
        Some("staff[2].photo"),
        "{}",
        err.body.message
    );
}

#[tokio::test]
async fn the_counter_panel_shows_the_window_its_ticket_queues_day_and_targets() {
    let n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let w1 = n.open_window("w1", "W1").await;
    let _w3 = n.open_window("w3", "W3").await;
    let w2 = n.login("w2").await;
    // Two served (rated 5 and 2), one no-show, one transferred away by w1, one current with an ID card.
    let a = served_ticket(&n, &kiosk, &w1).await;
    let b = served_ticket(&n, &kiosk, &w1).await;
    for (t, body) in [(a, json!({"level": 5})), (b, json!({"level": 2, "comment": "太慢"}))] {
        let (st, v) = n
            .req("POST", &format!("/api/v1/tickets/{t}/rating"))
            .bearer(&w1)
            .json(body)
            .send()
            .await;
        assert_eq!(st, 200, "{v}");
    }
    let issue = |item: &str| {
        let mut body = json!({"hall_id": "H1", "item_id": item, "channel": "kiosk"});
        if item == "I1" {
            body["id_card"] = json!({"number": id_number("19500101", 7), "name": "李四"});
        }
        n.issue(&kiosk, body)
    };
    issue("I1").await;
    n.window_action(&w1, "W1", "call-next").await;
    let (st, v) = n.window_action(&w1, "W1", "no-show").await;
    assert_eq!(st, 200, "{v}");
    let (_, x) = issue("I1").await;
    n.window_action(&w1, "W1", "call-next").await;
    // Window staff transfer the current ticket of their window (to W3's queue mix, by window).
    let (st, v) = n
        .req(
            "POST",
            &format!("/api/v1/tickets/{}/transfer", x["ticket_id"].as_str().unwrap()),
        )
        .bearer(&w1)
        .json(json!({"to": {"to": "window", "id": "W3"}}))
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(
        (v["status"].as_str(), v["transfers"].as_i64()),
        (Some("waiting"), Some(1)),
        "{v}"
    );
    let (_, cur) = issue("I1").await;
    issue("I1").await;
    n.window_action(&w1, "W1", "call-next").await;

    let (st, p) = n.req("GET", "/api/v1/windows/W1/panel").bearer(&w1).send().await;
    assert_eq!(st, 200, "{p}");
    assert_eq!(p["window"]["id"], "W1");
    assert_eq!(p["window"]["status"], "open");
    assert_eq!(p["window"]["staff_name"], "测试W1");
    let c = &p["current"];
    assert_eq!(c["id"], cur["ticket_id"], "{p}");
    assert_eq!(c["status"], "called");
    assert_eq!(c["priority"], "elderly");
    assert_eq!(c["citizen"]["name"], "李四", "full for the window's staff: {p}");
    assert_eq!(c["citizen"]["masked"], false);
    assert!(c["waited_secs"].is_number());
    assert!(c.get("appointment_id").is_some());
    assert_eq!(
        p["queues"],
        json!([{"id": "QA", "name": "A队列", "prefix": "A", "waiting": 1}])
    );
    let day = &p["today"];
    assert_eq!(day["staff_id"], "W1");
    assert_eq!(
        (day["served"].as_i64(), day["no_shows"].as_i64()),
        (Some(2), Some(1)),
        "{p}"
    );
    assert_eq!(day["avg_service_secs"], 240, "{p}");
    assert_eq!(day["ratings"], json!({"count": 2, "avg": 3.5}));
    assert_eq!(day["transferred"], 1, "{p}");
    let targets = &p["transfer_targets"];
    assert_eq!(
        targets["queues"].as_array().unwrap().len(),
        3,
        "every queue of the hall: {p}"
    );
    assert_eq!(
        targets["windows"],
        json!([{"id": "W3", "number": "3", "staff_id": "W3", "staff_name": "测试W3"}])
    );
    assert_eq!(
        targets["staff"],
        json!([{"staff_id": "W3", "name": "测试W3", "window_id": "W3", "window_number": "3"}])
    );

    // Others' windows: refused to window staff, open to the hall manager.
    let (st, _) = n.req("GET", "/api/v1/windows/W1/panel").bearer(&w2).send().await;
    assert_eq!(st, 403);
    let mgr = n.login("mgr").await;
    let (st, v) = n.req("GET", "/api/v1/windows/W1/panel").bearer(&mgr).send().await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["current"]["citizen"]["masked"], true);

    // Pause and resume (open) from the terminal.
    n.window_action(&w1, "W1", "start").await;
    n.window_action(&w1, "W1", "finish").await;
    let (st, v) = n
        .req("POST", "/api/v1/windows/W1/pause")
        .bearer(&w1)
        .json(json!({"reason": "午休"}))
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    let (_, p) = n.req("GET", "/api/v1/windows/W1/panel").bearer(&w1).send().await;
    assert_eq!(
        (p["window"]["status"].as_str(), p["window"]["pause_reason"].as_str()),
        (Some("paused"), Some("午休"))
    );
    let (st, v) = n.window_action(&w1, "W1", "call-next").await;
    assert_eq!((st, v["code"].as_str()), (409, Some("window_not_open")), "{v}");
    let (st, v) = n.window_action(&w1, "W1", "open").await;
    assert_eq!((st, v["window"]["status"].as_str()), (200, Some("open")), "{v}");
    let (st, _) = n.window_action(&w1, "W1", "call-next").await;
    assert_eq!(st, 200);
}
