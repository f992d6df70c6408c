//! The apps' Tauri commands through the real IPC layer on Tauri's mock runtime (no display): a command
//! is called as the page would call it, and its answer or `CommandError` decoded.

use std::time::{Duration, Instant};

use app_types::CommandError;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tauri::WebviewWindow;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response};
use tauri::webview::InvokeRequest;

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
