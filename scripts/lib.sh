# Shared settings and helpers for the scripts; sourced, not run.
FBL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FBL_CACHE="${FBL_CACHE:-$HOME/.cache/feedbackloop}"
FBL_BUILD_DIR="${FBL_BUILD_DIR:-$FBL_ROOT/build}"
KAFKA_VERSION="${KAFKA_VERSION:-3.9.1}"
GRPCURL_VERSION="${GRPCURL_VERSION:-v1.9.1}"

# ccache: hit across checkouts (a CI clone and a working copy share objects).
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$FBL_ROOT}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
