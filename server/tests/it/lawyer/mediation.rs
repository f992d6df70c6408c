//! Remote mediation over real HTTP (issue 7, standard 6.1 d, 6.2.4): booked ≥ 5 working days ahead,
//! verified within 1 working day and a lawyer assigned within 3 (6.2.4.1), the lawyer in the room
//! 10 min early (6.2.4.2 a), rated afterwards (6.2.4.2 e); overdue tasks visible to operators.
//! Deadlines use the configured working-day calendar: the test calendar puts a holiday on Wed 25 and
//! Thu 26 Nov 2026 and a 调休 make-up workday on Sat 28 Nov, so each deadline moves against the
//! plain weekday count. The node's clock starts on Monday 23 Nov 2026, 09:00 (+08:00).

use super::support;
use node_testkit::*;
use serde_json::{Value, json};
use server::app::ServerConfig;

/// Local (+08:00) time `minute` after midnight, `days` after Monday 23 Nov 2026.
fn local(days: i64, minute: i64) -> i64 {
    (20_780 + days) * 86_400_000 - 8 * 3_600_000 + minute * 60_000
}

fn date(day: u8) -> Value {
    json!({"year": 2026, "month": 11, "day": day})
}

/// The test calendar: holidays Wed 25 and Thu 26 Nov, make-up workday Sat 28 Nov; `plain`: 2026
/// with no holidays at all.
fn calendar(plain: bool) -> Value {
    if plain {
        json!({"years": [{"year": 2026}]})
    } else {
        json!({"years": [{"year": 2026, "holidays": [date(25), date(26)], "workdays": [date(28)]}]})
    }
}

/// A node with `calendar` (none: the default, empty one) and a second lawyer (login lawyer2).
async fn node(calendar: Option<Value>) -> Node {
    let n = support::start(|c| {
        if let Some(cal) = calendar {
            c.lawyer.calendar = serde_json::from_value(cal).unwrap();
        }
    })
    .await;
    support::add_lawyers(&n, &["LAWYER2"]).await;
    n
}

fn booking(starts_at: i64) -> Value {
    json!({"committee": "道里区人民调解委员会", "parties": ["王某", "李某"], "matter": "相邻房屋漏水赔偿纠纷",
        "specialty": "civil", "starts_at": starts_at, "duration_minutes": 90})
}

async fn book(n: &Node, op: &str, starts_at: i64) -> (u16, Value) {
    n.req("POST", "/api/v1/mediations")
        .bearer(op)
        .json(booking(starts_at))
        .send()
        .await
}

fn task<'a>(m: &'a Value, name: &str) -> &'a Value {
    m["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["task"] == name)
        .unwrap()
}

async fn post(n: &Node, who: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let r = n.req("POST", path).bearer(who);
    match body {
        Some(b) => r.json(b).send().await,
        None => r.send().await,
    }
}

#[tokio::test]
async fn holidays_and_make_up_days_move_every_working_day_deadline_6_2_4_1() {
    let n = node(Some(calendar(false))).await;
    let op = n.login("operator").await;
    // 6.2.4.1 "提前 5 个工作日": Tue 24, Fri 27, Sat 28 (调休), Mon 30 are only 4 working days before
    // Monday 30 Nov; without the holidays they would be 5 (see the plain node below).
    let (st, v) = book(&n, &op, local(7, 10 * 60)).await;
    assert_eq!((st, v["field"].as_str()), (422, Some("starts_at")), "{v}");
    assert!(v["message"].as_str().unwrap().contains("5 个工作日"), "{v}");
    // Tuesday 1 Dec is the 5th working day: accepted.
    let (st, m) = book(&n, &op, local(8, 10 * 60)).await;
    assert_eq!(st, 201, "{m}");
    assert_eq!(m["status"], "applied");
    assert_eq!(m["status_label"], "待核实");
    // 6.2.4.1 verify within 1 working day: by the end of Tue 24 (Wed 25 00:00).
    assert_eq!(task(&m, "verify")["due"], local(2, 0));
    assert_eq!(task(&m, "verify")["clause"], "6.2.4.1");
    // 6.2.4.1 assign within 3 working days: Tue 24, Fri 27, Sat 28 (make-up day) → Sun 29 00:00.
    assert_eq!(task(&m, "assign")["due"], local(6, 0));
    // The refused booking left nothing behind.
    let (_, list) = n.req("GET", "/api/v1/mediations").bearer(&op).send().await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");

    // The same bookings on a calendar without those days.
    let plain = node(Some(calendar(true))).await;
    let op = plain.login("operator").await;
    let (st, m) = book(&plain, &op, local(7, 10 * 60)).await;
    assert_eq!(st, 201, "{m}");
    assert_eq!(task(&m, "verify")["due"], local(2, 0));
    // Tue, Wed, Thu → Fri 27 00:00: two days earlier than with the holidays.
    assert_eq!(task(&m, "assign")["due"], local(4, 0));

    // A year the calendar does not know is refused, not guessed (an operator's calendar without 2026;
    // the default is the shipped mainland schedule).
    let bare = node(Some(json!({"years": []}))).await;
    let op = bare.login("operator").await;
    let (st, v) = book(&bare, &op, local(8, 10 * 60)).await;
    assert_eq!((st, v["code"].as_str()), (422, Some("calendar_not_configured")), "{v}");
}

