# Sourced by the scripts that run a server of the project's own (scripts/ferretdb.sh, mongo-java-server.sh,
# postgres.sh, influxdb.sh): started in the background on loopback and stopped by the PID it recorded.

# start_server NAME LOG PIDFILE PORT COMMAND... : runs COMMAND with its output in LOG and its PID in PIDFILE and
# waits until 127.0.0.1:PORT accepts connections; on failure prints LOG and exits.
start_server() {
  local name=$1 log=$2 pidfile=$3 port=$4 pid
  shift 4
  "$@" >"$log" 2>&1 &
  pid=$!
  echo "$pid" >"$pidfile"
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "$name did not start; its log:" >&2
  cat "$log" >&2
  kill -9 "$pid" 2>/dev/null || true
  exit 1
}

# stop_server PIDFILE SIGNAL: sends SIGNAL to the recorded PID, waits up to 10 s, then SIGKILL.
stop_server() {
  local pidfile=$1 signal=$2 pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  kill "-$signal" "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

# free_port: a free loopback port.
free_port() {
  node "$(dirname "${BASH_SOURCE[0]}")/free-port.mjs"
}
