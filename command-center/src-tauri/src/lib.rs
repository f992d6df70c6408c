//! `command-center`: the hall's display wall (hall mode). Latest calls, waiting counts, notices, and
//! the calls spoken from recorded clips. The city command wall (`--mode city`) has its place in
//! [`city`] and is refused at start until it exists.
//!
//! Layout: [`config`] (flags + `CC_*` env), [`hall`] (state fold, link to the hall node, voice),
//! [`commands`] (thin Tauri commands). The app is built by [`setup`], shared by [`run`] and the
//! mock-runtime tests.

pub mod city;
pub mod commands;
pub mod config;
pub mod hall;

use std::sync::Arc;

use app_types::hall_wall::EVENT_WALL_CHANGED;
use clap::Parser;
use tauri::{Builder, Emitter, Manager, Runtime};

use hall::Wall;

/// Milliseconds since the epoch on this PC.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The app with its commands and the wall as managed state.
pub fn setup<R: Runtime>(builder: Builder<R>, wall: Arc<Wall>) -> Builder<R> {
    builder.manage(wall).invoke_handler(tauri::generate_handler![
        commands::wall_state,
        commands::wall_setup,
        commands::wall_metrics
    ])
}

fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
}

pub fn run() -> std::process::ExitCode {
    init_logging();
    match run_inner() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("command-center: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}

fn run_inner() -> anyhow::Result<()> {
    let args = config::Args::parse();
    let settings = args.hall_settings()?;
    let wall = Wall::new(settings)?;
    // The link and the view pump run on their own runtime: the webview's main loop stays free.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    rt.spawn(hall::link::run(Arc::clone(&wall), stop_rx));
    let pump_wall = Arc::clone(&wall);
    let rt_handle = rt.handle().clone();
    let fullscreen = !args.windowed;
    let app = setup(tauri::Builder::default(), Arc::clone(&wall))
        .setup(move |app| {
            let handle = app.handle().clone();
            let mut changed = pump_wall.subscribe();
            let w = Arc::clone(&pump_wall);
            // Every change sends the whole view (a few KB): the page has no merge logic to get wrong.
            rt_handle.spawn(async move {
                while changed.changed().await.is_ok() {
                    if let Err(e) = handle.emit(EVENT_WALL_CHANGED, w.view()) {
                        tracing::warn!(error = %e, "wall view not sent");
                    }
                    // Coalesce bursts (a catch-up after an outage) into ~60 updates a second at most.
                    tokio::time::sleep(std::time::Duration::from_millis(15)).await;
                }
            });
            if let Some(win) = app.get_webview_window("main") {
                // A wall PC has nothing else on its screen.
                if let Err(e) = win.set_fullscreen(fullscreen) {
                    tracing::warn!(error = %e, "fullscreen refused");
                }
            }
            Ok(())
        })
        .build(tauri::generate_context!())?;
    // `run` does not return; the runtime moves into its closure so the link lives as long as the app.
    app.run(move |_, event| {
        if let tauri::RunEvent::Exit = event {
            let _ = stop_tx.send(true);
            let _ = wall.voice().wait_idle(std::time::Duration::from_secs(2));
            let _ = &rt;
        }
    });
    Ok(())
}
