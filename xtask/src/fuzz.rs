//! `cargo xtask fuzz`: every byte parser of `drivers` under libFuzzer (cargo-fuzz), each for a set
//! number of executions, then one summary line per target.
//!
//! cargo-fuzz needs nightly-only rustc flags (sanitizers, coverage passes). The machine has one
//! stable toolchain, so the run sets `RUSTC_BOOTSTRAP=1`, which lets stable rustc accept them; this
//! is for the fuzz build only, never for what ships. cargo-fuzz itself is installed once under
//! `$HOME/.cache/tools/cargo-fuzz` (a stable path, so a warm machine skips it).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;

#[derive(Debug, Args)]
pub struct FuzzArgs {
    /// Executions per target.
    #[arg(long, default_value_t = 1_000_000)]
    pub runs: u64,
    /// Only these targets (default: every target in fuzz/Cargo.toml).
    pub targets: Vec<String>,
}

/// What one target did.
#[derive(Debug)]
pub struct TargetRun {
    pub target: String,
    pub runs: u64,
    pub seconds: f64,
    pub coverage: Option<u64>,
    pub passed: bool,
}

pub fn main(args: &FuzzArgs) -> Result<Vec<TargetRun>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("xtask lives inside the repository")?
        .to_path_buf();
    let cargo_fuzz = install_cargo_fuzz()?;
    let targets = if args.targets.is_empty() {
        list_targets(&cargo_fuzz, &root)?
    } else {
        args.targets.clone()
    };
    let mut results = Vec::new();
    for target in targets {
        let corpus = root.join("target/fuzz-corpus").join(&target);
        std::fs::create_dir_all(&corpus).with_context(|| format!("create {}", corpus.display()))?;
        let start = Instant::now();
        let output = Command::new(&cargo_fuzz)
            .current_dir(&root)
            .env("RUSTC_BOOTSTRAP", "1")
            // The fuzz crate has its own workspace; one target dir beside the main one.
            .env("CARGO_TARGET_DIR", root.join("target/fuzz"))
            .args(["fuzz", "run", &target])
            .arg(&corpus)
            .args(["--", &format!("-runs={}", args.runs), "-print_final_stats=1"])
            .output()
            .with_context(|| format!("run cargo fuzz for {target}"))?;
        let log = String::from_utf8_lossy(&output.stderr);
        let run = TargetRun {
            target: target.clone(),
            runs: stat(&log, "stat::number_of_executed_units:").unwrap_or(0),
            seconds: start.elapsed().as_secs_f64(),
            coverage: last_cov(&log),
            passed: output.status.success(),
        };
        println!(
            "fuzz: target={} runs={} seconds={:.0} cov={} result={}",
            run.target,
            run.runs,
            run.seconds,
            run.coverage.map_or_else(|| "?".into(), |c| c.to_string()),
            if run.passed { "ok" } else { "FAILED" }
        );
        if !run.passed {
            eprintln!("{}", tail(&log, 40));
        }
        results.push(run);
    }
    Ok(results)
}

fn install_cargo_fuzz() -> Result<PathBuf> {
    let home = std::env::var_os("HOME").context("HOME is not set")?;
    let root = PathBuf::from(home).join(".cache/tools/cargo-fuzz");
    let bin = root.join("bin/cargo-fuzz");
    if !bin.exists() {
        let status = Command::new("cargo")
            .args(["install", "cargo-fuzz", "--locked", "--version", "0.13.2", "--root"])
            .arg(&root)
            .status()
            .context("cargo install cargo-fuzz")?;
        if !status.success() {
            bail!("cargo install cargo-fuzz failed");
        }
    }
    Ok(bin)
}

fn list_targets(cargo_fuzz: &Path, root: &Path) -> Result<Vec<String>> {
    let out = Command::new(cargo_fuzz)
        .current_dir(root)
        .args(["fuzz", "list"])
        .output()
        .context("cargo fuzz list")?;
    if !out.status.success() {
        bail!("cargo fuzz list failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

/// `stat::name: N` from libFuzzer's final stats.
fn stat(log: &str, name: &str) -> Option<u64> {
    log.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix(name))
        .and_then(|v| v.trim().parse().ok())
}

/// The last `cov: N` libFuzzer printed.
fn last_cov(log: &str) -> Option<u64> {
    log.lines().rev().find_map(|l| {
        let rest = l.split("cov: ").nth(1)?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

fn tail(log: &str, lines: usize) -> String {
    let all: Vec<&str> = log.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libfuzzer_final_stats() {
        let log = "#1048576\tDONE   cov: 312 ft: 901 corp: 80/2Kb\nDone 1000000 runs in 21 second(s)\n\
                   stat::number_of_executed_units: 1000000\nstat::average_exec_per_sec:     47619\n";
        assert_eq!(stat(log, "stat::number_of_executed_units:"), Some(1_000_000));
        assert_eq!(last_cov(log), Some(312));
    }
}
