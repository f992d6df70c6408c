//! The kiosk's commands through Tauri's IPC layer on the mock runtime (no display), against a real
//! hall node in-process and the simulated reader, printer and scanner (byte protocols on pty pairs).
//! Tender 3025–3041 (自助取号、预约签到、办件进度、办事指南), 2818–2826 (身份证取号、优先).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use app_types::kiosk::*;
use desktop_test::ipc::{call, mock_app, wait_until};
use kiosk_app::{Config, Kiosk};
use serde_json::json;
use tauri::WebviewWindow;
use tauri::test::{MockRuntime, mock_builder};

fn read_card_until_present(w: &WebviewWindow<MockRuntime>) -> CardHolder {
    let mut found = None;
    wait_until("card read", Duration::from_secs(5), || {
        found = call::<Option<CardHolder>>(w, "read_card", json!({})).unwrap();
        found.is_some()
    });
    found.unwrap()
}

#[test]
fn the_kiosk_issues_prints_falls_back_and_works_offline() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut node = rt.block_on(support::start_node());
    let code = rt.block_on(support::kiosk_code(&node));
    let data = tempfile::tempdir().unwrap();
    let kiosk = Arc::new(Kiosk::open(Config::for_test(data.path().to_path_buf())).unwrap());
    let (_app, w) = mock_app(kiosk_app::setup(mock_builder(), kiosk));

    // Enrollment: a wrong code is refused and named; the real one gives the kiosk its offline letter.
    let e = call::<Startup>(&w, "enroll", json!({"address": node.base, "code": "NOPE"})).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("code"));
    let s: Startup = call(&w, "enroll", json!({"address": node.base, "code": code})).unwrap();
    assert!(s.enrolled);
    assert!(s.letter.is_some_and(|l| l.is_ascii_uppercase()), "{s:?}");
    let device_id = s.device_id.clone().unwrap();
    let items: Vec<ItemInfo> = call(&w, "items", json!({})).unwrap();
    let names: Vec<&str> = items.iter().map(|i| i.name.as_str()).collect();
    assert!(names.contains(&"户口迁移") && names.contains(&"政策咨询"), "{names:?}");
    assert!(!names.contains(&"综合受理"), "another hall's item is not offered");

    // An item that needs the ID card is refused without one, naming the card (2818–2826 身份证取号).
    let e = call::<Issued>(&w, "issue", json!({"itemId": "I1", "claims": []})).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.field.as_deref()),
        ("id_card_required", Some("id_card"))
    );

    // Swipe the card: masked on screen; the ticket is issued and printed over ESC/POS, counted only
    // once the printer confirmed it.
    call::<()>(&w, "sim_card", json!({"card": "sample"})).unwrap();
    let holder = read_card_until_present(&w);
    assert!(
        holder.id_masked.contains('*') && holder.name_masked.contains('*'),
        "{holder:?}"
    );
    assert!(!holder.elderly);
    let p: Preview = call(&w, "preview", json!({"itemId": "I1"})).unwrap();
    assert!(!p.offline && !p.printer_down && !p.quota_exhausted, "{p:?}");
    assert_eq!(p.people_ahead, Some(0));
    let t: Issued = call(&w, "issue", json!({"itemId": "I1", "claims": []})).unwrap();
    assert!(t.printed && !t.offline, "{t:?}");
    assert_eq!(t.number, "A001");
    let printed: String = call(&w, "sim_printed", json!({})).unwrap();
    assert!(printed.contains("A001") && printed.contains("第一大厅"), "{printed}");
    call::<()>(&w, "end_visit", json!({})).unwrap();

    // An elderly citizen's card gives the age priority (60+, the hall's rule).
    call::<()>(&w, "sim_card", json!({"card": "elderly"})).unwrap();
    let holder = read_card_until_present(&w);
    assert!(holder.elderly && holder.age >= 60, "{holder:?}");
    let t: Issued = call(&w, "issue", json!({"itemId": "I1", "claims": []})).unwrap();
    assert_eq!(t.priority.as_deref(), Some("elderly"), "{t:?}");
    call::<()>(&w, "end_visit", json!({})).unwrap();
    call::<()>(&w, "sim_card", json!({"card": "none"})).unwrap();

    // The quota (I3: 2 a day) runs out: the preview says so and names the next appointment slot.
    for _ in 0..2 {
        call::<Issued>(&w, "issue", json!({"itemId": "I3", "claims": []})).unwrap();
    }
    let p: Preview = call(&w, "preview", json!({"itemId": "I3"})).unwrap();
    assert!(p.quota_exhausted && p.quota_left == Some(0), "{p:?}");
    let e = call::<Issued>(&w, "issue", json!({"itemId": "I3", "claims": []})).unwrap_err();
    assert_eq!(e.code, "quota_exhausted", "{e:?}");
    assert!(e.message.contains("号源已取完"), "{}", e.message);

    // Paper out: the preview warns, the ticket is issued and shown on screen with the cause.
    call::<()>(&w, "sim_printer", json!({"fault": "paper_out"})).unwrap();
    let p: Preview = call(&w, "preview", json!({"itemId": "I2"})).unwrap();
    assert!(p.printer_down, "{p:?}");
    let t: Issued = call(&w, "issue", json!({"itemId": "I2", "claims": []})).unwrap();
    assert!(!t.printed, "{t:?}");
    assert!(t.print_problem.as_deref().unwrap_or("").contains("缺纸"), "{t:?}");
    assert_eq!(t.token.len(), 32, "the on-screen ticket carries the QR token");
    // …and the hall node hears the alarm through the heartbeat.
    wait_until("paper-out alarm on the node", Duration::from_secs(15), || {
        rt.block_on(support::heartbeat_of(&node, &device_id))["devices"]["printer"]["health"] == "fault"
    });
    // Paper near end: still prints, and the hall is warned (tender 21(3) "自助机硬件模块状态同步").
    call::<()>(&w, "sim_printer", json!({"fault": "paper_near_end"})).unwrap();
    wait_until("near-end warning on the node", Duration::from_secs(15), || {
        rt.block_on(support::heartbeat_of(&node, &device_id))["devices"]["printer"]["health"] == "warning"
    });
    call::<()>(&w, "sim_printer", json!({"fault": "ok"})).unwrap();

    // Hall node down: the ticket comes from the kiosk's own letter series, marked, printed, queued.
    rt.block_on(node.stop());
    let t: Issued = call(&w, "issue", json!({"itemId": "I2", "claims": []})).unwrap();
    assert!(t.offline && t.printed, "{t:?}");
    let letter = s.letter.unwrap();
    assert_eq!(t.number, format!("B-{letter}001"));
    let link: app_types::LinkStatus = call(&w, "link", json!({})).unwrap();
    assert!(!link.online);
    // Back up on the same address: the outbox delivers the offline ticket.
    rt.block_on(support::restart_same_address(&mut node));
    let mgr = rt.block_on(node.login("mgr"));
    wait_until("offline ticket on the node", Duration::from_secs(20), || {
        let (st, _) = rt.block_on(
            node.req("GET", &format!("/api/v1/tickets/{}", t.ticket_id))
                .bearer(&mgr)
                .send(),
        );
        st == 200
    });

    // The home screen ranks by this kiosk's own use: I3 (2) and I2 (2) and I1 (2) … ties by name.
    let items: Vec<ItemInfo> = call(&w, "items", json!({})).unwrap();
    assert!(items.iter().all(|i| i.uses >= 2), "{items:?}");
}

