#!/usr/bin/env bash
# The `lint` ctest entry: clang-tidy (the repository's .clang-tidy) over the C++ files changed since the
# merge base with origin/main (or main), using BUILD_DIR/compile_commands.json. The whole tree takes far longer
# than the ~3 minutes a test may take on 2 cores, so it runs only when there is no base to compare with, or when
# BUILDFARM_LINT_ALL=1. Exits non-zero on any finding.
#
# Usage: clang_tidy.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
source_dir=$1
build_dir=$2
cd "$source_dir"

tidy=$(command -v clang-tidy-14 || command -v clang-tidy || true)
[ -n "$tidy" ] || { echo "clang-tidy not found (Debian package clang-tidy)" >&2; exit 1; }
[ -f "$build_dir/compile_commands.json" ] || { echo "no $build_dir/compile_commands.json: configure first" >&2; exit 1; }

base=""
if [ "${BUILDFARM_LINT_ALL:-0}" != 1 ]; then
  for ref in "${BUILDFARM_LINT_BASE:-}" origin/main main; do
    [ -n "$ref" ] || continue
    if base=$(git merge-base HEAD "$ref" 2>/dev/null); then break; fi
    base=""
  done
fi

# Only translation units in the compilation database can be checked; a changed header is checked through
# the .cc file next to it (and, by HeaderFilterRegex, through every checked file that includes it).
files=()
if [ -n "$base" ]; then
  mapfile -t changed < <({ git diff --name-only --diff-filter=d "$base" -- '*.cc' '*.h'; git ls-files --others --exclude-standard -- '*.cc' '*.h'; } | sed 's/\.h$/.cc/' | sort -u)
  for file in "${changed[@]}"; do
    [ -f "$file" ] && grep -q "\"file\": \"$source_dir/$file\"" "$build_dir/compile_commands.json" && files+=("$file")
  done
  echo "clang-tidy: ${#files[@]} changed file(s) since $(git rev-parse --short "$base")"
else
  mapfile -t files < <(git ls-files -- '*.cc' | while read -r f; do
    grep -q "\"file\": \"$source_dir/$f\"" "$build_dir/compile_commands.json" && echo "$f"; done)
  echo "clang-tidy: the whole tree (${#files[@]} files)"
fi
[ "${#files[@]}" -gt 0 ] || exit 0

status=0
printf '%s\n' "${files[@]}" | xargs -P "${BUILD_JOBS:-2}" -n 4 "$tidy" -p "$build_dir" --quiet || status=$?
if [ "$status" -ne 0 ]; then
  echo "clang-tidy found problems (above); fix them or, for a false positive, add NOLINT(check) with the reason" >&2
fi
exit "$status"
