//! Calls into the app's Rust shell. Tauri 2 with `app.withGlobalTauri = true` exposes
//! `window.__TAURI__.core.invoke` and `window.__TAURI__.event.listen`; the paths are resolved at call
//! time, so a test can also run a UI in a plain browser with `window.__TAURI__` mocked.

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

use app_types::CommandError;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
    async fn tauri_invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "event"], js_name = listen, catch)]
    async fn tauri_listen(event: &str, handler: &Closure<dyn FnMut(JsValue)>) -> Result<JsValue, JsValue>;
}

/// Serializer that turns maps into plain JS objects (Tauri reads command arguments as an object).
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, CommandError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| CommandError::new("ui_encode", format!("界面参数无法编码 / cannot encode arguments: {e}")))
}

/// Calls command `cmd` with `args` (a struct whose fields are the command's parameters, camelCase as
/// Tauri expects) and decodes its answer. A command's own error arrives as [`CommandError`].
pub async fn invoke<A: Serialize + ?Sized, R: DeserializeOwned>(cmd: &str, args: &A) -> Result<R, CommandError> {
    let js_args = to_js(args)?;
    match tauri_invoke(cmd, js_args).await {
        Ok(v) => serde_wasm_bindgen::from_value(v).map_err(|e| {
            CommandError::new(
                "ui_decode",
                format!("无法读取 {cmd} 的结果 / cannot read the answer of {cmd}: {e}"),
            )
        }),
        Err(e) => Err(
            serde_wasm_bindgen::from_value::<CommandError>(e.clone()).unwrap_or_else(|_| {
                CommandError::new(
                    "ipc",
                    e.as_string()
                        .unwrap_or_else(|| format!("调用 {cmd} 失败 / {cmd} failed: {e:?}")),
                )
            }),
        ),
    }
}

/// A command without arguments.
pub async fn invoke0<R: DeserializeOwned>(cmd: &str) -> Result<R, CommandError> {
    invoke(cmd, &serde_json::Map::new()).await
}

/// Subscribes `on_event` to the shell's event `name` for the life of the page (the handler is leaked
/// on purpose: the app's views live as long as the window). The payload is decoded into `T`; an
/// undecodable payload is logged to the console and skipped.
pub async fn listen<T: DeserializeOwned + 'static>(
    name: &str,
    mut on_event: impl FnMut(T) + 'static,
) -> Result<(), CommandError> {
    let event_name = name.to_owned();
    let handler = Closure::<dyn FnMut(JsValue)>::new(move |ev: JsValue| {
        let payload = js_sys::Reflect::get(&ev, &JsValue::from_str("payload")).unwrap_or(JsValue::NULL);
        match serde_wasm_bindgen::from_value::<T>(payload) {
            Ok(v) => on_event(v),
            Err(e) => web_sys::console::warn_1(&JsValue::from_str(&format!("event {event_name}: {e}"))),
        }
    });
    tauri_listen(name, &handler)
        .await
        .map_err(|e| CommandError::new("ipc", format!("无法订阅 {name} / cannot listen to {name}: {e:?}")))?;
    handler.forget();
    Ok(())
}

/// Milliseconds since the page loaded (`performance.now()`), for the app's own latency marks.
pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}
