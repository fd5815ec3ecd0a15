#!/usr/bin/env bash
# The benchmark suite (issue 9): baselines and service figures measured in the
# same run against a private Kafka and Redis on free loopback ports, a table
# of every figure with its baseline, the ratio and whether the target is met,
# written to $FBL_BUILD_DIR/bench-results/results-<UTC time>.{md,json}
# (the raw logs stay in bench-results/<UTC time>/).
#   scripts/bench.sh [--quick] [--duration S] [--replicas N] [--partitions N] [--no-build]
#     --quick        smaller samples and a 60 s memory run: about 3 minutes
#     --duration S   seconds of the fixed-rate (memory) run; full 600, quick 60
#     --replicas N   copies of each service in the pipeline run (default 1)
#     --partitions N partitions of every project topic (default: deploy/topics.yaml)
#   scripts/bench.sh --scaling [--records N] [--no-build]
#     pipeline throughput at full speed with 1, 2 and 4 partitions and as many
#     replicas of each service (a fresh stack each), written to
#     bench-results/scaling-<UTC time>.md (docs/scaling.md); about 5 minutes
# Full mode: about 13-14 minutes (10 of them the memory run); more on a loaded box.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

mode=full duration="" replicas=1 partitions="" build=1 scaling_records=10000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) mode=quick ;;
    --scaling) mode=scaling ;;
    --records) scaling_records="$2"; shift ;;
    --duration) duration="$2"; shift ;;
    --replicas) replicas="$2"; shift ;;
    --partitions) partitions="$2"; shift ;;
    --no-build) build=0 ;;
    *) die "unknown argument $1 (see the header of $0)" ;;
  esac
  shift
done
if [[ $mode == quick ]]; then
  duration=${duration:-60} base_records=10000 hop_samples=100 grpc_seconds=2 cls_seconds=1
  tickets=1000 pipe_records=5000 alert_samples=30 intake_records=0
else
  duration=${duration:-600} base_records=20000 hop_samples=300 grpc_seconds=4 cls_seconds=2
  tickets=2000 pipe_records=10000 alert_samples=300 intake_records=20000
fi

if ((build)); then
  "$FBL_ROOT/scripts/deps.sh"
  "$FBL_ROOT/scripts/build.sh" --target baseline_bench pipeline_feeder intake_bench red_alert_bench \
    classification_bench workorder_bench fbl-admin intake classification alerting workorder analytics
fi
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
results="$FBL_BUILD_DIR/bench-results"
out="$results/$stamp"
mkdir -p "$out"
export FBL_STACK_DIR="$FBL_BUILD_DIR/bench-stack" FBL_REDIS_PERSIST=no
export FBL_KAFKA_PORT=${FBL_KAFKA_PORT:-$(free_port)} FBL_KAFKA_CONTROLLER_PORT=${FBL_KAFKA_CONTROLLER_PORT:-$(free_port)}
export FBL_REDIS_PORT=${FBL_REDIS_PORT:-$(free_port)}
[[ -n "$partitions" ]] && export FBL_TOPIC_PARTITIONS="$partitions"
if [[ $mode == scaling ]]; then
  trap '"$FBL_ROOT/scripts/stack.sh" stop || true' EXIT
  table="| partitions = replicas per service | records | rec/s fully processed | intake peak | classification peak | workorder peak | analytics peak |\n|---|---|---|---|---|---|---|\n"
  for n in 1 2 4; do
    rm -rf "$FBL_STACK_DIR"
    FBL_TOPIC_PARTITIONS=$n "$FBL_ROOT/scripts/stack.sh" start
    eval "$("$FBL_ROOT/scripts/stack.sh" env)"
    log "── pipeline, $n partition(s), $n replica(s)"
    python3 -u "$FBL_ROOT/bench/pipeline_bench.py" --build-dir "$FBL_BUILD_DIR" --records "$scaling_records" \
      --replicas "$n" --skip-fixed --out "$out/scaling-$n.json" 2>&1 | grep -v '^{"time"' | tee "$out/scaling-$n.log"
    table+=$(python3 -c "import json; f=json.load(open('$out/scaling-$n.json'))['full_speed']; p=f['stage_peak_rate'];
print(f\"| $n | {f['processed']:.0f} | {f['rate']:.0f} | {p['intake']:.0f} | {p['classification']:.0f} | {p['workorder']:.0f} | {p['analytics']:.0f} |\")")
    table+="\n"
    "$FBL_ROOT/scripts/stack.sh" stop
  done
  { echo "# Pipeline scaling, $stamp"; echo; echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."; echo
    printf "%b" "$table"; } >"$results/scaling-$stamp.md"
  cat "$results/scaling-$stamp.md"
  exit 0
fi
rm -rf "$FBL_STACK_DIR"
trap '"$FBL_ROOT/scripts/stack.sh" stop || true' EXIT
"$FBL_ROOT/scripts/stack.sh" start
eval "$("$FBL_ROOT/scripts/stack.sh" env)"
B="$FBL_BUILD_DIR/bench"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$SECONDS

step() {  # step NAME COMMAND...: runs it, output to the terminal and NAME.log
  log "── $1"
  local name=$1
  shift
  "$@" 2>&1 | grep -v '^{"time"' | tee "$out/$name.log" || log "warning: $name failed (see $out/$name.log)"
}
step baseline "$B/baseline_bench" --records "$base_records" --samples "$hop_samples" --grpc-seconds "$grpc_seconds" \
  --partitions "${partitions:-3}"
step classification "$B/classification_bench" --seconds "$cls_seconds"
step workorder "$B/workorder_bench" --tickets "$tickets" --threads 4
((intake_records > 0)) && step intake "$B/intake_bench" --records "$intake_records"
step pipeline python3 -u "$FBL_ROOT/bench/pipeline_bench.py" --build-dir "$FBL_BUILD_DIR" --records "$pipe_records" \
  --duration "$duration" --replicas "$replicas" --out "$out/pipeline.json"
# Red alert at half the maximum sustained rate the pipeline just showed.
half=$(python3 -c "import json;print(max(10,int(json.load(open('$out/pipeline.json'))['full_speed']['rate']/2)))" \
  2>/dev/null || echo 500)
step red_alert "$B/red_alert_bench" --samples "$alert_samples" --load "$half"

note="Machine: $(nproc) cores, load average before the run $load_before, after $(cut -d' ' -f1-3 /proc/loadavg);"
note+=" suite took $((SECONDS - started)) s; replicas $replicas, partitions ${partitions:-default}."
python3 "$FBL_ROOT/bench/report.py" "$out" --mode "$mode" --note "$note" >/dev/null
cp "$out/results.md" "$results/results-$stamp.md"
cp "$out/results.json" "$results/results-$stamp.json"
cat "$out/results.md"
log "results: $results/results-$stamp.md and .json (logs in $out)"
