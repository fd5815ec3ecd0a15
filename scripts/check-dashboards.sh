#!/usr/bin/env bash
# Checks the Grafana dashboards in deploy/grafana/dashboards/ against a real
# Prometheus scraping the real services:
#   1. validates every dashboard's structure (schemaVersion >= 36, data
#      source uid "prometheus" on every panel and query, unique panel ids,
#      gridPos inside the 24-column grid and without overlaps, grouping only
#      by bounded labels, template variables only in =~ matchers);
#   2. builds the service binaries, starts its own Kafka and Redis
#      (scripts/stack.sh on free ports), a local pager sink, and every built
#      service with its deploy/local/ config (ports and brokers overridden
#      like scripts/run.sh does);
#   3. starts Debian's Prometheus (scrape_interval 1s) on loopback with a
#      generated scrape config and waits until every target is up;
#   4. replays real data: the Black Cat complaints (as scripts/run.sh does),
#      a few hundred online-shopping reviews and two invalid submissions over
#      gRPC, and waits until every stage has handled them;
#   5. runs every panel query and every template variable's label_values()
#      as an instant query (Grafana variables replaced: $__rate_interval and
#      $__interval by 30s, $__range by 5m, template variables by .*) and
#      requires a non-empty result.
# Prints PASS/FAIL per query; exits non-zero on any failure. Stops
# everything it started.
#
#   scripts/check-dashboards.sh [--no-build] [--use-stack] [--keep] [--prometheus URL]
#     --no-build        use the binaries already in $FBL_BUILD_DIR
#     --use-stack       use the running stack of the environment (FBL_STACK_DIR,
#                       FBL_KAFKA_PORT, FBL_REDIS_PORT, as scripts/test.sh sets
#                       them) instead of starting one; it is left running
#     --keep            after the check, keep everything running until Ctrl-C
#                       (point a Grafana at the printed Prometheus address)
#     --prometheus URL  only steps 1 and 5: query a Prometheus that already
#                       scrapes the system (e.g. one left by --keep)
#   FBL_BUILD_DIR             build directory (default: <repo>/build)
#   FBL_CHECK_PORT_BASE       use 20 consecutive ports from here (default: free ports)
#   FBL_CHECK_DIR             work directory (default: a new temporary one, removed)
#   FBL_CHECK_REVIEWS         online-shopping reviews to replay (default: 300)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

BUILD=yes KEEP=no PROM="" USE_STACK=no
while (($#)); do
  case "$1" in
    --no-build) BUILD=no ;;
    --use-stack) USE_STACK=yes ;;
    --keep) KEEP=yes ;;
    --prometheus) PROM="${2:?--prometheus needs a URL}"; shift ;;
    *) die "unknown argument $1 (see the header of $0)" ;;
  esac
  shift
done

DASHBOARDS="${FBL_DASHBOARDS_DIR:-$FBL_ROOT/deploy/grafana/dashboards}"
DATA="${FBL_DATA_DIR:-$FBL_ROOT/../shared/data}"
SERVICES=(intake classification alerting notifier workorder analytics)
REVIEWS="${FBL_CHECK_REVIEWS:-300}"
PROMETHEUS="${FBL_PROMETHEUS:-/usr/bin/prometheus}"
started_at=$SECONDS

# ---- 1. structure ----------------------------------------------------------
# Validates the dashboards and prints one line per query to check:
#   <dashboard>\t<panel>\t<expr with variables replaced>
# and, for template variables, "label_values\t<metric>\t<label>" lines.
extract_queries() {
  python3 - "$DASHBOARDS" <<'PY'
import json, os, re, sys

root = sys.argv[1]
errors = []
# Labels a panel may group by: all bounded by code (enums, the taxonomy,
# topics, services) — never ids or free text.
BOUNDED = {"job", "instance", "group", "topic", "service", "channel", "result", "outcome", "reason",
           "category", "severity", "type", "event", "state", "stage", "kind", "problem", "intent",
           "module", "priority", "entry_point", "le", "code", "rpc", "dimension", "class", "source"}
VAR = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]")
BUILTIN = {"__rate_interval": "30s", "__interval": "30s", "__range": "5m", "__range_s": "300",
           "__interval_ms": "30000"}


