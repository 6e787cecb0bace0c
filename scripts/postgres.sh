#!/usr/bin/env bash
# A throw-away PostgreSQL on loopback for FerretDB's postgresql backend (benchmarks only; tests use sqlite).
#
#   scripts/postgres.sh start DIR [PORT]  initdb into DIR (as the postgres user when run as root), start it on
#                                         127.0.0.1:PORT (default: a free port); print the postgres:// URL
#   scripts/postgres.sh stop DIR          stop it
#
# Needs PostgreSQL's server binaries (Debian: apt-get install postgresql). Trust authentication on loopback:
# the server is private to the run and listens on 127.0.0.1 only.
set -euo pipefail

installed=(/usr/lib/postgresql/*/bin)
pgbin=${PG_BIN:-${installed[-1]}}
[ -x "$pgbin/pg_ctl" ] || { echo "postgres.sh: no PostgreSQL server binaries (apt-get install postgresql)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  [ "$(id -u)" -ne 0 ] || chown postgres "$dir"
  [ -n "$port" ] || port=$(free_port)
  as_owner "$pgbin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1
  # Durability is not what the benchmark measures of PostgreSQL; fsync stays on so the figures stay honest.
  as_owner "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/data/postgres.log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir/data" start >/dev/null
  as_owner "$pgbin/createdb" -h 127.0.0.1 -p "$port" -U postgres ferretdb
  echo "postgres://postgres@127.0.0.1:$port/ferretdb"
}

stop() {
  [ -d "$1/data" ] || return 0
  as_owner "$pgbin/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null 2>&1 || true
}

case "${1:-}" in
  start) start "${2:?usage: postgres.sh start DIR [PORT]}" "${3:-}" ;;
  stop) stop "${2:?usage: postgres.sh stop DIR}" ;;
  *) echo "usage: postgres.sh start DIR [PORT] | stop DIR" >&2; exit 2 ;;
esac
