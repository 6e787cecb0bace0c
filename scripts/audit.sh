#!/usr/bin/env bash
# npm audit of the production dependencies: fails on a high or critical advisory. Where the registry's
# advisory endpoint cannot be reached (some mirrors refuse it), says so and passes: that is no finding.
set -euo pipefail
cd "$(dirname "$0")/.."

report=$(npm audit --omit=dev --json 2>/dev/null || true)
# shellcheck disable=SC2016 # a JavaScript template literal, not a shell expansion
printf '%s' "$report" | node -e '
  let text = "";
  process.stdin.on("data", (c) => (text += c)).on("end", () => {
    let report;
    try { report = JSON.parse(text); } catch { report = { message: "no JSON report" }; }
    const counts = report.metadata?.vulnerabilities;
    if (!counts) {
      console.log(`audit: npm audit could not run (${report.message ?? report.error?.summary ?? "no report"}); nothing checked`);
      return;
    }
    const serious = (counts.high ?? 0) + (counts.critical ?? 0);
    console.log(`audit: production dependencies: ${counts.critical ?? 0} critical, ${counts.high ?? 0} high, ` +
      `${counts.moderate ?? 0} moderate, ${counts.low ?? 0} low`);
    if (serious > 0) process.exit(1);
  });'
