#!/usr/bin/env bash
# Runs a one-node farm on loopback: builds, then starts buildfarm-exporter, a real Prometheus
# (Debian's) that scrapes it and the scheduler every 5 s and evaluates alerting/rules/recording.yml
# and alerts.yml, buildfarm-scheduler (reading that Prometheus), a real Alertmanager (Debian's) that
# Prometheus sends alerts to and that calls the scheduler's failover webhook, and one buildfarm-agent
# whose node name is the exporter's `node` label.
# Tokens are random, written only under .farm/ with mode 0600, and never printed; build-cli finds the
# scheduler, the admin token and the CA through .farm/cli.yaml (export BUILDFARM_CONFIG=$PWD/.farm/cli.yaml).
# Every listener serves HTTPS only: a local CA (.farm/tls/ca.crt, made with openssl on the first start)
# signs one certificate for localhost/127.0.0.1, and every client verifies against that CA.
# All state lives under ./.farm/:
#   .farm/pids/<service>.pid   PID of each started program
#   .farm/logs/<service>.log   its stdout and stderr
#   .farm/ports/<service>      the loopback port it listens on
#   .farm/<service>/           its configuration and data
#   .farm/tls/                 the local CA and the servers' certificate; .farm/tls/web.yml is the
#                              web config (exporter-toolkit format) every listener reads
#
#   ./deploy/quickstart.sh         start (idempotent: running services are left alone)
#   ./deploy/quickstart.sh stop    stop what was started, by PID
#   ./deploy/quickstart.sh status  show what is running
#
# Adding a program: write start_<name> (it calls launch) and append <name> to SERVICES; `stop`
# walks SERVICES in reverse order.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FARM="$REPO_ROOT/.farm"
NODE_NAME="${NODE_NAME:-$(hostname -s 2>/dev/null || echo node1)}"
EXPORTER_PORT="${EXPORTER_PORT:-9101}"
PROMETHEUS_PORT="${PROMETHEUS_PORT:-9091}"
SCRAPE_INTERVAL="${SCRAPE_INTERVAL:-5s}"
SCHEDULER_PORT="${SCHEDULER_PORT:-8080}"
AGENT_PORT="${AGENT_PORT:-9181}"
ALERTMANAGER_PORT="${ALERTMANAGER_PORT:-9093}"
SERVICES=(exporter prometheus scheduler alertmanager agent)

# --- process bookkeeping -------------------------------------------------------------------

pid_file() { echo "$FARM/pids/$1.pid"; }

# The PID of a running service, or nothing. A PID file whose process is gone, or whose PID now
# belongs to another program, counts as not running.
running_pid() {
  local file pid program
  file="$(pid_file "$1")"
  [ -f "$file" ] || return 0
  read -r pid program <"$file" || return 0
  if [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] &&
     tr '\0' '\n' <"/proc/$pid/cmdline" | head -n1 | grep -qF "$program"; then
    echo "$pid"
  fi
}

port_in_use() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }

# First free port at or after $1.
free_port() {
  local port=$1
  for _ in $(seq 0 50); do
    port_in_use "$port" || { echo "$port"; return 0; }
    port=$((port + 1))
  done
  die "no free port near $1"
}

