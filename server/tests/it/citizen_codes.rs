//! One-code-service citizen codes (一码通办) over real HTTP: tender 2844–2862 "建设一码通办服务系统 … (1)
//! 扫码登录。需要具备用户在线下一码通办服务窗口办事，通过一码通办窗口扫码登录，替代身份证读取登录". A code is
//! issued, resolved (masked, with the age priority), and taken instead of the ID card by tickets and the
//! appointment and case lookups; it expires; it never reaches the database in clear.

use node_testkit::*;
use serde_json::{Value, json};

const NAME: &str = "张三丰";

/// Issues a code as window staff w1 (standing in for the city app).
async fn issue_code(n: &Node, id_number: &str, ttl: Option<u32>) -> Value {
    let w1 = n.login("w1").await;
    let mut body = json!({"id_number": id_number, "name": NAME});
    if let Some(t) = ttl {
        body["ttl_minutes"] = json!(t);
    }
    let (st, v) = n
        .req("POST", "/api/v1/citizen-codes")
        .bearer(&w1)
        .json(body)
        .send()
        .await;
    assert_eq!(st, 201, "{v}");
    v
}

fn resolve_body(hall: &str, code: &str) -> Value {
    json!({"hall_id": hall, "code": code})
}

/// Tender 2844–2862 "扫码登录": the kiosk scans the code and shows who it stands for — masked, with the
/// age and the elderly priority of the hall's rules; kiosks and window terminals of that hall only.
#[tokio::test]
async fn a_code_resolves_to_the_masked_citizen_with_the_age_priority() {
    let n = Node::start().await;
    let old = id_number("19500101", 7);
    let v = issue_code(&n, &old, None).await;
    let code = v["code"].as_str().unwrap().to_owned();
    assert!(code.starts_with("YM1-") && code.len() == 28, "{code}");
    assert!(
        code[4..].bytes().all(|b| b.is_ascii_hexdigit()),
        "opaque, printable, no path characters: {code}"
    );
    assert_eq!(v["expires_at"], MONDAY_0900 + 5 * 60_000, "5 minutes by default");

    let kiosk = n.enroll("H1", "kiosk").await;
    let (st, text) = n
        .req("POST", "/api/v1/citizen-codes/resolve")
        .device(&kiosk)
        .json(resolve_body("H1", &code))
        .send_text()
        .await;
    assert_eq!(st, 200, "{text}");
    assert!(!text.contains(&old) && !text.contains(NAME), "never in clear: {text}");
    let r: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(r["name_masked"], "张**");
    assert_eq!(r["id_masked"], format!("230***********{}", &old[14..]));
    assert_eq!(r["birth"], "1950-01-01");
    assert_eq!(r["age"], 76);
    assert_eq!(r["elderly"], true);
    assert_eq!(r["expires_at"], v["expires_at"]);

    // A young citizen, no name; a lower-case spelling of the code is the same code.
    let w1 = n.login("w1").await;
    let (st, v) = n
        .req("POST", "/api/v1/citizen-codes")
        .bearer(&w1)
        .json(json!({"id_number": ID_1990}))
        .send()
        .await;
    assert_eq!(st, 201, "{v}");
    let young = v["code"].as_str().unwrap().to_lowercase();
    let terminal = n.enroll("H1", "window_terminal").await;
    let (st, r) = n
        .req("POST", "/api/v1/citizen-codes/resolve")
        .device(&terminal)
        .json(resolve_body("H1", &young))
        .send()
        .await;
    assert_eq!(st, 200, "a window terminal of the hall: {r}");
    assert_eq!((r["age"].as_u64(), r["elderly"].as_bool()), (Some(36), Some(false)));
    assert_eq!(r["name_masked"], Value::Null);

    // Who may resolve: the hall's devices and staff; not another hall's, not an evaluator, not anonymous.
    let resolve = |body: Value| n.req("POST", "/api/v1/citizen-codes/resolve").json(body);
    let other = n.enroll("H2", "kiosk").await;
    let (st, _) = resolve(resolve_body("H1", &code)).device(&other).send().await;
    assert_eq!(st, 403, "a kiosk of another hall");
    let evaluator = n.enroll("H1", "evaluator").await;
    let (st, _) = resolve(resolve_body("H1", &code)).device(&evaluator).send().await;
    assert_eq!(st, 403, "an evaluator");
    let (st, v) = resolve(resolve_body("H1", &code)).send().await;
    assert_eq!((st, v["code"].as_str()), (401, Some("unauthorized")), "anonymous");
    let w9 = n.login("w9").await;
    let (st, _) = resolve(resolve_body("H1", &code)).bearer(&w9).send().await;
    assert_eq!(st, 403, "staff of another hall");
    let mgr = n.login("mgr").await;
    let (st, _) = resolve(resolve_body("H1", &code)).bearer(&mgr).send().await;
    assert_eq!(st, 200, "the hall's manager");

    // Unknown and malformed codes.
    let (st, v) = resolve(resolve_body("H1", "YM1-000000000000000000000000"))
        .device(&kiosk)
        .send()
        .await;
    assert_eq!(
        (st, v["code"].as_str(), v["field"].as_str()),
        (404, Some("not_found"), Some("code"))
    );
    for bad in ["", "YM1 with spaces", &"X".repeat(65)] {
        let (st, v) = resolve(resolve_body("H1", bad)).device(&kiosk).send().await;
        assert_eq!((st, v["field"].as_str()), (422, Some("code")), "{bad:?}: {v}");
    }

    // Issuing: staff who serve citizens only; the input is checked, naming the field.
    let issue = |token: Option<&str>, body: Value| {
        let r = n.req("POST", "/api/v1/citizen-codes").json(body);
        match token {
            Some(t) => r.bearer(t).send(),
            None => r.send(),
        }
    };
    let ok = json!({"id_number": ID_1990});
    let leader = n.login("leader").await;
    assert_eq!(issue(Some(&leader), ok.clone()).await.0, 403);
    assert_eq!(issue(None, ok.clone()).await.0, 401);
    let (st, _) = n
        .req("POST", "/api/v1/citizen-codes")
        .device(&kiosk)
        .json(ok)
        .send()
        .await;
    assert_eq!(st, 403, "a kiosk does not issue codes");
    for (body, field) in [
        (json!({"id_number": "230102199001011231"}), "id_number"),
        (json!({"id_number": ID_1990, "name": " "}), "name"),
        (json!({"id_number": ID_1990, "ttl_minutes": 0}), "ttl_minutes"),
        (json!({"id_number": ID_1990, "ttl_minutes": 1441}), "ttl_minutes"),
    ] {
        let (st, v) = issue(Some(&mgr), body.clone()).await;
        assert_eq!((st, v["field"].as_str()), (422, Some(field)), "{body}: {v}");
    }
    let (st, v) = issue(Some(&mgr), json!({"id_number": ID_1990, "ttl_minutes": 1440})).await;
    assert_eq!(
        (st, v["expires_at"].as_i64()),
        (201, Some(MONDAY_0900 + 86_400_000)),
        "{v}"
    );
}

