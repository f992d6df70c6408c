//! The desk's commands through Tauri's IPC layer on the mock runtime (no display), against a real
//! server node in-process; the citizen's side is real HTTP and a real WebSocket. Standard clauses:
//! 6.2.2.1 a (pickup within 20 s, shown as a countdown), 6.2.2.3 (reassurance, consent), 6.2.1.1
//! (留言 reply within 120 min), 6.2.1.2 (reply rules), 10.3.2 (sensitive words).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use app_types::lawyer_desk::*;
use desktop_test::ipc::{call, mock_app, wait_until};
use lawyer_desk::{Config, Desk};
use serde_json::json;
use tauri::WebviewWindow;
use tauri::test::{MockRuntime, mock_builder};

fn inbox_item(w: &WebviewWindow<MockRuntime>, id: &str) -> InboxItem {
    let mut found = None;
    wait_until("the consultation in the inbox", Duration::from_secs(10), || {
        let inbox: Inbox = call(w, "inbox", json!({})).unwrap();
        found = inbox.items.into_iter().find(|i| i.id == id);
        found.is_some()
    });
    found.unwrap()
}

fn sign_in(w: &WebviewWindow<MockRuntime>, node: &support::Node) -> Session {
    // Errors are plain and name the field.
    let e = call::<Session>(
        w,
        "sign_in",
        json!({"server": node.base, "login": "lawyer", "password": "wrong"}),
    )
    .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("password"), "{e:?}");
    assert!(e.message.contains("密码"), "{e:?}");
    let e = call::<Session>(w, "sign_in", json!({"server": " ", "login": "lawyer", "password": "x"})).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("server"));
    // Nothing listening there: said so, not guessed.
    let e = call::<Session>(
        w,
        "sign_in",
        json!({"server": "127.0.0.1:1", "login": "lawyer", "password": "x"}),
    )
    .unwrap_err();
    assert_eq!(e.code, "unreachable", "{e:?}");
    assert!(e.message.contains("无法连接服务器"), "{e:?}");
    // Window staff are not lawyers: refused, and their session is not kept.
    let e = call::<Session>(
        w,
        "sign_in",
        json!({"server": node.base, "login": "w1", "password": support::PASSWORD}),
    )
    .unwrap_err();
    assert_eq!(e.code, "not_a_lawyer");
    assert_eq!(call::<Option<Session>>(w, "session", json!({})).unwrap(), None);

    let s: Session = call(
        w,
        "sign_in",
        json!({"server": node.base, "login": "lawyer", "password": support::PASSWORD}),
    )
    .unwrap();
    assert_eq!(s.staff_id, "LAWYER");
    s
}

