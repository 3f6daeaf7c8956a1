#!/usr/bin/env bash
# Installs the buildfarm programs, their systemd units, example configurations and data files with
# `cmake --install`, from the build's install rules (deploy/CMakeLists.txt and each program's folder).
#
#   deploy/install-systemd.sh [--prefix DIR] [--build-dir DIR] [--destdir DIR]
#
#   --prefix     where programs go: PREFIX/bin, helpers in PREFIX/lib/buildfarm, rules, schemas,
#                Grafana files and the Alertmanager/cron examples in PREFIX/share/buildfarm
#                (default /usr/local)
#   --build-dir  the configured build directory, with the four programs built (default ./build)
#   --destdir    staging root, as DESTDIR for packaging or tests (default $DESTDIR, else none)
#
# Units go to DESTDIR/etc/systemd/system (DESTDIR/lib/systemd/system with --prefix /usr, the Debian
# packages' layout), configurations to DESTDIR/etc/buildfarm. An existing configuration is never
# overwritten (the new example is written next to it as NAME.example). Only without DESTDIR does the
# script touch the running system: it creates the `buildfarm` user (for jobs.run_as; the agent runs as
# root and gives each job its own uid by default) and
# runs `systemctl daemon-reload`. It enables and starts nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PREFIX=/usr/local
DESTDIR="${DESTDIR:-}"

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

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

SHAREDIR="$PREFIX/share/buildfarm"
CONFDIR=/etc/buildfarm

# The install rules check that every program is built before they write anything.
[ -f "$BUILD_DIR/cmake_install.cmake" ] ||
  die "$BUILD_DIR is not a configured build directory: configure it and build the programs first (docs/onboarding.md, step 1)"

log_step "installing into ${DESTDIR:-/} (prefix $PREFIX)"
DESTDIR="$DESTDIR" cmake --install "$BUILD_DIR" --prefix "$PREFIX"

if [ -z "$DESTDIR" ]; then
  if ! getent passwd buildfarm >/dev/null; then
    log_step "creating system user buildfarm (for the agent's jobs.run_as)"
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
