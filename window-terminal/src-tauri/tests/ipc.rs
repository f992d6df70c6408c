//! The terminal's commands through Tauri's IPC layer on the mock runtime (no display), against a real
//! hall node in-process and the simulated devices (ID reader and LED on pty pairs, SimCamera).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use app_types::window_terminal::*;
use desktop_test::ipc::{call, mock_app, wait_until};
use serde_json::json;
use tauri::WebviewWindowBuilder;
use tauri::test::{mock_builder, mock_context, noop_assets};
use window_terminal::{Config, Terminal};

#[test]
fn the_counter_works_end_to_end_through_ipc() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut node = rt.block_on(support::start_node());
    let kiosk = rt.block_on(node.enroll("H1", "kiosk"));
    let code = rt.block_on(support::window_terminal_code(&node));

    let data = tempfile::tempdir().unwrap();
    let mut config = Config::for_test(data.path().to_path_buf(), "W1");
    config.rating_timeout_secs = 30;
    let terminal = Arc::new(Terminal::open(config).unwrap());
    let (_app, w) = mock_app(window_terminal::setup(mock_builder(), terminal));

    // Enrollment: a wrong code is refused and named; the real one enrolls.
    let s: Startup = call(&w, "startup", json!({})).unwrap();
    assert!(!s.enrolled);
    let e = call::<Startup>(&w, "enroll", json!({"address": node.base, "code": "WRONG-CODE"})).unwrap_err();
    assert_eq!(e.code, "enroll_refused");
    assert_eq!(e.field.as_deref(), Some("code"));
    let s: Startup = call(&w, "enroll", json!({"address": node.base, "code": code})).unwrap();
    assert!(s.enrolled);
    assert_eq!(s.hall_id.as_deref(), Some("H1"));

    // Sign-in: wrong password refused; w1 at W1 opens the window.
    assert!(call::<Panel>(&w, "sign_in", json!({"login": "w1", "password": "nope"})).is_err());
    let p: Panel = call(&w, "sign_in", json!({"login": "w1", "password": support::PASSWORD})).unwrap();
    assert_eq!(p.status, "open");
    assert_eq!(p.window_number, "1");

    // The live panel: the hall's transfer targets are offered; tickets issued at the kiosk show up
    // in the waiting count with no action at this terminal (the sync round refreshes the panel).
    let waiting_qa = |p: &Panel| p.waiting.iter().find(|q| q.queue_id == "QA").map(|q| q.waiting);
    let p: Panel = call(&w, "panel", json!({})).unwrap();
    assert_eq!(waiting_qa(&p), Some(0));
    assert!(p.today.is_some());
    assert!(
        p.transfer_targets.iter().any(|t| t.kind == "queue" && t.id == "QB"),
        "{:?}",
        p.transfer_targets
    );
    let tickets = rt.block_on(support::issue_tickets(&node, &kiosk, 3));
    let first_id = tickets[0]["ticket_id"].as_str().unwrap().to_owned();
    wait_until("the waiting count follows the kiosk", Duration::from_secs(5), || {
        waiting_qa(&call::<Panel>(&w, "panel", json!({})).unwrap()) == Some(3)
    });

    // Call: the ticket, its waiting counts, and the LED (real IMM90022 frames to the simulated screen).
    let p: Panel = call(&w, "window_action", json!({"action": "call-next"})).unwrap();
    let cur = p.current.clone().expect("called ticket");
    assert_eq!(cur.id, first_id);
    assert_eq!(cur.status, "called");
    assert_eq!(
        p.waiting.iter().find(|q| q.queue_id == "QA").map(|q| q.waiting),
        Some(2)
    );
    wait_until("LED shows the number", Duration::from_secs(3), || {
        call::<SimMeasurements>(&w, "sim_measurements", json!({}))
            .unwrap()
            .led_text
            .as_deref()
            == Some(cur.display.as_str())
    });

    // ID card: no card → clear error; card on the reader → masked and attached.
    assert_eq!(
        call::<CardRead>(&w, "read_card", json!({})).unwrap_err().code,
        "no_card"
    );
    call::<()>(&w, "sim_present_card", json!({"present": true})).unwrap();
    let c: CardRead = call(&w, "read_card", json!({})).unwrap();
    assert_eq!(c.id_masked, "230***********1230");
    assert!(c.attached);
    assert_eq!(
        c.stored, "server",
        "the hall node records the card (POST /tickets/{{id}}/citizen)"
    );

    // Document camera: preview, accept → blob kept and attached.
    let s: ScanPreview = call(&w, "scan_capture", json!({})).unwrap();
    assert!(s.data_url.starts_with("data:image/jpeg;base64,"));
    assert!(call::<ScanAccepted>(&w, "scan_accept", json!({"scanId": s.scan_id + 1})).is_err());
    let a: ScanAccepted = call(&w, "scan_accept", json!({"scanId": s.scan_id})).unwrap();
    assert_eq!(a.ticket_id, first_id);
    assert_eq!(a.digest, s.sm3);

    // 双屏确认: push, the evaluator shows it, the citizen confirms.
    let conf: Confirmation = call(&w, "push_confirmation", json!({})).unwrap();
    assert_eq!(conf.citizen_id, "230***********1230");
    assert_eq!(conf.scans, 1);
    assert!(matches!(
        call::<EvaluatorView>(&w, "evaluator_view", json!({})).unwrap(),
        EvaluatorView::Confirm { .. }
    ));
    let p: Panel = call(&w, "answer_confirmation", json!({"ticketId": first_id, "ok": true})).unwrap();
    assert_eq!(
        p.current.as_ref().and_then(|t| t.confirmation.as_deref()),
        Some("confirmed")
    );

    // Recall, start, finish → the evaluation opens.
    let p: Panel = call(&w, "window_action", json!({"action": "recall"})).unwrap();
    assert_eq!(p.current.as_ref().map(|t| t.recall_count), Some(1));
    call::<Panel>(&w, "window_action", json!({"action": "start"})).unwrap();
    let p: Panel = call(&w, "window_action", json!({"action": "finish"})).unwrap();
    assert!(p.current.is_none());
    assert_eq!(p.served_today, 1);
    let EvaluatorView::Rate { ticket_id, reasons, .. } = call(&w, "evaluator_view", json!({})).unwrap() else {
        panic!("evaluator should ask for a rating");
    };
    assert_eq!(ticket_id, first_id);

    // A negative level needs a reason; with one it is stored with a photo.
    let e = call::<RatingStored>(&w, "rate", json!({"rating": {"ticket_id": first_id, "level": 1}})).unwrap_err();
    assert_eq!(e.code, "reason_required");
    let r: RatingStored = call(
        &w,
        "rate",
        json!({"rating": {"ticket_id": first_id, "level": 1, "reasons": [reasons[0]]}}),
    )
    .unwrap();
    assert_eq!(r.photo_digest.len(), 64);
    // Only one rating per evaluation.
    assert!(call::<RatingStored>(&w, "rate", json!({"rating": {"ticket_id": first_id, "level": 5}})).is_err());

    // The outbox reaches the hall node: the ticket carries the rating.
    let synced = || rt.block_on(support::ticket(&node, &first_id));
    let deadline = Instant::now() + Duration::from_secs(10);
    while synced()["rating"] != 1 {
        let link: app_types::LinkStatus = call(&w, "link", json!({})).unwrap();
        assert!(
            Instant::now() < deadline,
            "rating not synced: ticket {} link {link:?}",
            synced()
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // Transfer to another window; pause and resume.
    let p: Panel = call(&w, "window_action", json!({"action": "call-next"})).unwrap();
    assert!(p.current.is_some());
    assert_eq!(
        call::<Panel>(&w, "transfer", json!({"kind": "desk", "id": "W2"}))
            .unwrap_err()
            .field
            .as_deref(),
        Some("kind")
    );
    let p: Panel = call(&w, "transfer", json!({"kind": "window", "id": "W2"})).unwrap();
    assert!(p.current.is_none());
    let p: Panel = call(&w, "pause", json!({"reason": "会议"})).unwrap();
    assert_eq!(p.status, "paused");
    let p: Panel = call(&w, "window_action", json!({"action": "open"})).unwrap();
    assert_eq!(p.status, "open");

    // Sign-out: the hall node closes the window, the terminal forgets the session; signing in again works.
    let s: Startup = call(&w, "sign_out", json!({})).unwrap();
    assert!(s.staff.is_none());
    assert_eq!(
        call::<Panel>(&w, "window_action", json!({"action": "call-next"}))
            .unwrap_err()
            .code,
        "not_signed_in"
    );
    assert_eq!(
        call::<Startup>(&w, "sign_out", json!({})).unwrap_err().code,
        "not_signed_in"
    );
    assert!(matches!(
        call::<EvaluatorView>(&w, "evaluator_view", json!({})).unwrap(),
        EvaluatorView::Idle { card } if card.name.is_empty()
    ));
    let panel = rt.block_on(support::window_panel(&node, "W1"));
    assert_eq!(panel["window"]["status"], "closed", "{panel}");
    let p: Panel = call(&w, "sign_in", json!({"login": "w1", "password": support::PASSWORD})).unwrap();
    assert_eq!(p.status, "open");
    assert_eq!(p.calls_today, 0);

    // Hall node gone: calling fails as unreachable, the link says offline, the reader still works.
    rt.block_on(node.stop());
    let e = call::<Panel>(&w, "window_action", json!({"action": "call-next"})).unwrap_err();
    assert_eq!(e.code, "unreachable");
    wait_until("offline", Duration::from_secs(10), || {
        !call::<app_types::LinkStatus>(&w, "link", json!({})).unwrap().online
    });
    call::<()>(&w, "sim_present_card", json!({"present": false})).unwrap();
    call::<()>(&w, "sim_present_card", json!({"present": true})).unwrap();
    assert!(call::<CardRead>(&w, "read_card", json!({})).is_ok());
}

#[test]
fn test_hooks_are_off_without_sim_control() {
    let data = tempfile::tempdir().unwrap();
    let mut config = Config::for_test(data.path().to_path_buf(), "W1");
    config.sim_control = false;
    config.evaluator = "none".into();
    let app = window_terminal::setup(mock_builder(), Arc::new(Terminal::open(config).unwrap()))
        .build(mock_context(noop_assets()))
        .expect("mock app");
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    assert_eq!(
        call::<()>(&w, "sim_present_card", json!({"present": true}))
            .unwrap_err()
            .code,
        "forbidden"
    );
    assert_eq!(
        call::<Panel>(&w, "window_action", json!({"action": "call-next"}))
            .unwrap_err()
            .code,
        "not_enrolled"
    );
}

#[test]
fn evaluator_settings_are_checked_at_start() {
    for (evaluator, expect) in [
        ("hid", "--evaluator window、none 或 pad:HOST:PORT"),
        ("pad:nowhere", "pad:HOST:PORT"),
        ("pad:127.0.0.1:0", "--pad-key"),
    ] {
        let data = tempfile::tempdir().unwrap();
        let mut config = Config::for_test(data.path().to_path_buf(), "W1");
        config.evaluator = evaluator.into();
        let Err(e) = Terminal::open(config) else {
            panic!("--evaluator {evaluator} must be refused");
        };
        let msg = format!("{e:#}");
        assert!(msg.contains(expect), "{msg}");
    }
}

/// `--evaluator pad:…`: the terminal runs the drivers' PadServer; the simulated pad logs in, gets the
/// evaluation with the staff card, and its rating takes the window's path (rules, photo, outbox) to
/// the hall node; an evaluation the pad leaves unanswered lapses with nothing recorded.
#[test]
fn the_network_pad_rates_through_the_same_path() {
    use drivers::evaluator::{PadAnswer, PadSim, PadSimConfig, message};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let node = rt.block_on(support::start_node());
    let kiosk = rt.block_on(node.enroll("H1", "kiosk"));
    let code = rt.block_on(support::window_terminal_code(&node));
    let data = tempfile::tempdir().unwrap();
    let mut config = Config::for_test(data.path().to_path_buf(), "W1");
    config.evaluator = "pad:127.0.0.1:0".into();
    config.pad_key = "K-W1".into();
    config.rating_timeout_secs = 2;
    let terminal = Arc::new(Terminal::open(config).unwrap());
    let addr = terminal.pad_addr().expect("pad server");
    let (_app, w) = mock_app(window_terminal::setup(mock_builder(), terminal));
    call::<Startup>(&w, "enroll", json!({"address": node.base, "code": code})).unwrap();
    call::<Panel>(&w, "sign_in", json!({"login": "w1", "password": support::PASSWORD})).unwrap();

    let evaluator_chip = || {
        call::<Vec<app_types::DeviceStatus>>(&w, "devices", json!({}))
            .unwrap()
            .into_iter()
            .find(|d| d.device == "evaluator")
            .expect("evaluator chip")
            .health
    };
    assert_eq!(evaluator_chip(), app_types::DeviceHealth::Fault, "no pad logged in yet");
    let reason = domain::config::default_rating_reasons()[0].clone();
    let mut pad_config = PadSimConfig::new(&addr.to_string(), "W1", "K-W1");
    pad_config.answers = vec![PadAnswer::level(2).with_reason(&reason)];
    let pad = PadSim::start(pad_config);
    wait_until("pad online", Duration::from_secs(5), || {
        evaluator_chip() == app_types::DeviceHealth::Ok
    });

    let tickets = rt.block_on(support::issue_tickets(&node, &kiosk, 2));
    let serve = || {
        call::<Panel>(&w, "window_action", json!({"action": "call-next"})).unwrap();
        call::<Panel>(&w, "window_action", json!({"action": "finish"})).unwrap();
    };
    // Rated on the pad: the show-evaluation carried the staff card; the rating reaches the hall node.
    serve();
    let first = tickets[0]["ticket_id"].as_str().unwrap().to_owned();
    let shown = pad
        .wait_for(Duration::from_secs(5), |e| e.code == message::SHOW_EVALUATION)
        .expect("show evaluation");
    assert_eq!(shown.data["staff"]["name"], "测试W1", "{:?}", shown.data);
    wait_until("pad rating synced", Duration::from_secs(10), || {
        rt.block_on(support::ticket(&node, &first))["rating"] == 2
    });
    assert_eq!(call::<Panel>(&w, "panel", json!({})).unwrap().rated_today, 1);

    // Not answered: the evaluation lapses, nothing is recorded.
    serve();
    let second = tickets[1]["ticket_id"].as_str().unwrap().to_owned();
    wait_until("evaluation lapsed", Duration::from_secs(8), || {
        !matches!(
            call::<EvaluatorView>(&w, "evaluator_view", json!({})).unwrap(),
            EvaluatorView::Rate { .. }
        )
    });
    std::thread::sleep(Duration::from_millis(1500));
    assert!(rt.block_on(support::ticket(&node, &second))["rating"].is_null());
    assert_eq!(call::<Panel>(&w, "panel", json!({})).unwrap().rated_today, 1);
    pad.stop();
}

#[test]
fn printer_alarms_show_on_the_chip_and_reach_the_hall_node() {
    use app_types::DeviceHealth;
    use tauri::Listener;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let node = rt.block_on(support::start_node());
    let code = rt.block_on(support::window_terminal_code(&node));
    let data = tempfile::tempdir().unwrap();
    let terminal = Arc::new(Terminal::open(Config::for_test(data.path().to_path_buf(), "W1")).unwrap());
    let (app, w) = mock_app(window_terminal::setup(mock_builder(), terminal));
    let s: Startup = call(&w, "enroll", json!({"address": node.base, "code": code})).unwrap();
    let device_id = s.device_id.unwrap();
    let chip = |name: &str| {
        call::<Vec<app_types::DeviceStatus>>(&w, "devices", json!({}))
            .unwrap()
            .into_iter()
            .find(|d| d.device == name)
            .unwrap_or_else(|| panic!("{name} chip"))
    };
    assert_eq!(chip("scanner").health, DeviceHealth::Ok);
    wait_until("printer polled", Duration::from_secs(10), || {
        chip("printer").health == DeviceHealth::Ok
    });

    // The printer's real DLE EOT answers drive the chip: near end warns, out of paper is a fault.
    call::<()>(&w, "sim_printer", json!({"fault": "paper_near_end"})).unwrap();
    wait_until("near-end warning", Duration::from_secs(10), || {
        chip("printer").health == DeviceHealth::Warning
    });
    call::<()>(&w, "sim_printer", json!({"fault": "paper_out"})).unwrap();
    wait_until("paper-out fault", Duration::from_secs(10), || {
        chip("printer").health == DeviceHealth::Fault
    });
    assert!(chip("printer").detail.unwrap().contains("缺纸"));

    // The hall node hears it through the outbox (device management's list).
    let mgr = rt.block_on(node.login("mgr"));
    let printer_on_node = || {
        let (st, v) = rt.block_on(node.req("GET", "/api/v1/halls/H1/devices").bearer(&mgr).send());
        assert_eq!(st, 200, "{v}");
        let dev = v["devices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == device_id.as_str())
            .cloned()
            .expect("the terminal is listed");
        dev["status"]["devices"]["printer"]["health"]
            .as_str()
            .map(str::to_owned)
    };
    wait_until("fault on the node", Duration::from_secs(10), || {
        printer_on_node().as_deref() == Some("fault")
    });
    call::<()>(&w, "sim_printer", json!({"fault": "ok"})).unwrap();
    wait_until("recovery on the node", Duration::from_secs(10), || {
        printer_on_node().as_deref() == Some("ok")
    });

    // A scanned code reaches the staff window as an event.
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let tx = std::sync::Mutex::new(tx);
    app.listen_any(EVENT_SCANNED, move |e| {
        let _ = tx.lock().unwrap().send(e.payload().to_owned());
    });
    call::<()>(&w, "sim_scan", json!({"code": "YY-20261124-0007"})).unwrap();
    let got: ScannedCode = serde_json::from_str(&rx.recv_timeout(Duration::from_secs(5)).unwrap()).unwrap();
    assert_eq!(got.code, "YY-20261124-0007");
}
