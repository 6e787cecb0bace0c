#!/usr/bin/env bash
# Prometheus's promtool, for the tests of the chart's alerting rules: prints its path, installing Debian's
# prometheus package first when it is missing (as root). PROMTOOL=/path/to/promtool uses another one.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/debian-tool.sh" prometheus promtool "${PROMTOOL:-}"
