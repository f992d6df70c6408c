//! `cargo xtask chaos …` and `cargo xtask device …` (the latter is what `chaos` starts).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "xtask", about = "Repository tasks")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run city node, hall node and devices through faults and kills, then check the invariants.
    /// The last line is `chaos: cycles=… produced=… applied=… duplicates=… lost=… double_calls=…
    /// converge_ms=…`; the exit status is non-zero when any invariant failed.
    Chaos(xtask::chaos::ChaosArgs),
    /// One simulated device (kiosk or window terminal), as a process the chaos run can kill.
    Device(xtask::device::DeviceArgs),
    /// Fuzz every byte parser of `drivers` (cargo-fuzz, libFuzzer) for `--runs` executions each;
    /// one `fuzz: target=… runs=… result=…` line per target.
    Fuzz(xtask::fuzz::FuzzArgs),
    /// Build the desktop apps' UIs (Leptos, wasm32) into `<app>/ui/dist`; the Tauri shells embed them.
    Ui(xtask::ui::UiArgs),
    /// Fail on any import circle between a crate's files that is larger than one folder.
    Imports {
        /// A crate folder whose circles are reported but do not fail the check (a known debt).
        #[arg(long)]
        allow: Vec<String>,
    },
}

fn main() -> ExitCode {
    match Cli::parse().cmd {
        Cmd::Chaos(args) => match block_on(xtask::chaos::main(args)) {
            Ok(Ok(summary)) if summary.passed() => ExitCode::SUCCESS,
            Ok(Ok(_)) => ExitCode::FAILURE,
            Ok(Err(e)) => {
                eprintln!("chaos: error: {e:#}");
                ExitCode::from(2)
            }
            Err(code) => code,
        },
        Cmd::Device(args) => match block_on(xtask::device::run(args)) {
            Ok(Ok(())) => ExitCode::SUCCESS,
            Ok(Err(e)) => {
                eprintln!("device: error: {e:#}");
                ExitCode::FAILURE
            }
            Err(code) => code,
        },
        Cmd::Ui(args) => match xtask::ui::main(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("ui: error: {e:#}");
                ExitCode::FAILURE
            }
        },
        Cmd::Imports { allow } => imports(&allow),
        // Fuzzing only drives child processes: no runtime.
        Cmd::Fuzz(args) => match xtask::fuzz::main(&args) {
            Ok(runs) if runs.iter().all(|r| r.passed) => ExitCode::SUCCESS,
            Ok(_) => ExitCode::FAILURE,
            Err(e) => {
                eprintln!("fuzz: error: {e:#}");
                ExitCode::from(2)
            }
        },
    }
}

fn imports(allow: &[String]) -> ExitCode {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let circles = match xtask::imports::check(&root) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("imports: error: {e:#}");
            return ExitCode::from(2);
        }
    };
    let mut failed = false;
    for c in &circles {
        let allowed = allow.contains(&c.krate);
        let files: Vec<String> = c
            .files
            .iter()
            .map(|f| f.strip_prefix(&root).unwrap_or(f).display().to_string())
            .collect();
        println!(
            "imports: {}{}: a circle of {} files across folders: {}",
            c.krate,
            if allowed { " (allowed for now)" } else { "" },
            files.len(),
            files.join(", ")
        );
        failed |= !allowed;
    }
    if failed {
        return ExitCode::FAILURE;
    }
    println!(
        "imports: no circle larger than one folder{}",
        if circles.is_empty() {
            ""
        } else {
            " outside the allowed crates"
        }
    );
    ExitCode::SUCCESS
}

/// Runs `fut` on a multi-threaded runtime; `Err` is the exit code when the runtime cannot start.
fn block_on<F: std::future::Future>(fut: F) -> Result<F::Output, ExitCode> {
    match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => Ok(rt.block_on(fut)),
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            Err(ExitCode::FAILURE)
        }
    }
}
