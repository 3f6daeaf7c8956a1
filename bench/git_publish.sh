#!/usr/bin/env bash
# Git publisher: time for a status update to be visible in the remote (median, p99) and repository
# growth per UPDATES updates, with bounded history off and on. The remote is a bare repository served
# by `git daemon` on loopback (git://), as in the integration tests.
#
#   bench/git_publish.sh [UPDATES] [HISTORY_LIMIT]     (default 1000 and 60; BUILD_DIR defaults to ./build;
#                                                        build the git_publish_bench target first)
#
# For each mode it reports the bench's latency line, then the bare repository's size (du -sb) and
# `git count-objects -v` (size-pack + size in KiB), before and after `git gc --prune=now` (a server's
# periodic gc: with bounded history the replaced snapshots become unreachable and go away), and the
# branch's commit count. Everything runs under a temporary directory removed on exit.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$REPO_ROOT/build}"
UPDATES="${1:-1000}"
LIMIT="${2:-60}"
BENCH="$BUILD_DIR/bench/git_publish_bench"
[ -x "$BENCH" ] || { echo "error: $BENCH not built (cmake --build build --target git_publish_bench)" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/git_publish.XXXXXX")"
DAEMON_PID=""
cleanup() {
  if [ -n "$DAEMON_PID" ]; then kill -TERM "$DAEMON_PID" 2>/dev/null || true; wait "$DAEMON_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
mkdir -p "$WORK/served"
git daemon --export-all --enable=receive-pack --reuseaddr --base-path="$WORK/served" --listen=127.0.0.1 \
  --port="$PORT" "$WORK/served" >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done

kib() { git --git-dir="$1" count-objects -v | awk '/^size(-pack)?:/ {s += $2} END {print s}'; }

run() {
  local name="$1" limit="$2"
  local repo="$WORK/served/$name.git"
  git init --quiet --bare "$repo"
  echo "== $name (history_limit=$limit, $UPDATES updates)"
  "$BENCH" "git://127.0.0.1:$PORT/$name.git" "$WORK/state-$name" "$UPDATES" "$limit"
  local last
  last="$(git --git-dir="$repo" show status:nodes/bench/status.json | sed 's/.*"seq":\([0-9]*\).*/\1/')"
  [ "$last" = "$UPDATES" ] || { echo "error: remote holds seq $last, want $UPDATES" >&2; exit 1; }
  echo "commits on status: $(git --git-dir="$repo" rev-list --count status)"
  echo "bare repo: $(du -sb "$repo" | cut -f1) bytes, count-objects $(kib "$repo") KiB"
  git --git-dir="$repo" gc --quiet --prune=now
  echo "after gc --prune=now: $(du -sb "$repo" | cut -f1) bytes, count-objects $(kib "$repo") KiB"
  echo "publisher mirror: $(du -sb "$WORK/state-$name" | cut -f1) bytes"
}

run unbounded 0
run bounded "$LIMIT"
