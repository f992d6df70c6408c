//! The counter PC app: enrollment, staff sign-in, the call panel with ID card, document camera,
//! citizen confirmation and evaluation. The logic is in [`terminal::Terminal`] (no Tauri types), the
//! commands in [`commands`] forward to it, and [`setup`] wires both into any Tauri runtime so the
//! mock-runtime tests run the same builder as the app.

use std::sync::Arc;
use std::time::Duration;

use tauri::{Builder, Emitter, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

pub mod commands;
pub mod config;
pub mod devices;
pub mod evaluator;
pub mod hall;
pub mod terminal;

pub use config::Config;
pub use terminal::Terminal;

/// Registers the terminal state and the commands; starts the sync loop and, when configured, the
/// evaluator window on the citizen's monitor.
pub fn setup<R: Runtime>(builder: Builder<R>, terminal: Arc<Terminal>) -> Builder<R> {
    terminal.attach();
    let for_setup = Arc::clone(&terminal);
    builder
        .manage(terminal)
        .setup(move |app| {
            let handle = app.handle().clone();
            for_setup.set_emitter(Arc::new(move |name, payload| {
                if let Err(e) = handle.emit(name, payload) {
                    tracing::warn!("emit {name}: {e}");
                }
            }));
            let t = Arc::clone(&for_setup);
            let every = Duration::from_secs(t.config.sync_secs.max(1));
            tauri::async_runtime::spawn(async move {
                loop {
                    t.sync_round().await;
                    tokio::time::sleep(every).await;
                }
            });
            if for_setup.config.evaluator == "window" && app.get_webview_window("evaluator").is_none() {
                WebviewWindowBuilder::new(app, "evaluator", WebviewUrl::App("index.html?view=evaluator".into()))
                    .title("服务评价 / Evaluation")
                    .inner_size(1280.0, 800.0)
                    .build()?;
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::startup,
            commands::enroll,
            commands::sign_in,
            commands::sign_out,
            commands::panel,
            commands::window_action,
            commands::pause,
            commands::void_ticket,
            commands::transfer,
            commands::read_card,
            commands::scan_capture,
            commands::scan_accept,
            commands::scan_discard,
            commands::push_confirmation,
            commands::answer_confirmation,
            commands::evaluator_view,
            commands::rate,
            commands::evaluator_idle,
            commands::devices,
            commands::link,
            commands::sim_present_card,
            commands::sim_measurements,
            commands::sim_printer,
            commands::sim_scan,
        ])
}

pub fn run() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let config = Config::from_env();
    let terminal = match Terminal::open(config) {
        Ok(t) => Arc::new(t),
        Err(e) => {
            eprintln!("窗口终端无法启动 / cannot start: {e:#}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match setup(tauri::Builder::default(), terminal).run(tauri::generate_context!()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            std::process::ExitCode::FAILURE
        }
    }
}