#[test]
fn appointments_cases_and_guides_are_found_by_code_and_card() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let node = rt.block_on(support::start_node());
    let code = rt.block_on(support::kiosk_code(&node));
    let data = tempfile::tempdir().unwrap();
    let kiosk = Arc::new(Kiosk::open(Config::for_test(data.path().to_path_buf())).unwrap());
    let (_app, w) = mock_app(kiosk_app::setup(mock_builder(), kiosk));
    call::<Startup>(&w, "enroll", json!({"address": node.base, "code": code})).unwrap();

    // A booking for tomorrow by the sample card's holder.
    let card = drivers::idcard::sim::sample_card();
    let tomorrow = domain::Millis(support::real_now() + 86_400_000)
        .business_day(480)
        .date()
        .to_string();
    let mgr = rt.block_on(node.login("mgr"));
    let (st, booked) = rt.block_on(
        node.req("POST", "/api/v1/appointments")
            .bearer(&mgr)
            .json(json!({"hall_id": "H1", "item_id": "I1", "day": tomorrow, "start_minute": 600, "id_number": card.id_number}))
            .send(),
    );
    assert_eq!(st, 201, "{booked}");
    let appointment_code = booked["code"].as_str().unwrap().to_owned();

    // Scanned at the kiosk: the appointment with its early/late rule, explained before check-in.
    let found: Scanned = call(&w, "scanned", json!({"code": appointment_code})).unwrap();
    let Scanned::Appointment { appointment } = found else {
        panic!("{found:?}")
    };
    assert_eq!(appointment.item_name, "户口迁移");
    assert_eq!(appointment.slot, format!("{tomorrow} 10:00–10:30"));
    assert_eq!(
        (appointment.opens_at.as_str(), appointment.late_after.as_str()),
        ("09:30", "10:15")
    );
    assert_eq!(appointment.timing, "early");
    // Checking in a day early is refused by the hall's rule (the kiosk says when it opens).
    let e = call::<Issued>(
        &w,
        "check_in",
        json!({"appointmentId": appointment.id, "code": appointment_code}),
    )
    .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("appointment"), "{e:?}");
    assert!(e.message.contains(&tomorrow), "{e:?}");
    // A code the kiosk does not know is said plainly; a path-like code is never sent.
    let unknown: Scanned = call(&w, "scanned", json!({"code": "../../x"})).unwrap();
    assert!(matches!(unknown, Scanned::Unknown { .. }));

    // By ID card: the same appointment; without a card the lookup names the card.
    let e = call::<Vec<AppointmentInfo>>(&w, "appointments_by_card", json!({})).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("id_card"));
    call::<()>(&w, "sim_card", json!({"card": "sample"})).unwrap();
    read_card_until_present(&w);
    let mine: Vec<AppointmentInfo> = call(&w, "appointments_by_card", json!({})).unwrap();
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0].id, appointment.id);
    // The visit ends (idle timeout or home): the card is forgotten.
    call::<()>(&w, "end_visit", json!({})).unwrap();
    let e = call::<Vec<AppointmentInfo>>(&w, "appointments_by_card", json!({})).unwrap_err();
    assert_eq!(e.code, "no_card");

    // A one-code-service code stands for the card (一码通办 "扫码登录 … 替代身份证读取", tender 2848):
    // the citizen is shown masked, their appointments are found, an ID-card item can be taken.
    let (st, v) = rt.block_on(
        node.req("POST", "/api/v1/citizen-codes")
            .bearer(&mgr)
            .json(json!({"id_number": card.id_number, "name": card.name}))
            .send(),
    );
    assert_eq!(st, 201, "{v}");
    let citizen_code = v["code"].as_str().unwrap().to_owned();
    let found: Scanned = call(&w, "scanned", json!({"code": citizen_code})).unwrap();
    let Scanned::Citizen { holder } = found else {
        panic!("{found:?}")
    };
    assert!(
        holder.id_masked.contains('*') && holder.id_masked.len() == 18,
        "{holder:?}"
    );
    let mine: Vec<AppointmentInfo> = call(&w, "appointments_by_card", json!({})).unwrap();
    assert_eq!(mine.len(), 1, "{mine:?}");
    let t: Issued = call(&w, "issue", json!({"itemId": "I1", "claims": []})).unwrap();
    assert!(t.number.starts_with('A') && !t.offline, "{t:?}");
    call::<()>(&w, "end_visit", json!({})).unwrap();

    // Case progress (办件进度): a case opened at a window is found by its receipt QR and by the card.
    let w1 = rt.block_on(node.login("w1"));
    let (st, opened) = rt.block_on(
        node.req("POST", "/api/v1/cases")
            .bearer(&w1)
            .json(json!({"hall_id": "H1", "item_id": "I1", "id_number": card.id_number}))
            .send(),
    );
    assert_eq!(st, 201, "{opened}");
    let (st, v) = rt.block_on(
        node.req(
            "POST",
            &format!("/api/v1/cases/{}/stages", opened["id"].as_str().unwrap()),
        )
        .bearer(&w1)
        .json(json!({"stage": "reviewing"}))
        .send(),
    );
    assert_eq!(st, 200, "{v}");
    let receipt = opened["receipt"].as_str().unwrap().to_owned();
    let found: Scanned = call(&w, "scanned", json!({"code": receipt})).unwrap();
    let Scanned::Case { case } = found else {
        panic!("{found:?}")
    };
    assert_eq!(case.item_name, "户口迁移");
    let labels: Vec<&str> = case.stages.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, ["已受理", "审查中"], "{case:?}");
    assert_eq!(case.stage_label, "审查中");
    read_card_until_present(&w);
    let mine: Vec<CaseInfo> = call(&w, "cases_by_card", json!({})).unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].receipt, receipt);
    call::<()>(&w, "end_visit", json!({})).unwrap();

    // Service guides: materials, fee, time limit and the windows that serve the item.
    let guides: Vec<GuideInfo> = call(&w, "guides", json!({})).unwrap();
    let hukou = guides.iter().find(|g| g.item_id == "I1").expect("I1 guide");
    assert!(hukou.materials.iter().any(|m| m.contains("居民身份证")), "{hukou:?}");
    assert!(hukou.windows.contains(&"1".to_owned()), "{hukou:?}");
    // …printed for the citizen to take along (tender 3025–3041 "办事指南查询/打印").
    call::<()>(&w, "print_guide", json!({"itemId": "I1"})).unwrap();
    let printed: String = call(&w, "sim_printed", json!({})).unwrap();
    assert!(
        printed.contains("户口迁移") && printed.contains("居民身份证"),
        "{printed}"
    );
    let e = call::<()>(&w, "print_guide", json!({"itemId": "NOPE"})).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("item_id"));
}