/// "替代身份证读取": a ticket taken with the code is the ticket taken with the card — the elderly priority
/// and the sealed citizen, which the window's staff see in full and a manager masked.
#[tokio::test]
async fn a_ticket_taken_with_the_code_has_the_cards_priority_and_citizen() {
    let n = Node::start().await;
    let old = id_number("19500101", 7);
    let code = issue_code(&n, &old, None).await["code"].as_str().unwrap().to_owned();
    let kiosk = n.enroll("H1", "kiosk").await;
    // I1 needs an ID card: the code is one.
    let (st, t) = n
        .issue(
            &kiosk,
            json!({"hall_id": "H1", "item_id": "I1", "channel": "kiosk", "citizen_code": code, "phone": "13800138000"}),
        )
        .await;
    assert_eq!(st, 201, "{t}");
    assert_eq!(t["priority"], "elderly");
    let (st, card) = n
        .issue(
            &kiosk,
            json!({"hall_id": "H1", "item_id": "I1", "channel": "kiosk", "id_card": {"number": old, "name": NAME}}),
        )
        .await;
    assert_eq!(
        (st, card["priority"].clone()),
        (201, t["priority"].clone()),
        "as with the card: {card}"
    );

    let tid = t["ticket_id"].as_str().unwrap();
    let w1 = n.login("w1").await;
    let (st, v) = n.req("GET", &format!("/api/v1/tickets/{tid}")).bearer(&w1).send().await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["priority"], "elderly");
    assert_eq!(v["class"], "priority");
    assert_eq!(
        v["citizen"],
        json!({"id_number": old, "name": NAME, "phone": "13800138000", "masked": false}),
        "window staff see the sealed citizen"
    );
    let mgr = n.login("mgr").await;
    let (_, v) = n
        .req("GET", &format!("/api/v1/tickets/{tid}"))
        .bearer(&mgr)
        .send()
        .await;
    assert_eq!(v["citizen"]["masked"], true, "{v}");
    assert_eq!(v["citizen"]["name"], "张**");

    // Both the card and the code: refused, naming citizen_code; nothing issued.
    let (st, v) = n
        .issue(
            &kiosk,
            json!({"hall_id": "H1", "item_id": "I1", "channel": "kiosk", "citizen_code": code, "id_card": {"number": old}}),
        )
        .await;
    assert_eq!(
        (st, v["code"].as_str(), v["field"].as_str()),
        (422, Some("invalid"), Some("citizen_code")),
        "{v}"
    );
    let (st, v) = n
        .issue(
            &kiosk,
            json!({"hall_id": "H1", "item_id": "I1", "channel": "kiosk", "citizen_code": "YM1-000000000000000000000000"}),
        )
        .await;
    assert_eq!((st, v["field"].as_str()), (404, Some("citizen_code")), "{v}");
    assert_eq!(n.queue_snapshot("H1", "QA").await["waiting"], 2);
}

