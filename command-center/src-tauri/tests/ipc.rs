//! The wall's Tauri commands through Tauri's IPC layer on the mock runtime (no display), against a
//! real in-process hall node for enrollment; and the voice path (feed event → recorded WAV) without
//! a GUI.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use app_types::hall_wall::{SetupRequest, WallMetrics, WallPhase, WallView};
use clap::Parser;
use command_center::config::{Args, announcer_config};
use command_center::hall::Wall;
use serde_json::json;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, get_ipc_response, mock_builder, mock_context, noop_assets};
use tauri::webview::InvokeRequest;
use tauri::{WebviewWindow, WebviewWindowBuilder};

fn wall(data_dir: &Path, extra: &[&str]) -> Arc<Wall> {
    let dir = data_dir.to_string_lossy().into_owned();
    let audio = if extra.contains(&"--audio") {
        &[][..]
    } else {
        &["--audio", "none"][..]
    };
    let args = Args::parse_from([&["command-center", "--data-dir", &dir][..], audio, extra].concat());
    Wall::new(args.hall_settings().expect("settings")).expect("wall")
}

fn app(
    wall: Arc<Wall>,
) -> (
    tauri::App<tauri::test::MockRuntime>,
    WebviewWindow<tauri::test::MockRuntime>,
) {
    let app = command_center::setup(mock_builder(), wall)
        .build(mock_context(noop_assets()))
        .expect("mock app");
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("webview");
    (app, webview)
}

fn invoke(
    webview: &WebviewWindow<tauri::test::MockRuntime>,
    cmd: &str,
    body: serde_json::Value,
) -> Result<tauri::ipc::InvokeResponseBody, serde_json::Value> {
    get_ipc_response(
        webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(body),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
}

#[test]
fn a_new_wall_asks_for_setup_and_validates_the_form() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, webview) = app(wall(dir.path(), &[]));
    let view: WallView = invoke(&webview, "wall_state", json!({}))
        .unwrap()
        .deserialize()
        .unwrap();
    assert_eq!(view.phase, WallPhase::Setup);
    assert_eq!(view.audio.output, "none");
    assert!(!view.link.online);

    let err = invoke(
        &webview,
        "wall_setup",
        json!({"request": {"hall_url": "http://127.0.0.1:9", "code": " "}}),
    )
    .unwrap_err();
    assert_eq!(err["field"], "code", "{err}");
    let err = invoke(
        &webview,
        "wall_setup",
        json!({"request": {"hall_url": "http://127.0.0.1:9", "code": "123456"}}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "unreachable", "{err}");

    let m: WallMetrics = invoke(&webview, "wall_metrics", json!({}))
        .unwrap()
        .deserialize()
        .unwrap();
    assert_eq!(m, WallMetrics::default());
}

#[test]
fn setup_enrolls_with_the_hall_node_and_keeps_the_identity() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let node = rt.block_on(common::HallNode::start());
    let code = rt.block_on(node.enrollment_code("hall_display"));
    let kiosk_code = rt.block_on(node.enrollment_code("kiosk"));
    let dir = tempfile::tempdir().unwrap();
    {
        let (_app, webview) = app(wall(dir.path(), &[]));
        let err = invoke(
            &webview,
            "wall_setup",
            json!({"request": {"hall_url": node.base, "code": kiosk_code}}),
        )
        .unwrap_err();
        assert_eq!(err["code"], "wrong_kind", "a kiosk code is not a wall's: {err}");
        let bad = SetupRequest {
            hall_url: node.base.clone(),
            code: "000000".into(),
        };
        let err = invoke(&webview, "wall_setup", json!({ "request": bad })).unwrap_err();
        assert_eq!(err["field"], "code", "{err}");

        let ok = SetupRequest {
            hall_url: node.base.clone(),
            code,
        };
        let view: WallView = invoke(&webview, "wall_setup", json!({ "request": ok }))
            .unwrap()
            .deserialize()
            .unwrap();
        assert_eq!(view.phase, WallPhase::Running);
        assert_eq!(view.hall_id, common::HALL);
        let again = invoke(&webview, "wall_setup", json!({ "request": ok })).unwrap_err();
        assert_eq!(again["code"], "already_enrolled");
    }
    // A restart of the app finds its identity: no setup screen.
    let (_app, webview) = app(wall(dir.path(), &[]));
    let view: WallView = invoke(&webview, "wall_state", json!({}))
        .unwrap()
        .deserialize()
        .unwrap();
    assert_eq!(view.phase, WallPhase::Running);
    assert_eq!(view.hall_id, common::HALL);
}

fn called(kind: &str, display: &str, window: &str, recall: u32, at: i64) -> serde_json::Value {
    json!({"kind": kind, "hall_id": "H00", "at": at,
        "ticket": {"id": format!("T-{display}"), "display": display, "queue_id": "H00-Q01",
                   "status": "called", "class": "normal", "recall_count": recall},
        "waiting_in_queue": 3,
        "window": {"id": "H00-W05", "number": window, "status": "open", "staffed": true}})
}

#[test]
fn feed_calls_are_spoken_in_order_once_and_recalls_again() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("voice.wav");
    let audio = format!("file:{}", wav.display());
    let w = wall(dir.path(), &["--audio", &audio, "--langs", "zh,en", "--repeats", "1"]);
    let now = command_center::now_ms();
    w.apply_event(10, "ticket_called", &called("ticket_called", "A023", "5", 0, now));
    w.apply_event(11, "ticket_called", &called("ticket_called", "B101", "12", 0, now));
    w.apply_event(11, "ticket_called", &called("ticket_called", "B101", "12", 0, now)); // replayed
    w.apply_event(12, "ticket_recalled", &called("ticket_recalled", "A023", "5", 1, now));
    w.apply_event(
        13,
        "ticket_called",
        &called("ticket_called", "C001", "3", 0, now - 600_000),
    ); // too old
    assert!(w.voice().wait_idle(Duration::from_secs(20)));

    let lib = voice::Library::load(command_center::config::default_voice_dir()).unwrap();
    let cfg = announcer_config(&[voice::Lang::Zh, voice::Lang::En], 1);
    let mut expected = Vec::new();
    for (d, win) in [("A023", "5"), ("B101", "12"), ("A023", "5")] {
        expected.extend(
            voice::render_announcement(&lib, &voice::Call::new(d, win), &cfg)
                .unwrap()
                .samples,
        );
    }
    let got = voice::Pcm::read_wav_file(&wav).unwrap();
    assert_eq!(
        got.samples.len(),
        expected.len(),
        "three announcements, none twice, the old one skipped"
    );
    assert!(
        got.samples == expected,
        "the recording is exactly the rendered announcements"
    );

    // The status thread counts the last `Finished` just after the worker went idle.
    for _ in 0..100 {
        if w.view().audio.spoken == 3 {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let m = w.metrics();
    assert_eq!(m.announce_delays_ms.len(), 3);
    assert_eq!(m.skipped, 1);
    let view = w.view();
    assert_eq!(view.calls[0].display, "C001");
    assert_eq!(view.calls.iter().filter(|c| c.display == "A023").count(), 1);
    assert_eq!(view.audio.spoken, 3);
}