#[tokio::test]
async fn bad_bookings_name_the_field_and_only_the_office_books() {
    let n = node(Some(calendar(false))).await;
    let op = n.login("operator").await;
    let start = local(8, 10 * 60);
    for (patch, status, field) in [
        (json!({"parties": []}), 422, "parties"),
        (json!({"parties": ["王某", " "]}), 422, "parties"),
        (json!({"committee": ""}), 422, "committee"),
        (json!({"matter": "x".repeat(4001)}), 422, "matter"),
        (json!({"duration_minutes": 5}), 422, "duration_minutes"),
        // A wrong JSON type is the common 400 of every route, still naming the field.
        (json!({"starts_at": "tomorrow"}), 400, "starts_at"),
    ] {
        let mut b = booking(start);
        for (k, v) in patch.as_object().unwrap() {
            b[k] = v.clone();
        }
        let (st, v) = n.req("POST", "/api/v1/mediations").bearer(&op).json(b).send().await;
        assert_eq!((st, v["field"].as_str()), (status, Some(field)), "{patch}: {v}");
    }
    let mut b = booking(start);
    b.as_object_mut().unwrap().remove("matter");
    let (st, v) = n.req("POST", "/api/v1/mediations").bearer(&op).json(b).send().await;
    assert_eq!((st, v["field"].as_str()), (400, Some("matter")), "{v}");
    // A lawyer does not book a mediation for themselves.
    let lawyer = n.login("lawyer").await;
    assert_eq!(book(&n, &lawyer, start).await.0, 403);
    let (_, list) = n.req("GET", "/api/v1/mediations").bearer(&op).send().await;
    assert_eq!(list["items"], json!([]), "nothing half-written");
}