/// A code lives for its minutes only: past `expires_at` it is 410 `expired` everywhere (resolve, ticket,
/// lookups), and so is a revoked one.
#[tokio::test]
async fn an_expired_or_revoked_code_is_gone() {
    let n = Node::start().await;
    let code = issue_code(&n, ID_1990, Some(5)).await["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let kiosk = n.enroll("H1", "kiosk").await;
    let resolve = || {
        n.req("POST", "/api/v1/citizen-codes/resolve")
            .device(&kiosk)
            .json(resolve_body("H1", &code))
            .send()
    };
    n.clock.advance_minutes(4);
    assert_eq!(resolve().await.0, 200, "still valid");
    n.clock.advance_minutes(1);
    let (st, v) = resolve().await;
    assert_eq!(
        (st, v["code"].as_str(), v["field"].as_str()),
        (410, Some("expired"), Some("code")),
        "{v}"
    );
    assert!(v["message"].as_str().unwrap().starts_with("该一码通办码已过期"), "{v}");
    let (st, v) = n
        .issue(
            &kiosk,
            json!({"hall_id": "H1", "item_id": "I2", "channel": "kiosk", "citizen_code": code}),
        )
        .await;
    assert_eq!((st, v["field"].as_str()), (410, Some("citizen_code")), "{v}");
    for path in ["/api/v1/appointments/lookup", "/api/v1/cases/lookup"] {
        let (st, v) = n
            .req("POST", path)
            .device(&kiosk)
            .json(json!({"hall_id": "H1", "citizen_code": code}))
            .send()
            .await;
        assert_eq!((st, v["field"].as_str()), (410, Some("citizen_code")), "{path}: {v}");
    }

    // Revoked (by the city app, out of scope here: set in the table).
    let fresh = issue_code(&n, ID_1990, None).await["code"].as_str().unwrap().to_owned();
    let db = rusqlite::Connection::open(n.db_path()).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    let hash = server::crypto::sm3_hex(fresh.as_bytes());
    let changed = db
        .execute("UPDATE citizen_codes SET revoked = 1 WHERE code_hash = ?1", [&hash])
        .unwrap();
    assert_eq!(changed, 1, "stored under the SM3 of the code");
    drop(db);
    let (st, v) = n
        .req("POST", "/api/v1/citizen-codes/resolve")
        .device(&kiosk)
        .json(resolve_body("H1", &fresh))
        .send()
        .await;
    assert_eq!((st, v["code"].as_str()), (410, Some("expired")), "{v}");
}

/// Tender 21(2) "预约履约…办件查询" with 2844–2862 "替代身份证读取": the lookups find by the code exactly what
/// they find by the number; exactly one of the two is given. Neither the code nor the number reaches the
/// database file.
#[tokio::test]
async fn lookups_by_code_find_what_the_number_finds_and_the_code_is_not_stored() {
    let n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let person = id_number("19800101", 21);
    let (st, v) = n
        .req("POST", "/api/v1/appointments")
        .device(&kiosk)
        .json(json!({"hall_id": "H1", "item_id": "I1", "day": "2026-11-24", "start_minute": 600, "id_number": person}))
        .send()
        .await;
    assert_eq!(st, 201, "{v}");
    let mgr = n.login("mgr").await;
    for item in ["I1", "I2"] {
        let (st, v) = n
            .req("POST", "/api/v1/cases")
            .bearer(&mgr)
            .json(json!({"hall_id": "H1", "item_id": item, "id_number": person}))
            .send()
            .await;
        assert_eq!(st, 201, "{v}");
    }
    let code = issue_code(&n, &person, None).await["code"].as_str().unwrap().to_owned();
    let lookup = |path: &'static str, body: Value| n.req("POST", path).device(&kiosk).json(body).send();
    for (path, list, len) in [
        ("/api/v1/appointments/lookup", "appointments", 1),
        ("/api/v1/cases/lookup", "cases", 2),
    ] {
        let (st, by_number) = lookup(path, json!({"hall_id": "H1", "id_number": person})).await;
        assert_eq!(st, 200, "{by_number}");
        assert_eq!(by_number[list].as_array().unwrap().len(), len, "{by_number}");
        let (st, by_code) = lookup(path, json!({"hall_id": "H1", "citizen_code": code})).await;
        assert_eq!(st, 200, "{by_code}");
        assert_eq!(by_code, by_number, "{path}");
        let (st, v) = lookup(
            path,
            json!({"hall_id": "H1", "id_number": person, "citizen_code": code}),
        )
        .await;
        assert_eq!(
            (st, v["field"].as_str()),
            (422, Some("citizen_code")),
            "{path} both: {v}"
        );
        let (st, v) = lookup(path, json!({"hall_id": "H1"})).await;
        assert_eq!(
            (st, v["field"].as_str()),
            (422, Some("id_number")),
            "{path} neither: {v}"
        );
        let (st, v) = lookup(
            path,
            json!({"hall_id": "H1", "citizen_code": "YM1-000000000000000000000000"}),
        )
        .await;
        assert_eq!((st, v["field"].as_str()), (404, Some("citizen_code")), "{path}: {v}");
    }
    let (st, t) = n
        .issue(
            &kiosk,
            json!({"hall_id": "H1", "item_id": "I2", "channel": "kiosk", "citizen_code": code}),
        )
        .await;
    assert_eq!(st, 201, "{t}");

    // The audit row says that a code was issued, not to whom nor which.
    let db = rusqlite::Connection::open(n.db_path()).unwrap();
    let (actor, body): (String, String) = db
        .query_row(
            "SELECT actor, body FROM events WHERE kind = 'citizen_code_issued'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(actor, "staff:W1");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"expires_at": MONDAY_0900 + 5 * 60_000})
    );
    drop(db);
    let db = std::fs::read(n.db_path()).unwrap();
    let wal = std::fs::read(n.dir.join("node.db-wal")).unwrap_or_default();
    for needle in [code.as_str(), &code.to_lowercase(), &code[4..], person.as_str()] {
        for bytes in [&db, &wal] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle} is in the database file"
            );
        }
    }
}

