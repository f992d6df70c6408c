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
        xvfb xauth webkit2gtk-driver fonts-wqy-microhei
}

# Tools built with cargo, installed once under $HOME/.cache/tools (a stable path: warm machines and
# repeated CI runs skip them). wasm-bindgen-cli is installed by `cargo xtask ui` itself (its version
# must equal the wasm-bindgen crate in Cargo.lock).
TOOLS="$HOME/.cache/tools"
tool_deps() {
    local td="$TOOLS/tauri-driver-2.1.0"
    [ -x "$td/bin/tauri-driver" ] || cargo install --locked --root "$td" tauri-driver@2.1.0
    export TAURI_DRIVER="$td/bin/tauri-driver"
}