# launch NAME PORT PROGRAM ARGS...: starts PROGRAM in the background, records PID and port.
launch() {
  local name=$1 port=$2
  shift 2
  mkdir -p "$FARM/pids" "$FARM/logs" "$FARM/ports"
  nohup "$@" >"$FARM/logs/$name.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid $1" >"$(pid_file "$name")"
  echo "$port" >"$FARM/ports/$name"
  # Until nohup has exec'd the program, /proc shows nohup: wait for the program (a loaded machine can take
  # a while), and fail only once the process is gone.
  for _ in $(seq 1 20); do
    [ -n "$(running_pid "$name")" ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.3
  done
  [ -n "$(running_pid "$name")" ] || die "$name exited at once; see $FARM/logs/$name.log"
}

service_port() { cat "$FARM/ports/$1"; }

# curl verifying the farm's CA.
farm_curl() { curl -fsS --cacert "$FARM/tls/ca.crt" "$@"; }

# Waits up to 15 s for https://127.0.0.1:PORT/PATH to answer 2xx, else stops naming the service's log.
await_healthy() {
  local name=$1 port=$2 path=$3
  wait_until 15 "$name" farm_curl "https://127.0.0.1:$port$path" ||
    die "$name did not answer on https://127.0.0.1:$port$path; see $FARM/logs/$name.log"
}

# The local CA and the certificate every loopback listener presents (kept across restarts; remove
# .farm/tls to make new ones), and the web config that turns TLS on.
make_tls() {
  local tls="$FARM/tls"
  mkdir -p "$tls"
  if [ ! -s "$tls/ca.crt" ] || [ ! -s "$tls/server.crt" ]; then
    log_step "creating a local CA and a certificate for localhost in $tls"
    (umask 077
     openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
       -subj "/CN=buildfarm quickstart CA" -addext "basicConstraints=critical,CA:TRUE" \
       -addext "keyUsage=critical,keyCertSign,cRLSign" -keyout "$tls/ca.key" -out "$tls/ca.crt" 2>/dev/null
     openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=localhost" \
       -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
     printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
       >"$tls/server.ext"
     openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial -days 825 \
       -extfile "$tls/server.ext" -out "$tls/server.crt" 2>/dev/null) ||
      die "openssl could not create the farm's certificates in $tls"
    chmod 644 "$tls/ca.crt" "$tls/server.crt"
  fi
  cat >"$tls/web.yml" <<YAML
# Written by deploy/quickstart.sh: the web config (exporter-toolkit format) of every listener.
tls_server_config:
  cert_file: $tls/server.crt
  key_file: $tls/server.key
  min_version: TLS12
YAML
}

# wait_until SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.5 s.
wait_until() {
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

# --- services ------------------------------------------------------------------------------

start_exporter() {
  local port
  port="$(free_port "$EXPORTER_PORT")"
  mkdir -p "$FARM/exporter"
  cat >"$FARM/exporter/config.yml" <<YAML
# Written by deploy/quickstart.sh.
node_name: $NODE_NAME
YAML
  launch exporter "$port" "$BUILD_DIR/exporter/buildfarm-exporter" \
    --web.listen-address="127.0.0.1:$port" --config.file="$FARM/exporter/config.yml" \
    --web.config.file="$FARM/tls/web.yml"
  await_healthy exporter "$port" /healthz
}

# Writes Prometheus's configuration: the exporter always; the scheduler and Alertmanager once they
# run (start_scheduler and start_alertmanager rewrite it and reload Prometheus).
write_prometheus_config() {
  local exporter_port
  exporter_port="$(service_port exporter)"
  mkdir -p "$FARM/prometheus/data"
  {
    cat <<YAML
# Written by deploy/quickstart.sh.
global:
  scrape_interval: $SCRAPE_INTERVAL
  evaluation_interval: $SCRAPE_INTERVAL
rule_files:
  - $REPO_ROOT/alerting/rules/recording.yml
  - $REPO_ROOT/alerting/rules/alerts.yml
scrape_configs:
  - job_name: node                # node-mixin's default job name; buildfarm's rules need only the node label
    scheme: https
    tls_config: {ca_file: $FARM/tls/ca.crt}
    static_configs:
      - targets: ["127.0.0.1:$exporter_port"]
        labels:
          node: "$NODE_NAME"
YAML
    if [ -n "$(running_pid scheduler)" ]; then
      cat <<YAML
  - job_name: buildfarm-scheduler
    scheme: https
    tls_config: {ca_file: $FARM/tls/ca.crt}
    static_configs:
      - targets: ["127.0.0.1:$(service_port scheduler)"]
YAML
    fi
    if [ -n "$(running_pid alertmanager)" ]; then
      cat <<YAML
alerting:
  alertmanagers:
    - scheme: https
      tls_config: {ca_file: $FARM/tls/ca.crt}
      static_configs:
          - targets: ["127.0.0.1:$(service_port alertmanager)"]
YAML
    fi
  } >"$FARM/prometheus/prometheus.yml"
}

start_prometheus() {
  local port
  port="$(free_port "$PROMETHEUS_PORT")"
  write_prometheus_config
  launch prometheus "$port" /usr/bin/prometheus \
    --config.file="$FARM/prometheus/prometheus.yml" \
    --storage.tsdb.path="$FARM/prometheus/data" \
    --storage.tsdb.retention.time=2d \
    --web.enable-lifecycle \
    --web.config.file="$FARM/tls/web.yml" \
    --web.listen-address="127.0.0.1:$port"
  await_healthy prometheus "$port" /-/ready
}

# Rewrites Prometheus's configuration and has it reload (the HTTP reload reports a bad file at once).
reload_prometheus() {
  [ -n "$(running_pid prometheus)" ] || return 0
  write_prometheus_config
  farm_curl -X POST "https://127.0.0.1:$(service_port prometheus)/-/reload" >/dev/null ||
    die "Prometheus did not reload $FARM/prometheus/prometheus.yml; see $FARM/logs/prometheus.log"
}

# secret_file PATH: creates PATH (mode 0600) holding a random token unless it exists; never prints it.
secret_file() {
  local file=$1
  if [ ! -s "$file" ]; then
    mkdir -p "$(dirname "$file")"
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$file")
  fi
  chmod 600 "$file"
}

sha256_of_file() { sha256sum <"$1" | cut -d' ' -f1; }
# The agent's `arch` label (Go's names, as agent/capacity.cc gives them), pinned on its token.
go_arch() {
  case "$(uname -m)" in
    x86_64) echo amd64 ;; aarch64|arm64) echo arm64 ;; i386|i686) echo 386 ;; armv*) echo arm ;; *) uname -m ;;
  esac
}

