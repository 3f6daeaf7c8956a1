#!/usr/bin/env bash
# Compares buildfarm-exporter with Debian's node_exporter (prometheus-node-exporter) in the same run:
# both serve the real host on loopback and are scraped by wrk, in two collector sets:
#   ten:  the same 10 collectors on both (cpu meminfo filesystem diskstats hwmon thermal_zone loadavg
#         netdev stat time), the comparison since issue 2;
#   full: each exporter's full default collector set (no collector flags; issue 12). Debian's package
#         also turns on the systemd collector, which upstream 1.5 and buildfarm leave off: node_exporter
#         gets --no-collector.systemd so both run upstream's defaults.
#
# Prints, per set, per exporter and as ratios (buildfarm / node_exporter):
#   CPU time per 1,000 scrapes (from /proc/PID/stat), peak RSS (VmHWM), p50/p99 latency at 1 and at
#   16 connections, and the series count. Each load phase is repeated ROUNDS times with the two
#   exporters alternating, and the medians are printed (the machine is shared and noisy). Each set
#   starts fresh processes, so peak RSS is that set's own.
#
# usage: bench/exporter_vs_node_exporter.sh [BUILD_DIR]     env: ROUNDS=3 SECONDS_PER_RUN=5 SETS="ten full"
set -euo pipefail

BUILD_DIR=${1:-build}
ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
SETS=${SETS:-ten full}
TEN_COLLECTORS=(cpu meminfo filesystem diskstats hwmon thermal_zone loadavg netdev stat time)
OURS="$BUILD_DIR/exporter/buildfarm-exporter"
PEER=/usr/bin/prometheus-node-exporter
for tool in "$OURS" "$PEER" "$(command -v wrk || true)"; do
  [ -n "$tool" ] && [ -x "$tool" ] || { echo "bench: missing $tool (build first; ./deploy/install-deps.sh installs wrk and node_exporter)" >&2; exit 1; }
done

WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
peak_rss_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
series_count() { curl -s "http://127.0.0.1:$1/metrics" | grep -vc '^#'; }
CLK_TCK=$(getconf CLK_TCK)

# One wrk run; prints "requests p50_ms p99_ms cpu_ms_per_1000".
measure() {
  local pid=$1 port=$2 conns=$3 threads=$(( $3 < 2 ? 1 : 2 ))
  local before after out
  before=$(cpu_ticks "$pid")
  out=$(wrk -t"$threads" -c"$conns" -d"${SECONDS_PER_RUN}s" --latency "http://127.0.0.1:$port/metrics")
  after=$(cpu_ticks "$pid")
  echo "$out" | awk -v before="$before" -v after="$after" -v hz="$CLK_TCK" '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    / requests in / { requests = $1 }
    END { cpu_ms = (after - before) * 1000 / hz; printf "%d %.3f %.3f %.1f\n", requests, p50, p99, cpu_ms * 1000 / requests }'
}

median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

# Starts both exporters with the set's flags; sets OUR_PID OUR_PORT PEER_PID PEER_PORT.
start_both() {
  local set=$1 our_flags=() peer_flags=()
  if [ "$set" = ten ]; then
    our_flags=(--collector.disable-defaults)
    for c in "${TEN_COLLECTORS[@]}"; do our_flags+=("--collector.$c"); done
    peer_flags=("${our_flags[@]}")
  elif "$PEER" --help 2>&1 | grep -q -- '--\[no-\]collector.systemd'; then
    peer_flags=(--no-collector.systemd)
  fi
  OUR_PORT=$(free_port)
  "$OURS" --web.listen-address="127.0.0.1:$OUR_PORT" --log.level=warn ${our_flags[@]+"${our_flags[@]}"} >>"$WORK/ours.log" 2>&1 &
  OUR_PID=$!; PIDS+=("$OUR_PID")
  PEER_PORT=$(free_port)
  "$PEER" --web.listen-address="127.0.0.1:$PEER_PORT" --log.level=warn ${peer_flags[@]+"${peer_flags[@]}"} >>"$WORK/peer.log" 2>&1 &
  PEER_PID=$!; PIDS+=("$PEER_PID")
  for port in "$OUR_PORT" "$PEER_PORT"; do
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/metrics" >/dev/null && break; sleep 0.1; done
  done
}

stop_both() { kill "$OUR_PID" "$PEER_PID" 2>/dev/null || true; wait "$OUR_PID" "$PEER_PID" 2>/dev/null || true; }

# Medians of one results[] entry of the running set (bash scoping: run_set's local array).
med() { tr ' ' '\n' <<<"${results[$1]}" | grep -v '^$' | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.3f", a / b }'; }

run_set() {
  local set=$1
  start_both "$set"
  declare -A results
  for round in $(seq "$ROUNDS"); do
    for conns in 1 16; do
      order=(ours peer); (( round % 2 == 0 )) && order=(peer ours)
      for who in "${order[@]}"; do
        if [ "$who" = ours ]; then line=$(measure "$OUR_PID" "$OUR_PORT" "$conns"); else line=$(measure "$PEER_PID" "$PEER_PORT" "$conns"); fi
        read -r _ p50 p99 cpu <<<"$line"
        results[$who.$conns.p50]+="$p50 "; results[$who.$conns.p99]+="$p99 "; results[$who.$conns.cpu]+="$cpu "
      done
    done
  done

  ours_cpu=$(printf '%s\n' "${results[ours.1.cpu]}" "${results[ours.16.cpu]}" | tr ' ' '\n' | grep -v '^$' | median)
  peer_cpu=$(printf '%s\n' "${results[peer.1.cpu]}" "${results[peer.16.cpu]}" | tr ' ' '\n' | grep -v '^$' | median)
  ours_rss=$(peak_rss_kb "$OUR_PID"); peer_rss=$(peak_rss_kb "$PEER_PID")
  ours_series=$(series_count "$OUR_PORT"); peer_series=$(series_count "$PEER_PORT")

  echo
  echo "== set: $set"
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)  load average: $(cut -d" " -f1-3 /proc/loadavg)  rounds: $ROUNDS x ${SECONDS_PER_RUN}s per phase, medians"
  if [ "$set" = ten ]; then echo "collectors: ${TEN_COLLECTORS[*]}"; else echo "collectors: each exporter's full default set"; fi
  printf '%-28s %16s %16s %10s\n' metric buildfarm node_exporter ratio
  printf '%-28s %16s %16s %10s\n' "cpu ms / 1000 scrapes" "$ours_cpu" "$peer_cpu" "$(ratio "$ours_cpu" "$peer_cpu")"
  printf '%-28s %16s %16s %10s\n' "peak RSS (KiB)" "$ours_rss" "$peer_rss" "$(ratio "$ours_rss" "$peer_rss")"
  for conns in 1 16; do
    for q in p50 p99; do
      a=$(med "ours.$conns.$q"); b=$(med "peer.$conns.$q")
      printf '%-28s %16s %16s %10s\n' "$q ms @ $conns conn" "$a" "$b" "$(ratio "$a" "$b")"
    done
  done
  printf '%-28s %16s %16s %10s\n' "series" "$ours_series" "$peer_series" "$(ratio "$ours_series" "$peer_series")"
  stop_both
}

for set in $SETS; do run_set "$set"; done
