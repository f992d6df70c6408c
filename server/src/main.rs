//! `server serve | demo | verify-audit`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use server::app::{Role, ServerConfig};

// The writer thread allocates many short-lived strings per command (JSON bodies, row values);
// glibc malloc took ~8 % of its time in profiles, mimalloc about a third of that.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "server",
    version,
    about = "Service hall node: queue authority, live feed, devices and staff"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run a node (default: role all on 127.0.0.1:8080 with ./data).
    Serve {
        #[arg(long, value_enum)]
        role: Option<Role>,
        #[arg(long)]
        data: Option<PathBuf>,
        #[arg(long)]
        listen: Option<String>,
        /// TOML file; SERVER_* environment variables override it, flags override both.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Hall role: the city node to forward to and take configuration from.
        #[arg(long)]
        upstream: Option<String>,
        /// Hall role, first start: the hall_node enrollment code from the city admin.
        #[arg(long)]
        upstream_code: Option<String>,
    },
    /// Seed a Harbin-like city and run it with simulated traffic.
    Demo {
        #[arg(long, default_value = "./demo-data")]
        data: PathBuf,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
    },
    /// Check the audit chain of a node's event log; exit 1 and name the first broken link if it fails.
    VerifyAudit {
        #[arg(long)]
        data: PathBuf,
    },
}

fn init_logs(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        b.json().init();
    } else {
        b.init();
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let cmd = cli.cmd.unwrap_or(Cmd::Serve {
        role: None,
        data: None,
        listen: None,
        config: None,
        upstream: None,
        upstream_code: None,
    });
    match cmd {
        Cmd::VerifyAudit { data } => {
            let db = ServerConfig {
                data,
                ..ServerConfig::default()
            }
            .db_path();
            if !db.exists() {
                eprintln!("verify-audit: no database at {}", db.display());
                return ExitCode::from(2);
            }
            match server::store::sqlite::verify_chain(&db) {
                Ok(n) => {
                    println!("audit chain intact: {n} events verified");
                    ExitCode::SUCCESS
                }
                Err(broken) => {
                    println!("audit chain BROKEN at {broken}");
                    ExitCode::from(1)
                }
            }
        }
        Cmd::Serve {
            role,
            data,
            listen,
            config,
            upstream,
            upstream_code,
        } => run(async move {
            let mut cfg = ServerConfig::load(config.as_deref())?;
            if let Some(r) = role {
                cfg.role = r;
            }
            if let Some(d) = data {
                cfg.data = d;
            }
            if let Some(l) = listen {
                cfg.listen = l;
            }
            if upstream.is_some() {
                cfg.upstream = upstream;
            }
            if upstream_code.is_some() {
                cfg.upstream_code = upstream_code;
            }
            init_logs(cfg.json_logs);
            let running = server::start(cfg, server::engine::system_clock()).await?;
            server::bootstrap::ensure_admin(&running.app).await?;
            eprintln!("serving on http://{} (API: /api/v1/openapi.json)", running.addr);
            until_signal(running).await;
            Ok(())
        }),
        Cmd::Demo { data, listen } => run(async move {
            init_logs(false);
            server::demo::run(data, listen, until_signal_fut()).await
        }),
    }
}

fn run(f: impl std::future::Future<Output = anyhow::Result<()>>) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(f) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn until_signal_fut() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(t) => t,
            Err(_) => {
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

async fn until_signal(running: server::Running) {
    until_signal_fut().await;
    eprintln!("stopping…");
    running.stop().await;
}
