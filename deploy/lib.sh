# Shared steps for deploy/*.sh: dependency install, configure and build.
# Sourced, not run. Callers set `set -euo pipefail` themselves.
#
# Everything works from the repository root (REPO_ROOT), whatever the caller's working directory.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$REPO_ROOT/build}"
BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}"
BUILD_JOBS="${BUILD_JOBS:-2}"
# Paths relative to the checkout in ccache's hashes, so another clone of the same tree (CI's, a worktree)
# hits the same cache entries.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$REPO_ROOT}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"

log_step() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Installs whatever Debian packages are missing (quiet when nothing is).
ensure_deps() {
  log_step "checking dependencies"
  "$REPO_ROOT/deploy/install-deps.sh"
}

# configure_build [BUILD_DIR [CMAKE_ARG...]]
# Configures a build dir (default $BUILD_DIR) with clang, so that the libFuzzer targets can be built, plus any
# extra cmake arguments (e.g. -DBUILDFARM_SANITIZE=thread). A build dir configured with another compiler is
# reconfigured from scratch.
configure_build() {
  local dir="${1:-$BUILD_DIR}"
  [ $# -gt 0 ] && shift
  local cache="$dir/CMakeCache.txt"
  if [ -f "$cache" ] && ! grep -q '^CMAKE_CXX_COMPILER:[A-Z]*=.*clang++' "$cache"; then
    log_step "build dir $dir was configured with another compiler; reconfiguring"
    rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
  fi
  log_step "configuring $dir ($BUILD_TYPE, clang${*:+, $*})"
  # ccache makes rebuilds (and builds of other checkouts of the same tree) cheap on 2-core machines.
  local launcher=()
  if command -v ccache >/dev/null 2>&1; then
    launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  CC=clang CXX=clang++ cmake -S "$REPO_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE="$BUILD_TYPE" "${launcher[@]}" "$@" >/dev/null
}

# Builds every target of $BUILD_DIR, or only the named ones.
build_targets() {
  log_step "building${*:+ $*}"
  if [ $# -eq 0 ]; then
    cmake --build "$BUILD_DIR" -j"$BUILD_JOBS"
  else
    cmake --build "$BUILD_DIR" -j"$BUILD_JOBS" --target "$@"
  fi
}