/// The demo (README "Demo"): a 24-hour code for the demo citizen, new at every start, that finds their
/// bookings and cases in H00.
#[tokio::test]
async fn the_demo_issues_a_day_long_code_for_the_demo_citizen() {
    use server::demo::kiosk::{DEMO_ID_NUMBER, issue_demo_code};
    let tmp = tempfile::tempdir().unwrap();
    let mut n = Node::start_in(
        tmp.path().to_path_buf(),
        TestClock::new(MONDAY_0900),
        server::app::Role::All,
    )
    .await;
    let app = n.app();
    server::demo::seed(&app).await.unwrap();
    let first = issue_demo_code(&app).await.unwrap();
    let code = issue_demo_code(&app).await.unwrap();
    assert_ne!(first, code, "re-issued at each start");
    let who = server::api::citizen_codes::resolve_code(&app, &code, "code")
        .await
        .unwrap();
    assert_eq!(who.citizen_key, app.sealer.blind_index(DEMO_ID_NUMBER));
    assert_eq!(who.expires_at, MONDAY_0900 + 24 * 60 * 60_000);
    assert_eq!(who.birth.to_string(), "1985-06-15");
    n.clock.advance_minutes(24 * 60);
    assert_eq!(
        server::api::citizen_codes::resolve_code(&app, &code, "code")
            .await
            .unwrap_err()
            .status,
        410
    );
    n.stop().await;
}
