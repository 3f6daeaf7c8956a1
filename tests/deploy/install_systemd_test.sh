#!/usr/bin/env bash
# ctest: deploy/install-systemd.sh into a temporary DESTDIR, twice.
#   - binaries, helper, units, example configs, rules, Alertmanager example and cron line land where
#     the units expect them, and the units' @PLACEHOLDERS@ are filled in;
#   - a second run keeps an edited configuration and writes the new example beside it;
#   - every unit restarts always and waits for its /healthz after start, and that wait works;
#   - `systemd-analyze verify` (when the machine has it) accepts the installed units with no warning.
# Usage: install_systemd_test.sh BUILD_DIR
set -euo pipefail
build_dir=$1
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$repo/deploy/install-systemd.sh" --build-dir "$build_dir" --destdir "$root" --prefix /opt/bf >/dev/null

for binary in buildfarm-exporter buildfarm-exporter-publish buildfarm-scheduler buildfarm-agent build-cli; do
  [ -x "$root/opt/bf/bin/$binary" ] || fail "$binary not installed in /opt/bf/bin"
done
[ -x "$root/opt/bf/lib/buildfarm/wait-healthy" ] || fail "wait-healthy not installed"
for file in share/buildfarm/rules/recording.yml share/buildfarm/rules/alerts.yml \
            share/buildfarm/alertmanager.yml share/buildfarm/buildfarm-publish.cron; do
  [ -f "$root/opt/bf/$file" ] || fail "$file not installed"
done
grep -qx '.*buildfarm-exporter publish --once --config.file=/etc/buildfarm/exporter.yml' \
  "$root/opt/bf/share/buildfarm/buildfarm-publish.cron" || fail "cron line missing"

declare -A health=([buildfarm-exporter]=9100 [buildfarm-scheduler]=8080 [buildfarm-agent]=9102)
for unit in buildfarm-exporter buildfarm-scheduler buildfarm-agent; do
  file="$root/etc/systemd/system/$unit.service"
  [ -f "$file" ] || fail "$unit.service not installed"
  ! grep -q '@[A-Z]*@' "$file" || fail "$unit.service has an unreplaced placeholder"
  grep -qx "ExecStart=/opt/bf/bin/$unit .*--config.file=/etc/buildfarm/${unit#buildfarm-}.yml.*" "$file" ||
    fail "$unit.service: ExecStart does not run /opt/bf/bin/$unit with its config"
  grep -qx "ExecStartPost=/opt/bf/lib/buildfarm/wait-healthy http://127.0.0.1:${health[$unit]}/healthz 30" "$file" ||
    fail "$unit.service: no health check on port ${health[$unit]}"
  grep -qx 'Restart=always' "$file" || fail "$unit.service: not Restart=always"
  grep -qx 'WantedBy=multi-user.target' "$file" || fail "$unit.service: no [Install] target"
done

# The units' start check: 0 once the URL answers 2xx, 1 when it never does.
mkdir -p "$root/www" && touch "$root/www/healthz"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$root/www" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$root"' EXIT
"$root/opt/bf/lib/buildfarm/wait-healthy" "http://127.0.0.1:$port/healthz" 10 || fail "wait-healthy: 2xx not seen"
if "$root/opt/bf/lib/buildfarm/wait-healthy" "http://127.0.0.1:$port/missing" 1 2>/dev/null; then
  fail "wait-healthy accepted a 404"
fi
kill "$server"

# Configurations are never overwritten.
echo "# edited by the operator" >>"$root/etc/buildfarm/scheduler.yml"
edited="$(cat "$root/etc/buildfarm/scheduler.yml")"
"$repo/deploy/install-systemd.sh" --build-dir "$build_dir" --destdir "$root" --prefix /opt/bf >/dev/null 2>&1
[ "$(cat "$root/etc/buildfarm/scheduler.yml")" = "$edited" ] || fail "second install overwrote scheduler.yml"
cmp -s "$root/etc/buildfarm/scheduler.yml.example" "$repo/deploy/systemd/examples/scheduler.yml" ||
  fail "second install did not write scheduler.yml.example"

# A missing binary installs nothing.
empty="$(mktemp -d)"
if "$repo/deploy/install-systemd.sh" --build-dir "$empty" --destdir "$root/partial" >/dev/null 2>&1; then
  fail "install succeeded without binaries"
fi
rmdir "$empty"
[ ! -e "$root/partial" ] || fail "a failed install wrote files"

if command -v systemd-analyze >/dev/null 2>&1; then
  # verify --root resolves dependencies (multi-user.target, ...) inside the root: give it the host's.
  mkdir -p "$root/usr/lib/systemd"
  cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"
  output="$(systemd-analyze verify --root="$root" "$root"/etc/systemd/system/buildfarm-*.service 2>&1)" ||
    fail "systemd-analyze verify: $output"
  # verify exits 0 on unknown keys and bad values, but names them.
  [ -z "$output" ] || fail "systemd-analyze verify warns: $output"
  echo "systemd-analyze verify: OK"
else
  echo "systemd-analyze not installed: checked the units' required keys only"
fi
echo "install-systemd: OK"