def ds_ok(ds):
    return isinstance(ds, dict) and ds.get("uid") == "prometheus" and ds.get("type") == "prometheus"


def walk(panels):
    for p in panels:
        yield p
        yield from walk(p.get("panels", []))  # collapsed rows


files = sorted(f for f in os.listdir(root) if f.endswith(".json"))
if not files:
    errors.append(f"no dashboards in {root}")
uids = {}
for name in files:
    where = name
    try:
        with open(os.path.join(root, name), encoding="utf-8") as f:
            d = json.load(f)
    except ValueError as e:
        errors.append(f"{where}: not JSON: {e}")
        continue
    for key in ("uid", "title", "panels", "schemaVersion", "time", "templating"):
        if key not in d:
            errors.append(f"{where}: no '{key}'")
    if not isinstance(d.get("schemaVersion"), int) or d.get("schemaVersion", 0) < 36:
        errors.append(f"{where}: schemaVersion must be >= 36")
    if d.get("id") is not None:
        errors.append(f"{where}: 'id' must be null (provisioned dashboards get theirs from Grafana)")
    if d.get("uid") in uids:
        errors.append(f"{where}: uid {d.get('uid')} also in {uids[d.get('uid')]}")
    uids[d.get("uid")] = name
    title = d.get("title", name)
    variables = {}
    for v in d.get("templating", {}).get("list", []):
        variables[v.get("name")] = v
        if v.get("type") == "query":
            if not ds_ok(v.get("datasource")):
                errors.append(f"{where}: variable {v.get('name')}: datasource must be prometheus/prometheus")
            q = v.get("query")
            q = q.get("query") if isinstance(q, dict) else q
            m = re.fullmatch(r"\s*label_values\(\s*([^,]+?)\s*,\s*(\w+)\s*\)\s*", q or "")
            if not m:
                errors.append(f"{where}: variable {v.get('name')}: only label_values(metric, label) is checked")
            else:
                if m.group(2) not in BOUNDED:
                    errors.append(f"{where}: variable {v.get('name')}: label {m.group(2)} is not a bounded label")
                print(f"{title}\tvariable ${v.get('name')}\tlabel_values\t{m.group(1)}\t{m.group(2)}")
    boxes = [(p.get("title", "?"), p.get("gridPos", {})) for p in d.get("panels", [])]
    boxes = [(t, g) for t, g in boxes if all(isinstance(g.get(k), int) for k in ("h", "w", "x", "y"))]
    for i, (ta, a) in enumerate(boxes):
        for tb, b in boxes[i + 1:]:
            if a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and \
               a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]:
                errors.append(f"{where}: panels '{ta}' and '{tb}' overlap")
    ids = set()
    for p in walk(d.get("panels", [])):
        pt = p.get("title", "?")
        pw = f"{where}: panel '{pt}'"
        if not isinstance(p.get("id"), int):
            errors.append(f"{pw}: no integer id")
        elif p["id"] in ids:
            errors.append(f"{pw}: id {p['id']} is not unique")
        ids.add(p.get("id"))
        g = p.get("gridPos", {})
        if not all(isinstance(g.get(k), int) for k in ("h", "w", "x", "y")):
            errors.append(f"{pw}: gridPos needs integer h, w, x, y")
        elif g["x"] < 0 or g["w"] < 1 or g["x"] + g["w"] > 24 or g["h"] < 1:
            errors.append(f"{pw}: gridPos outside the 24-column grid")
        if p.get("type") in ("row", "text"):
            continue
        if not ds_ok(p.get("datasource")):
            errors.append(f"{pw}: datasource must be {{type: prometheus, uid: prometheus}}")
        targets = p.get("targets", [])
        if not targets:
            errors.append(f"{pw}: no queries")
        refs = set()
        for t in targets:
            if not ds_ok(t.get("datasource")):
                errors.append(f"{pw}: query {t.get('refId')}: datasource must be prometheus/prometheus")
            if t.get("refId") in refs or not t.get("refId"):
                errors.append(f"{pw}: refId {t.get('refId')!r} missing or repeated")
            refs.add(t.get("refId"))
            expr = t.get("expr", "")
            if not expr.strip():
                errors.append(f"{pw}: query {t.get('refId')}: empty expr")
                continue
            for grouping in re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", expr):
                for label in filter(None, (s.strip() for s in grouping.split(","))):
                    if label not in BOUNDED:
                        errors.append(f"{pw}: groups by '{label}', not a bounded label")
            for m in VAR.finditer(expr):
                var = next(g for g in m.groups() if g)
                if var in BUILTIN:
                    continue
                if var not in variables:
                    errors.append(f"{pw}: unknown variable ${var}")
                # A multi-value or "All" variable only works in a regex matcher.
                before = expr[:m.start()].rstrip()
                if not before.endswith('=~"') and not before.endswith("=~'"):
                    errors.append(f"{pw}: ${var} must be used as label=~\"${var}\"")

            def sub(m):
                var = next(g for g in m.groups() if g)
                return BUILTIN.get(var, ".*")
            flat = " ".join(VAR.sub(sub, expr).split())
            print(f"{title}\t{pt} [{t.get('refId')}]\t{flat}")
