//! Lawyers' online hours, grade, admission, probation and training over real HTTP and real SQLite
//! (standard 6.3.1 准入/试用期, 6.3.2 培训, 7.1.1.4 and 附录 A 表 A.1 执业等级).

use super::support;
use node_testkit::*;
use serde_json::{Value, json};

const HOUR: i64 = 60;

/// A node with a second lawyer (LAWYER2, login lawyer2).
async fn node() -> Node {
    let n = Node::start().await;
    support::add_lawyers(&n, &["LAWYER2"]).await;
    n
}

async fn status(n: &Node, token: &str, online: bool) {
    let (st, v) = n
        .req("PUT", "/api/v1/lawyer/status")
        .bearer(token)
        .json(json!({"online": online, "specialties": ["labour"]}))
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
}

/// A realtime consultation the lawyer picks up, closes, and the citizen rates `level`.
async fn serve(n: &Node, lawyer: &str, level: u8) {
    let (st, v) = n
        .req("POST", "/api/v1/consultations")
        .json(json!({"kind": "realtime", "question": "单位拖欠工资怎么办？", "specialty": "labour"}))
        .send()
        .await;
    assert_eq!(st, 201, "{v}");
    let id = v["consultation"]["id"].as_str().unwrap().to_owned();
    let token = v["token"].as_str().unwrap().to_owned();
    for step in ["pickup", "close"] {
        let (st, v) = n
            .req("POST", &format!("/api/v1/consultations/{id}/{step}"))
            .bearer(lawyer)
            .send()
            .await;
        assert_eq!(st, 200, "{step}: {v}");
    }
    let (st, v) = n
        .req("POST", &format!("/api/v1/consultations/{id}/rating"))
        .header("x-consultation-token", &token)
        .json(json!({"level": level}))
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
}

fn hours(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap()
}

#[tokio::test]
async fn online_hours_served_satisfaction_and_the_next_grade_7_1_1_4() {
    let n = node().await;
    let l = n.login("lawyer").await;
    let start = n.clock.now();
    // 09:00–10:30 online, 10:30–11:30 offline, online again from 11:30 (still online at 12:00).
    status(&n, &l, true).await;
    n.clock.advance_minutes(90);
    status(&n, &l, false).await;
    n.clock.advance_minutes(HOUR);
    status(&n, &l, true).await;
    status(&n, &l, true).await; // going online twice keeps one session
    serve(&n, &l, 5).await;
    serve(&n, &l, 3).await;
    n.clock.advance_minutes(30);
    let (st, v) = n.req("GET", "/api/v1/lawyer/profile").bearer(&l).send().await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(hours(&v, "online_hours"), 2.0, "1.5 h closed + 0.5 h open: {v}");
    assert_eq!((&v["served"], &v["rated"]), (&json!(2), &json!(2)));
    assert_eq!(v["satisfaction_percent"], 50.0);
    // 附录 A: far below 新锐 L1 (400 h, 1200 people, 96%), and what is missing.
    assert_eq!(v["grade"], Value::Null);
    let next = &v["next"];
    assert_eq!(next["grade"], "新锐 L1");
    assert_eq!(
        (hours(next, "missing_hours"), &next["missing_served"]),
        (398.0, &json!(1198))
    );
    assert_eq!(next["satisfaction_reached"], false);
    // A range: 10:00–12:00 holds 0.5 h of the first session and 0.5 h of the open one.
    let (_, v) = n
        .req(
            "GET",
            &format!(
                "/api/v1/lawyer/profile?from={}&to={}",
                start + 3_600_000,
                start + 3 * 3_600_000
            ),
        )
        .bearer(&l)
        .send()
        .await;
    assert_eq!(hours(&v, "online_hours_in_range"), 1.0, "{v}");
    let (st, v) = n
        .req(
            "GET",
            &format!("/api/v1/lawyer/profile?from={}&to={}", start + 1, start),
        )
        .bearer(&l)
        .send()
        .await;
    assert_eq!((st, &v["field"]), (422, &json!("to")), "{v}");
    // The operation centre sees the same; a non-lawyer id is named.
    let op = n.login("operator").await;
    let (st, v) = n.req("GET", "/api/v1/lawyer/profiles/LAWYER").bearer(&op).send().await;
    assert_eq!((st, hours(&v, "online_hours")), (200, 2.0), "{v}");
    let (st, v) = n.req("GET", "/api/v1/lawyer/profiles/W1").bearer(&op).send().await;
    assert_eq!((st, &v["field"]), (422, &json!("staff_id")), "{v}");
}