#[test]
fn a_lawyer_signs_in_goes_online_answers_a_realtime_chat_and_a_message() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut node = rt.block_on(support::start_node());
    let desk = Arc::new(Desk::new(Config::for_test()));
    let (_app, w) = mock_app(lawyer_desk::setup(mock_builder(), Arc::clone(&desk)));

    // Before signing in nothing reaches the server.
    let e = call::<Inbox>(&w, "inbox", json!({})).unwrap_err();
    assert_eq!(e.code, "not_signed_in");
    sign_in(&w, &node);

    // Online needs a specialty; then the profile says online and counts the time (附录 A tiers).
    let e = call::<Profile>(&w, "set_online", json!({"online": true, "specialties": []})).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("specialties"));
    let p: Profile = call(
        &w,
        "set_online",
        json!({"online": true, "specialties": ["labour", "family"]}),
    )
    .unwrap();
    assert!(p.online && p.online_since.is_some(), "{p:?}");
    assert_eq!(p.specialties, ["labour", "family"]);

    // A citizen's realtime question is routed here and shows with the 20 s pickup countdown (6.2.2.1 a).
    let (id, token) = rt.block_on(support::ask(
        &node,
        "realtime",
        "labour",
        "公司拖欠我三个月工资怎么办？",
    ));
    let item = inbox_item(&w, &id);
    assert_eq!(item.kind, "realtime");
    let due = item.due.clone().unwrap();
    assert_eq!((due.action.as_str(), due.clause.as_str()), ("pick_up", "6.2.2.1 a"));
    assert!((0..=20).contains(&due.remaining_secs), "{due:?}");

    // Pick up: the conversation opens with the question; the citizen's words arrive over the socket.
    let c: Consultation = call(&w, "pick_up", json!({"id": id})).unwrap();
    assert_eq!(c.status, "active");
    assert!(c.messages[0].body.contains("拖欠"), "{c:?}");
    let mut citizen = rt.block_on(support::citizen_ws(&node, &id, &token));
    rt.block_on(support::citizen_says(&mut citizen, "已经三个月没发了，我有劳动合同。"));
    wait_until("the citizen's message in the desk", Duration::from_secs(10), || {
        let ms: Vec<ChatMessage> = call(&w, "chat_messages", json!({"id": id})).unwrap();
        ms.iter().any(|m| m.author == "citizen" && m.body.contains("劳动合同"))
    });

    // Send-time checks: empty and over-long text never leave the desk; a sensitive word is refused by
    // the server and the refusal reaches the lawyer (10.3.2).
    let e = call::<ChatMessage>(&w, "send_message", json!({"id": id, "body": "  "})).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("body"));
    let long = "长".repeat(4001);
    let e = call::<ChatMessage>(&w, "send_message", json!({"id": id, "body": long})).unwrap_err();
    assert!(e.message.contains("4000"), "{e:?}");
    let e = call::<ChatMessage>(&w, "send_message", json!({"id": id, "body": "这是测试敏感词"})).unwrap_err();
    assert_eq!(e.code, "sensitive_words", "{e:?}");

    // The answer and a quick template (reassurance, 6.2.2.3.1 b) reach the citizen's socket.
    let m: ChatMessage = call(
        &w,
        "send_message",
        json!({"id": id, "body": "您好，请保留劳动合同和工资记录，可以申请劳动仲裁。"}),
    )
    .unwrap();
    assert_eq!((m.author.as_str(), m.kind.as_str()), ("lawyer", "text"));
    rt.block_on(support::citizen_sees(&mut citizen, "lawyer", "劳动仲裁"));
    let m: ChatMessage = call(
        &w,
        "send_message",
        json!({"id": id, "body": "感谢您的耐心等待，我正在查阅相关规定。", "kind": "reassurance"}),
    )
    .unwrap();
    assert_eq!(m.kind, "reassurance");
    rt.block_on(support::citizen_sees(&mut citizen, "lawyer", "耐心等待"));

    // Close: the status is closed, and the desk refuses further messages before sending.
    let c: Consultation = call(&w, "close_consultation", json!({"id": id})).unwrap();
    assert_eq!(c.status, "closed");
    let e = call::<ChatMessage>(&w, "send_message", json!({"id": id, "body": "还在吗"})).unwrap_err();
    assert_eq!(e.code, "closed");

    // A 留言 appears with its 120 min reply countdown (6.2.1.1).
    let (mid, mtoken) = rt.block_on(support::ask(&node, "message", "family", "离婚后孩子的抚养权怎么判？"));
    let item = inbox_item(&w, &mid);
    let due = item.due.clone().unwrap();
    assert_eq!(due.action, "reply", "{due:?}");
    assert!(due.remaining_secs > 119 * 60, "{due:?}");

    // A thin draft: the desk lists every unmet rule and sends nothing (6.2.1.2 b, d, e).
    let thin = json!({"judgement": "可以争取。", "basis": "民法典", "advice": ""});
    let check: ReplyCheck = call(&w, "check_reply", json!({"draft": thin})).unwrap();
    assert!(!check.ok);
    let clauses: Vec<&str> = check.problems.iter().map(|p| p.clause.as_str()).collect();
    for c in ["6.2.1.2 b", "6.2.1.2 d", "6.2.1.2 e"] {
        assert!(clauses.contains(&c), "{c} missing from {clauses:?}");
    }
    assert!(check.composed.starts_with("您好"), "the fixed opening is inserted");
    let out: ReplyOutcome = call(&w, "send_reply", json!({"id": mid, "draft": thin})).unwrap();
    assert!(!out.sent && out.refused_by.as_deref() == Some("local"), "{out:?}");
    assert_eq!(out.problems.len(), check.problems.len());
    let v = rt.block_on(support::citizen_view(&node, &mid, &mtoken));
    assert_eq!(v["messages"].as_array().unwrap().len(), 1, "nothing was sent: {v}");

    // Rules met but a sensitive word only the server's list knows: the server's 422 is listed.
    let (j, b, a) = support::good_parts();
    let worded = json!({"judgement": j, "basis": b, "advice": format!("{a}测试敏感词")});
    let local: ReplyCheck = call(&w, "check_reply", json!({"draft": worded})).unwrap();
    assert!(local.ok && local.own_chars > 50, "{local:?}");
    let out: ReplyOutcome = call(&w, "send_reply", json!({"id": mid, "draft": worded})).unwrap();
    assert!(!out.sent && out.refused_by.as_deref() == Some("server"), "{out:?}");
    assert!(
        out.problems
            .iter()
            .any(|p| p.clause == "10.3.2" && p.message.contains("测试敏感词")),
        "{out:?}"
    );

    // The corrected reply is sent; the citizen reads it whole (opening … closing) and it is answered.
    let good = json!({"judgement": j, "basis": b, "advice": a});
    let out: ReplyOutcome = call(&w, "send_reply", json!({"id": mid, "draft": good})).unwrap();
    assert!(out.sent && out.problems.is_empty(), "{out:?}");
    let v = rt.block_on(support::citizen_view(&node, &mid, &mtoken));
    assert_eq!(v["status"], "answered", "{v}");
    let reply = v["messages"][1]["body"].as_str().unwrap();
    assert!(
        reply.starts_with("您好") && reply.contains("【法律依据】《中华人民共和国劳动合同法》第三十条"),
        "{reply}"
    );
    assert!(reply.ends_with("欢迎您对本次服务进行评价。"), "{reply}");

    // History: both consultations, newest first, with the citizen's rating of the chat (6.1 a).
    let (st, v) = rt.block_on(
        node.req("POST", &format!("/api/v1/consultations/{id}/rating"))
            .header("x-consultation-token", &token)
            .json(json!({"level": 5}))
            .send(),
    );
    assert_eq!(st, 200, "{v}");
    let h: History = call(&w, "history", json!({})).unwrap();
    let ids: Vec<&str> = h.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, [mid.as_str(), id.as_str()], "{h:?}");
    assert_eq!((h.items[1].rating, h.rated, h.average_rating), (Some(5), 1, Some(5.0)));
    assert_eq!(h.items[0].status, "answered");

    // Figures: what the server answers a lawyer is shown; what it does not (today: stats are for
    // operators, QC and tier progress are being added) is "no data" with the reason, never a number.
    let lawyer_token = rt.block_on(node.login("lawyer"));
    for (which, path) in [
        ("stats", "/lawyer/stats"),
        ("qc", "/lawyer/qc"),
        ("profile", "/lawyer/profile"),
    ] {
        let (st, _) = rt.block_on(node.req("GET", &format!("/api/v1{path}")).bearer(&lawyer_token).send());
        let f: Figures = call(&w, "figures", json!({"which": which})).unwrap();
        if st == 200 {
            assert!(f.rows.is_some() && f.note.is_none(), "{which}: {f:?}");
        } else {
            assert!(f.rows.is_none(), "{which}: {f:?}");
            assert!(
                f.note.as_deref().unwrap_or("").contains(&st.to_string()),
                "{which} ({st}): {f:?}"
            );
        }
    }

    // Sign out: offline on the server first, then the session ends.
    call::<()>(&w, "sign_out", json!({})).unwrap();
    assert_eq!(call::<Option<Session>>(&w, "session", json!({})).unwrap(), None);
    let (st, v) = rt.block_on(node.req("GET", "/api/v1/lawyer/inbox").bearer(&lawyer_token).send());
    assert_eq!(st, 200);
    assert_eq!(v["profile"]["online"], false, "signing out went offline: {v}");
    rt.block_on(node.stop());
}

