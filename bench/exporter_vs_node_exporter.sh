#!/usr/bin/env bash
# Compares buildfarm-exporter with Debian's node_exporter (prometheus-node-exporter) in the same run:
# both serve the same collector set from the real host on loopback and are scraped by wrk.
#
# Prints, per exporter and as ratios (buildfarm / node_exporter):
#   CPU time per 1,000 scrapes (from /proc/PID/stat), peak RSS (VmHWM), p50/p99 latency at 1 and at
#   16 connections, and the series count. Each load phase is repeated ROUNDS times with the two
#   exporters alternating, and the medians are printed (the machine is shared and noisy).
#
# usage: bench/exporter_vs_node_exporter.sh [BUILD_DIR]     env: ROUNDS=3 SECONDS_PER_RUN=5
set -euo pipefail

BUILD_DIR=${1:-build}
ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
COLLECTORS=(cpu meminfo filesystem diskstats hwmon thermal_zone loadavg netdev stat time)
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

collector_flags=(--collector.disable-defaults)
for c in "${COLLECTORS[@]}"; do collector_flags+=("--collector.$c"); done

OUR_PORT=$(free_port)
"$OURS" --web.listen-address="127.0.0.1:$OUR_PORT" --log.level=warn "${collector_flags[@]}" >"$WORK/ours.log" 2>&1 &
OUR_PID=$!; PIDS+=("$OUR_PID")
PEER_PORT=$(free_port)
"$PEER" --web.listen-address="127.0.0.1:$PEER_PORT" --log.level=warn "${collector_flags[@]}" >"$WORK/peer.log" 2>&1 &
PEER_PID=$!; PIDS+=("$PEER_PID")

for port in "$OUR_PORT" "$PEER_PORT"; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/metrics" >/dev/null && break; sleep 0.1; done
done

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

med() { tr ' ' '\n' <<<"${results[$1]}" | grep -v '^$' | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.3f", a / b }'; }

ours_cpu=$(printf '%s\n' "${results[ours.1.cpu]}" "${results[ours.16.cpu]}" | tr ' ' '\n' | grep -v '^$' | median)
peer_cpu=$(printf '%s\n' "${results[peer.1.cpu]}" "${results[peer.16.cpu]}" | tr ' ' '\n' | grep -v '^$' | median)
ours_rss=$(peak_rss_kb "$OUR_PID"); peer_rss=$(peak_rss_kb "$PEER_PID")
ours_series=$(series_count "$OUR_PORT"); peer_series=$(series_count "$PEER_PORT")

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)  rounds: $ROUNDS x ${SECONDS_PER_RUN}s per phase, medians"
echo "collectors: ${COLLECTORS[*]}"
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
