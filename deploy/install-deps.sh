#!/usr/bin/env bash
# Installs every build, test and run dependency of buildfarm from Debian's packages.
# Idempotent: when everything is already installed it prints nothing and exits 0.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake pkg-config git ca-certificates ccache
  clang libclang-rt-14-dev
  prometheus-cpp-dev libcpp-httplib-dev libyaml-cpp-dev libgit2-dev libhwloc-dev
  nlohmann-json3-dev libvalijson-dev libcli11-dev libsqlite3-dev libssl-dev libcrypt-dev zlib1g-dev
  libbrotli-dev
  # the systemd collector: sd-bus from libsystemd; dbus-daemon hosts its test's fake systemd
  libsystemd-dev dbus
  libgtest-dev libgmock-dev libbenchmark-dev
  # Debian packages (cpack -G DEB): dpkg-shlibdeps; their test's systemd-analyze and systemd-sysusers
  dpkg-dev systemd
  # run and test peers
  prometheus prometheus-alertmanager prometheus-node-exporter
  curl wrk fuse3 libfuse3-dev procps iproute2 sqlite3 python3 openssl
  # the web page's browser test (tests/browser/): headless chromium; node from PATH or Debian's nodejs
  chromium fonts-dejavu-core
)
# Then the browser test's npm package (playwright-core), with Debian's npm when there is no npm.
browser_test_deps() { "$(dirname "${BASH_SOURCE[0]}")/install-browser-test-deps.sh"; }

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && { browser_test_deps; exit 0; }

if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts the packaged daemons on install; the farm runs its own copies on its own ports.
for svc in prometheus prometheus-alertmanager prometheus-node-exporter; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    $SUDO systemctl stop "$svc" >/dev/null 2>&1 || true
    $SUDO systemctl disable "$svc" >/dev/null 2>&1 || true
  fi
done
browser_test_deps