#[tokio::test]
async fn verify_assign_accept_join_early_or_late_and_rate_6_2_4() {
    let n = node(Some(calendar(false))).await;
    let op = n.login("operator").await;
    let lawyer = n.login("lawyer").await;
    let lawyer2 = n.login("lawyer2").await;
    for t in [&lawyer, &lawyer2] {
        let (st, v) = n
            .req("PUT", "/api/v1/lawyer/status")
            .bearer(t)
            .json(json!({"online": false, "specialties": ["civil"]}))
            .send()
            .await;
        assert_eq!(st, 200, "{v}");
    }
    let start = local(8, 10 * 60);
    let (_, m) = book(&n, &op, start).await;
    let id = m["id"].as_str().unwrap().to_owned();
    let (_, m2) = book(&n, &op, local(9, 10 * 60)).await;
    let id2 = m2["id"].as_str().unwrap().to_owned();

    // Wednesday 25 Nov 01:00: the verification call (due end of Tue 24) is overdue and listed so.
    n.clock.set(local(2, 60));
    // Sessions do not outlive the days the clock skips: sign in again.
    let (op, lawyer, lawyer2) = (
        n.login("operator").await,
        n.login("lawyer").await,
        n.login("lawyer2").await,
    );
    let (st, list) = n.req("GET", "/api/v1/mediations?overdue=true").bearer(&op).send().await;
    assert_eq!(st, 200, "{list}");
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "{list}");
    let first = &list["items"][0];
    assert_eq!(first["id"], id.as_str());
    assert_eq!(task(first, "verify")["overdue"], true);
    assert!(task(first, "verify")["remaining_secs"].as_i64().unwrap() < 0);
    assert_eq!(task(first, "assign")["overdue"], false);

    // Rejecting needs a reason; the second booking is rejected, the first verified (late).
    let v2 = format!("/api/v1/mediations/{id2}/verify");
    let (st, v) = post(&n, &op, &v2, Some(json!({"approved": false}))).await;
    assert_eq!((st, v["field"].as_str()), (422, Some("reason")), "{v}");
    let (st, v) = post(
        &n,
        &op,
        &v2,
        Some(json!({"approved": false, "reason": "当事人已自行和解"})),
    )
    .await;
    assert_eq!(
        (st, &v["status"], &v["reject_reason"]),
        (200, &json!("rejected"), &json!("当事人已自行和解"))
    );
    let verify = format!("/api/v1/mediations/{id}/verify");
    let (st, v) = post(&n, &op, &verify, Some(json!({"approved": true}))).await;
    assert_eq!((st, &v["status"]), (200, &json!("verified")), "{v}");
    assert_eq!(task(&v, "verify")["late"], true, "done after its deadline: {v}");
    assert_eq!(post(&n, &op, &verify, Some(json!({"approved": true}))).await.0, 409);
    let (_, list) = n.req("GET", "/api/v1/mediations?overdue=true").bearer(&op).send().await;
    assert_eq!(list["items"], json!([]), "nothing open is overdue now");

    // Assign: an unknown lawyer is refused; automatic picks a civil lawyer.
    let assign = format!("/api/v1/mediations/{id}/assign");
    let (st, v) = post(&n, &op, &assign, Some(json!({"lawyer_id": "W1"}))).await;
    assert_eq!((st, v["field"].as_str()), (422, Some("lawyer_id")), "{v}");
    let (st, v) = post(&n, &op, &assign, Some(json!({"lawyer_id": "LAWYER2"}))).await;
    assert_eq!((st, &v["status"]), (200, &json!("assigned")), "{v}");
    // Only the assigned lawyer accepts or sees it.
    let accept = format!("/api/v1/mediations/{id}/accept");
    assert_eq!(post(&n, &lawyer, &accept, None).await.0, 409);
    let (st, _) = n
        .req("GET", &format!("/api/v1/mediations/{id}"))
        .bearer(&lawyer)
        .send()
        .await;
    assert_eq!(st, 403);
    // LAWYER2 declines (a conflict of interest): back to the operators, who assign LAWYER instead.
    let decline = format!("/api/v1/mediations/{id}/decline");
    let (st, v) = post(&n, &lawyer2, &decline, Some(json!({"reason": ""}))).await;
    assert_eq!((st, v["field"].as_str()), (422, Some("reason")), "{v}");
    let (st, v) = post(
        &n,
        &lawyer2,
        &decline,
        Some(json!({"reason": "与一方当事人存在亲属关系"})),
    )
    .await;
    assert_eq!(
        (st, &v["status"], &v["lawyer_id"]),
        (200, &json!("verified"), &Value::Null),
        "{v}"
    );
    let (st, v) = post(&n, &op, &assign, Some(json!({"lawyer_id": "LAWYER"}))).await;
    assert_eq!((st, &v["lawyer_id"]), (200, &json!("LAWYER")), "{v}");
    assert_eq!(
        post(&n, &lawyer2, &decline, Some(json!({"reason": "x"}))).await.0,
        409,
        "no longer theirs"
    );
    // Friday 27 Nov 10:00: the lawyer accepts, within the 3 working days.
    n.clock.set(local(4, 600));
    let (op, lawyer, lawyer2) = (
        n.login("operator").await,
        n.login("lawyer").await,
        n.login("lawyer2").await,
    );
    let (st, v) = post(&n, &lawyer, &accept, None).await;
    assert_eq!((st, &v["status"]), (200, &json!("accepted")), "{v}");
    let (st, v) = n
        .req("GET", &format!("/api/v1/mediations/{id}"))
        .bearer(&lawyer)
        .send()
        .await;
    assert_eq!(
        (st, &v["matter"]),
        (200, &json!("相邻房屋漏水赔偿纠纷")),
        "the assigned lawyer reads it: {v}"
    );
    assert_eq!(task(&v, "assign")["late"], false);
    assert_eq!(task(&v, "assign")["done_at"], local(4, 600));
    // 6.2.4.2 a: the inbox counts down to the join-by time, start − 10 min.
    let (st, inbox) = n.req("GET", "/api/v1/lawyer/inbox").bearer(&lawyer).send().await;
    assert_eq!(st, 200, "{inbox}");
    let item = &inbox["mediations"][0];
    assert_eq!(item["id"], id.as_str());
    assert_eq!(item["join_by"]["due"], start - 600_000);
    assert_eq!(item["join_by"]["clause"], "6.2.4.2 a");
    assert_eq!(
        item["join_by"]["remaining_secs"],
        (start - 600_000 - local(4, 600)) / 1000
    );
    let (_, other) = n.req("GET", "/api/v1/lawyer/inbox").bearer(&lawyer2).send().await;
    assert_eq!(other["mediations"], json!([]), "not LAWYER2's any more");

    // Rating before the session → refused.
    let rating = format!("/api/v1/mediations/{id}/rating");
    assert_eq!(post(&n, &op, &rating, Some(json!({"level": 5}))).await.0, 409);
    // Joins 12 min before the start: on time.
    n.clock.set(start - 12 * 60_000);
    let lawyer = n.login("lawyer").await;
    let join = format!("/api/v1/mediations/{id}/join");
    let (st, v) = post(&n, &lawyer, &join, None).await;
    assert_eq!(
        (st, &v["join_late"], &v["joined_at"]),
        (200, &json!(false), &json!(start - 720_000)),
        "{v}"
    );
    assert_eq!(post(&n, &lawyer, &join, None).await.0, 409, "joined once");
    // 6.2.4.2 e: rated after the session.
    n.clock.set(start + 90 * 60_000);
    let op = n.login("operator").await;
    let (st, v) = post(&n, &op, &rating, Some(json!({"level": 6}))).await;
    assert_eq!((st, v["field"].as_str()), (422, Some("level")), "{v}");
    let (st, v) = post(&n, &op, &rating, Some(json!({"level": 5, "comment": "律师解答专业"}))).await;
    assert_eq!(
        (st, &v["status"], &v["rating_level"]),
        (200, &json!("rated"), &json!(5)),
        "{v}"
    );
}

