//! The apps' Tauri commands through the real IPC layer on Tauri's mock runtime (no display): the app
//! built on the mock runtime ([`mock_app`]), a command called as the page would call it, and its answer
//! or `CommandError` decoded ([`call`]).

use std::time::{Duration, Instant};

use app_types::CommandError;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_context, noop_assets};
use tauri::webview::InvokeRequest;
use tauri::{App, Builder, WebviewWindow, WebviewWindowBuilder};

/// The app of `builder` (the app's own `setup(mock_builder(), …)`) built on the mock runtime, with its
/// setup hook run (emitter, sync or refresh loop: they start on the first event-loop iteration), and
/// its main webview window. Keep the app alive as long as the window is used.
pub fn mock_app(builder: Builder<MockRuntime>) -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let mut app = builder.build(mock_context(noop_assets())).expect("mock app");
    // Called once, not in a loop, so the busy-loop reason for the deprecation does not apply.
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("main window");
    (app, w)
}

/// Calls command `cmd` with `args` (camelCase keys, as the page sends them). Panics when the answer
/// does not decode: that is a contract break, not a command failure.
pub fn call<T: DeserializeOwned>(w: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<T, CommandError> {
    let req = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap_or_else(|e| panic!("url: {e}")),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    match get_ipc_response(w, req) {
        Ok(body) => Ok(body
            .deserialize::<T>()
            .unwrap_or_else(|e| panic!("{cmd}: cannot decode answer: {e}"))),
        Err(v) => Err(serde_json::from_value(v.clone()).unwrap_or_else(|_| panic!("{cmd}: not a CommandError: {v}"))),
    }
}

/// Polls `f` every 50 ms; panics naming `what` if it is not true within `within`.
pub fn wait_until(what: &str, within: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !f() {
        assert!(Instant::now() < deadline, "{what} did not happen within {within:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
