#!/usr/bin/env bash
# InfluxDB 1.x (Debian's package) for the store comparison (scripts/bench/dbchoice, docs/db-choice.md).
#
#   scripts/influxdb.sh install          apt-get install influxdb when influxd is missing; print its path
#   scripts/influxdb.sh start DIR [PORT] a server of its own (meta, data and WAL in DIR) with its HTTP API on
#                                        127.0.0.1:PORT (default: a free port), its configuration, log and PID
#                                        in DIR; print its http:// URL
#   scripts/influxdb.sh stop DIR         stop the server started with DIR (by the PID recorded there)
#
# Durability is production's: wal-fsync-delay 0s (the default, spelled out) fsyncs the WAL before a write is
# answered. No usage reporting, no self-monitoring database, and the RPC port on loopback too.
set -euo pipefail
# shellcheck source=scripts/local-server.sh
source "$(dirname "${BASH_SOURCE[0]}")/local-server.sh"
# shellcheck source=scripts/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

install() {
  command -v influxd >/dev/null || apt_install influxdb
  command -v influxd
}

start() {
  local dir=$1 port=$2 bin rpc_port
  bin=$(install)
  mkdir -p "$dir"
  [ -n "$port" ] || port=$(free_port)
  rpc_port=$(free_port)
  cat >"$dir/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$rpc_port"
[meta]
  dir = "$dir/meta"
[data]
  dir = "$dir/data"
  wal-dir = "$dir/wal"
  wal-fsync-delay = "0s"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:$port"
  log-enabled = false
  max-row-limit = 0
CONF
  start_server "influxdb.sh: InfluxDB" "$dir/influxd.log" "$dir/influxd.pid" "$port" "$bin" -config "$dir/influxdb.conf"
  echo "http://127.0.0.1:$port"
}

case "${1:-}" in
  install) install ;;
  start) start "${2:?usage: influxdb.sh start DIR [PORT]}" "${3:-}" ;;
  stop) stop_server "${2:?usage: influxdb.sh stop DIR}/influxd.pid" TERM ;;
  *) echo "usage: influxdb.sh install | start DIR [PORT] | stop DIR" >&2; exit 2 ;;
esac
