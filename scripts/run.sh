#!/usr/bin/env bash
# Runs the whole system locally: installs what is missing, builds, starts
# Kafka and Redis, a local pager sink (stands in for on-call phones), then
# every service that is built, each with its config in deploy/local/.
# Ctrl-C stops everything cleanly; running it again works.
#   scripts/run.sh [--no-build]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SERVICES=(intake classification alerting notifier workorder analytics)
export FBL_STACK_DIR="${FBL_STACK_DIR:-$FBL_ROOT/.stack}"
RUN_DIR="$FBL_STACK_DIR/services"

if [[ "${1:-}" != "--no-build" ]]; then
  "$FBL_ROOT/scripts/deps.sh"
  "$FBL_ROOT/scripts/build.sh"
fi
"$FBL_ROOT/scripts/stack.sh" start
eval "$("$FBL_ROOT/scripts/stack.sh" env)"
mkdir -p "$RUN_DIR"
"$FBL_ROOT/scripts/keyring.sh" "$FBL_STACK_DIR/keyring"
# Every service follows the stack's ports, whatever its file says.
export FBL__KAFKA_BROKERS="$FBL_KAFKA_BROKERS" FBL__REDIS__PORT="$FBL_REDIS_PORT"
cd "$FBL_ROOT"  # config files name repository paths (rules, taxonomies)

export FBL_NOTIFIER_WEBHOOK_SECRET="${FBL_NOTIFIER_WEBHOOK_SECRET:-$(head -c 24 /dev/urandom | base64)}"
pids=()
stop_all() {
  trap - INT TERM EXIT
  log "stopping services"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  "$FBL_ROOT/scripts/stack.sh" stop
}
trap 'stop_all; exit 0' INT TERM
trap stop_all EXIT

# The notifier's pages (deploy/local/notifier.yaml) land here.
python3 "$FBL_ROOT/scripts/pager_sink.py" --port 18080 --sms-port 18081 >"$RUN_DIR/pages.log" 2>&1 &
pids+=($!)

started=()
for svc in "${SERVICES[@]}"; do
  bin="$FBL_BUILD_DIR/services/$svc/$svc"
  cfg="$FBL_ROOT/deploy/local/$svc.yaml"
  [[ -x "$bin" && -f "$cfg" ]] || continue
  rm -f "$RUN_DIR/$svc.ready"
  extra=()
  [[ "$svc" == intake ]] && extra+=("FBL__KEYRING_FILE=$FBL_STACK_DIR/keyring")
  env ${extra[@]+"${extra[@]}"} FBL__SERVER__READY_FILE="$RUN_DIR/$svc.ready" "$bin" --config "$cfg" >"$RUN_DIR/$svc.log" 2>&1 &
  pids+=($!)
  deadline=$((SECONDS + 30))
  until [[ -f "$RUN_DIR/$svc.ready" ]]; do
    kill -0 "${pids[-1]}" 2>/dev/null || die "$svc exited at start; see $RUN_DIR/$svc.log"
    ((SECONDS < deadline)) || die "$svc not ready within 30s; see $RUN_DIR/$svc.log"
    sleep 0.1
  done
  started+=("$svc $(cat "$RUN_DIR/$svc.ready")")
done

log "system running: Kafka $FBL_KAFKA_BROKERS, Redis $FBL_REDIS_ADDR"
for s in "${started[@]}"; do log "  $s"; done