#[tokio::test]
async fn admission_names_unmet_conditions_and_probation_is_judged_after_a_week_6_3_1() {
    let n = node().await;
    let op = n.login("operator").await;
    let admit = |body: Value| n.req("POST", "/api/v1/lawyer/admissions").bearer(&op).json(body).send();
    // Every unmet condition of 6.3.1 a–b named, nothing stored.
    let (st, v) = admit(json!({
        "staff_id": "LAWYER", "registered": false, "licensed_on": "2026-06-01",
        "last_assessment": "basically_competent", "sanctions": ["2025-01-01"], "dishonesty_record": true
    }))
    .await;
    assert_eq!(
        (st, &v["code"], &v["field"]),
        (422, &json!("admission_refused"), &json!("registered")),
        "{v}"
    );
    let msg = v["message"].as_str().unwrap();
    for part in [
        "6.3.1 a",
        "6.3.1 b",
        "licensed_on",
        "last_assessment",
        "sanctions",
        "dishonesty_record",
        "执业时间不满 1 年",
    ] {
        assert!(msg.contains(part), "{part} missing: {msg}");
    }
    let (st, _) = n
        .req("GET", "/api/v1/lawyer/admissions/LAWYER")
        .bearer(&op)
        .send()
        .await;
    assert_eq!(st, 404, "nothing half-written");
    let (st, v) = admit(
        json!({"staff_id": "LAWYER", "registered": true, "licensed_on": "2020-13-01",
        "last_assessment": "competent", "dishonesty_record": false}),
    )
    .await;
    assert_eq!((st, &v["field"]), (422, &json!("licensed_on")), "{v}");
    // Admitted: a one-week probation from today (Monday 2026-11-23 to Sunday 2026-11-29).
    for staff in ["LAWYER", "LAWYER2"] {
        let (st, v) = admit(
            json!({"staff_id": staff, "registered": true, "licensed_on": "2020-03-01",
            "last_assessment": "competent", "sanctions": ["2020-06-01"], "dishonesty_record": false}),
        )
        .await;
        assert_eq!(
            (st, &v["probation"], &v["ends_on"]),
            (201, &json!("running"), &json!("2026-11-29")),
            "{v}"
        );
    }
    let (st, _) = admit(
        json!({"staff_id": "LAWYER", "registered": true, "licensed_on": "2020-03-01",
        "last_assessment": "competent", "dishonesty_record": false}),
    )
    .await;
    assert_eq!(st, 409, "admitted once");
    let decide = |staff: &str| {
        n.req("POST", &format!("/api/v1/lawyer/admissions/{staff}/probation"))
            .bearer(&op)
            .send()
    };
    let (st, v) = decide("LAWYER").await;
    assert_eq!((st, &v["code"]), (409, &json!("probation_not_due")), "{v}");
    // LAWYER serves 20 rated 19 good (95%, 6.3.1 c); LAWYER2 serves nobody.
    let l = n.login("lawyer").await;
    status(&n, &l, true).await;
    for i in 0..20 {
        serve(&n, &l, if i == 0 { 2 } else { 5 }).await;
    }
    n.clock.advance_minutes(7 * 24 * HOUR);
    let op2 = n.login("operator").await;
    let (st, v) = n
        .req("GET", "/api/v1/lawyer/admissions/LAWYER")
        .bearer(&op2)
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(
        (&v["probation"], &v["rated"], &v["good"], &v["qc_used"], &v["decided"]),
        (&json!("passed"), &json!(20), &json!(19), &json!(false), &json!(false)),
        "no chat had a lawyer's reply for QC to check: the ratings decide: {v}"
    );
    let decide = |staff: &str| {
        n.req("POST", &format!("/api/v1/lawyer/admissions/{staff}/probation"))
            .bearer(&op2)
            .send()
    };
    let (st, v) = decide("LAWYER").await;
    assert_eq!(
        (st, &v["probation"], &v["decided"]),
        (200, &json!("passed"), &json!(true)),
        "{v}"
    );
    let (st, v) = decide("LAWYER2").await;
    assert_eq!(
        (st, &v["probation"], &v["shortfalls"]),
        (200, &json!("failed"), &json!(["no_data"])),
        "{v}"
    );
    let (st, _) = decide("LAWYER").await;
    assert_eq!(st, 409, "decided once");
    let (st, v) = n.req("GET", "/api/v1/lawyer/profile").bearer(&l).send().await;
    assert_eq!(st, 401, "the lawyer's session has expired: {v}");
    let l = n.login("lawyer").await;
    let (_, v) = n.req("GET", "/api/v1/lawyer/profile").bearer(&l).send().await;
    assert_eq!(v["probation"], "passed", "{v}");
}

