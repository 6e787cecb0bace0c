#!/usr/bin/env bash
# FerretDB (the MongoDB wire protocol on SQLite) for tests and local runs on machines without mongod.
#
#   scripts/ferretdb.sh install      build FerretDB once into the cache; print the binary's path
#   scripts/ferretdb.sh start DIR [PORT]  start it on 127.0.0.1:PORT (default: a free port) with its data in
#                                         DIR; print MONGODB_URI
#   scripts/ferretdb.sh stop DIR     stop the server started with DIR (by the PID recorded there)
#   scripts/ferretdb.sh kill DIR     the same with SIGKILL: a crash, for fault tests
#
# `go install github.com/FerretDB/FerretDB/cmd/ferretdb@VERSION` builds a binary that panics at start: the
# module from the proxy lacks build/version/version.txt, which FerretDB's own build generates from git. So
# this builds the same module source with that one file written in, and with the fixes in
# scripts/ferretdb-patches/ applied: bugs where FerretDB answers differently from MongoDB (each patch says
# which). The cached binary is named after the patches, so changing them rebuilds it.
set -euo pipefail
# shellcheck source=scripts/local-server.sh
source "$(dirname "${BASH_SOURCE[0]}")/local-server.sh"

version=${FERRETDB_VERSION:-v1.24.2}
cache=${FAS_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fas}
patches=$(cd "$(dirname "${BASH_SOURCE[0]}")/ferretdb-patches" && pwd)
bin="$cache/ferretdb-$version-$(cat "$patches"/*.patch | sha256sum | cut -c1-12)/ferretdb"

install() {
  if [ -x "$bin" ]; then echo "$bin"; return; fi
  command -v go >/dev/null || { echo "ferretdb.sh: Go is needed to build FerretDB" >&2; exit 1; }
  mkdir -p "$(dirname "$bin")"
  # Two test runs starting at once on a fresh machine build it once: the second waits for the first.
  exec 9>"$(dirname "$bin").lock"
  flock 9
  if [ -x "$bin" ]; then echo "$bin"; return; fi
  local src work
  src=$(go mod download -json "github.com/FerretDB/FerretDB@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$src" ] || { echo "ferretdb.sh: could not download FerretDB $version" >&2; exit 1; }
  work=$(mktemp -d)
  cp -r "$src/." "$work"
  chmod -R u+w "$work"
  echo "$version" > "$work/build/version/version.txt"
  local patch
  for patch in "$patches"/*.patch; do
    (cd "$work" && git apply "$patch")
  done
  echo "ferretdb.sh: building FerretDB $version (first run only)" >&2
  (cd "$work" && CGO_ENABLED=0 go build -trimpath -o "$bin.tmp" ./cmd/ferretdb)
  mv "$bin.tmp" "$bin"
  rm -rf "$work"
  echo "$bin"
}

# synchronous(normal): in SQLite's WAL mode a commit is written but not fsynced, so a crash of FerretDB (kill -9)
# loses nothing committed, a crash of the machine may lose the last commits. A store for development and
# tests, where an fsync per upsert would cost more than the upsert.
start() {
  local dir=$1 port=$2
  install >/dev/null
  mkdir -p "$dir/data"
  [ -n "$port" ] || port=$(free_port)
  start_server "ferretdb.sh: FerretDB" "$dir/ferretdb.log" "$dir/ferretdb.pid" "$port" \
    "$bin" --handler=sqlite --sqlite-url="file:$dir/data/?_pragma=synchronous(normal)" --listen-addr="127.0.0.1:$port" \
    --telemetry=disable --debug-addr=- --state-dir="$dir" --log-level=warn
  echo "mongodb://127.0.0.1:$port/"
}

case "${1:-}" in
  install) install ;;
  start) start "${2:?usage: ferretdb.sh start DIR [PORT]}" "${3:-}" ;;
  stop) stop_server "${2:?usage: ferretdb.sh stop DIR}/ferretdb.pid" TERM ;;
  kill) stop_server "${2:?usage: ferretdb.sh kill DIR}/ferretdb.pid" KILL ;;
  *) echo "usage: ferretdb.sh install | start DIR [PORT] | stop DIR | kill DIR" >&2; exit 2 ;;
esac
