#!/usr/bin/env bash
# Installs everything the build, the tests and the local stack need. Idempotent:
# a warm machine does nothing but a few `dpkg -s` checks.
#   scripts/deps.sh            Debian packages + Kafka jars
#   scripts/deps.sh --kafka    Kafka jars only
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DEB_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git curl ca-certificates
  protobuf-compiler libprotobuf-dev libgrpc++-dev protobuf-compiler-grpc
  librdkafka-dev libhiredis-dev prometheus-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev clang-14 libclang-rt-14-dev
  libabsl-dev libyaml-cpp-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libcli11-dev
  libssl-dev libsodium-dev libicu-dev libcsv-dev libhyperscan-dev libfasttext-dev libcurl4-openssl-dev
  redis-server redis-tools prometheus kcat python3
  openjdk-17-jre-headless maven
  chromium fonts-noto-cjk
)
# Go builds grpcurl; a newer Go already on the machine is preferred.
command -v go >/dev/null 2>&1 || DEB_PACKAGES+=(golang-go)

install_debs() {
  local missing=()
  for p in "${DEB_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    log "debian packages: all ${#DEB_PACKAGES[@]} present"
    return
  fi
  log "debian packages: installing ${missing[*]}"
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
  # The package starts a system-wide redis on 6379; the project runs its own.
  if command -v systemctl >/dev/null && systemctl is-active --quiet redis-server 2>/dev/null; then
    $sudo systemctl disable --now redis-server >/dev/null 2>&1 || true
  fi
}

# Kafka is resolved from Maven Central with Maven into a cached lib directory.
install_kafka() {
  local libdir="$FBL_CACHE/kafka-$KAFKA_VERSION/libs"
  if [[ -f "$libdir/.complete" ]]; then
    log "kafka $KAFKA_VERSION: cached in $libdir"
    return
  fi
  log "kafka $KAFKA_VERSION: resolving jars with maven into $libdir"
  mkdir -p "$libdir"
  mvn -q -B -f "$FBL_ROOT/deploy/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DoutputDirectory="$libdir" -DincludeScope=runtime
  touch "$libdir/.complete"
  log "kafka $KAFKA_VERSION: $(ls "$libdir" | wc -l) jars"
}

# grpcurl, for reflection checks and the docs' examples.
install_grpcurl() {
  if [[ -x "$FBL_CACHE/bin/grpcurl" ]]; then return; fi
  log "grpcurl $GRPCURL_VERSION: building with go install"
  GOBIN="$FBL_CACHE/bin" GOFLAGS=-mod=mod go install "github.com/fullstorydev/grpcurl/cmd/grpcurl@$GRPCURL_VERSION"
}

case "${1:-all}" in
  --kafka) install_kafka ;;
  all) install_debs; install_kafka; install_grpcurl ;;
  *) die "usage: $0 [--kafka]" ;;
esac
