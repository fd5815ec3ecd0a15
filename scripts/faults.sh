#!/usr/bin/env bash
# The fault matrix, longer: builds the services and fault_matrix_e2e_test,
# starts a private Kafka and Redis (AOF on) on free loopback ports, runs every
# fault with FBL_FAULT_RECORDS records (default 1500 here; 150 in ctest) and
# prints the table (fault, in, out, lost, duplicated, redelivered). Exits
# non-zero if anything was lost or duplicated. See docs/reliability.md.
#   scripts/faults.sh [records] [gtest filter]   e.g. scripts/faults.sh 3000 '*Kafka*'
set -euo pipefail
source "$(dirname "$0")/lib.sh"

export FBL_FAULT_RECORDS="${1:-${FBL_FAULT_RECORDS:-1500}}"
filter="${2:-*}"
"$FBL_ROOT/scripts/build.sh" --target fault_matrix_e2e_test fbl-admin

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
export FBL_STACK_DIR="${FBL_STACK_DIR:-$FBL_BUILD_DIR/faults-stack}"
export FBL_KAFKA_PORT="${FBL_KAFKA_PORT:-$(free_port)}" FBL_KAFKA_CONTROLLER_PORT="${FBL_KAFKA_CONTROLLER_PORT:-$(free_port)}"
export FBL_REDIS_PORT="${FBL_REDIS_PORT:-$(free_port)}" FBL_REDIS_PERSIST=yes
export FBL_TOPIC_PARTITIONS="${FBL_TOPIC_PARTITIONS:-3}"
rm -rf "$FBL_STACK_DIR"
trap '"$FBL_ROOT/scripts/stack.sh" stop || true' EXIT
"$FBL_ROOT/scripts/stack.sh" start
eval "$("$FBL_ROOT/scripts/stack.sh" env)"

log "fault matrix: $FBL_FAULT_RECORDS records per fault (kafka $FBL_KAFKA_BROKERS, redis $FBL_REDIS_ADDR)"
"$FBL_BUILD_DIR/tests/e2e/fault_matrix_e2e_test" --gtest_filter="$filter" --gtest_color=no