/// A remote mediation (6.2.4) the operators booked and assigned shows in the desk with the countdown
/// to its join-by time; the lawyer accepts it and joins the room in time (6.2.4.2 a: 10 min early).
/// A video consultation (6.2.3) picked up at this desk, which has no WebRTC call, continues as a text
/// chat and the citizen is told so plainly.
#[test]
fn a_lawyer_joins_a_mediation_and_a_video_consultation_falls_back_to_chat() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let node = rt.block_on(support::start_node());
    let desk = Arc::new(Desk::new(Config::for_test()));
    let (_app, w) = mock_app(lawyer_desk::setup(mock_builder(), Arc::clone(&desk)));
    sign_in(&w, &node);
    call::<Profile>(&w, "set_online", json!({"online": true, "specialties": ["labour"]})).unwrap();

    // The operation centre books for the committee ≥ 5 working days ahead, verifies, assigns.
    let op = rt.block_on(node.login("operator"));
    let starts_at = support::real_now() + 10 * 86_400_000;
    let (st, m) = rt.block_on(
        node.req("POST", "/api/v1/mediations")
            .bearer(&op)
            .json(json!({"committee": "道里区人民调解委员会", "parties": ["王某", "李某"],
                "matter": "相邻房屋漏水赔偿纠纷", "specialty": "labour", "starts_at": starts_at}))
            .send(),
    );
    assert_eq!(st, 201, "{m}");
    let mid = m["id"].as_str().unwrap().to_owned();
    for (path, body) in [
        ("verify", json!({"approved": true})),
        ("assign", json!({"lawyer_id": "LAWYER"})),
    ] {
        let (st, v) = rt.block_on(
            node.req("POST", &format!("/api/v1/mediations/{mid}/{path}"))
                .bearer(&op)
                .json(body)
                .send(),
        );
        assert_eq!(st, 200, "{path}: {v}");
    }
    let inbox: Inbox = call(&w, "inbox", json!({})).unwrap();
    let item = inbox
        .mediations
        .iter()
        .find(|x| x.id == mid)
        .expect("the mediation in the desk");
    assert_eq!(item.status, "assigned");
    assert_eq!(item.join_by.due, starts_at - 10 * 60_000, "join by start − 10 min");
    assert!(item.join_by.remaining_secs > 0);
    let e = call::<Inbox>(&w, "mediation", json!({"id": mid, "action": "leave"})).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("action"));
    let inbox: Inbox = call(&w, "mediation", json!({"id": mid, "action": "accept"})).unwrap();
    assert_eq!(inbox.mediations[0].status, "accepted");
    let inbox: Inbox = call(&w, "mediation", json!({"id": mid, "action": "join"})).unwrap();
    let m = &inbox.mediations[0];
    assert!(m.joined_at.is_some() && m.join_late == Some(false), "{m:?}");
    let e = call::<Inbox>(&w, "mediation", json!({"id": mid, "action": "join"})).unwrap_err();
    assert!(e.message.contains("已进入"), "joined once: {e:?}");

    // Video: picked up here, it becomes a realtime chat with a system message to both sides.
    let (vid, token) = rt.block_on(support::ask(&node, "video", "labour", "视频咨询：劳动仲裁怎么申请？"));
    let item = inbox_item(&w, &vid);
    assert_eq!(item.kind, "video");
    let c: Consultation = call(&w, "pick_up", json!({"id": vid})).unwrap();
    assert_eq!(c.kind, "realtime", "{c:?}");
    assert!(
        c.messages
            .iter()
            .any(|m| m.author == "system" && m.kind == "video_fallback"),
        "{c:?}"
    );
    let (_, v) = rt.block_on(
        node.req("GET", &format!("/api/v1/consultations/{vid}"))
            .header("x-consultation-token", &token)
            .send(),
    );
    let told = v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["kind"] == "video_fallback" && m["body"].as_str().is_some_and(|b| b.contains("文字实时咨询")));
    assert!(told, "the citizen is told plainly: {v}");
    // The chat works from the desk.
    let sent: ChatMessage = call(
        &w,
        "send_message",
        json!({"id": vid, "body": "您好，视频暂不可用，我们文字沟通。"}),
    )
    .unwrap();
    assert_eq!(sent.author, "lawyer");
}
