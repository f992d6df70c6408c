//! The citizen self-service kiosk: take a number (ID card, QR, or an item that allows it without ID),
//! appointment check-in, case progress, service guides. The logic is in [`kiosk::Kiosk`] (no Tauri
//! types), the commands in [`commands`] forward to it, and [`setup`] wires both into any Tauri runtime
//! so the mock-runtime tests run the same builder as the app.

use std::sync::Arc;
use std::time::Duration;

use tauri::{Builder, Emitter, Runtime};

pub mod commands;
pub mod config;
pub mod devices;
pub mod kiosk;

pub use config::Config;
pub use kiosk::Kiosk;

/// Registers the kiosk state and the commands; starts the sync loop.
pub fn setup<R: Runtime>(builder: Builder<R>, kiosk: Arc<Kiosk>) -> Builder<R> {
    kiosk.forward_scans();
    let for_setup = Arc::clone(&kiosk);
    builder
        .manage(kiosk)
        .setup(move |app| {
            let handle = app.handle().clone();
            for_setup.set_emitter(Arc::new(move |name, payload| {
                if let Err(e) = handle.emit(name, payload) {
                    tracing::warn!("emit {name}: {e}");
                }
            }));
            let k = Arc::clone(&for_setup);
            let every = Duration::from_secs(k.config.sync_secs.max(1));
            tauri::async_runtime::spawn(async move {
                loop {
                    k.sync_round().await;
                    tokio::time::sleep(every).await;
                }
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::startup,
            commands::enroll,
            commands::items,
            commands::read_card,
            commands::end_visit,
            commands::preview,
            commands::issue,
            commands::scanned,
            commands::appointments_by_card,
            commands::check_in,
            commands::cases_by_card,
            commands::guides,
            commands::print_guide,
            commands::speak,
            commands::consult_start,
            commands::consultation,
            commands::consult_send,
            commands::consult_close,
            commands::consult_rate,
            commands::devices,
            commands::link,
            commands::sim_card,
            commands::sim_printer,
            commands::sim_scan,
            commands::sim_printed,
        ])
}

pub fn run() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let kiosk = match Kiosk::open(Config::from_env()) {
        Ok(k) => Arc::new(k),
        Err(e) => {
            eprintln!("自助终端无法启动 / cannot start: {e:#}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match setup(tauri::Builder::default(), kiosk).run(tauri::generate_context!()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            std::process::ExitCode::FAILURE
        }
    }
}