for e in errors:
    print("INVALID: " + e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
}

log "validating $(ls "$DASHBOARDS"/*.json 2>/dev/null | wc -l) dashboards in ${DASHBOARDS#$FBL_ROOT/}"
QUERIES="$(extract_queries)" || die "dashboard structure is invalid (see above)"
log "structure ok: $(grep -c $'\t' <<<"$QUERIES") queries to check"

# promql EXPR -> the instant query's JSON response
promql() { curl -sf --max-time 10 "$PROM/api/v1/query" --data-urlencode "query=$1"; }

if [[ -z "$PROM" ]]; then
# ---- 2. build, stack, services ---------------------------------------------
[[ -x "$PROMETHEUS" ]] || die "no Prometheus at $PROMETHEUS (scripts/deps.sh installs Debian's prometheus)"
if [[ "$BUILD" == yes ]]; then
  targets=(fbl-admin)
  for svc in "${SERVICES[@]}"; do
    [[ -f "$FBL_ROOT/services/$svc/CMakeLists.txt" ]] && targets+=("$svc")
  done
  log "building ${targets[*]}"
  "$FBL_ROOT/scripts/build.sh" --target "${targets[@]}" >&2
fi

WORK="${FBL_CHECK_DIR:-$(mktemp -d /tmp/fbl-dashcheck.XXXXXX)}"
mkdir -p "$WORK/services"
ports=()
if [[ -n "${FBL_CHECK_PORT_BASE:-}" ]]; then
  for i in $(seq 0 19); do ports+=($((FBL_CHECK_PORT_BASE + i))); done
else
  read -r -a ports <<<"$(python3 -c '
import socket
socks = [socket.socket() for _ in range(20)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))')"
fi
if [[ "$USE_STACK" == no ]]; then
  export FBL_STACK_DIR="$WORK/stack" FBL_KAFKA_PORT="${ports[0]}" FBL_KAFKA_CONTROLLER_PORT="${ports[1]}"
  export FBL_REDIS_PORT="${ports[2]}" FBL_REDIS_PERSIST=no
fi
PAGER_PORT="${ports[3]}" SMS_PORT="${ports[4]}" SMTP_PORT="${ports[5]}" PROM_PORT="${ports[6]}"
declare -A GRPC_PORT METRICS_PORT
i=7
for svc in "${SERVICES[@]}"; do
  GRPC_PORT[$svc]="${ports[$i]}" METRICS_PORT[$svc]="${ports[$((i + 1))]}"
  i=$((i + 2))