/// Elderly mode speaks from the committed clips (issue 6 "spoken prompts from local clips"): the
/// recorded audio equals the clip files joined with the 250 ms gap, built here from the files.
#[test]
fn elderly_prompts_are_spoken_from_the_local_clips() {
    let data = tempfile::tempdir().unwrap();
    let wav = data.path().join("spoken.wav");
    let mut config = Config::for_test(data.path().join("kiosk"));
    config.audio = format!("file:{}", wav.display());
    let kiosk = Arc::new(Kiosk::open(config).unwrap());
    let (_app, w) = mock_app(kiosk_app::setup(mock_builder(), kiosk));

    let e = call::<()>(&w, "speak", json!({"prompts": ["sing"], "number": null, "lang": "zh"})).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("prompts"));
    let e = call::<()>(
        &w,
        "speak",
        json!({"prompts": ["take_ticket"], "number": null, "lang": "fr"}),
    )
    .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("lang"));

    call::<()>(
        &w,
        "speak",
        json!({"prompts": ["your_number", "take_ticket"], "number": "A023", "lang": "zh"}),
    )
    .unwrap();
    let clips = [
        "prompt_your_number",
        "letter_A",
        "digit_0",
        "digit_2",
        "digit_3",
        "prompt_take_ticket",
    ];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/voice/zh");
    let mut expected: Vec<i16> = Vec::new();
    for (k, name) in clips.iter().enumerate() {
        if k > 0 {
            expected.extend(std::iter::repeat_n(0, 16_000 / 4));
        }
        let mut r = hound::WavReader::open(dir.join(format!("{name}.wav"))).unwrap();
        expected.extend(r.samples::<i16>().map(Result::unwrap));
    }
    let mut got = Vec::new();
    wait_until("the prompt was played", Duration::from_secs(10), || {
        got = hound::WavReader::open(&wav)
            .map(|mut r| r.samples::<i16>().map(Result::unwrap).collect())
            .unwrap_or_default();
        got.len() >= expected.len()
    });
    assert_eq!(got.len(), expected.len());
    assert!(got == expected, "the spoken audio differs from the clips");
}

