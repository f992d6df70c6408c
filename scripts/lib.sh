# Shared by scripts/test and scripts/demo: idempotent installs of what the build needs.

# apt_need PKG…: installs the Debian packages that are not installed yet (as root, or with sudo).
apt_need() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing: ${missing[*]}"
    $sudo apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# System packages every build needs: libclang for the V4L2 (document camera) bindings; the WebKitGTK
# stack of the Tauri desktop apps; Xvfb + WebKitWebDriver for their end-to-end tests; a CJK font so
# Chinese renders in the webviews (and in their screenshots).
system_deps() {
    apt_need libclang-dev build-essential pkg-config libssl-dev \
        libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev \
        xvfb xauth webkit2gtk-driver fonts-wqy-microhei mold
}

# The build's environment, the same for scripts/test, scripts/demo and the xtasks they start (a change
# of any of these rebuilds everything, so they are set in one place):
# - one target dir under $HOME/.cache, so a fresh clone in another folder (CI's) reuses the dependency
#   builds of the last run on this machine (cargo hashes path packages relative to the workspace, so the
#   clone's own crates rebuild and its dependencies do not); CARGO_TARGET_DIR set by hand wins;
# - mold as the linker of host binaries (linking the test binaries and the Tauri apps was a large part
#   of the test build); wasm32 keeps rust-lld.
build_env() {
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/hall-target}"
    if command -v mold >/dev/null 2>&1; then
        export CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS="${CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS:--C link-arg=-fuse-ld=mold}"
    fi
}

# Tools built with cargo, installed once under $HOME/.cache/tools (a stable path: warm machines and
# repeated CI runs skip them). wasm-bindgen-cli is installed by `cargo xtask ui` itself (its version
# must equal the wasm-bindgen crate in Cargo.lock).
TOOLS="$HOME/.cache/tools"
tool_deps() {
    local td="$TOOLS/tauri-driver-2.1.0"
    [ -x "$td/bin/tauri-driver" ] || cargo install --locked --root "$td" tauri-driver@2.1.0
    export TAURI_DRIVER="$td/bin/tauri-driver"
    # cargo-nextest runs the test binaries side by side (one process per test). Machines of this kind
    # ship it; elsewhere it is built once under $TOOLS.
    if ! command -v cargo-nextest >/dev/null 2>&1; then
        local nt="$TOOLS/cargo-nextest-0.9.143"
        [ -x "$nt/bin/cargo-nextest" ] || cargo install --locked --root "$nt" cargo-nextest@0.9.143
        export PATH="$nt/bin:$PATH"
    fi
}