start_scheduler() {
  local port
  port="$(free_port "$SCHEDULER_PORT")"
  mkdir -p "$FARM/scheduler"
  secret_file "$FARM/scheduler/admin.token"
  secret_file "$FARM/agent/agent.token"
  secret_file "$FARM/alertmanager/alertmanager.token"
  (umask 077 && cat >"$FARM/scheduler/config.yml" <<YAML
# Written by deploy/quickstart.sh. Tokens are kept as SHA-256 digests; the tokens themselves are in
# .farm/scheduler/admin.token, .farm/agent/agent.token and .farm/alertmanager/alertmanager.token
# (Alertmanager's, for the failover webhook).
store: {path: $FARM/scheduler/scheduler.db}
tokens:
  - {name: admin, role: admin, sha256: $(sha256_of_file "$FARM/scheduler/admin.token")}
  - {name: alertmanager, role: webhook, sha256: $(sha256_of_file "$FARM/alertmanager/alertmanager.token")}
  - {name: $NODE_NAME, role: agent, node: $NODE_NAME, sha256: $(sha256_of_file "$FARM/agent/agent.token"),
     labels: {os: linux, arch: $(go_arch)}}
prometheus:
  url: https://127.0.0.1:$(service_port prometheus)
  ca_file: $FARM/tls/ca.crt
  refresh_interval: $SCRAPE_INTERVAL
web_config_file: $FARM/tls/web.yml   # HTTPS only
YAML
  )
  launch scheduler "$port" "$BUILD_DIR/scheduler/server/buildfarm-scheduler" \
    --web.listen-address="127.0.0.1:$port" --config.file="$FARM/scheduler/config.yml"
  await_healthy scheduler "$port" /healthz
  (umask 077 && printf 'url: https://127.0.0.1:%s\ntoken: %s\nca_file: %s\n' "$port" \
    "$(cat "$FARM/scheduler/admin.token")" "$FARM/tls/ca.crt" >"$FARM/cli.yaml")
  chmod 600 "$FARM/cli.yaml"
  reload_prometheus
  # A scheduler restarted on another port: point the running Alertmanager's webhook at it.
  if [ -n "$(running_pid alertmanager)" ]; then
    write_alertmanager_config
    farm_curl -X POST "https://127.0.0.1:$(service_port alertmanager)/-/reload" >/dev/null ||
      die "Alertmanager did not reload; see $FARM/logs/alertmanager.log"
  fi
}

# Alertmanager's configuration: alerting/alertmanager.yml with the webhook pointed at this
# scheduler over HTTPS (verified against the farm's CA) and the credentials file at the quickstart's token.
write_alertmanager_config() {
  local webhook="https://127.0.0.1:$(service_port scheduler)/api/v1/alertmanager"
  local config="$FARM/alertmanager/alertmanager.yml"
  mkdir -p "$FARM/alertmanager/data"
  sed -e "s#https://127.0.0.1:8080/api/v1/alertmanager#$webhook#" \
      -e "s#credentials_file: /etc/buildfarm/alertmanager.token#credentials_file: $FARM/alertmanager/alertmanager.token#" \
      -e "s%# tls_config: {ca_file: /etc/buildfarm/ca.crt}.*%tls_config: {ca_file: $FARM/tls/ca.crt}%" \
      "$REPO_ROOT/alerting/alertmanager.yml" >"$config"
  grep -qF "$webhook" "$config" && grep -qF "$FARM/alertmanager/alertmanager.token" "$config" &&
    grep -qF "tls_config: {ca_file: $FARM/tls/ca.crt}" "$config" ||
    die "alerting/alertmanager.yml no longer has the webhook URL, token path and tls_config line this script rewrites"
  amtool check-config "$config" >/dev/null || die "generated $config does not pass amtool check-config"
}

