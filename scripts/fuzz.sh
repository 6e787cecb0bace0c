#!/usr/bin/env bash
# Fuzzes the built service from its own OpenAPI document with schemathesis: no 5xx, and every response as
# documented. Starts node dist/index.js on a free loopback port against MONGODB_URI (a database of its own),
# runs a bounded, seeded schemathesis run, stops the service by its PID, and exits with schemathesis's status.
#
#   MONGODB_URI=mongodb://… scripts/fuzz.sh [--seed N] [--max-examples N]
#
# schemathesis comes from PyPI, pinned, through scripts/pytools.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

seed=20261127
max_examples=50
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) seed=$2; shift 2 ;;
    --max-examples) max_examples=$2; shift 2 ;;
    *) echo "fuzz.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
: "${MONGODB_URI:?MONGODB_URI must point at a MongoDB-wire server}"

st=$(scripts/pytools.sh install st)

[ -f dist/index.js ] || npm run build >/dev/null
port=$(node scripts/free-port.mjs)
work=$(mktemp -d)
# The hook (scripts/schemathesis_hooks.py) keeps valid reads within the service's range limit: one value for both.
export MAX_QUERY_HOURS=744
# The document's hours run to 2^31 - 1 whatever the clock says: the accepted window of hours is off here.
export MAX_FUTURE_HOURS=0
HOST=127.0.0.1 PORT=$port MONGODB_DATABASE="fas_fuzz_$$_$RANDOM" LOG_LEVEL=warn SHUTDOWN_DELAY_MS=0 \
  node dist/index.js >"$work/service.log" 2>&1 &
pid=$!
# Stop this service by its PID (SIGTERM: it drains and exits), then drop its log.
trap 'kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT

url="http://127.0.0.1:$port"
if ! node -e 'const deadline = Date.now() + 30000;
  (async () => { while (Date.now() < deadline) {
    if ((await fetch(process.argv[1]).catch(() => undefined))?.status === 200) return;
    await new Promise((r) => setTimeout(r, 200)); } process.exit(1); })();' "$url/readyz"; then
  echo "fuzz.sh: the service did not become ready" >&2
  cat "$work/service.log" >&2
  exit 1
fi

echo "fuzz: $("$st" --version) against $url/openapi.json, seed $seed, at most $max_examples examples per operation"
status=0
# Checks: every one that applies to an API without authentication or resources to create and delete.
# One worker: schemathesis's threads trip a CPython 3.11 ast bug ("AST constructor recursion depth
# mismatch"), and FerretDB serialises writes anyway.
PYTHONPATH=scripts SCHEMATHESIS_HOOKS=schemathesis_hooks \
  "$st" --config-file scripts/schemathesis.toml run "$url/openapi.json" \
    --checks all \
    --exclude-checks use_after_free,ensure_resource_availability,ignored_auth,object_level_authorization \
    --phases examples,coverage,fuzzing \
    --seed "$seed" \
    --max-examples "$max_examples" \
    --workers 1 \
    --request-timeout 15 \
    --no-color || status=$?
if [ "$status" -ne 0 ]; then
  echo "fuzz.sh: the service's log:" >&2
  tail -n 50 "$work/service.log" >&2
fi
exit "$status"
