#!/usr/bin/env bash
# End to end on a real cluster: kind, the Docker image, the chart with its bitnami MongoDB, helm test, and
# the original README's curl example through a port-forward. Tears everything down on exit.
#
#   scripts/e2e-kind.sh [--manifest FILE]... [VALUES_FILE...]
#
# Values files are passed to helm install, e.g. k8s/values-sharded.yaml; manifests are applied before it,
# e.g. --manifest k8s/mongo-light.yaml with k8s/values-light.yaml.
#
# Needs docker, kind, kubectl and helm. E2E_KEEP=1 keeps the cluster for inspection.
set -euo pipefail
cd "$(dirname "$0")/.."

cluster=${E2E_CLUSTER:-fas-e2e}
release=fas
namespace=fas-e2e
image=fas:e2e
port=${E2E_LOCAL_PORT:-19527}
workdir=$(mktemp -d)

for tool in docker kind kubectl helm curl; do
  command -v "$tool" >/dev/null || { echo "e2e-kind.sh: $tool is not on PATH" >&2; exit 1; }
done

cleanup() {
  local status=$?
  if [ -f "$workdir/port-forward.pid" ]; then kill "$(cat "$workdir/port-forward.pid")" 2>/dev/null || true; fi
  if [ "$status" != 0 ]; then
    echo "e2e-kind.sh: failed; cluster state:" >&2
    kubectl --namespace "$namespace" get pods,svc,endpoints -o wide >&2 || true
    kubectl --namespace "$namespace" logs "deployment/$release" --tail=100 >&2 || true
  fi
  if [ "${E2E_KEEP:-0}" != 1 ]; then kind delete cluster --name "$cluster" >/dev/null 2>&1 || true; fi
  rm -rf "$workdir"
  exit "$status"
}
trap cleanup EXIT

values=()
manifests=()
while [ $# -gt 0 ]; do
  case "$1" in
    --manifest) manifests+=("$2"); shift 2 ;;
    *) values+=(--values "$1"); shift ;;
  esac
done

kind create cluster --name "$cluster" --config k8s/kind-config.yaml --wait 120s
docker build --tag "$image" .
kind load docker-image "$image" --name "$cluster"

kubectl create namespace "$namespace"
for manifest in "${manifests[@]}"; do kubectl --namespace "$namespace" apply -f "$manifest"; done
helm dependency build charts/fas
helm install "$release" charts/fas --namespace "$namespace" \
  --set image.repository=fas --set image.tag=e2e --set image.pullPolicy=Never \
  "${values[@]}" --wait --timeout 15m
kubectl --namespace "$namespace" port-forward "service/$release" "$port:9527" >"$workdir/port-forward.log" 2>&1 &
echo $! >"$workdir/port-forward.pid"
for _ in $(seq 1 50); do
  curl -fsS "localhost:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

# The original README's example, exactly; before helm test, whose rows would share hour 1.
body() { printf '[{"src_app":"foo","dest_app":"bar","vpc_id":"vpc-0","bytes_tx":%s,"bytes_rx":%s,"hour":1}]' "$1" "$2"; }
curl -fsS -X POST "localhost:$port/flows" -H 'Content-Type: application/json' -d "$(body 100 500)"
echo
curl -fsS -X POST "localhost:$port/flows" -H 'Content-Type: application/json' -d "$(body 200 1000)"
echo
got=$(curl -fsS "localhost:$port/flows?hour=1")
want='[{"src_app":"foo","dest_app":"bar","vpc_id":"vpc-0","hour":1,"bytes_tx":300,"bytes_rx":1500}]'
if [ "$got" != "$want" ]; then
  echo "e2e-kind.sh: GET /flows?hour=1 answered $got, expected $want" >&2
  exit 1
fi
echo "e2e-kind.sh: curl example ok: $got"

helm test "$release" --namespace "$namespace" --logs --timeout 5m
echo "e2e-kind.sh: ok"