/// Legal consultation from the kiosk (issue 7; standard 6.1 a real-time, 6.1 b 留言): the question
/// reaches an online lawyer of the field, the lawyer's answer reaches the kiosk live over the
/// consultation's WebSocket, the citizen answers, ends and rates it; leaving the kiosk mid-chat
/// closes the chat so the lawyer is free again, and the kiosk forgets it.
#[test]
fn a_citizen_consults_a_lawyer_from_the_kiosk() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let node = rt.block_on(support::start_node());
    let code = rt.block_on(support::kiosk_code(&node));
    let data = tempfile::tempdir().unwrap();
    let kiosk = Arc::new(Kiosk::open(Config::for_test(data.path().to_path_buf())).unwrap());
    let (_app, w) = mock_app(kiosk_app::setup(mock_builder(), kiosk));
    call::<Startup>(&w, "enroll", json!({"address": node.base, "code": code})).unwrap();
    let lawyer = rt.block_on(node.login("lawyer"));
    let (st, v) = rt.block_on(
        node.req("PUT", "/api/v1/lawyer/status")
            .bearer(&lawyer)
            .json(json!({"online": true, "specialties": ["labour"]}))
            .send(),
    );
    assert_eq!(st, 200, "{v}");

    // What the citizen must give: a question; for a 留言 a phone number for the SMS (6.2.1.3).
    let ask = |kind: &str, question: &str, phone: Option<&str>| {
        call::<Consultation>(
            &w,
            "consult_start",
            json!({"kind": kind, "specialty": "labour", "question": question, "phone": phone}),
        )
    };
    assert_eq!(
        ask("realtime", "  ", None).unwrap_err().field.as_deref(),
        Some("question")
    );
    assert_eq!(
        ask("message", "工资问题", None).unwrap_err().field.as_deref(),
        Some("phone")
    );
    assert_eq!(
        ask("message", "工资问题", Some("12")).unwrap_err().field.as_deref(),
        Some("phone")
    );

    // Real-time: routed to the online labour lawyer (6.1 a).
    let c = ask("realtime", "单位拖欠我三个月工资，我该怎么办？", None).unwrap();
    assert_eq!((c.kind.as_str(), c.status.as_str()), ("realtime", "assigned"), "{c:?}");
    let id = c.id.clone();
    let now = |w: &WebviewWindow<MockRuntime>| call::<Option<Consultation>>(w, "consultation", json!({})).unwrap();
    wait_until("the kiosk follows the chat live", Duration::from_secs(5), || {
        now(&w).is_some_and(|c| c.live)
    });

    // The lawyer picks up and answers: the kiosk shows it without asking.
    let (st, v) = rt.block_on(
        node.req("POST", &format!("/api/v1/consultations/{id}/pickup"))
            .bearer(&lawyer)
            .send(),
    );
    assert_eq!(st, 200, "{v}");
    let (st, v) = rt.block_on(
        node.req("POST", &format!("/api/v1/consultations/{id}/messages"))
            .bearer(&lawyer)
            .json(json!({"body": "您好，请问有劳动合同吗？"}))
            .send(),
    );
    assert_eq!(st, 201, "{v}");
    wait_until("the lawyer's answer on the kiosk", Duration::from_secs(5), || {
        now(&w).is_some_and(|c| {
            c.status == "active"
                && c.messages
                    .iter()
                    .any(|m| m.author == "lawyer" && m.body.contains("劳动合同"))
        })
    });

    // The citizen answers; the lawyer sees it.
    assert_eq!(
        call::<()>(&w, "consult_send", json!({"body": " ", "kind": "text"}))
            .unwrap_err()
            .field
            .as_deref(),
        Some("body")
    );
    call::<()>(&w, "consult_send", json!({"body": "有，签了两年。", "kind": "text"})).unwrap();
    let (_, v) = rt.block_on(
        node.req("GET", &format!("/api/v1/consultations/{id}"))
            .bearer(&lawyer)
            .send(),
    );
    let bodies: Vec<&str> = v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert!(bodies.contains(&"有，签了两年。"), "{bodies:?}");

    // End and rate (7.1.4: every service is rated); the rating is on the node.
    let c: Consultation = call(&w, "consult_close", json!({})).unwrap();
    assert_eq!(c.status, "closed");
    assert_eq!(
        call::<Consultation>(&w, "consult_rate", json!({"level": 9}))
            .unwrap_err()
            .field
            .as_deref(),
        Some("level")
    );
    let c: Consultation = call(&w, "consult_rate", json!({"level": 5, "comment": "解答清楚"})).unwrap();
    assert!(c.rated);
    let (_, v) = rt.block_on(
        node.req("GET", &format!("/api/v1/consultations/{id}"))
            .bearer(&lawyer)
            .send(),
    );
    assert_eq!(v["rating"]["level"], 5, "{v}");

    // A citizen who walks away mid-chat: the visit ends, the chat is closed on the node (the lawyer is
    // not left waiting) and the kiosk no longer holds it.
    let c = ask("realtime", "试用期被辞退有没有补偿？", None).unwrap();
    call::<()>(&w, "end_visit", json!({})).unwrap();
    assert_eq!(now(&w), None);
    wait_until("the abandoned chat is closed", Duration::from_secs(5), || {
        let (_, v) = rt.block_on(
            node.req("GET", &format!("/api/v1/consultations/{}", c.id))
                .bearer(&lawyer)
                .send(),
        );
        v["status"] == "closed"
    });
    assert_eq!(
        call::<()>(&w, "consult_send", json!({"body": "还在吗", "kind": "text"}))
            .unwrap_err()
            .code,
        "no_consultation"
    );
}
