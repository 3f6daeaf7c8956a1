#!/usr/bin/env bash
# Resident memory of buildfarm-exporter after a few scrapes, for two builds of it side by side (issue 12:
# git publishing moved out of the scrape-serving process). Each binary serves the real host on loopback
# with its default collectors and the same config; after SCRAPES scrapes of /metrics, VmRSS and VmHWM
# are read from /proc. ROUNDS rounds alternate the binaries; the medians are printed, in KiB. With
# PUBLISH=1 the config has a publish: section (a file:// repository in a scratch dir), and the
# publishing child's VmRSS (the children of the exporter) is printed too. Then wrk scrapes it over
# CONNS keep-alive connections for 3 s and the peak (VmHWM) under that load is printed (wrk_VmHWM;
# CONNS=0 skips it).
#
# usage: bench/exporter_rss.sh OLD_EXPORTER NEW_EXPORTER     env: ROUNDS=5 SCRAPES=5 PUBLISH=0 CONNS=16
set -euo pipefail
OLD=$1
NEW=$2
ROUNDS=${ROUNDS:-5}
SCRAPES=${SCRAPES:-5}
PUBLISH=${PUBLISH:-0}
CONNS=${CONNS:-16}
WORK=$(mktemp -d)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

echo "node_name: bench" >"$WORK/exporter.yml"
if [ "$PUBLISH" = 1 ]; then
  git init -q --bare "$WORK/farm.git"
  printf 'publish:\n  remote: file://%s/farm.git\n  branch: status\n  state_dir: %s/state\n' \
    "$WORK" "$WORK" >>"$WORK/exporter.yml"
fi

kib() { awk -v key="$1:" '$1 == key { print $2 }' "/proc/$2/status"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Prints "VmRSS VmHWM CHILDREN_VmRSS WRK_VmHWM" for one run of binary $1.
measure() {
  "$1" --web.listen-address=127.0.0.1:0 --config.file="$WORK/exporter.yml" >"$WORK/log" 2>&1 &
  PID=$!
  local address=
  for _ in $(seq 200); do
    address=$(sed -n 's/.*msg=listening address=\([^ ]*\).*/\1/p' "$WORK/log" | head -1)
    [ -n "$address" ] && break
    sleep 0.05
  done
  [ -n "$address" ] || { cat "$WORK/log" >&2; exit 1; }
  for _ in $(seq "$SCRAPES"); do curl -sf --retry 5 --retry-connrefused "http://$address/metrics" >/dev/null; done
  local children=0
  for child in $(cat "/proc/$PID/task/"*/children 2>/dev/null); do children=$((children + $(kib VmRSS "$child"))); done
  local quiet="$(kib VmRSS "$PID") $(kib VmHWM "$PID") $children" loaded=0
  if [ "$CONNS" -gt 0 ]; then
    wrk -t2 -c"$CONNS" -d3s "http://$address/metrics" >/dev/null
    loaded=$(kib VmHWM "$PID")
  fi
  echo "$quiet $loaded"
  kill "$PID"
  wait "$PID" 2>/dev/null || true
  PID=
}

for round in $(seq "$ROUNDS"); do
  measure "$OLD" >>"$WORK/old"
  measure "$NEW" >>"$WORK/new"
done
printf '%-6s %10s %10s %16s %12s\n' build VmRSS VmHWM child_VmRSS wrk_VmHWM
for build in old new; do
  printf '%-6s %10s %10s %16s %12s\n' "$build" "$(cut -d' ' -f1 "$WORK/$build" | median)" \
    "$(cut -d' ' -f2 "$WORK/$build" | median)" "$(cut -d' ' -f3 "$WORK/$build" | median)" \
    "$(cut -d' ' -f4 "$WORK/$build" | median)"
done
