#!/usr/bin/env bash
# Configures (once) and builds with Ninja and ccache.  Extra args go to `cmake --build`.
#   scripts/build.sh [--target T ...]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
if [[ ! -f "$FBL_BUILD_DIR/build.ninja" ]]; then
  cmake -S "$FBL_ROOT" -B "$FBL_BUILD_DIR" -G Ninja ${FBL_CMAKE_ARGS:-}
fi
cmake --build "$FBL_BUILD_DIR" "$@"