done

pids=()
stopped=no
stop_all() {
  [[ "$stopped" == yes ]] && return
  stopped=yes
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ "$USE_STACK" == yes ]] || "$FBL_ROOT/scripts/stack.sh" stop >/dev/null 2>&1 || true
  if [[ -z "${FBL_CHECK_DIR:-}" && "${failed:-1}" == 0 ]]; then rm -rf "$WORK"; else log "logs kept in $WORK"; fi
}
trap 'stop_all' EXIT
trap 'exit 130' INT TERM

[[ "$USE_STACK" == yes ]] || "$FBL_ROOT/scripts/stack.sh" start >&2
eval "$("$FBL_ROOT/scripts/stack.sh" env)"
"$FBL_ROOT/scripts/keyring.sh" "$WORK/keyring" >/dev/null
export FBL__KAFKA_BROKERS="$FBL_KAFKA_BROKERS" FBL__REDIS__PORT="$FBL_REDIS_PORT"
export FBL_NOTIFIER_WEBHOOK_SECRET="$(head -c 24 /dev/urandom | base64)"
cd "$FBL_ROOT"  # config files name repository paths (rules, taxonomies, models)

# The on-call staff's phones: webhook and IM robot pages and SMS land in the
# pager sink. E-mail goes to a port of this check's own where nothing listens
# (never to whatever SMTP server may be on 8025): an e-mail page fails.
python3 "$FBL_ROOT/scripts/pager_sink.py" --port "$PAGER_PORT" --sms-port "$SMS_PORT" >"$WORK/services/pages.log" 2>&1 &
pids+=($!)
sed -e "s#127.0.0.1:18080#127.0.0.1:$PAGER_PORT#g" -e "s#127.0.0.1:18081#127.0.0.1:$SMS_PORT#g" \
    -e "s#smtp://127.0.0.1:8025#smtp://127.0.0.1:$SMTP_PORT#g" \
    deploy/local/notifier.yaml >"$WORK/notifier.yaml"

started=()
for svc in "${SERVICES[@]}"; do
  bin="$FBL_BUILD_DIR/services/$svc/$svc"
  cfg="deploy/local/$svc.yaml"
  [[ "$svc" == notifier ]] && cfg="$WORK/notifier.yaml"
  [[ -x "$bin" && -f "$cfg" ]] || { log "$svc: not built or no $cfg; not started"; continue; }
  extra=()
  [[ "$svc" == intake ]] && extra+=("FBL__KEYRING_FILE=$WORK/keyring")
  [[ "$svc" == analytics ]] && extra+=("FBL__WORKORDER_ADDR=127.0.0.1:${GRPC_PORT[workorder]}")
  env ${extra[@]+"${extra[@]}"} FBL__SERVER__READY_FILE="$WORK/services/$svc.ready" \
    FBL__SERVER__GRPC_LISTEN="127.0.0.1:${GRPC_PORT[$svc]}" \
    FBL__SERVER__METRICS_LISTEN="127.0.0.1:${METRICS_PORT[$svc]}" \
    "$bin" --config "$cfg" >"$WORK/services/$svc.log" 2>&1 &
  pids+=($!)
  deadline=$((SECONDS + 30))
  until [[ -f "$WORK/services/$svc.ready" ]]; do
    kill -0 "${pids[-1]}" 2>/dev/null || die "$svc exited at start; see $WORK/services/$svc.log"
    ((SECONDS < deadline)) || die "$svc not ready within 30s; see $WORK/services/$svc.log"
    sleep 0.1
  done
  started+=("$svc")
done
log "services running: ${started[*]}"

# ---- 3. Prometheus ----------------------------------------------------------
{
  echo "global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}"
  echo "scrape_configs:"
  for svc in "${started[@]}"; do
    echo "  - {job_name: $svc, static_configs: [{targets: ['127.0.0.1:${METRICS_PORT[$svc]}']}]}"
  done
} >"$WORK/prometheus.yml"
"$PROMETHEUS" --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prometheus-data" \
  --web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn >"$WORK/prometheus.log" 2>&1 &
