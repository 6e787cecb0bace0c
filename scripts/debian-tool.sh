#!/usr/bin/env bash
# A program from a Debian package, for the tests: prints its path, installing the package first when it is
# missing (as root, through apt.sh).
#
#   scripts/debian-tool.sh PACKAGE PROGRAM [OVERRIDE]    OVERRIDE: a path to use instead, when set
set -euo pipefail
# shellcheck source=scripts/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

package=${1:?usage: debian-tool.sh PACKAGE PROGRAM [OVERRIDE]}
program=${2:?usage: debian-tool.sh PACKAGE PROGRAM [OVERRIDE]}
override=${3:-}

found() {
  local bin
  for bin in "$override" "/usr/bin/$program"; do
    if [ -n "$bin" ] && [ -x "$bin" ]; then echo "$bin"; return 0; fi
  done
  return 1
}

found && exit 0
apt_install "$package"
found
