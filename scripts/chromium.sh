#!/usr/bin/env bash
# Chromium for the browser tests (test/browser): prints the binary's path, installing Debian's chromium
# package with apt-get first when it is missing (as root). CHROMIUM=/path/to/chrome uses another build.
# playwright-core drives it; Playwright's own browser download cannot reach its servers from here.
set -euo pipefail
# shellcheck source=scripts/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

found() {
  local bin
  for bin in "${CHROMIUM:-}" /usr/bin/chromium; do
    if [ -n "$bin" ] && [ -x "$bin" ]; then echo "$bin"; return 0; fi
  done
  return 1
}

found && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "chromium.sh: Chromium is missing; install it as root (Debian: apt-get install chromium) or set CHROMIUM" >&2
  exit 1
fi
# Test files start in parallel: one of them installs, the others wait for it (apt_install takes turns).
apt_install chromium
found
