#!/usr/bin/env bash
# Chromium for the browser tests (test/browser): prints the binary's path, installing Debian's chromium
# package first when it is missing (as root). CHROMIUM=/path/to/chrome uses another build. playwright-core
# drives it; Playwright's own browser download cannot reach its servers from here.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/debian-tool.sh" chromium chromium "${CHROMIUM:-}"