# Alertmanager on loopback with clustering off; Prometheus is then told where it is.
start_alertmanager() {
  local port
  port="$(free_port "$ALERTMANAGER_PORT")"
  write_alertmanager_config
  launch alertmanager "$port" /usr/bin/prometheus-alertmanager \
    --config.file="$FARM/alertmanager/alertmanager.yml" \
    --storage.path="$FARM/alertmanager/data" \
    --web.config.file="$FARM/tls/web.yml" \
    --web.listen-address="127.0.0.1:$port" \
    --cluster.listen-address=
  await_healthy alertmanager "$port" /-/ready
  reload_prometheus
}

start_agent() {
  local port
  port="$(free_port "$AGENT_PORT")"
  mkdir -p "$FARM/agent/workspace"
  launch agent "$port" "$BUILD_DIR/agent/buildfarm-agent" \
    --scheduler.url="https://127.0.0.1:$(service_port scheduler)" --scheduler.ca-file="$FARM/tls/ca.crt" \
    --scheduler.token-file="$FARM/agent/agent.token" --node.name="$NODE_NAME" \
    --workspace="$FARM/agent/workspace" --web.listen-address="127.0.0.1:$port" \
    --web.config.file="$FARM/tls/web.yml"
  await_healthy agent "$port" /readyz
}

prometheus_target_up() {
  farm_curl "https://127.0.0.1:$(service_port prometheus)/api/v1/query" \
    --data-urlencode 'query=up{job="node"}' | grep -q '"value":\[[0-9.]*,"1"\]'
}

# --- commands ------------------------------------------------------------------------------

cmd_start() {
  ensure_deps
  configure_build
  build_targets buildfarm-exporter buildfarm-scheduler buildfarm-agent build-cli
  make_tls
  for service in "${SERVICES[@]}"; do
    if [ -n "$(running_pid "$service")" ]; then
      log_step "$service already running (pid $(running_pid "$service"), port $(service_port "$service"))"
    else
      log_step "starting $service"
      "start_$service"
    fi
  done
  log_step "waiting for Prometheus to scrape the exporter"
  wait_until 60 "target up" prometheus_target_up ||
    die "Prometheus does not report the exporter up; see $FARM/logs/"
  local exporter_url="https://127.0.0.1:$(service_port exporter)"
  local prometheus_url="https://127.0.0.1:$(service_port prometheus)"
  local scheduler_url="https://127.0.0.1:$(service_port scheduler)"
  local alertmanager_url="https://127.0.0.1:$(service_port alertmanager)"
  cat <<TEXT

buildfarm is running (node "$NODE_NAME"):
  exporter    $exporter_url/metrics   ($exporter_url/healthz)
  prometheus  $prometheus_url/graph?g0.expr=node_load1
              $prometheus_url/targets   $prometheus_url/alerts
  alertmanager $alertmanager_url/   (failover alerts -> $scheduler_url/api/v1/alertmanager)
  scheduler   $scheduler_url/   (API $scheduler_url/api/v1/, agent "$NODE_NAME")
  web page    $scheduler_url/   (paste the token from .farm/cli.yaml once)
logs in .farm/logs/, PIDs in .farm/pids/
Every URL is HTTPS, signed by the farm's local CA $FARM/tls/ca.crt
(curl --cacert it, or import it into your browser to open the pages without a warning).

Use build-cli (build/cli/build-cli) with the admin token in .farm/cli.yaml:
  export BUILDFARM_CONFIG=$REPO_ROOT/.farm/cli.yaml
  build-cli submit --command 'echo hi'
  build-cli logs JOB -f
stop with: ./deploy/quickstart.sh stop
TEXT
}

cmd_stop() {
  local i service pid
  for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do
    service=${SERVICES[i]}
    pid="$(running_pid "$service")"
    if [ -n "$pid" ]; then
      log_step "stopping $service (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      if kill -0 "$pid" 2>/dev/null; then
        log_step "$service did not stop in 10 s; killing pid $pid"
        kill -KILL "$pid" 2>/dev/null || true
      fi
    fi
    rm -f "$(pid_file "$service")" "$FARM/ports/$service"
  done
}

cmd_status() {
  local service pid
  for service in "${SERVICES[@]}"; do
    pid="$(running_pid "$service")"
    if [ -n "$pid" ]; then
      echo "$service: running, pid $pid, https://127.0.0.1:$(service_port "$service")"
    else
      echo "$service: stopped"
    fi
  done
}

case "${1:-start}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac
