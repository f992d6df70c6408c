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

# System packages every build needs: libclang for the V4L2 (document camera) bindings.
system_deps() {
    apt_need libclang-dev
}
