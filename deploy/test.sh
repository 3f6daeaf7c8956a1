#!/usr/bin/env bash
# Installs dependencies and runs up to three builds, each with its own build dir:
#   main  build/       everything with clang, RelWithDebInfo; every ctest label (unit, integration, e2e, lint)
#   asan  build-asan/  ASan+UBSan at -O1; the unit and integration labels, and the libFuzzer targets (label fuzz)
#   tsan  build-tsan/  TSan at -O1; only the concurrency-heavy tests (label tsan) and the targets they need
# Prints one summary line per build and exits non-zero when any build or test failed.
#
# Extra arguments go to the main build's ctest, e.g. `./deploy/test.sh -L unit` or `./deploy/test.sh -R loadavg`.
# BUILDFARM_TEST_BUILDS picks the builds (default "main asan tsan"); e.g. BUILDFARM_TEST_BUILDS=main for a quick
# local run. CI (.ci/run) runs all three.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

builds="${BUILDFARM_TEST_BUILDS:-main asan tsan}"
for build in $builds; do
  case "$build" in
    main | asan | tsan) ;;
    *) die "BUILDFARM_TEST_BUILDS has '$build'; the builds are main, asan and tsan" ;;
  esac
done

# Sanitizer reports fail the test that triggered them; third-party races are suppressed in tests/sanitizers/.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$REPO_ROOT/tests/sanitizers/lsan.supp:print_suppressions=0}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-suppressions=$REPO_ROOT/tests/sanitizers/tsan.supp:halt_on_error=1:second_deadlock_stack=1:print_suppressions=0}"

# The targets the tsan-labelled tests need (tests/CMakeLists.txt, TSAN arguments).
TSAN_TARGETS=(common_test exporter_unit_test git_publisher_test scheduler_server_test agent_unit_test)

run_main() {
  # The fuzzers are built in the ASan build only, so this build does not compile their instrumented library copies.
  configure_build "$REPO_ROOT/build" -DBUILDFARM_FUZZ=OFF -DBUILDFARM_SANITIZE=
  BUILD_DIR="$REPO_ROOT/build" build_targets
  ctest --test-dir "$REPO_ROOT/build" --output-on-failure -j"$BUILD_JOBS" "$@"
}

run_asan() {
  BUILD_TYPE=Sanitize configure_build "$REPO_ROOT/build-asan" -DBUILDFARM_SANITIZE=address,undefined \
    -DBUILDFARM_BENCHMARKS=OFF -DBUILDFARM_FUZZ=ON
  BUILD_DIR="$REPO_ROOT/build-asan" build_targets
  ctest --test-dir "$REPO_ROOT/build-asan" --output-on-failure -j"$BUILD_JOBS" -L 'unit|integration|fuzz'
}

run_tsan() {
  BUILD_TYPE=Sanitize configure_build "$REPO_ROOT/build-tsan" -DBUILDFARM_SANITIZE=thread -DBUILDFARM_BENCHMARKS=OFF
  BUILD_DIR="$REPO_ROOT/build-tsan" build_targets "${TSAN_TARGETS[@]}"
  ctest --test-dir "$REPO_ROOT/build-tsan" --output-on-failure -j"$BUILD_JOBS" -L tsan
}

started=$SECONDS
ensure_deps
summary=()
failed=0
for build in $builds; do
  log_step "build $build"
  build_started=$SECONDS
  set +e
  # A subshell so that `set -e` stops this build at its first failing step but not the others.
  (set -e; "run_$build" "$@")
  status=$?
  set -e
  dir=build; [ "$build" = main ] || dir="build-$build"
  if [ "$status" -eq 0 ]; then
    summary+=("test.sh: $build PASS in $((SECONDS - build_started))s ($dir)")
  else
    summary+=("test.sh: $build FAIL (exit $status after $((SECONDS - build_started))s; logs in $dir/Testing/Temporary/LastTest.log)")
    failed=1
  fi
done

echo
printf '%s\n' "${summary[@]}"
echo "test.sh: $([ "$failed" -eq 0 ] && echo PASS || echo FAIL) ($builds in $((SECONDS - started))s)"
exit "$failed"