pids+=($!)
PROM="http://127.0.0.1:$PROM_PORT"
# Waits until Prometheus sees `expr` >= min (or any result when min is empty).
wait_for() {  # wait_for WHAT SECONDS EXPR [MIN]
  local what="$1" deadline=$((SECONDS + $2)) expr="$3" min="${4:-}"
  while :; do
    if promql "$expr" | python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
want = sys.argv[1]
sys.exit(0 if r and (not want or float(r[0]["value"][1]) >= float(want)) else 1)' "$min" 2>/dev/null; then
      return 0
    fi
    ((SECONDS < deadline)) || { log "timed out waiting for $what ($expr >= ${min:-any})"; return 1; }
    sleep 0.5
  done
}
wait_for "Prometheus and every target up" 60 "count(up == 1)" "${#started[@]}" ||
  die "targets not up; see $WORK/prometheus.log"

# ---- 4. real data ----------------------------------------------------------
intake() { "$FBL_BUILD_DIR/services/intake/intake" "$@"; }
rejects() { if [[ -f "$1" ]]; then echo $(($(wc -l <"$1") - 1)); else echo 0; fi; }  # rows in a rejects CSV
expected=0
if [[ -f "$DATA/blackcat_complaints.csv" ]]; then
  log "replaying blackcat_complaints.csv through feedback.raw.v1"
  intake import --config deploy/local/intake.yaml --mapping deploy/local/blackcat-mapping.yaml \
    --file "$DATA/blackcat_complaints.csv" --report "$WORK/blackcat.rejects.csv" >"$WORK/import-blackcat.log" 2>&1 ||
    die "import failed; see $WORK/import-blackcat.log"
  expected=$((expected + 104 - $(rejects "$WORK/blackcat.rejects.csv")))
fi
if [[ -f "$DATA/online_shopping_10_cats.csv" ]]; then
  # An even spread over the file: every product category, both labels.
  python3 - "$DATA/online_shopping_10_cats.csv" "$WORK/reviews.csv" "$REVIEWS" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
