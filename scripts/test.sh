#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs the unit tests and
# a bounded fuzzing pass, then starts a private Kafka and Redis on free
# loopback ports, runs the integration and end-to-end tests against them, and
# stops them again.
# Exits non-zero on any failure.
#   scripts/test.sh [ctest args...]     e.g. scripts/test.sh -R kafka
set -euo pipefail
source "$(dirname "$0")/lib.sh"
start=$SECONDS

"$FBL_ROOT/scripts/deps.sh"
"$FBL_ROOT/scripts/test-tools.sh"
log "building in $FBL_BUILD_DIR"
"$FBL_ROOT/scripts/build.sh"

jobs=$(nproc)
log "unit tests"
ctest --test-dir "$FBL_BUILD_DIR" -L unit -j "$jobs" --output-on-failure "$@"

log "deploy artefacts: Dockerfile, compose, Prometheus rules, Helm chart"
"$FBL_ROOT/scripts/validate-deploy.sh"

log "fuzzing (bounded; FBL_FUZZ_SECONDS per target)"
"$FBL_ROOT/scripts/fuzz.sh" "${FBL_FUZZ_SECONDS:-10}"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
export FBL_STACK_DIR="$FBL_BUILD_DIR/test-stack"
export FBL_KAFKA_PORT=$(free_port) FBL_KAFKA_CONTROLLER_PORT=$(free_port) FBL_REDIS_PORT=$(free_port)
export FBL_TOPIC_PARTITIONS="${FBL_TOPIC_PARTITIONS:-3}"
rm -rf "$FBL_STACK_DIR"
trap '"$FBL_ROOT/scripts/stack.sh" stop || true' EXIT
"$FBL_ROOT/scripts/stack.sh" start
eval "$("$FBL_ROOT/scripts/stack.sh" env)"
export FBL_GRPCURL="$FBL_CACHE/bin/grpcurl"

log "integration and e2e tests (kafka $FBL_KAFKA_BROKERS, redis $FBL_REDIS_ADDR)"
ctest --test-dir "$FBL_BUILD_DIR" -L 'integration|e2e' -j "$jobs" --output-on-failure "$@"

if [[ $# -eq 0 ]]; then
  log "dashboards: every PromQL query against Prometheus scraping the running services"
  "$FBL_ROOT/scripts/check-dashboards.sh" --no-build --use-stack
fi
log "all tests passed in $((SECONDS - start))s"
