#!/usr/bin/env bash
# PostgreSQL (Debian's package) for the store comparison (scripts/bench/dbchoice, docs/db-choice.md).
#
#   scripts/postgres.sh install          apt-get install postgresql when no server is installed; print its bin/
#   scripts/postgres.sh start DIR [PORT] a cluster of its own in DIR/data on 127.0.0.1:PORT (default: a free
#                                        port), its log and PID in DIR; print its postgres:// URL. As root, DIR's
#                                        parents must be searchable by the postgres user
#   scripts/postgres.sh stop DIR         stop the server started with DIR (by the PID recorded there)
#
# PostgreSQL refuses to run as root: as root the cluster belongs to the package's `postgres` user. The
# cluster trusts loopback connections (no password): it is a benchmark's, bound to 127.0.0.1 and thrown
# away. Durability is production's: fsync and full_page_writes on, synchronous_commit on (the defaults,
# spelled out so no configuration file changes them).
set -euo pipefail
# shellcheck source=scripts/local-server.sh
source "$(dirname "${BASH_SOURCE[0]}")/local-server.sh"
# shellcheck source=scripts/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

# The newest installed major version's programs.
bin_dir() {
  find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1
}

install() {
  if [ ! -x "$(bin_dir)/initdb" ]; then apt_install postgresql; fi
  bin_dir
}

# as_owner COMMAND...: COMMAND as the cluster's owner (postgres when we are root, else ourselves), exec'd in
# place so the PID recorded is the server's.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$@"
  fi
  exec "$@"
}

start() {
  local dir=$1 port=$2 bin
  bin=$(install)
  mkdir -p "$dir"
  [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
  (as_owner test -w "$dir") || { echo "postgres.sh: $dir is not writable by the cluster's owner (a parent not searchable?)" >&2; exit 1; }
  [ -n "$port" ] || port=$(free_port)
  (as_owner "$bin/initdb" --pgdata="$dir/data" --username=fas --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1) \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  start_server "postgres.sh: PostgreSQL" "$dir/postgres.log" "$dir/postgres.pid" "$port" \
    as_owner "$bin/postgres" -D "$dir/data" -c listen_addresses=127.0.0.1 -p "$port" -c unix_socket_directories= \
    -c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=20 -c shared_buffers=256MB
  # The port opens before recovery ends; a connection then is refused with "the database system is starting up".
  for _ in $(seq 1 300); do
    if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
      echo "postgres://fas@127.0.0.1:$port/postgres"
      return
    fi
    sleep 0.1
  done
  echo "postgres.sh: PostgreSQL did not accept connections; its log:" >&2
  cat "$dir/postgres.log" >&2
  stop_server "$dir/postgres.pid" KILL
  exit 1
}

case "${1:-}" in
  install) install ;;
  start) start "${2:?usage: postgres.sh start DIR [PORT]}" "${3:-}" ;;
  # SIGINT is PostgreSQL's fast shutdown: clients are disconnected, the cluster is checkpointed and closed.
  stop) stop_server "${2:?usage: postgres.sh stop DIR}/postgres.pid" INT ;;
  *) echo "usage: postgres.sh install | start DIR [PORT] | stop DIR" >&2; exit 2 ;;
esac
