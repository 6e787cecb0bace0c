# Sourced by the scripts that install Debian's packages when they are missing: debian-tool.sh (chromium,
# promtool), postgres.sh, influxdb.sh.

# apt_install PACKAGE... : installs them with apt-get, as root, one install at a time across the project's
# scripts (test files start in parallel, and dpkg takes one at a time), without starting the services they
# ship (a policy-rc.d that refuses, as in images and chroots, only while installing): the project starts its
# own servers.
apt_install() {
  [ "$(id -u)" -eq 0 ] || { echo "apt_install: $* missing; install it as root (apt-get install $*)" >&2; exit 1; }
  command -v apt-get >/dev/null || { echo "apt_install: $* missing, and no apt-get to install it" >&2; exit 1; }
  local cache=${FAS_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fas}
  local policy=/usr/sbin/policy-rc.d placed='' status=0
  mkdir -p "$cache"
  exec 8>"$cache/apt.lock"
  flock 8
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    placed=1
  fi
  echo "apt_install: installing $* (first run only)" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; } >&2 || status=$?
  [ -z "$placed" ] || rm -f "$policy"
  exec 8>&-
  return "$status"
}