# Real feedback through the connector contract, then what the system made of it.
metric() {  # metric SERVICE NAME-AND-LABEL-REGEX: the sum of the matching series (0 if none)
  local port
  port=$(sed -n 's/.*"metrics_port":"*\([0-9]*\).*/\1/p' "$RUN_DIR/$1.ready" 2>/dev/null)
  [[ -n "$port" ]] || { printf 0; return 0; }
  { curl -sf "http://127.0.0.1:$port/metrics" || true; } | { grep -E "^$2" || true; } | awk '{s+=$2} END {printf "%d", s}'
}
data_dir="$FBL_ROOT/../shared/data"
if [[ -d "$data_dir" && -f "$RUN_DIR/intake.ready" ]]; then
  # Real feedback through the connector contract (feedback.raw.v1): every
  # Black Cat complaint, 400 car-owner complaints, 400 food-delivery reviews.
  for spec in blackcat_complaints.csv:blackcat:0 car_complaints.csv:car:400 waimai_10k.csv:waimai:400; do
    IFS=: read -r file mapping limit <<<"$spec"
    [[ -f "$data_dir/$file" ]] || continue
    log "replaying $file through feedback.raw.v1"
    args=()
    [[ "$limit" != 0 ]] && args+=(--limit "$limit")
    "$FBL_BUILD_DIR/services/intake/intake" import --config deploy/local/intake.yaml ${args[@]+"${args[@]}"} \
      --mapping "deploy/local/$mapping-mapping.yaml" --file "$data_dir/$file" --report "$RUN_DIR/$mapping.rejects.csv" || true
  done
  # Live progress until every stage has caught up (or 90 s).
  # (A second run replays: intake accepts nothing new, so nothing is to wait for.)
  last=""
  for _ in $(seq 1 180); do
    received=$(metric intake intake_received_total)
    accepted=$(metric intake 'intake_records_total{.*outcome="accepted"')
    classified=$(metric classification 'classification_records_total{.*result="classified"')
    aggregated=$(metric analytics 'analytics_records_total{.*source="classified"')
    now="received $received, accepted $accepted, classified $classified, aggregated $aggregated"
    [[ "$now" != "$last" ]] && log "pipeline: $now"
    last=$now
    [[ "$received" -gt 0 && "$classified" -ge "$accepted" && "$aggregated" -ge "$classified" ]] && break
    sleep 0.5
  done
  sleep 2  # alerts, tickets and pages follow within moments
  log "── summary ──"
  log "intake: received $(metric intake intake_received_total), accepted $(metric intake 'intake_records_total{.*outcome="accepted"'),"\
      "replays $(metric intake 'intake_records_total{.*outcome="replay"'), near-duplicates $(metric intake intake_near_duplicates_total),"\
      "rejected $(metric intake 'intake_records_total{.*outcome="rejected"')"
  [[ -f "$RUN_DIR/classification.ready" ]] &&
    log "classification: classified $(metric classification 'classification_records_total{.*result="classified"'),"\
        "complaints $(metric classification 'classification_intents_total{.*intent="complaint"'),"\
        "urgent+important $(metric classification 'classification_priorities_total{.*priority="p1_urgent_important"')"
  if [[ -f "$RUN_DIR/classification.ready" ]]; then
    port=$(sed -n 's/.*"metrics_port":\([0-9]*\).*/\1/p' "$RUN_DIR/classification.ready")
    log "top problems: $(curl -sf "http://127.0.0.1:$port/metrics" | grep '^classification_problems_total' |
      sed 's/.*problem="\([^"]*\)".* \([0-9.e+]*\)$/\2 \1/' | sort -rn | head -5 |
      awk '{printf "%s%s (%d)", (NR>1 ? ", " : ""), $2, $1}')"
  fi
  if [[ -f "$RUN_DIR/workorder.ready" ]]; then
    by_state=""
    for s in 1:pending 2:in_progress 3:awaiting_verification 4:done 5:closed; do
      by_state+="${s#*:} $(redis-cli -h 127.0.0.1 -p "$FBL_REDIS_PORT" SCARD "fbl:workorder:ix:state:${s%%:*}" 2>/dev/null || echo ?), "
    done
    log "workorder: tickets opened $(metric workorder 'workorder_inputs_total{.*result="created"')" \
        "(from red alerts $(metric workorder 'workorder_inputs_total{.*result="created".*source="alert"')); by state: ${by_state%, }"
  fi
  [[ -f "$RUN_DIR/alerting.ready" ]] &&
    log "alerting: red alerts raised $(metric alerting alerting_alerts_total) (run it again: the replay raises none)"
  [[ -f "$RUN_DIR/notifier.ready" ]] &&
    log "notifier: pages sent $(metric notifier 'notifier_deliveries_total{.*result="sent"'), received by the pager sink" \
        "$(grep -c '^PAGE' "$RUN_DIR/pages.log" || true) ($RUN_DIR/pages.log)"
  if [[ -f "$RUN_DIR/analytics.ready" ]]; then
    log "analytics: feedback aggregated $(metric analytics 'analytics_records_total{result="aggregated",source="classified"'),"\
        "quality-risk warnings $(metric analytics analytics_quality_warnings_total)"
    # The weekly report of the last seven days (AN-8), as HTML and JSON.
    grpc=$(sed -n 's/.*"grpc_port":"*\([0-9]*\).*/\1/p' "$RUN_DIR/analytics.ready")
    from=$(date -u -d '-7 days' +%Y-%m-%dT%H:00:00Z) to=$(date -u -d '+1 hour' +%Y-%m-%dT%H:00:00Z)
    if "$FBL_CACHE/bin/grpcurl" -plaintext -max-msg-sz 67108864 \
        -d "{\"kind\":\"REPORT_KIND_WEEKLY\",\"period\":{\"start\":\"$from\",\"end\":\"$to\"}}" \
        "127.0.0.1:$grpc" feedbackloop.analytics.v1.AnalyticsService/GenerateReport >"$RUN_DIR/report.response.json" 2>"$RUN_DIR/report.err" &&
       python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); open(sys.argv[2],"w").write(r["html"]); open(sys.argv[3],"w").write(r["json"])' \
         "$RUN_DIR/report.response.json" "$RUN_DIR/report.html" "$RUN_DIR/report.json"; then
      log "report: $RUN_DIR/report.html (and report.json)"
    else
      log "report: not generated ($(head -c 300 "$RUN_DIR/report.err"))"
    fi
  fi
  metrics_ports=""
  for svc in "${SERVICES[@]}"; do
    [[ -f "$RUN_DIR/$svc.ready" ]] &&
      metrics_ports+="$svc :$(sed -n 's/.*"metrics_port":"*\([0-9]*\).*/\1/p' "$RUN_DIR/$svc.ready"), "
  done
  log "metrics: http://127.0.0.1:<port>/metrics — ${metrics_ports%, }; dashboards: deploy/grafana/dashboards"
fi
log "logs in $RUN_DIR; press Ctrl-C to stop"
# Runs until Ctrl-C, or until a service dies (then everything stops).
while true; do
  for i in "${!pids[@]}"; do
    kill -0 "${pids[$i]}" 2>/dev/null || die "a service exited; see the logs in $RUN_DIR"
  done
  sleep 1
done
