//! The lawyer's desk of the online-lawyer platform (issue 7): sign in, online/offline with
//! specialties, the inbox with each item's SLA countdown (standard 6.2), realtime chat over the
//! server's WebSocket with quick templates, 留言 replies checked by the reply rules (6.2.1.2) before
//! they are sent, and the lawyer's own figures. The logic is in [`desk::Desk`] (no Tauri types), the
//! commands in [`commands`] forward to it, and [`setup`] wires both into any Tauri runtime so the
//! mock-runtime tests run the same builder as the app. The page never talks to the network.

use std::sync::Arc;
use std::time::Duration;

use tauri::{Builder, Emitter, Runtime};

pub mod commands;
pub mod config;
pub mod desk;
pub mod reply;
pub mod server;

pub use config::Config;
pub use desk::Desk;

/// Registers the desk and the commands; starts the inbox refresh loop.
pub fn setup<R: Runtime>(builder: Builder<R>, desk: Arc<Desk>) -> Builder<R> {
    let for_setup = Arc::clone(&desk);
    builder
        .manage(desk)
        .setup(move |app| {
            let handle = app.handle().clone();
            for_setup.set_emitter(Arc::new(move |name, payload| {
                if let Err(e) = handle.emit(name, payload) {
                    tracing::warn!("emit {name}: {e}");
                }
            }));
            let d = Arc::clone(&for_setup);
            let every = Duration::from_millis(d.config.poll_ms.max(100));
            tauri::async_runtime::spawn(async move {
                let mut last_problem = None;
                loop {
                    d.refresh_round(&mut last_problem).await;
                    tokio::time::sleep(every).await;
                }
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::session,
            commands::default_server,
            commands::sign_in,
            commands::sign_out,
            commands::set_online,
            commands::mediation,
            commands::set_webrtc,
            commands::inbox,
            commands::pick_up,
            commands::open_consultation,
            commands::chat_messages,
            commands::send_message,
            commands::close_consultation,
            commands::check_reply,
            commands::send_reply,
            commands::figures,
            commands::history,
        ])
}

pub fn run() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let desk = Arc::new(Desk::new(Config::from_env()));
    match setup(tauri::Builder::default(), desk).run(tauri::generate_context!()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            std::process::ExitCode::FAILURE
        }
    }
}
