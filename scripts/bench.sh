#!/usr/bin/env bash
# Runs the benchmarks against a private Kafka and Redis on free loopback
# ports (like scripts/test.sh) and prints their figures.
#   scripts/bench.sh            intake throughput, red-alert latency, classification throughput
set -euo pipefail
source "$(dirname "$0")/lib.sh"
"$FBL_ROOT/scripts/deps.sh"
"$FBL_ROOT/scripts/build.sh" --target intake_bench red_alert_bench classification_bench workorder_bench fbl-admin
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
export FBL_STACK_DIR="$FBL_BUILD_DIR/bench-stack" FBL_REDIS_PERSIST=no
export FBL_KAFKA_PORT=$(free_port) FBL_KAFKA_CONTROLLER_PORT=$(free_port) FBL_REDIS_PORT=$(free_port)
rm -rf "$FBL_STACK_DIR"
trap '"$FBL_ROOT/scripts/stack.sh" stop || true' EXIT
"$FBL_ROOT/scripts/stack.sh" start
eval "$("$FBL_ROOT/scripts/stack.sh" env)"
"$FBL_BUILD_DIR/bench/intake_bench" --records "${FBL_BENCH_RECORDS:-20000}"
"$FBL_BUILD_DIR/bench/red_alert_bench" --samples "${FBL_BENCH_SAMPLES:-50}" --load "${FBL_BENCH_LOAD:-1000}" \
  | grep -v '^{"time"'   # the services' own JSON logs
"$FBL_BUILD_DIR/bench/classification_bench" --seconds "${FBL_BENCH_SECONDS:-3}"
"$FBL_BUILD_DIR/bench/workorder_bench" --tickets "${FBL_BENCH_TICKETS:-2000}" --threads "${FBL_BENCH_THREADS:-4}"
