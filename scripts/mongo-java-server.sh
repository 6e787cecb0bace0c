#!/usr/bin/env bash
# mongo-java-server (an in-memory MongoDB-wire server in Java) for the benchmark at the real key space. It
# measures FAS's own CPU and memory; it is no judge of correctness nor of MongoDB's speed.
#
#   scripts/mongo-java-server.sh install          build the launcher once into the cache; print the jar's path
#   scripts/mongo-java-server.sh start DIR [PORT]  start it on 127.0.0.1:PORT (default: a free port), its log
#                                                  and PID in DIR; print MONGODB_URI
#   scripts/mongo-java-server.sh stop DIR         stop the server started with DIR (by the PID recorded there)
#
# The launcher (scripts/mongo-java-server/) is mongo-java-server's memory backend advertising MongoDB 3.6+'s
# maxWriteBatchSize, so the driver sends a flush as one command. Needs Java 17 and Maven.
set -euo pipefail
# shellcheck source=scripts/local-server.sh
source "$(dirname "${BASH_SOURCE[0]}")/local-server.sh"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir="$here/mongo-java-server"
cache=${FAS_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fas}
# A changed launcher or pom builds a new jar.
digest=$(cat "$source_dir/pom.xml" "$source_dir/src/main/java/fas/MongoJavaServer.java" | sha256sum | cut -c1-12)
jar="$cache/mongo-java-server-$digest/fas-mongo-java-server.jar"
java_opts=${MONGO_JAVA_SERVER_JAVA_OPTS:--Xmx2g}

install() {
  if [ -f "$jar" ]; then echo "$jar"; return; fi
  command -v mvn >/dev/null || { echo "mongo-java-server.sh: Maven is needed to build the launcher" >&2; exit 1; }
  local work
  work=$(mktemp -d)
  cp -r "$source_dir/." "$work"
  echo "mongo-java-server.sh: building the launcher (first run only)" >&2
  if ! (cd "$work" && mvn -q -B package >"$work/build.log" 2>&1); then
    cat "$work/build.log" >&2
    rm -rf "$work"
    exit 1
  fi
  mkdir -p "$(dirname "$jar")"
  # Via a private name, so parallel first runs each replace the jar atomically (as scripts/helm.sh does).
  mv "$work/target/fas-mongo-java-server.jar" "$jar.$$"
  mv "$jar.$$" "$jar"
  rm -rf "$work"
  echo "$jar"
}

start() {
  local dir=$1 port=$2
  install >/dev/null
  mkdir -p "$dir"
  [ -n "$port" ] || port=$(free_port)
  # shellcheck disable=SC2086 # the options are words for java
  start_server "mongo-java-server.sh: the server" "$dir/mongo-java-server.log" "$dir/mongo-java-server.pid" "$port" \
    java $java_opts -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -jar "$jar" 127.0.0.1 "$port"
  echo "mongodb://127.0.0.1:$port/"
}

case "${1:-}" in
  install) install ;;
  start) start "${2:?usage: mongo-java-server.sh start DIR [PORT]}" "${3:-}" ;;
  stop) stop_server "${2:?usage: mongo-java-server.sh stop DIR}/mongo-java-server.pid" TERM ;;
  *) echo "usage: mongo-java-server.sh install | start DIR [PORT] | stop DIR" >&2; exit 2 ;;
esac
