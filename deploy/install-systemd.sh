#!/usr/bin/env bash
# Installs the buildfarm binaries, their systemd units and example configurations.
#
#   deploy/install-systemd.sh [--prefix DIR] [--build-dir DIR] [--destdir DIR]
#
#   --prefix     where binaries go: PREFIX/bin, helpers in PREFIX/lib/buildfarm, rules and the
#                Alertmanager/cron examples in PREFIX/share/buildfarm (default /usr/local)
#   --build-dir  where the built binaries are (default ./build)
#   --destdir    staging root, as DESTDIR for packaging or tests (default $DESTDIR, else none)
#
# Units go to DESTDIR/etc/systemd/system, configurations to DESTDIR/etc/buildfarm. An existing
# configuration is never overwritten (the new example is written next to it as NAME.example). Only
# without DESTDIR does the script touch the running system: it creates the `buildfarm` user that
# buildfarm-agent runs as and runs `systemctl daemon-reload`. It enables and starts nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PREFIX=/usr/local
DESTDIR="${DESTDIR:-}"
BINARIES=(exporter/buildfarm-exporter scheduler/server/buildfarm-scheduler agent/buildfarm-agent
          cli/build-cli)
UNITS=(buildfarm-exporter buildfarm-scheduler buildfarm-agent)
CONFIGS=(exporter scheduler agent)

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || usage; PREFIX=$2; shift 2 ;;
    --prefix=*) PREFIX=${1#*=}; shift ;;
    --build-dir) [ $# -ge 2 ] || usage; BUILD_DIR=$2; shift 2 ;;
    --build-dir=*) BUILD_DIR=${1#*=}; shift ;;
    --destdir) [ $# -ge 2 ] || usage; DESTDIR=$2; shift 2 ;;
    --destdir=*) DESTDIR=${1#*=}; shift ;;
    -h|--help) usage ;;
    *) echo "install-systemd.sh: unknown argument: $1" >&2; usage ;;
  esac
done
case "$PREFIX" in /*) ;; *) die "--prefix must be an absolute path, got: $PREFIX" ;; esac

BINDIR="$PREFIX/bin"
LIBEXECDIR="$PREFIX/lib/buildfarm"
SHAREDIR="$PREFIX/share/buildfarm"
UNITDIR=/etc/systemd/system
CONFDIR=/etc/buildfarm

# Everything is checked before anything is written, so a missing binary installs nothing.
for binary in "${BINARIES[@]}"; do
  [ -x "$BUILD_DIR/$binary" ] || die "missing $BUILD_DIR/$binary: build first (cmake --build $BUILD_DIR)"
done

log_step "installing into ${DESTDIR:-/} (prefix $PREFIX)"
install -d "$DESTDIR$BINDIR" "$DESTDIR$LIBEXECDIR" "$DESTDIR$SHAREDIR/rules" "$DESTDIR$UNITDIR"
install -d -m 0755 "$DESTDIR$CONFDIR"
for binary in "${BINARIES[@]}"; do
  install -m 0755 "$BUILD_DIR/$binary" "$DESTDIR$BINDIR/"
done
install -m 0755 "$REPO_ROOT/deploy/systemd/wait-healthy" "$DESTDIR$LIBEXECDIR/wait-healthy"

for unit in "${UNITS[@]}"; do
  sed -e "s#@BINDIR@#$BINDIR#g" -e "s#@LIBEXECDIR@#$LIBEXECDIR#g" \
    "$REPO_ROOT/deploy/systemd/$unit.service" >"$DESTDIR$UNITDIR/$unit.service.tmp"
  chmod 0644 "$DESTDIR$UNITDIR/$unit.service.tmp"
  mv "$DESTDIR$UNITDIR/$unit.service.tmp" "$DESTDIR$UNITDIR/$unit.service"
done

# Mode 0644: the exporter and scheduler run as systemd dynamic users, and the scheduler's file holds
# only SHA-256 digests of tokens. The tokens themselves belong in separate 0640/0600 files.
for config in "${CONFIGS[@]}"; do
  target="$DESTDIR$CONFDIR/$config.yml"
  if [ -e "$target" ]; then
    install -m 0644 "$REPO_ROOT/deploy/systemd/examples/$config.yml" "$target.example"
    log_step "kept existing $CONFDIR/$config.yml (new example in $config.yml.example)"
  else
    install -m 0644 "$REPO_ROOT/deploy/systemd/examples/$config.yml" "$target"
  fi
done

install -m 0644 "$REPO_ROOT"/alerting/rules/*.yml "$DESTDIR$SHAREDIR/rules/"
install -m 0644 "$REPO_ROOT/alerting/alertmanager.yml" "$DESTDIR$SHAREDIR/alertmanager.yml"
install -m 0644 "$REPO_ROOT/deploy/cron/buildfarm-publish.cron" "$DESTDIR$SHAREDIR/buildfarm-publish.cron"

if [ -z "$DESTDIR" ]; then
  if ! getent passwd buildfarm >/dev/null; then
    log_step "creating system user buildfarm (runs buildfarm-agent and its jobs)"
    useradd --system --user-group --home-dir /var/lib/buildfarm-agent --shell /usr/sbin/nologin buildfarm
  fi
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
  fi
fi

cat <<TEXT
Installed. Next steps:
  edit $CONFDIR/*.yml (tokens: see the comments in scheduler.yml), then
  systemctl enable --now buildfarm-exporter buildfarm-agent     # on every build node
  systemctl enable --now buildfarm-scheduler                    # on the scheduler host
Prometheus rules and an Alertmanager example are in $SHAREDIR; the cron line for one-shot status
publishing is $SHAREDIR/buildfarm-publish.cron (copy it to /etc/cron.d/ to use it).
TEXT