#[tokio::test]
async fn training_records_and_the_yearly_check_6_3_2() {
    let n = node().await;
    let op = n.login("operator").await;
    let add = |body: Value| n.req("POST", "/api/v1/lawyer/trainings").bearer(&op).json(body).send();
    let (st, v) = add(
        json!({"kind": "monthly_special", "form": "online_video", "title": "月度专项培训",
        "held_on": "2026-11-20", "attendees": ["LAWYER"], "passed": ["LAWYER2"]}),
    )
    .await;
    assert_eq!(
        (st, &v["field"]),
        (422, &json!("passed")),
        "passed without attending: {v}"
    );
    let (st, v) = add(
        json!({"kind": "monthly_special", "form": "online_video", "title": "月度专项培训",
        "held_on": "2026-11-20", "attendees": ["W1"]}),
    )
    .await;
    assert_eq!((st, &v["field"]), (422, &json!("attendees")), "{v}");
    let (st, v) = add(json!({"kind": "onboarding", "form": "in_person", "title": "上岗培训",
        "held_on": "2026-11-02", "attendees": ["LAWYER", "LAWYER2"], "passed": ["LAWYER"],
        "archived_as": ["paper", "disc", "electronic"]}))
    .await;
    assert_eq!(st, 201, "{v}");
    let (st, v) = add(
        json!({"kind": "monthly_special", "form": "online_video", "title": "月度专项培训",
        "held_on": "2026-10-20", "attendees": ["LAWYER"]}),
    )
    .await;
    assert_eq!(st, 201, "{v}");
    let (st, v) = n
        .req("GET", "/api/v1/lawyer/trainings?year=2026")
        .bearer(&op)
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["trainings"].as_array().unwrap().len(), 2);
    assert_eq!(
        v["trainings"][0]["held_on"],
        json!({"year": 2026, "month": 10, "day": 20})
    );
    // 6.3.2.4: ten months without training, 2 of 12, but both lawyers trained (100% ≥ 98%).
    let shortfalls = v["shortfalls"].as_array().unwrap();
    assert_eq!(
        shortfalls.iter().filter(|s| s["kind"] == "month_without").count(),
        10,
        "{v}"
    );
    assert!(
        shortfalls.contains(&json!({"kind": "too_few_in_year", "held": 2})),
        "{v}"
    );
    assert!(!shortfalls.iter().any(|s| s["kind"] == "coverage"), "{v}");
    let (_, v) = n
        .req("GET", "/api/v1/lawyer/trainings?year=2025")
        .bearer(&op)
        .send()
        .await;
    assert_eq!(v["trainings"], json!([]));
    let l = n.login("lawyer").await;
    let (st, _) = n.req("GET", "/api/v1/lawyer/trainings").bearer(&l).send().await;
    assert_eq!(st, 403);
}

