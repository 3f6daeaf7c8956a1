#!/usr/bin/env bash
# Installs the browser test's one npm package (playwright-core, pinned in tests/browser/package-lock.json)
# with `npm ci`. No browser is downloaded: the test drives Debian's chromium (deploy/install-deps.sh).
# Idempotent: prints nothing when tests/browser/node_modules is already there.
set -euo pipefail

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../tests/browser" && pwd)"
[ -d "$dir/node_modules/playwright-core" ] && exit 0

if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  echo "install-browser-test-deps: installing Debian's npm" >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
echo "install-browser-test-deps: npm ci in tests/browser" >&2
(cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
