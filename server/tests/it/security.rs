//! Who may do what: device signatures (missing headers, bad signature, stale, replayed, unknown
//! device), one-time enrollment codes, device-bound sessions, roles and halls, sign-out — and the
//! role × endpoint matrix over every route, kept complete against the OpenAPI document.

use node_testkit::*;
use serde_json::{Value, json};

fn kiosk_ticket() -> Value {
    json!({"hall_id": "H1", "item_id": "I2", "channel": "kiosk"})
}

/// Issues with exactly these signature headers.
async fn issue_with(n: &Node, headers: Vec<(&'static str, String)>) -> (u16, Value) {
    n.req("POST", "/api/v1/tickets")
        .signature_headers(headers)
        .json(kiosk_ticket())
        .send()
        .await
}

/// (status, code) of an answer.
fn code(r: &(u16, Value)) -> (u16, &str) {
    (r.0, r.1["code"].as_str().unwrap_or(""))
}

#[tokio::test]
async fn device_signatures_are_checked() {
    let mut n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let body = serde_json::to_vec(&kiosk_ticket()).unwrap();
    let sign = |key: &[u8], path: &str, body: &[u8]| sign(key, &kiosk.id, "POST", path, body, n.clock.now());

    // A device id without the signature headers: refused, naming the first missing header.
    let (id, now) = (
        ("x-device-id", kiosk.id.clone()),
        ("x-timestamp", n.clock.now().to_string()),
    );
    let cases = [
        (vec![id.clone()], "x-timestamp"),
        (vec![id.clone(), now.clone()], "x-nonce"),
        (
            vec![id.clone(), now.clone(), ("x-nonce", "nonce-12345".into())],
            "x-signature",
        ),
    ];
    for (headers, missing) in cases {
        let r = issue_with(&n, headers).await;
        assert_eq!(
            (code(&r), r.1["field"].as_str()),
            ((401, "unauthorized"), Some(missing)),
            "{}",
            r.1
        );
    }

    // Signed over a different body, with another key, or for another path: bad_signature.
    for headers in [
        sign(&kiosk.key, "/api/v1/tickets", b"{\"hall_id\":\"H2\"}"),
        sign(&[9u8; 32], "/api/v1/tickets", &body),
        sign(&kiosk.key, "/api/v1/appointments", &body),
    ] {
        let r = issue_with(&n, headers).await;
        assert_eq!(code(&r), (401, "bad_signature"), "{}", r.1);
    }

    // Too old, too far ahead, or signed before this server started.
    for skew in [-10 * 60_000, 10 * 60_000, -2_000] {
        let r = n
            .req("POST", "/api/v1/tickets")
            .device(&kiosk)
            .skew(skew)
            .json(kiosk_ticket())
            .send()
            .await;
        assert_eq!(code(&r), (401, "stale_request"), "skew {skew}: {}", r.1);
    }

    // Replay: the same signed request twice. The second is refused and changes nothing.
    let headers = n
        .req("POST", "/api/v1/tickets")
        .device(&kiosk)
        .json(kiosk_ticket())
        .sign_now();
    let (st, v) = issue_with(&n, headers.clone()).await;
    assert_eq!((st, v["display"].as_str()), (201, Some("B001")), "{v}");
    let r = issue_with(&n, headers).await;
    assert_eq!(code(&r), (401, "replayed_request"), "{}", r.1);
    let (st, v) = n.issue(&kiosk, kiosk_ticket()).await;
    assert_eq!(
        (st, v["display"].as_str()),
        (201, Some("B002")),
        "the replay issued no ticket: {v}"
    );
    let (_, snap) = n.req("GET", "/api/v1/halls/H1/snapshot").device(&kiosk).send().await;
    assert_eq!(snap["waiting_total"], 2, "{snap}");

    // An unknown device, and a well-formed signature from a device that was never enrolled.
    let ghost = Device {
        id: "dev-0000000000000000000000000000dead".into(),
        key: vec![7u8; 32],
        letter: None,
    };
    let r = n.issue(&ghost, kiosk_ticket()).await;
    assert_eq!(code(&r), (401, "unauthorized"), "{}", r.1);
    assert!(r.1["message"].as_str().unwrap().contains("not enrolled"), "{}", r.1);
    n.stop().await;
}

#[tokio::test]
async fn a_request_replayed_after_a_restart_is_stale() {
    let mut n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let headers = n
        .req("POST", "/api/v1/tickets")
        .device(&kiosk)
        .json(kiosk_ticket())
        .sign_now();
    assert_eq!(issue_with(&n, headers.clone()).await.0, 201);
    n.clock.advance_minutes(1);
    n.restart().await;
    // Well inside the 5-minute window, and the new process has no memory of the nonce: what refuses
    // it is that it was signed before this process started.
    let r = issue_with(&n, headers).await;
    assert_eq!(code(&r), (401, "stale_request"), "{}", r.1);
    let (st, v) = n.issue(&kiosk, kiosk_ticket()).await;
    assert_eq!((st, v["display"].as_str()), (201, Some("B002")), "{v}");
    n.stop().await;
}

#[tokio::test]
async fn enrollment_codes_are_single_use_and_expire() {
    let mut n = Node::start().await;
    let admin = n.login("admin").await;
    let (node, admin) = (&n, admin.as_str());
    let new_code = move |ttl: u32| async move {
        let body = json!({"hall_id": "H1", "kind": "kiosk", "ttl_minutes": ttl});
        let (st, v) = node
            .req("POST", "/api/v1/devices/enrollment-codes")
            .bearer(admin)
            .json(body)
            .send()
            .await;
        assert_eq!(st, 201, "{v}");
        v["code"].as_str().unwrap().to_owned()
    };
    let enroll = |code: String| {
        n.req("POST", "/api/v1/devices/enroll")
            .json(json!({"code": code, "name": "1号"}))
            .send()
    };

    let c = new_code(60).await;
    let (st, v) = enroll(c.clone()).await;
    assert_eq!(st, 201, "{v}");
    let r = enroll(c.clone()).await;
    assert_eq!(code(&r), (409, "bad_enrollment_code"), "used twice: {}", r.1);
    let r = enroll(c.to_lowercase()).await;
    assert_eq!(
        code(&r),
        (409, "bad_enrollment_code"),
        "used twice (other spelling): {}",
        r.1
    );

    let c = new_code(5).await;
    n.clock.advance_minutes(6);
    let r = enroll(c).await;
    assert_eq!(code(&r), (409, "bad_enrollment_code"), "expired: {}", r.1);
    let r = enroll("AAAAAAAA".into()).await;
    assert_eq!(code(&r), (409, "bad_enrollment_code"), "unknown: {}", r.1);
    n.stop().await;
}

#[tokio::test]
async fn a_session_opened_on_a_device_needs_that_device() {
    let mut n = Node::start().await;
    let terminal = n.enroll("H1", "window_terminal").await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let login = json!({"login": "w1", "password": PASSWORD});
    let (st, v) = n
        .req("POST", "/api/v1/sessions")
        .device(&terminal)
        .json(login)
        .send()
        .await;
    assert_eq!((st, v["device_id"].as_str()), (201, Some(terminal.id.as_str())), "{v}");
    let t = v["token"].as_str().unwrap().to_owned();

    let sign_in = || n.req("POST", "/api/v1/windows/W1/sign-in").bearer(&t);
    let r = sign_in().send().await;
    assert_eq!(code(&r), (401, "unauthorized"), "token without the device: {}", r.1);
    let r = sign_in().device(&kiosk).send().await;
    assert_eq!(code(&r), (401, "unauthorized"), "token with another device: {}", r.1);
    let (st, v) = sign_in().device(&terminal).send().await;
    assert_eq!(
        (st, v["window"]["staff_id"].as_str()),
        (200, Some("W1")),
        "with its device: {v}"
    );
    n.stop().await;
}

#[tokio::test]
async fn roles_halls_and_sign_out() {
    let mut n = Node::start().await;
    let kiosk = n.enroll("H1", "kiosk").await;
    let kiosk_h2 = n.enroll("H2", "kiosk").await;
    let (_, t) = n.issue(&kiosk, kiosk_ticket()).await;
    let tid = t["ticket_id"].as_str().unwrap().to_owned();
    let void = json!({"reason": "x"});

    // No credentials: 401. The wrong role (or device kind): 403.
    let r = n.req("POST", "/api/v1/tickets").json(kiosk_ticket()).send().await;
    assert_eq!(code(&r), (401, "unauthorized"), "{}", r.1);
    let lawyer = n.login("lawyer").await;
    let r = n
        .req("POST", "/api/v1/tickets")
        .bearer(&lawyer)
        .json(kiosk_ticket())
        .send()
        .await;
    assert_eq!(code(&r), (403, "forbidden"), "{}", r.1);
    let leader = n.login("leader").await;
    let r = n
        .req("POST", &format!("/api/v1/tickets/{tid}/void"))
        .bearer(&leader)
        .json(void.clone())
        .send()
        .await;
    assert_eq!(code(&r), (403, "forbidden"), "{}", r.1);
    let evaluator = n.enroll("H1", "evaluator").await;
    let r = n.issue(&evaluator, kiosk_ticket()).await;
    assert_eq!(code(&r), (403, "forbidden"), "an evaluator does not issue: {}", r.1);

    // Staff and devices of hall H2 cannot act in H1.
    let w9 = n.open_window("w9", "W9").await;
    let h1_calls = [
        ("GET", "/api/v1/halls/H1/snapshot".to_owned(), None),
        ("GET", format!("/api/v1/tickets/{tid}"), None),
        ("POST", "/api/v1/tickets".to_owned(), Some(kiosk_ticket())),
        ("POST", format!("/api/v1/tickets/{tid}/void"), Some(void)),
        ("POST", "/api/v1/windows/W1/sign-in".to_owned(), None),
        ("POST", "/api/v1/windows/W1/call-next".to_owned(), None),
    ];
    for (m, p, b) in h1_calls {
        let req = n.req(m, &p).bearer(&w9);
        let r = match b {
            Some(b) => req.json(b).send().await,
            None => req.send().await,
        };
        assert_eq!(code(&r), (403, "forbidden"), "w9 {m} {p}: {}", r.1);
    }
    let r = n.issue(&kiosk_h2, kiosk_ticket()).await;
    assert_eq!(code(&r), (403, "forbidden"), "an H2 kiosk in H1: {}", r.1);
    let r = n.req("GET", "/api/v1/halls/H1/snapshot").device(&kiosk_h2).send().await;
    assert_eq!(code(&r), (403, "forbidden"), "{}", r.1);
    let (st, _) = n.req("GET", "/api/v1/halls/H2/snapshot").bearer(&w9).send().await;
    assert_eq!(st, 200, "w9 in their own hall");

    // Sign-out: the token stops working at once.
    assert_eq!(n.req("GET", "/api/v1/config").bearer(&leader).send().await.0, 200);
    assert_eq!(
        n.req("DELETE", "/api/v1/sessions/current")
            .bearer(&leader)
            .send_text()
            .await
            .0,
        204
    );
    let r = n.req("GET", "/api/v1/config").bearer(&leader).send().await;
    assert_eq!(code(&r), (401, "unauthorized"), "{}", r.1);
    let r = n.req("DELETE", "/api/v1/sessions/current").bearer(&leader).send().await;
    assert_eq!(code(&r), (401, "unauthorized"), "signed out once: {}", r.1);
    n.stop().await;
}

// ---------------------------------------------------------------------------------------------
// The role × endpoint matrix.

const ADMIN: u8 = 1;
const MGR: u8 = 2;
const STAFF: u8 = 4;
const LEADER: u8 = 8;
const LAWYER: u8 = 16;
const OPERATOR: u8 = 32;
/// No credentials at all: allowed only on public rows, otherwise 401 (not 403).
const ANON: u8 = 64;
const STAFF_ROLES: u8 = ADMIN | MGR | STAFF | LEADER | LAWYER | OPERATOR;
const PUBLIC: u8 = STAFF_ROLES | ANON;
/// tickets.rs ISSUERS; windows.rs WINDOW_ROLES.
const ISSUERS: u8 = ADMIN | MGR | STAFF;
/// appointments.rs BOOKERS.
const BOOKERS: u8 = ADMIN | MGR | STAFF | OPERATOR;
/// halls.rs READERS.
const READERS: u8 = STAFF_ROLES;

/// (caller bit, login) — window staff w1 is signed in at W1 before every row.
const CALLERS: [(u8, &str); 7] = [
    (ADMIN, "admin"),
    (MGR, "mgr"),
    (STAFF, "w1"),
    (LEADER, "leader"),
    (LAWYER, "lawyer"),
    (OPERATOR, "operator"),
    (ANON, ""),
];

/// (method, route as in the OpenAPI document, concrete path, JSON body, who may call it). `$NAME`s are
/// filled from the fixture of each node.
#[rustfmt::skip]
const MATRIX: &[(&str, &str, &str, Option<&str>, u8)] = &[
    // tickets::issue: staff_or_device(ISSUERS, kiosk | window_terminal)
    ("POST", "/api/v1/tickets", "/api/v1/tickets", Some(r#"{"hall_id":"H1","item_id":"I2","channel":"window"}"#), ISSUERS),
    // tickets::status_by_token: public, no caller check (the QR code)
    ("GET", "/api/v1/tickets/status/{token}", "/api/v1/tickets/status/$TOKEN", None, PUBLIC),
    // tickets::get_ticket: staff(admin, hall_manager, window_staff, leader)
    ("GET", "/api/v1/tickets/{id}", "/api/v1/tickets/$WAIT", None, ADMIN | MGR | STAFF | LEADER),
    // tickets::void: ticket_command(ISSUERS, no devices)
    ("POST", "/api/v1/tickets/{id}/void", "/api/v1/tickets/$VOID/void", Some(r#"{"reason":"重复取号"}"#), ISSUERS),
    // tickets::transfer: ticket_command(ISSUERS, no devices)
    ("POST", "/api/v1/tickets/{id}/transfer", "/api/v1/tickets/$XFER/transfer", Some(r#"{"to":{"to":"queue","id":"QA"}}"#), ISSUERS),
    // tickets::rate: ticket_command(admin, window_staff; evaluator | window_terminal) — not the manager
    ("POST", "/api/v1/tickets/{id}/rating", "/api/v1/tickets/$DONE/rating", Some(r#"{"level":5}"#), ADMIN | STAFF),
    // tickets::attach_citizen: staff(ISSUERS); window staff only at the ticket's window ($DONE was served at W1)
    ("POST", "/api/v1/tickets/{id}/citizen", "/api/v1/tickets/$DONE/citizen", Some(r#"{"number":"$ID_1990","name":"张三"}"#), ISSUERS),
    // tickets::evidence: staff(admin, hall_manager)
    ("GET", "/api/v1/tickets/{id}/evidence", "/api/v1/tickets/$DONE/evidence", None, ADMIN | MGR),
    // counter::panel: staff(WINDOW_ROLES), window staff only where signed in
    ("GET", "/api/v1/windows/{id}/panel", "/api/v1/windows/W1/panel", None, ISSUERS),
    // counter::staff_card: staff_or_device(all roles, any device), in the staff member's hall
    ("GET", "/api/v1/staff/{id}/card", "/api/v1/staff/W1/card", None, STAFF_ROLES),
    // windows::call_ticket: act() → staff(WINDOW_ROLES = admin, hall_manager, window_staff), then the
    // per-window rule (window staff only where signed in; w1 is at W1)
    ("POST", "/api/v1/windows/{id}/call", "/api/v1/windows/W1/call", Some(r#"{"ticket_id":"$WAIT"}"#), ISSUERS),
    // windows::recall: act()
    ("POST", "/api/v1/windows/{id}/recall", "/api/v1/windows/W1/recall", None, ISSUERS),
    // windows::start: act()
    ("POST", "/api/v1/windows/{id}/start", "/api/v1/windows/W1/start", None, ISSUERS),
    // windows::finish: act()
    ("POST", "/api/v1/windows/{id}/finish", "/api/v1/windows/W1/finish", None, ISSUERS),
    // windows::call_next: act()
    ("POST", "/api/v1/windows/{id}/call-next", "/api/v1/windows/W1/call-next", None, ISSUERS),
    // windows::no_show: act()
    ("POST", "/api/v1/windows/{id}/no-show", "/api/v1/windows/W1/no-show", None, ISSUERS),
    // windows::park: act()
    ("POST", "/api/v1/windows/{id}/park", "/api/v1/windows/W1/park", None, ISSUERS),
    // windows::pause: act()
    ("POST", "/api/v1/windows/{id}/pause", "/api/v1/windows/W1/pause", Some(r#"{"reason":"会议"}"#), ISSUERS),
    // windows::open: act()
    ("POST", "/api/v1/windows/{id}/open", "/api/v1/windows/W1/open", None, ISSUERS),
    // windows::close: act()
    ("POST", "/api/v1/windows/{id}/close", "/api/v1/windows/W1/close", None, ISSUERS),
    // windows::sign_in: staff(WINDOW_ROLES), then act() (sign-in is exempt from the per-window rule)
    ("POST", "/api/v1/windows/{id}/sign-in", "/api/v1/windows/W1/sign-in", None, ISSUERS),
    // windows::sign_out: act()
    ("POST", "/api/v1/windows/{id}/sign-out", "/api/v1/windows/W1/sign-out", None, ISSUERS),
    // appointments::slots: staff_or_device(admin, hall_manager, window_staff, operator, leader; kiosk | window_terminal)
    ("GET", "/api/v1/halls/{hall}/items/{item}/slots", "/api/v1/halls/H1/items/I1/slots?day=2026-11-23", None, BOOKERS | LEADER),
    // appointments::book: staff_or_device(BOOKERS, kiosk | window_terminal)
    ("POST", "/api/v1/appointments", "/api/v1/appointments", Some(r#"{"hall_id":"H1","item_id":"I1","day":"2026-11-24","start_minute":600,"id_number":"$ID_1990"}"#), BOOKERS),
    // appointments::by_code: staff_or_device(BOOKERS, kiosk | window_terminal)
    ("GET", "/api/v1/appointments/by-code/{code}", "/api/v1/appointments/by-code/$CODE", None, BOOKERS),
    // appointments::cancel: appointment_command → staff_or_device(BOOKERS, …)
    ("POST", "/api/v1/appointments/{id}/cancel", "/api/v1/appointments/$APPT_CANCEL/cancel", None, BOOKERS),
    // appointments::reschedule: appointment_command
    ("POST", "/api/v1/appointments/{id}/reschedule", "/api/v1/appointments/$APPT_MOVE/reschedule", Some(r#"{"day":"2026-11-25","start_minute":630}"#), BOOKERS),
    // appointments::check_in: appointment_command
    ("POST", "/api/v1/appointments/{id}/check-in", "/api/v1/appointments/$APPT_CHECK_IN/check-in", None, BOOKERS),
    // appointments::lookup: staff_or_device(BOOKERS, kiosk), in the hall
    ("POST", "/api/v1/appointments/lookup", "/api/v1/appointments/lookup", Some(r#"{"hall_id":"H1","id_number":"$ID_1990"}"#), BOOKERS),
    // kiosk::guides: staff_or_device(admin, hall_manager, window_staff, operator, leader; kiosk | window_terminal)
    ("GET", "/api/v1/halls/{hall}/guides", "/api/v1/halls/H1/guides", None, BOOKERS | LEADER),
    // kiosk::preview: staff_or_device(the same roles; kiosk)
    ("GET", "/api/v1/halls/{hall}/items/{item}/preview", "/api/v1/halls/H1/items/I2/preview", None, BOOKERS | LEADER),
    // cases::open: staff(admin, hall_manager, window_staff), in the hall
    ("POST", "/api/v1/cases", "/api/v1/cases", Some(r#"{"hall_id":"H1","item_id":"I1","id_number":"$ID_1990"}"#), ISSUERS),
    // cases::change_stage: staff(the same), in the case's hall
    ("POST", "/api/v1/cases/{id}/stages", "/api/v1/cases/$CASE/stages", Some(r#"{"stage":"reviewing"}"#), ISSUERS),
    // cases::by_receipt: staff_or_device(admin, hall_manager, window_staff; kiosk)
    ("GET", "/api/v1/cases/by-receipt/{receipt}", "/api/v1/cases/by-receipt/$RECEIPT", None, ISSUERS),
    // cases::lookup: staff_or_device(the same; kiosk)
    ("POST", "/api/v1/cases/lookup", "/api/v1/cases/lookup", Some(r#"{"hall_id":"H1","id_number":"$ID_1990"}"#), ISSUERS),
    // citizen_codes::issue: staff_or_device(admin, hall_manager, window_staff; no devices) — standing in for the city app
    ("POST", "/api/v1/citizen-codes", "/api/v1/citizen-codes", Some(r#"{"id_number":"$ID_1990","name":"张三"}"#), ISSUERS),
    // citizen_codes::resolve: staff_or_device(the same; kiosk | window_terminal), in the hall
    ("POST", "/api/v1/citizen-codes/resolve", "/api/v1/citizen-codes/resolve", Some(r#"{"hall_id":"H1","code":"$CITIZEN_CODE"}"#), ISSUERS),
    // devices::hall_devices: staff(admin, hall_manager), in the hall
    ("GET", "/api/v1/halls/{hall}/devices", "/api/v1/halls/H1/devices", None, ADMIN | MGR),
    // halls::get_config: staff_or_device(READERS = all six roles, any device)
    ("GET", "/api/v1/config", "/api/v1/config", None, READERS),
    // halls::put_config: staff(admin)
    ("PUT", "/api/v1/config", "/api/v1/config", Some("$CITY"), ADMIN),
    // halls::snapshot: staff_or_device(READERS, any device), then in_hall for hall-bound callers
    ("GET", "/api/v1/halls/{hall}/snapshot", "/api/v1/halls/H1/snapshot", None, READERS),
    // halls::city_events: staff(admin, leader, operator) unless a command_wall device
    ("GET", "/api/v1/events", "/api/v1/events", None, ADMIN | LEADER | OPERATOR),
    // halls::hall_events: staff_or_device(READERS, any device)
    ("GET", "/api/v1/halls/{hall}/events", "/api/v1/halls/H1/events", None, READERS),
    // access::login: public
    ("POST", "/api/v1/sessions", "/api/v1/sessions", Some(r#"{"login":"leader","password":"$PW"}"#), PUBLIC),
    // access::logout: staff(Role::ALL) — run with a session of its own
    ("DELETE", "/api/v1/sessions/current", "/api/v1/sessions/current", None, STAFF_ROLES),
    // access::enrollment_code: staff(admin, hall_manager)
    ("POST", "/api/v1/devices/enrollment-codes", "/api/v1/devices/enrollment-codes", Some(r#"{"hall_id":"H1","kind":"kiosk"}"#), ADMIN | MGR),
    // access::enroll: public (the one-time code is the credential)
    ("POST", "/api/v1/devices/enroll", "/api/v1/devices/enroll", Some(r#"{"code":"AAAAAAAA","name":"新设备"}"#), PUBLIC),
    // access::set_password: staff(admin)
    ("PUT", "/api/v1/staff/{id}/password", "/api/v1/staff/LAWYER/password", Some(r#"{"password":"$PW"}"#), ADMIN),
    // sync::push, pull, blob_status, blob_put: signed devices only (no staff role)
    ("POST", "/api/v1/sync/push", "/api/v1/sync/push", Some(r#"{"producer":"x","events":[]}"#), 0),
    ("GET", "/api/v1/sync/pull", "/api/v1/sync/pull?after=0", None, 0),
    ("GET", "/api/v1/blobs/{digest}/status", "/api/v1/blobs/$BLOB/status", None, 0),
    ("PUT", "/api/v1/blobs/{digest}", "/api/v1/blobs/$BLOB?offset=0&total=3", Some("abc"), 0),
    // sync::blob_get: staff(admin, hall_manager, window_staff) — scans show ID cards
    ("GET", "/api/v1/blobs/{digest}", "/api/v1/blobs/$BLOB", None, ADMIN | MGR | STAFF),
    // lawyer::set_status, lawyer::inbox: staff(lawyer)
    ("PUT", "/api/v1/lawyer/status", "/api/v1/lawyer/status", Some(r#"{"online":true}"#), LAWYER),
    ("GET", "/api/v1/lawyer/inbox", "/api/v1/lawyer/inbox", None, LAWYER),
    // lawyer::stats: staff(operator, admin)
    ("GET", "/api/v1/lawyer/stats", "/api/v1/lawyer/stats", None, ADMIN | OPERATOR),
    // lawyer::history: staff(lawyer), their own only
    ("GET", "/api/v1/lawyer/consultations", "/api/v1/lawyer/consultations", None, LAWYER),
    // consultations::create: public (web citizens anonymous, kiosks signed)
    ("POST", "/api/v1/consultations", "/api/v1/consultations", Some(r#"{"kind":"message","question":"劳动合同纠纷怎么办？","specialty":"labour"}"#), PUBLIC),
    // consultations::get_one: the citizen's token, the consultation's lawyer ($CONSULT is the lawyer's), operators
    ("GET", "/api/v1/consultations/{id}", "/api/v1/consultations/$CONSULT", None, LAWYER | OPERATOR),
    // consultations::post_message: the citizen's token or the consultation's lawyer
    ("POST", "/api/v1/consultations/{id}/messages", "/api/v1/consultations/$CONSULT/messages", Some(r#"{"body":"您好，请问有什么可以帮您？"}"#), LAWYER),
    // consultations::pickup: staff(lawyer) (409 here: already picked up)
    ("POST", "/api/v1/consultations/{id}/pickup", "/api/v1/consultations/$CONSULT/pickup", None, LAWYER),
    // consultations::close: the citizen's token or the consultation's lawyer
    ("POST", "/api/v1/consultations/{id}/close", "/api/v1/consultations/$CONSULT/close", None, LAWYER),
    // consultations::rate: the citizen's token only (no staff role)
    ("POST", "/api/v1/consultations/{id}/rating", "/api/v1/consultations/$CONSULT/rating", Some(r#"{"level":5}"#), 0),
    // consultations::ws: the citizen's token or the consultation's lawyer (426 without an upgrade)
    ("GET", "/api/v1/consultations/{id}/ws", "/api/v1/consultations/$CONSULT/ws", None, LAWYER),
    // lawyer_report_archive::archive, archived: staff(operator, admin, leader) (404 for a file not archived)
    ("GET", "/api/v1/lawyer-reports/archive", "/api/v1/lawyer-reports/archive", None, ADMIN | OPERATOR | LEADER),
    ("GET", "/api/v1/lawyer-reports/archive/{name}", "/api/v1/lawyer-reports/archive/daily-2026-01-01.csv", None, ADMIN | OPERATOR | LEADER),
    // lawyer_words::list_actions, stats, reload: staff(operator, admin) (reload: 409, no list configured here)
    ("GET", "/api/v1/lawyer-words/actions", "/api/v1/lawyer-words/actions", None, ADMIN | OPERATOR),
    ("GET", "/api/v1/lawyer-words/stats", "/api/v1/lawyer-words/stats", None, ADMIN | OPERATOR),
    ("POST", "/api/v1/lawyer-words/reload", "/api/v1/lawyer-words/reload", None, ADMIN | OPERATOR),
    // lawyer_words::get_action: the party (lawyer session or citizen token) or operator/admin (404 here: no such action)
    ("GET", "/api/v1/lawyer-words/actions/{id}", "/api/v1/lawyer-words/actions/$NO_ACTION", None, LAWYER | ADMIN | OPERATOR),
    // lawyer_words::appeal: the sanctioned lawyer (session) or citizen (token); 404 here
    ("POST", "/api/v1/lawyer-words/actions/{id}/appeal", "/api/v1/lawyer-words/actions/$NO_ACTION/appeal", Some(r#"{"reason":"误判"}"#), LAWYER),
    // lawyer_words::review, decide_appeal: staff(operator) — the reviewer (409 here: no such action)
    ("POST", "/api/v1/lawyer-words/actions/{id}/review", "/api/v1/lawyer-words/actions/$NO_ACTION/review", Some(r#"{"confirm":true}"#), OPERATOR),
    ("POST", "/api/v1/lawyer-words/actions/{id}/appeal-decision", "/api/v1/lawyer-words/actions/$NO_ACTION/appeal-decision", Some(r#"{"grant":false}"#), OPERATOR),
    // lawyer_people::own_profile: staff(lawyer)
    ("GET", "/api/v1/lawyer/profile", "/api/v1/lawyer/profile", None, LAWYER),
    // lawyer_people::profile, admit, get_admission, decide_probation, add_training, list_trainings: staff(operator, admin)
    ("GET", "/api/v1/lawyer/profiles/{staff_id}", "/api/v1/lawyer/profiles/LAWYER", None, ADMIN | OPERATOR),
    ("POST", "/api/v1/lawyer/admissions", "/api/v1/lawyer/admissions", Some(r#"{"staff_id":"LAWYER","registered":true,"licensed_on":"2020-01-01","last_assessment":"competent","dishonesty_record":false}"#), ADMIN | OPERATOR),
    ("GET", "/api/v1/lawyer/admissions/{staff_id}", "/api/v1/lawyer/admissions/LAWYER", None, ADMIN | OPERATOR),
    ("POST", "/api/v1/lawyer/admissions/{staff_id}/probation", "/api/v1/lawyer/admissions/LAWYER/probation", None, ADMIN | OPERATOR),
    ("POST", "/api/v1/lawyer/trainings", "/api/v1/lawyer/trainings", Some(r#"{"kind":"monthly_special","form":"online_video","title":"月度专项培训","held_on":"2026-11-20","attendees":["LAWYER"]}"#), ADMIN | OPERATOR),
    ("GET", "/api/v1/lawyer/trainings", "/api/v1/lawyer/trainings", None, ADMIN | OPERATOR),
    // lawyer_import::import: staff(operator, admin) (dry run)
    ("POST", "/api/v1/lawyer-import/{table}", "/api/v1/lawyer-import/users?dry_run=true", Some(r#"[{"name":"张三","username":"zhangsan","phone":"13800138000","native_place":"北京市","address":"北京市东城区某路 1 号","source":"web"}]"#), ADMIN | OPERATOR),
    // video::signal: the citizen's token or the consultation's lawyer (409 here: $CONSULT is not a video one)
    ("GET", "/api/v1/consultations/{id}/signal", "/api/v1/consultations/$CONSULT/signal", None, LAWYER),
    // mediation::book, list: staff(operator, admin) (422 here: the test node has no working-day calendar)
    ("POST", "/api/v1/mediations", "/api/v1/mediations", Some(r#"{"committee":"道里区人民调解委员会","parties":["甲","乙"],"matter":"邻里纠纷","specialty":"civil","starts_at":1900000000000}"#), ADMIN | OPERATOR),
    ("GET", "/api/v1/mediations", "/api/v1/mediations", None, ADMIN | OPERATOR),
    // mediation::get_one: staff(operator, admin, lawyer — the assigned one) (404 here: no such mediation)
    ("GET", "/api/v1/mediations/{id}", "/api/v1/mediations/m-none", None, ADMIN | OPERATOR | LAWYER),
    // mediation::verify, assign, rate: staff(operator, admin); accept, join: staff(lawyer) (404 here)
    ("POST", "/api/v1/mediations/{id}/verify", "/api/v1/mediations/m-none/verify", Some(r#"{"approved":true}"#), ADMIN | OPERATOR),
    ("POST", "/api/v1/mediations/{id}/assign", "/api/v1/mediations/m-none/assign", Some(r#"{}"#), ADMIN | OPERATOR),
    ("POST", "/api/v1/mediations/{id}/accept", "/api/v1/mediations/m-none/accept", None, LAWYER),
    ("POST", "/api/v1/mediations/{id}/decline", "/api/v1/mediations/m-none/decline", Some(r#"{"reason":"与当事人存在利害关系"}"#), LAWYER),
    ("POST", "/api/v1/mediations/{id}/join", "/api/v1/mediations/m-none/join", None, LAWYER),
    ("POST", "/api/v1/mediations/{id}/rating", "/api/v1/mediations/m-none/rating", Some(r#"{"level":5}"#), ADMIN | OPERATOR),
    // lawyer_quality::file_complaint: the citizen's token (not in this matrix) or staff(operator, admin)
    ("POST", "/api/v1/lawyer-quality/complaints", "/api/v1/lawyer-quality/complaints", Some(r#"{"text":"律师态度敷衍"}"#), ADMIN | OPERATOR),
    // lawyer_quality::complaints: staff(operator, admin, leader)
    ("GET", "/api/v1/lawyer-quality/complaints", "/api/v1/lawyer-quality/complaints?sensitive=true", None, ADMIN | OPERATOR | LEADER),
    // lawyer_quality::flag_complaint: staff(operator, admin) (404 here: no such complaint)
    ("PUT", "/api/v1/lawyer-quality/complaints/{id}/sensitive", "/api/v1/lawyer-quality/complaints/none/sensitive", Some(r#"{"sensitive":true}"#), ADMIN | OPERATOR),
    // lawyer_quality::tasks: staff(operator, admin)
    ("GET", "/api/v1/lawyer-quality/tasks", "/api/v1/lawyer-quality/tasks", None, ADMIN | OPERATOR),
    // lawyer_quality::my_tasks: staff(lawyer)
    ("GET", "/api/v1/lawyer/tasks", "/api/v1/lawyer/tasks", None, LAWYER),
    // lawyer_quality::complete_task: staff(operator, admin, lawyer — own call-backs only) (404 here: no such task)
    ("POST", "/api/v1/lawyer-quality/tasks/{id}/complete", "/api/v1/lawyer-quality/tasks/none/complete", Some(r#"{"outcome":"已回访"}"#), ADMIN | OPERATOR | LAWYER),
    // lawyer_quality::qc::queue, review: staff(operator) (404 here: $CONSULT has no QC result yet)
    ("GET", "/api/v1/lawyer-quality/qc/queue", "/api/v1/lawyer-quality/qc/queue", None, OPERATOR),
    ("POST", "/api/v1/lawyer-quality/qc/{id}/review", "/api/v1/lawyer-quality/qc/$CONSULT/review", Some(r#"{"result":"pass","reason":"复核无误"}"#), OPERATOR),
    // lawyer_quality::qc::alerts_in_range: staff(operator, admin, leader)
    ("GET", "/api/v1/lawyer-quality/alerts", "/api/v1/lawyer-quality/alerts?from=2026-11-23&to=2026-11-23", None, ADMIN | OPERATOR | LEADER),
    // lawyer_quality::qc::my_qc: staff(lawyer)
    ("GET", "/api/v1/lawyer/qc", "/api/v1/lawyer/qc", None, LAWYER),
    // lawyer_reports::report: staff(operator, admin, leader)
    ("GET", "/api/v1/lawyer-reports", "/api/v1/lawyer-reports?kind=daily&date=2026-11-23&format=csv", None, ADMIN | OPERATOR | LEADER),
    // openapi_json: public
    ("GET", "/api/v1/openapi.json", "/api/v1/openapi.json", None, PUBLIC),
    // healthz, readyz, metrics: public, outside /api/v1
    ("GET", "/healthz", "/healthz", None, PUBLIC),
    ("GET", "/readyz", "/readyz", None, PUBLIC),
    ("GET", "/metrics", "/metrics", None, PUBLIC),
];

/// Real ids on one node: tickets in each state the rows need, an appointment.
struct Fixture {
    vars: Vec<(&'static str, String)>,
    w1: String,
}

async fn fixture(n: &Node) -> Fixture {
    let kiosk = n.enroll("H1", "kiosk").await;
    let w1 = n.open_window("w1", "W1").await;
    // A realtime consultation the lawyer has picked up.
    let lawyer = n.login("lawyer").await;
    let (st, v) = n
        .req("PUT", "/api/v1/lawyer/status")
        .bearer(&lawyer)
        .json(json!({"online": true, "specialties": ["labour"]}))
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    let (st, consult) = n
        .req("POST", "/api/v1/consultations")
        .json(json!({"kind": "realtime", "question": "单位拖欠工资怎么办？", "specialty": "labour"}))
        .send()
        .await;
    assert_eq!(
        (st, &consult["consultation"]["status"]),
        (201, &json!("assigned")),
        "{consult}"
    );
    let consult = consult["consultation"]["id"].as_str().unwrap().to_owned();
    let (st, v) = n
        .req("POST", &format!("/api/v1/consultations/{consult}/pickup"))
        .bearer(&lawyer)
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    let issue = |item: &str| {
        let mut b = json!({"hall_id": "H1", "item_id": item, "channel": "kiosk"});
        if item == "I1" {
            b["id_card"] = json!({"number": id_number("19850505", 12)});
        }
        n.issue(&kiosk, b)
    };
    let (_, done) = issue("I1").await;
    for a in ["call-next", "start", "finish"] {
        assert_eq!(n.window_action(&w1, "W1", a).await.0, 200);
    }
    let (_, wait) = issue("I1").await;
    issue("I1").await; // for call-next, once $WAIT is served
    let (_, void) = issue("I2").await;
    let (_, xfer) = issue("I2").await;
    // One booking per state-changing appointment row (check-in at 09:00 for the 09:30 slot is on time).
    let admin = n.login("admin").await;
    let mut appts = Vec::new();
    for (serial, minute) in [(1, 600), (2, 630), (3, 570)] {
        let body = json!({"hall_id": "H1", "item_id": "I1", "day": "2026-11-23", "start_minute": minute, "id_number": id_number("19700101", serial)});
        let (st, a) = n
            .req("POST", "/api/v1/appointments")
            .bearer(&admin)
            .json(body)
            .send()
            .await;
        assert_eq!(st, 201, "{a}");
        appts.push(a);
    }
    let (st, case) = n
        .req("POST", "/api/v1/cases")
        .bearer(&admin)
        .json(json!({"hall_id": "H1", "item_id": "I1", "id_number": ID_1990}))
        .send()
        .await;
    assert_eq!(st, 201, "{case}");
    let (st, citizen_code) = n
        .req("POST", "/api/v1/citizen-codes")
        .bearer(&admin)
        .json(json!({"id_number": ID_1990, "ttl_minutes": 1440}))
        .send()
        .await;
    assert_eq!(st, 201, "{citizen_code}");
    let s = |v: &Value, k: &str| v[k].as_str().unwrap().to_owned();
    Fixture {
        vars: vec![
            ("$TOKEN", s(&wait, "token")),
            ("$WAIT", s(&wait, "ticket_id")),
            ("$VOID", s(&void, "ticket_id")),
            ("$XFER", s(&xfer, "ticket_id")),
            ("$DONE", s(&done, "ticket_id")),
            ("$APPT_CANCEL", s(&appts[0], "id")),
            ("$APPT_MOVE", s(&appts[1], "id")),
            ("$APPT_CHECK_IN", s(&appts[2], "id")),
            ("$CODE", s(&appts[0], "code")),
            ("$CASE", s(&case, "id")),
            ("$RECEIPT", s(&case, "receipt")),
            ("$CITIZEN_CODE", s(&citizen_code, "code")),
            ("$ID_1990", ID_1990.to_owned()),
            ("$PW", PASSWORD.to_owned()),
            ("$BLOB", "ab".repeat(32)),
            ("$CONSULT", consult),
            ("$NO_ACTION", "00000000-0000-0000-0000-000000000000".to_owned()),
            ("$CITY", serde_json::to_string(&test_city()).unwrap()),
        ],
        w1,
    }
}

fn fill(s: &str, fx: &Fixture) -> String {
    fx.vars.iter().fold(s.to_owned(), |acc, (k, v)| acc.replace(k, v))
}

/// Sends one request; an event stream is answered with its status only (it never ends).
async fn call(n: &Node, method: &str, path: &str, body: Option<String>, token: Option<&str>) -> (u16, Value) {
    let mut rb = n.http.request(method.parse().unwrap(), format!("{}{path}", n.base));
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    if let Some(b) = body {
        rb = rb.header("content-type", "application/json").body(b);
    }
    let resp = rb.send().await.unwrap();
    let st = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if ct.starts_with("text/event-stream") {
        return (st, Value::String("<event stream>".into()));
    }
    let text = resp.text().await.unwrap();
    (st, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

fn shape_matches(route: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let (r, p): (Vec<_>, Vec<_>) = (route.split('/').collect(), path.split('/').collect());
    r.len() == p.len() && r.iter().zip(&p).all(|(r, p)| r == p || r.starts_with('{'))
}

#[tokio::test]
async fn every_role_on_every_route() {
    let mut failures = Vec::new();
    for (me, login) in CALLERS {
        // A fresh node per caller, so one role's state changes never mask another's check.
        let mut n = Node::start().await;
        let fx = fixture(&n).await;
        let token = match me {
            STAFF => Some(fx.w1.clone()),
            ANON => None,
            _ => Some(n.login(login).await),
        };
        for &(method, route, path, body, allowed) in MATRIX {
            assert!(shape_matches(route, path), "{route} vs {path}");
            if me == STAFF {
                // Keep w1 at W1 (an earlier row may have signed them out), so the per-window rule
                // does not mask the role check.
                let (st, v) = n.window_action(&fx.w1, "W1", "sign-in").await;
                assert_eq!(st, 200, "re-sign-in: {v}");
            }
            let row_token = if route == "/api/v1/sessions/current" && me != ANON {
                Some(n.login(login).await)
            } else {
                token.clone()
            };
            let (st, v) = call(
                &n,
                method,
                &fill(path, &fx),
                body.map(|b| fill(b, &fx)),
                row_token.as_deref(),
            )
            .await;
            let who = if login.is_empty() { "anonymous" } else { login };
            if allowed & me != 0 {
                if st == 401 || st == 403 || st >= 500 {
                    failures.push(format!("{who} {method} {route}: allowed, got {st} {v}"));
                }
            } else {
                let want = if me == ANON {
                    (401, "unauthorized")
                } else {
                    (403, "forbidden")
                };
                if (st, v["code"].as_str().unwrap_or("")) != want {
                    failures.push(format!("{who} {method} {route}: expected {want:?}, got {st} {v}"));
                }
            }
        }
        n.stop().await;
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn the_matrix_covers_every_documented_route() {
    let mut n = Node::start().await;
    let (st, doc) = n.req("GET", "/api/v1/openapi.json").send().await;
    assert_eq!(st, 200);
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "delete", "patch"] {
            if item.get(method).is_some() {
                documented.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    assert!(documented.len() >= 35, "{documented:?}");
    let missing: Vec<_> = documented
        .iter()
        .filter(|(m, p)| !MATRIX.iter().any(|r| r.0 == m && r.1 == p))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the role matrix: {missing:?}"
    );
    // And the other way: each row is a documented route (only the document itself is not in it).
    let undocumented: Vec<_> = MATRIX
        .iter()
        .filter(|r| r.1 != "/api/v1/openapi.json" && !documented.iter().any(|(m, p)| m == r.0 && p == r.1))
        .map(|r| (r.0, r.1))
        .collect();
    assert!(
        undocumented.is_empty(),
        "matrix rows for routes the OpenAPI document lacks: {undocumented:?}"
    );
    let mut seen = std::collections::HashSet::new();
    assert!(MATRIX.iter().all(|r| seen.insert((r.0, r.1))), "duplicate matrix rows");
    n.stop().await;
}
