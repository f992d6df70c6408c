//! `cargo xtask ui [--release] [APP…]`: builds the Leptos UIs of the desktop apps into `<app>/ui/dist`,
//! which the Tauri shell embeds when it compiles (so this runs before any build of an app).
//!
//! No trunk: a plain `cargo build --target wasm32-unknown-unknown`, then `wasm-bindgen --target web`
//! (the CLI pinned to the `wasm-bindgen` version in Cargo.lock, installed once under
//! `$HOME/.cache/tools`), then the static files (`index.html`, `app.css`) and the kit's theme are
//! copied beside it. Fewer tools to install on a fresh machine than trunk (trunk alone costs ~10 min
//! to build on two cores).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Must equal the `wasm-bindgen` crate version pinned in the workspace (`=0.2.130`).
pub const WASM_BINDGEN_VERSION: &str = "0.2.130";

/// The apps with a UI, by directory.
pub const APPS: [&str; 4] = ["window-terminal", "command-center", "kiosk-app", "lawyer-desk"];

#[derive(clap::Args, Debug)]
pub struct UiArgs {
    /// Optimised wasm (smaller, slower to build); the default is a dev build.
    #[arg(long)]
    pub release: bool,
    /// Only these apps (directory names); all by default.
    pub apps: Vec<String>,
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// The wasm-bindgen CLI of the pinned version, installed under `$HOME/.cache/tools` when missing.
pub fn wasm_bindgen() -> Result<PathBuf> {
    let home = std::env::var_os("HOME").context("HOME is not set")?;
    let root = PathBuf::from(home).join(format!(".cache/tools/wasm-bindgen-{WASM_BINDGEN_VERSION}"));
    let bin = root.join("bin/wasm-bindgen");
    if !bin.exists() {
        // Not --locked: a dependency version in the CLI's own lock file is no longer in the registry.
        let status = Command::new("cargo")
            .args(["install", &format!("wasm-bindgen-cli@{WASM_BINDGEN_VERSION}"), "--root"])
            .arg(&root)
            .status()
            .context("cargo install wasm-bindgen-cli")?;
        if !status.success() {
            bail!("cargo install wasm-bindgen-cli@{WASM_BINDGEN_VERSION} failed");
        }
    }
    Ok(bin)
}

pub fn main(args: &UiArgs) -> Result<()> {
    let root = workspace_root();
    let apps: Vec<&str> = if args.apps.is_empty() {
        APPS.to_vec()
    } else {
        for a in &args.apps {
            if !APPS.contains(&a.as_str()) {
                bail!("unknown app {a:?}; expected one of {}", APPS.join(", "));
            }
        }
        args.apps.iter().map(String::as_str).collect()
    };
    let bindgen = wasm_bindgen()?;
    let target_dir = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let profile = if args.release { "release" } else { "debug" };

    // One cargo invocation for all UIs: shared dependencies build once.
    let mut build = Command::new(env!("CARGO"));
    build
        .current_dir(&root)
        .args(["build", "--target", "wasm32-unknown-unknown"]);
    if args.release {
        build.arg("--release");
    }
    if std::env::var_os("CI").is_some() {
        build.arg("--locked");
    }
    for app in &apps {
        build.args(["-p", &format!("{app}-ui")]);
    }
    let status = build.status().context("cargo build (wasm32)")?;
    if !status.success() {
        bail!("building the UIs for wasm32 failed");
    }

    for app in &apps {
        let crate_name = format!("{app}-ui");
        let wasm = target_dir.join(format!("wasm32-unknown-unknown/{profile}/{crate_name}.wasm"));
        let dist = root.join(app).join("ui/dist");
        std::fs::create_dir_all(&dist).with_context(|| format!("create {}", dist.display()))?;
        let status = Command::new(&bindgen)
            .args(["--target", "web", "--no-typescript", "--out-name", "app", "--out-dir"])
            .arg(&dist)
            .arg(&wasm)
            .status()
            .context("wasm-bindgen")?;
        if !status.success() {
            bail!("wasm-bindgen failed for {app}");
        }
        let statics = root.join(app).join("ui/static");
        for entry in std::fs::read_dir(&statics).with_context(|| format!("read {}", statics.display()))? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                copy_if_changed(&entry.path(), &dist.join(entry.file_name()))?;
            }
        }
        copy_if_changed(&root.join("ui-kit/style/theme.css"), &dist.join("theme.css"))?;
        let size = std::fs::metadata(dist.join("app_bg.wasm"))
            .map(|m| m.len())
            .unwrap_or(0);
        println!("ui: {app} -> {} ({} KiB wasm)", dist.display(), size / 1024);
    }
    Ok(())
}

/// Copies only when the bytes differ, so the Tauri shell (which embeds `dist/`) does not rebuild for
/// nothing.
fn copy_if_changed(from: &Path, to: &Path) -> Result<()> {
    let new = std::fs::read(from).with_context(|| format!("read {}", from.display()))?;
    if std::fs::read(to).ok().as_deref() != Some(&new[..]) {
        std::fs::write(to, &new).with_context(|| format!("write {}", to.display()))?;
    }
    Ok(())
}
