#!/usr/bin/env bash
# Submit-to-running latency: buildfarm-scheduler (no Prometheus) and 10 buildfarm-agents on loopback;
# N jobs (`true`, default 200) are submitted one at a time, each once the previous one has started, so
# nodes are free. Per job, the time from the submit response to the job's started_at (the job document),
# and from created_at to started_at (both stamped by the scheduler), are reported as median and p99.
#
#   bench/submit_to_running.sh [N] [AGENTS]     (BUILD_DIR defaults to ./build; binaries must be built)
#
# Everything runs under a temporary directory that is removed on exit, with the processes it started.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$REPO_ROOT/build}"
N="${1:-200}"
AGENTS="${2:-10}"
SCHEDULER="$BUILD_DIR/scheduler/server/buildfarm-scheduler"
AGENT="$BUILD_DIR/agent/buildfarm-agent"
for program in "$SCHEDULER" "$AGENT"; do
  [ -x "$program" ] || { echo "error: $program not built (make buildfarm-scheduler buildfarm-agent)" >&2; exit 1; }
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/submit_to_running.XXXXXX")"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

token() { head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
sha() { printf %s "$1" | sha256sum | cut -d' ' -f1; }

ADMIN="$(token)"
{
  echo "store: {path: $WORK/scheduler.db}"
  echo "tokens:"
  echo "  - {name: admin, role: admin, sha256: $(sha "$ADMIN")}"
} >"$WORK/scheduler.yml"
declare -a AGENT_TOKENS
for i in $(seq 1 "$AGENTS"); do
  AGENT_TOKENS[$i]="$(token)"
  echo "  - {name: b$i, role: agent, node: b$i, sha256: $(sha "${AGENT_TOKENS[$i]}")}" >>"$WORK/scheduler.yml"
done

"$SCHEDULER" --config.file="$WORK/scheduler.yml" --web.listen-address=127.0.0.1:0 \
  >"$WORK/scheduler.log" 2>&1 &
PIDS+=($!)
ADDRESS=""
for _ in $(seq 1 100); do
  ADDRESS="$(grep -o 'msg=listening address=[0-9.:]*' "$WORK/scheduler.log" 2>/dev/null | head -n1 | cut -d= -f3 || true)"
  [ -n "$ADDRESS" ] && break
  sleep 0.1
done
[ -n "$ADDRESS" ] || { echo "error: scheduler did not listen; see log:" >&2; cat "$WORK/scheduler.log" >&2; exit 1; }

for i in $(seq 1 "$AGENTS"); do
  printf %s "${AGENT_TOKENS[$i]}" >"$WORK/b$i.token"
  "$AGENT" --scheduler.url="http://$ADDRESS" --scheduler.token-file="$WORK/b$i.token" --node.name="b$i" \
    --workspace="$WORK/b$i" --web.listen-address=127.0.0.1:0 >"$WORK/b$i.log" 2>&1 &
  PIDS+=($!)
done
for i in $(seq 1 "$AGENTS"); do
  for _ in $(seq 1 100); do grep -q 'msg=registered' "$WORK/b$i.log" && break; sleep 0.1; done
  grep -q 'msg=registered' "$WORK/b$i.log" || { echo "error: agent b$i did not register" >&2; cat "$WORK/b$i.log" >&2; exit 1; }
done

echo "command: $0 $N $AGENTS   (scheduler $ADDRESS, $AGENTS agents, $(nproc) cores)"
URL="http://$ADDRESS" TOKEN="$ADMIN" N="$N" python3 - <<'PY'
import json, os, time, urllib.request
from datetime import datetime

url, token, n = os.environ["URL"], os.environ["TOKEN"], int(os.environ["N"])
headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}

def call(method, path, body=None):
    request = urllib.request.Request(url + path, data=body, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.loads(reply.read())

def unix(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()

from_response, from_created = [], []
for i in range(n):
    job = call("POST", "/api/v1/jobs", json.dumps({"command": "true"}).encode())
    responded = time.time()
    deadline = responded + 30
    while not job.get("started_at"):
        if time.time() > deadline:
            raise SystemExit("job %s did not start within 30 s: %s" % (job["id"], job))
        time.sleep(0.002)
        job = call("GET", "/api/v1/jobs/" + job["id"])
    started = unix(job["started_at"])
    from_response.append(max(0.0, started - responded))
    from_created.append(started - unix(job["created_at"]))

def report(name, values):
    values = sorted(values)
    median = values[len(values) // 2]
    p99 = values[min(len(values) - 1, int(round(0.99 * len(values))) - 1)]
    print("%-34s median %7.1f ms   p99 %7.1f ms   max %7.1f ms" % (name, median * 1e3, p99 * 1e3, values[-1] * 1e3))

print("jobs: %d" % n)
report("submit response -> started_at", from_response)
report("created_at -> started_at", from_created)
PY
