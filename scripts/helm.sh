#!/usr/bin/env bash
# The helm CLI for chart tests and scripts, built once from the Go module proxy and cached.
#
#   scripts/helm.sh install   build helm (first run only); print the binary's path
#   scripts/helm.sh ARGS...   run that helm with ARGS
#
# Building from source needs only Go and the module proxy, which every machine of this project reaches;
# release tarballs from get.helm.sh do not.
set -euo pipefail

version=v3.19.5
kube_minor=34
cache=${FAS_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fas}
bin="$cache/helm-$version/helm"

install() {
  if [ -x "$bin" ]; then echo "$bin"; return; fi
  command -v go >/dev/null || { echo "helm.sh: Go is needed to build helm $version" >&2; exit 1; }
  local gobin
  gobin=$(mktemp -d)
  echo "helm.sh: building helm $version (first run only)" >&2
  # The -X flags are what helm's Makefile sets: without them helm reports "v3.19" and renders charts for
  # Kubernetes v1.20, which fails any chart whose kubeVersion asks for newer. 1.34 is this helm's client-go.
  local flags="-s -w -X helm.sh/helm/v3/internal/version.version=$version"
  local pkg
  for pkg in pkg/chartutil pkg/lint/rules; do
    flags+=" -X helm.sh/helm/v3/$pkg.k8sVersionMajor=1 -X helm.sh/helm/v3/$pkg.k8sVersionMinor=$kube_minor"
  done
  GOBIN="$gobin" CGO_ENABLED=0 go install -trimpath -ldflags "$flags" "helm.sh/helm/v3/cmd/helm@$version"
  mkdir -p "$(dirname "$bin")"
  # Via a private name, so parallel first runs (e.g. jest workers) each replace the binary atomically.
  mv "$gobin/helm" "$bin.$$"
  mv "$bin.$$" "$bin"
  rm -rf "$gobin"
  echo "$bin"
}

case "${1:-}" in
  install) install ;;
  "") echo "usage: helm.sh install | helm.sh ARGS..." >&2; exit 2 ;;
  *) helm=$(install); exec "$helm" "$@" ;;
esac