#[tokio::test]
async fn a_late_join_is_recorded_and_shown_6_2_4_2_a() {
    let n = node(Some(calendar(false))).await;
    let op = n.login("operator").await;
    let lawyer = n.login("lawyer").await;
    let (st, v) = n
        .req("PUT", "/api/v1/lawyer/status")
        .bearer(&lawyer)
        .json(json!({"online": true, "specialties": ["civil"]}))
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    let start = local(8, 14 * 60);
    let (_, m) = book(&n, &op, start).await;
    let id = m["id"].as_str().unwrap().to_owned();
    post(
        &n,
        &op,
        &format!("/api/v1/mediations/{id}/verify"),
        Some(json!({"approved": true})),
    )
    .await;
    // Automatic assignment: the only civil lawyer.
    let (st, v) = post(&n, &op, &format!("/api/v1/mediations/{id}/assign"), Some(json!({}))).await;
    assert_eq!((st, &v["lawyer_id"]), (200, &json!("LAWYER")), "{v}");
    let join = format!("/api/v1/mediations/{id}/join");
    // Joining before accepting is refused.
    assert_eq!(post(&n, &lawyer, &join, None).await.0, 409);
    post(&n, &lawyer, &format!("/api/v1/mediations/{id}/accept"), None).await;
    // 5 min before the start: late (the clause wants 10).
    n.clock.set(start - 5 * 60_000);
    let (op, lawyer) = (n.login("operator").await, n.login("lawyer").await);
    let (st, v) = post(&n, &lawyer, &join, None).await;
    assert_eq!((st, &v["join_late"]), (200, &json!(true)), "{v}");
    assert_eq!(task(&v, "join")["late"], true);
    let (_, inbox) = n.req("GET", "/api/v1/lawyer/inbox").bearer(&lawyer).send().await;
    assert_eq!(inbox["mediations"][0]["join_late"], true, "{inbox}");
    assert!(inbox["mediations"][0]["join_by"]["remaining_secs"].as_i64().unwrap() < 0);
    let (_, list) = n.req("GET", "/api/v1/mediations").bearer(&op).send().await;
    assert_eq!(list["items"][0]["join_late"], true);
}