n = int(sys.argv[3])
step = max(1, len(rows) // n)
with open(sys.argv[2], "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    w.writerow(["cat", "label", "review"])
    for r in rows[::step][:n]:
        w.writerow([r["cat"], r["label"], r["review"].lstrip("\ufeff")])
PY
  cat >"$WORK/reviews-mapping.yaml" <<'EOF'
source: online-shopping-replay
channel: CHANNEL_ECOMMERCE_REVIEW
offline: false
columns:
  text: review
  labels.category: cat
EOF
  log "replaying $REVIEWS online-shopping reviews through feedback.raw.v1"
  intake import --config deploy/local/intake.yaml --mapping "$WORK/reviews-mapping.yaml" \
    --file "$WORK/reviews.csv" --report "$WORK/reviews.rejects.csv" >"$WORK/import-reviews.log" 2>&1 ||
    die "import failed; see $WORK/import-reviews.log"
  expected=$((expected + REVIEWS - $(rejects "$WORK/reviews.rejects.csv")))
fi
# Two submissions intake must reject (dead-letter panels): no channel, and no
# text. Hand-written, not customer text.
GRPCURL="$(command -v grpcurl || echo "$FBL_CACHE/bin/grpcurl")"
if [[ -x "$GRPCURL" ]]; then
  for body in '{"submission":{"external_id":"dashcheck-1","source":"dashcheck","text":"hand-written: no channel"}}' \
              '{"submission":{"external_id":"dashcheck-2","source":"dashcheck","channel":"CHANNEL_API"}}'; do
    "$GRPCURL" -plaintext -d "$body" "127.0.0.1:${GRPC_PORT[intake]}" \
      feedbackloop.intake.v1.IntakeService/SubmitFeedback >>"$WORK/grpc-rejects.log" 2>&1 || true
  done
fi

log "waiting for the pipeline to take in $expected records"
# Each stage has handled everything the one before it produced.
wait_for "intake" 120 'sum(intake_received_total{entry_point="kafka"})' "$expected" || true
wait_for "classification" 120 \
  'sum(classification_records_total) >= sum(intake_records_total{outcome="accepted"})' || true
wait_for "alerting" 60 'sum(alerting_feedback_total) >= sum(intake_records_total{outcome="accepted"})' || true
wait_for "notifier" 60 'sum(notifier_events_total) >= sum(alerting_events_total)' || true
wait_for "workorder (classified)" 60 \
  'sum(workorder_inputs_total{source="classified"}) >= sum(classification_records_total{result="classified"})' || true
wait_for "workorder (alerts)" 60 'sum(workorder_inputs_total{source="alert"}) >= sum(alerting_events_total)' || true
wait_for "consumer lag reports" 30 'count(kafka_consumer_lag_messages)' 1 || true
if [[ " ${started[*]} " == *" analytics "* && -x "$GRPCURL" ]]; then
  wait_for "analytics" 60 \
    'sum(analytics_records_total{source="classified"}) >= sum(classification_records_total{result="classified"})' || true
  # What a report reader asks first: the top problems of the last day.
  "$GRPCURL" -plaintext -d "{\"period\":{\"start\":\"$(date -u -d '-1 day' +%FT%TZ)\",\"end\":\"$(date -u -d '+1 hour' +%FT%TZ)\"},\"n\":5}" \
    "127.0.0.1:${GRPC_PORT[analytics]}" feedbackloop.analytics.v1.AnalyticsService/GetTopProblems \
    >"$WORK/analytics-top-problems.json" 2>&1 || log "analytics query failed; see $WORK/analytics-top-problems.json"
fi
# Two more scrapes of every target, so that every rate() has two samples
# after the last change.
wait_for "two more scrapes" 30 "min(timestamp(up)) > $(date +%s.%N) + 2" || true
fi

# ---- 5. every query --------------------------------------------------------
failed=0 passed=0
report=()
while IFS=$'\t' read -r dashboard panel kind a b; do
  if [[ "$kind" == label_values ]]; then
    expr="count by ($b) ($a)"
  else
    expr="$kind"
  fi
  out="$(promql "$expr" || echo '{"status":"error","error":"HTTP request failed"}')"
  verdict="$(python3 -c '
import json, sys
try:
    d = json.loads(sys.argv[1])
except ValueError:
    print("FAIL not JSON"); sys.exit()
if d.get("status") != "success":
    print("FAIL " + d.get("errorType", "") + ": " + d.get("error", "")); sys.exit()
r = d["data"]["result"]
if d["data"]["resultType"] == "scalar":
    print("PASS scalar " + r[1]); sys.exit()
if not r:
    print("FAIL empty result"); sys.exit()
values = [x["value"][1] for x in r]
nan = sum(v in ("NaN", "+Inf", "-Inf") for v in values)
note = f" ({nan} NaN/Inf: no observations in the window)" if nan else ""
print(f"PASS {len(r)} series{note}")' "$out")"
  if [[ "$verdict" == PASS* ]]; then
    passed=$((passed + 1))
    printf 'PASS  %s / %s: %s\n' "$dashboard" "$panel" "${verdict#* }"
  else
    failed=$((failed + 1))
    printf 'FAIL  %s / %s: %s\n      %s\n' "$dashboard" "$panel" "${verdict#* }" "$expr"
  fi
done <<<"$QUERIES"

log "$passed queries passed, $failed failed ($((SECONDS - started_at))s)"
if [[ "$KEEP" == yes && -n "${WORK:-}" ]]; then
  log "Prometheus on $PROM; services' logs in $WORK/services; Ctrl-C stops everything"
  while sleep 1; do :; done
fi
((failed == 0))
