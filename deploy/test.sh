#!/usr/bin/env bash
# Installs dependencies, builds everything with clang (so the libFuzzer targets exist) and runs
# every ctest label: unit, integration, e2e, fuzz. Exits non-zero when anything fails.
#
# Extra arguments go to ctest, e.g. `./deploy/test.sh -L unit` or `./deploy/test.sh -R loadavg`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

started=$SECONDS
ensure_deps
configure_build
build_targets

log_step "running tests"
set +e
ctest --test-dir "$BUILD_DIR" --output-on-failure -j"$BUILD_JOBS" "$@"
status=$?
set -e

elapsed=$((SECONDS - started))
echo
if [ "$status" -eq 0 ]; then
  echo "test.sh: PASS (all tests passed in ${elapsed}s; build in $BUILD_DIR)"
else
  echo "test.sh: FAIL (ctest exit $status after ${elapsed}s; logs in $BUILD_DIR/Testing/Temporary/LastTest.log)"
fi
exit "$status"
