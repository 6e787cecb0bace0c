#!/usr/bin/env bash
# Dev loop: a local kind cluster with FAS and MongoDB, rebuilt and redeployed on every change.
#
#   scripts/dev-cluster.sh [SKAFFOLD ARGS...]    e.g. -p sharded, or -p external with FAS_MONGODB_URI set
#
# Needs docker, kind, kubectl, helm and skaffold on PATH (helm: scripts/helm.sh install builds one).
# Then FAS answers on localhost:9527 (skaffold port-forwards the Service).
set -euo pipefail
cd "$(dirname "$0")/.."

cluster=fas
missing=0
need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "dev-cluster.sh: $1 is not on PATH; install it: $2" >&2
    missing=1
  fi
}
need docker "https://docs.docker.com/engine/install/"
need kind "https://kind.sigs.k8s.io/docs/user/quick-start/#installation"
need kubectl "https://kubernetes.io/docs/tasks/tools/"
need helm "https://helm.sh/docs/intro/install/ (or: export PATH=\"\$(dirname \"\$(scripts/helm.sh install)\"):\$PATH\")"
need skaffold "https://skaffold.dev/docs/install/"
[ "$missing" = 0 ] || exit 1

if ! docker info >/dev/null 2>&1; then
  echo "dev-cluster.sh: docker is installed but its daemon does not answer (is Docker running?)" >&2
  exit 1
fi

if ! kind get clusters 2>/dev/null | grep -qx "$cluster"; then
  kind create cluster --config k8s/kind-config.yaml
fi
kubectl config use-context "kind-$cluster" >/dev/null

# The bitnami subcharts are fetched once; skaffold then deploys the chart as it is in the tree.
helm dependency build charts/fas

exec skaffold dev --kube-context "kind-$cluster" --port-forward "$@"
