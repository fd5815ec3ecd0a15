#!/usr/bin/env bash
# Validates the deployment artefacts offline, without Docker or a cluster:
# the Dockerfile, the Compose file, the Prometheus config, rules and rule unit
# tests, and the Helm chart (lint, Kubernetes schemas, chart semantics). Where
# the services are built, the Compose and Helm configs are also loaded by the
# real binaries. Idempotent; tools come from `scripts/test-tools.sh deploy`
# (cached in $FBL_CACHE). Prints PASS/FAIL per check; exits 1 on any FAIL.
#   scripts/validate-deploy.sh [-v] [--sync-chart-files]
#     -v                   show every check's output, not only failures'
#     --sync-chart-files   first copy deploy/ files into helm/feedbackloop/files/
set -uo pipefail
source "$(dirname "$0")/lib.sh"

verbose=0 sync=0
for arg in "$@"; do
  case "$arg" in
    -v) verbose=1 ;;
    --sync-chart-files) sync=1 ;;
    *) die "usage: $0 [-v] [--sync-chart-files]" ;;
  esac
done

"$FBL_ROOT/scripts/test-tools.sh" deploy || die "cannot install the deploy tools"
BIN="$FBL_CACHE/bin"
SCHEMAS="$FBL_CACHE/schemas"
STATE="$FBL_CACHE/validate-deploy"  # passes remembered by the slow checks
CHART="$FBL_ROOT/helm/feedbackloop"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$FBL_ROOT" || exit 1

passed=0 failed=0
# check NAME COMMAND...: runs it, prints PASS/FAIL and the output's gist.
check() {
  local name="$1"; shift
  local out rc
  out="$("$@" 2>&1)"; rc=$?
  if ((rc == 0)); then
    passed=$((passed + 1))
    printf 'PASS  %s\n' "$name"
    ((verbose)) && [[ -n "$out" ]] && printf '%s\n' "$out" | sed 's/^/      /'
  else
    failed=$((failed + 1))
    printf 'FAIL  %s\n' "$name"
    printf '%s\n' "$out" | sed 's/^/      /'
  fi
  return 0
}

# --- Dockerfile ---------------------------------------------------------
check "Dockerfile: hadolint" "$BIN/hadolint" deploy/docker/Dockerfile
check "Dockerfile: stages, COPY sources, packages vs scripts/deps.sh, linked libraries" \
  python3 deploy/docker/check_dockerfile.py --build-dir "$FBL_BUILD_DIR" --cache-dir "$STATE"

# --- Prometheus -----------------------------------------------------------
if command -v promtool >/dev/null 2>&1; then
  check "Prometheus: promtool check config (compose prometheus.yml and its rules)" \
    promtool check config deploy/prometheus/prometheus.yml
  check "Prometheus: promtool check rules" promtool check rules deploy/prometheus/rules/*.yml
  check "Prometheus: promtool test rules" promtool test rules deploy/prometheus/tests/*.yml
else
  check "Prometheus: promtool (Debian package prometheus; run scripts/deps.sh)" false
fi

# --- Compose --------------------------------------------------------------
check "Compose: compose-spec schema, references, ports vs configs and prometheus.yml, drift from deploy/local" \
  python3 deploy/compose/check_compose.py --schema "$SCHEMAS/compose-spec.json"

# --- Helm -----------------------------------------------------------------
if ((sync)); then python3 helm/check_chart.py files --sync; fi
check "Helm: chart copies in files/ equal their deploy/ originals" python3 helm/check_chart.py files
values_sets=()
for v in "$CHART"/ci/*-values.yaml; do values_sets+=("$(basename "$v" -values.yaml)"); done
for set in "${values_sets[@]}"; do
  check "Helm: lint --strict ($set values)" "$BIN/helm" lint --strict "$CHART" -f "$CHART/ci/$set-values.yaml"
done
# Rendered per values set and Kubernetes version. The CRD kinds (ServiceMonitor,
# PrometheusRule) have no core schema: check_chart.py checks those.
template_failed() { printf '%s\n' "$1"; return 1; }
kv=""
for dir in "$SCHEMAS"/kubernetes/v*-standalone-strict; do
  kv="${dir##*/v}"; kv="${kv%-standalone-strict}"
  outs=()
  for set in "${values_sets[@]}"; do
    out="$work/$set-$kv.yaml"
    if "$BIN/helm" template fbl "$CHART" -f "$CHART/ci/$set-values.yaml" --kube-version "$kv" >"$out" 2>"$work/err"; then
      outs+=("$out")
    else
      check "Helm: template, Kubernetes $kv ($set values)" template_failed "$(cat "$work/err")"
    fi
  done
  ((${#outs[@]})) && check "Helm: kubeconform -strict, Kubernetes $kv (${values_sets[*]} values)" \
    "$BIN/kubeconform" -strict -summary -kubernetes-version "$kv" -skip ServiceMonitor,PrometheusRule \
    -schema-location "$SCHEMAS/kubernetes/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    "${outs[@]}"
done
[[ -n "$kv" ]] || check "Helm: Kubernetes schemas in $SCHEMAS/kubernetes" false
if compgen -G "$work/*-$kv.yaml" >/dev/null; then
  # The versions render alike; the newest one's renders are checked.
  check "Helm: probes, ports, selectors, security, data ConfigMaps, PrometheusRule, drift from deploy/local" \
    python3 helm/check_chart.py rendered "$work"/*-"$kv".yaml
fi

# --- the real binaries on the deployment configs -------------------------
if compgen -G "$FBL_BUILD_DIR/services/*/*" >/dev/null; then
  check "Compose: service configs load in the built services ($FBL_BUILD_DIR)" \
    python3 deploy/docker/check_service_configs.py --build-dir "$FBL_BUILD_DIR" --cache-dir "$STATE" deploy/compose/config
  if [[ -f "$work/default-$kv.yaml" ]]; then
    python3 helm/check_chart.py configs "$work/default-$kv.yaml" "$work/helm-config"
    check "Helm: rendered service configs load in the built services ($FBL_BUILD_DIR)" \
      python3 deploy/docker/check_service_configs.py --build-dir "$FBL_BUILD_DIR" --cache-dir "$STATE" "$work/helm-config"
  fi
else
  printf 'SKIP  service configs in the real binaries: nothing built in %s (scripts/build.sh)\n' "$FBL_BUILD_DIR"
fi

echo "validate-deploy: $passed passed, $failed failed"
((failed == 0))