async fn import(n: &Node, token: &str, path: &str, ct: &str, body: &str) -> (u16, Value) {
    n.req("POST", path)
        .bearer(token)
        .header("content-type", ct)
        .raw_body(body.as_bytes())
        .send()
        .await
}

fn user(name: &str, phone: &str) -> Value {
    json!({"name": name, "username": name, "phone": phone, "email": null, "native_place": "北京市",
        "address": "北京市东城区某路 1 号", "source": "web"})
}

#[tokio::test]
async fn appendix_b_import_is_checked_sealed_and_all_or_nothing() {
    let n = node().await;
    let op = n.login("operator").await;
    let users = "/api/v1/lawyer-import/users";
    // 表 B.1: row 2 has a bad phone, row 3 no address and a column outside the table: nothing written.
    let mut bad = json!([
        user("张三", "13800138000"),
        user("李四", "1380013800"),
        user("王五", "13900139000")
    ]);
    bad[2]["address"] = json!("");
    bad[2]["age"] = json!(30);
    let (st, v) = import(&n, &op, users, "application/json", &bad.to_string()).await;
    assert_eq!(
        (st, &v["code"], &v["before"], &v["after"]),
        (422, &json!("invalid_rows"), &json!(0), &json!(0)),
        "{v}"
    );
    let errors: Vec<(u64, &str, Value)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["field"].as_str().unwrap(),
                e["code"].clone(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        vec![
            (2, "phone", json!(20103)),
            (3, "age", Value::Null),
            (3, "address", json!(20106))
        ],
        "{v}"
    );
    assert!(
        v["errors"][0]["expected"].as_str().unwrap().contains("11 位手机号码"),
        "{v}"
    );
    // The good rows: a dry run checks only, then the import writes both.
    let good = json!([user("张三", "13800138000"), user("王五", "13900139000")]).to_string();
    let (st, v) = import(&n, &op, &format!("{users}?dry_run=true"), "application/json", &good).await;
    assert_eq!(
        (st, &v["code"], &v["after"]),
        (200, &json!("checked"), &json!(0)),
        "{v}"
    );
    let (st, v) = import(&n, &op, users, "application/json; charset=utf-8", &good).await;
    assert_eq!(
        (st, &v["code"], &v["before"], &v["after"]),
        (200, &json!("imported"), &json!(0), &json!(2)),
        "{v}"
    );

    // 表 B.2 and B.3 as CSV (quoted fields, a list field), linked to the LAWYER account.
    let lawyers = "name,phone,nickname,alipay_account,law_firm,region,frequent_courts,specialties,certified_field,registered_on,staff_id\n\
        赵律师,13700137000,\"老赵, 劳动法\",zhao@pay,某某律师事务所,北京市朝阳区,朝阳法院,劳动、婚姻,劳动争议,2021-11-20,LAWYER\n";
    let (st, v) = import(&n, &op, "/api/v1/lawyer-import/lawyers", "text/csv", lawyers).await;
    assert_eq!((st, &v["after"]), (200, &json!(1)), "{v}");
    let id = id_number("19850505", 21);
    let certs = format!(
        "sex,birth_date,id_number,id_card_images,licence_number,licensed_on,licence_photo,staff_id\r\n\
         1,1985-05-05,{id},blob:front+back,11101201910123456,2019-10-01,blob:photo,LAWYER\r\n"
    );
    let (st, v) = import(&n, &op, "/api/v1/lawyer-import/certifications", "text/csv", &certs).await;
    assert_eq!((st, &v["after"]), (200, &json!(1)), "{v}");
    // Bad CSV and bad orders are named; an unknown lawyer account too.
    let (st, v) = import(
        &n,
        &op,
        "/api/v1/lawyer-import/lawyers",
        "text/csv",
        "name,phone\n赵律师\n",
    )
    .await;
    assert_eq!((st, &v["field"]), (422, &json!("body")), "{v}");
    let cert_w1 = certs.replace(",LAWYER", ",W1");
    let (st, v) = import(
        &n,
        &op,
        "/api/v1/lawyer-import/certifications?dry_run=true",
        "text/csv",
        &cert_w1,
    )
    .await;
    assert_eq!((st, &v["field"]), (422, &json!("staff_id")), "{v}");
    let order = json!([{"title": "劳动咨询", "ordered_at": "2026-11-20 08:30", "question_type": "劳动", "status": "已完成",
        "price": "12.345", "contact_name": "张三", "contact_phone": 13800138000u64, "service_period": "1 天",
        "contact_email": "zs@example.com", "source": "web"}]);
    let (st, v) = import(
        &n,
        &op,
        "/api/v1/lawyer-import/orders",
        "application/json",
        &order.to_string(),
    )
    .await;
    assert_eq!(
        (st, &v["errors"][0]["field"], &v["errors"][0]["code"]),
        (422, &json!("price"), &json!(20506)),
        "{v}"
    );
    let (st, v) = import(&n, &op, "/api/v1/lawyer-import/orders", "text/plain", "x").await;
    assert_eq!(st, 415, "{v}");
    let (st, _) = import(&n, &op, "/api/v1/lawyer-import/other", "application/json", "[]").await;
    assert_eq!(st, 404);
    let l = n.login("lawyer").await;
    let (st, _) = import(&n, &l, users, "application/json", &good).await;
    assert_eq!(st, 403);

    // Personal data is sealed: no name, phone or ID number in clear in the rows or the audit log.
    {
        let db = rusqlite::Connection::open(n.db_path()).unwrap();
        let stored: String = db
            .query_row(
                "SELECT group_concat(kind || COALESCE(phone_key, '') || COALESCE(id_key, '') || sealed, '|') FROM lw_records",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let audit: String = db
            .query_row(
                "SELECT group_concat(body, '|') FROM events WHERE kind = 'lw_records_imported'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        for clear in ["张三", "13800138000", "13700137000", id.as_str()] {
            assert!(!stored.contains(clear) && !audit.contains(clear), "{clear} in clear");
        }
        let keyed: u32 = db
            .query_row(
                "SELECT COUNT(*) FROM lw_records WHERE kind = 'certification' AND length(id_key) = 32",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(keyed, 1, "the ID number as a keyed digest");
    }

    // 10.5.1.2: the lawyer's word hits now count with the region and sex of their records.
    let (st, v) = n
        .req("PUT", "/api/v1/lawyer/status")
        .bearer(&l)
        .json(json!({"online": true, "specialties": ["labour"]}))
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    let words = wordfilter::WordList::parse(include_str!("../../../../assets/wordfilter/sample.tsv")).unwrap();
    n.app().lawyer.set_words(words).unwrap();
    let (_, v) = n
        .req("POST", "/api/v1/consultations")
        .json(json!({"kind": "realtime", "question": "工资被拖欠怎么办？", "specialty": "labour"}))
        .send()
        .await;
    let id = v["consultation"]["id"].as_str().unwrap().to_owned();
    let (st, _) = n
        .req("POST", &format!("/api/v1/consultations/{id}/pickup"))
        .bearer(&l)
        .send()
        .await;
    assert_eq!(st, 200);
    let (st, v) = n
        .req("POST", &format!("/api/v1/consultations/{id}/messages"))
        .bearer(&l)
        .json(json!({"body": "测试敏感词"}))
        .send()
        .await;
    assert_eq!(st, 422, "{v}");
    let (_, v) = n.req("GET", "/api/v1/lawyer-words/stats").bearer(&op).send().await;
    assert_eq!(
        (
            &v["stats"]["by_sex"]["female"],
            &v["stats"]["by_region"]["北京市朝阳区"]
        ),
        (&json!(1), &json!(1)),
        "{v}"
    );
}
