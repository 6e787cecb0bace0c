#!/usr/bin/env bash
# A program from a Debian package, for the tests: prints its path, installing the package with apt-get first
# when it is missing (as root). Test files start in parallel: one of them installs, the others wait for it.
#
#   scripts/debian-tool.sh PACKAGE PROGRAM [OVERRIDE]    OVERRIDE: a path to use instead, when set
set -euo pipefail

package=${1:?usage: debian-tool.sh PACKAGE PROGRAM [OVERRIDE]}
program=${2:?usage: debian-tool.sh PACKAGE PROGRAM [OVERRIDE]}
override=${3:-}
cache=${FAS_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fas}

found() {
  local bin
  for bin in "$override" "/usr/bin/$program"; do
    if [ -n "$bin" ] && [ -x "$bin" ]; then echo "$bin"; return 0; fi
  done
  return 1
}

found && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "debian-tool.sh: $program is missing; install it as root (Debian: apt-get install $package)" >&2
  exit 1
fi
mkdir -p "$cache"
# One lock for every package: apt-get takes one install at a time anyway.
exec 9>"$cache/apt.lock"
flock 9
found && exit 0
echo "debian-tool.sh: installing Debian's $package (first run only)" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >&2
found