#[tokio::test]
async fn the_audit_keeps_party_names_and_matter_as_digests_only() {
    let n = node(Some(calendar(false))).await;
    let op = n.login("operator").await;
    let (st, _) = book(&n, &op, local(8, 600)).await;
    assert_eq!(st, 201);
    let db = rusqlite::Connection::open(n.db_path()).unwrap();
    let bodies: Vec<String> = db
        .prepare("SELECT body FROM events WHERE kind = 'mediation_booked'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(bodies.len(), 1);
    assert!(
        !bodies[0].contains("王某") && !bodies[0].contains("漏水"),
        "{}",
        bodies[0]
    );
    assert!(bodies[0].contains("parties_sm3"), "{}", bodies[0]);
}

#[tokio::test]
async fn automatic_assignment_takes_the_least_loaded_lawyer_of_the_specialty() {
    let n = node(Some(calendar(false))).await;
    let op = n.login("operator").await;
    for login in ["lawyer", "lawyer2"] {
        let t = n.login(login).await;
        let (st, v) = n
            .req("PUT", "/api/v1/lawyer/status")
            .bearer(&t)
            .json(json!({"online": false, "specialties": ["civil"]}))
            .send()
            .await;
        assert_eq!(st, 200, "{v}");
    }
    let mut assigned = Vec::new();
    for day in [8, 9, 10] {
        let (_, m) = book(&n, &op, local(day, 600)).await;
        let id = m["id"].as_str().unwrap().to_owned();
        post(
            &n,
            &op,
            &format!("/api/v1/mediations/{id}/verify"),
            Some(json!({"approved": true})),
        )
        .await;
        let (st, v) = post(&n, &op, &format!("/api/v1/mediations/{id}/assign"), Some(json!({}))).await;
        assert_eq!(st, 200, "{v}");
        assigned.push(v["lawyer_id"].as_str().unwrap().to_owned());
    }
    // Two lawyers, three sessions: the load alternates (1–0 → 1–1 → 2–1), never 3–0.
    assert_ne!(assigned[0], assigned[1], "{assigned:?}");
    assert!(assigned.iter().filter(|l| *l == "LAWYER").count() >= 1, "{assigned:?}");
    assert!(assigned.iter().filter(|l| *l == "LAWYER2").count() >= 1, "{assigned:?}");
    // Nobody of the specialty: refused, the mediation stays waiting for a lawyer.
    let mut b = booking(local(11, 600));
    b["specialty"] = json!("maritime");
    let (_, m) = n.req("POST", "/api/v1/mediations").bearer(&op).json(b).send().await;
    let id = m["id"].as_str().unwrap().to_owned();
    post(
        &n,
        &op,
        &format!("/api/v1/mediations/{id}/verify"),
        Some(json!({"approved": true})),
    )
    .await;
    let (st, v) = post(&n, &op, &format!("/api/v1/mediations/{id}/assign"), Some(json!({}))).await;
    assert_eq!(st, 409, "{v}");
    assert!(v["message"].as_str().unwrap().contains("maritime"), "{v}");
    let (_, v) = n
        .req("GET", &format!("/api/v1/mediations/{id}"))
        .bearer(&op)
        .send()
        .await;
    assert_eq!(v["status"], "verified");
}

#[tokio::test]
async fn the_calendar_is_read_from_server_toml() {
    // As documented in the README: `[lawyer.calendar]`, one entry per year.
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("server.toml");
    std::fs::write(
        &path,
        r#"
[[lawyer.calendar.years]]
year = 2026
holidays = [{ year = 2026, month = 11, day = 25 }, { year = 2026, month = 11, day = 26 }]
workdays = [{ year = 2026, month = 11, day = 28 }]
"#,
    )
    .unwrap();
    let mut config = ServerConfig::load(Some(&path)).unwrap();
    assert_eq!(
        serde_json::to_value(&config.lawyer.calendar).unwrap(),
        calendar(false),
        "the same calendar as the other tests"
    );
    config.data = tmp.path().to_path_buf();
    config.listen = "127.0.0.1:0".into();
    let mut n = Node::start_with(config, TestClock::new(MONDAY_0900)).await;
    n.keep(tmp);
    server::api::halls::install_config(&n.app(), domain::Actor::System, test_city())
        .await
        .unwrap();
    n.set_test_passwords().await;
    let op = n.login("operator").await;
    let (st, m) = book(&n, &op, local(8, 600)).await;
    assert_eq!(st, 201, "{m}");
    assert_eq!(
        task(&m, "assign")["due"],
        local(6, 0),
        "holidays and the make-up day apply"
    );
}
