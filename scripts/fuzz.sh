#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in build-fuzz/ and runs each for a
# bounded time, starting from tests/fuzz/seeds/. Exits non-zero on any finding
# (the crashing input is kept in build-fuzz/findings/).
#   scripts/fuzz.sh [seconds-per-target] [target...]   (default 30 s, every target)
# scripts/test.sh runs it with FBL_FUZZ_SECONDS: 11 targets.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
seconds="${1:-30}"
dir="${FBL_FUZZ_BUILD_DIR:-$FBL_ROOT/build-fuzz}"
targets=(decoder_fuzz text_fuzz config_fuzz kafka_records_fuzz redalert_rules_fuzz calendar_fuzz csv_fuzz
         taxonomy_fuzz keywords_fuzz keyring_fuzz import_line_fuzz)
if [[ $# -gt 1 ]]; then targets=("${@:2}"); fi
if [[ ! -f "$dir/build.ninja" ]]; then
  cmake -S "$FBL_ROOT" -B "$dir" -G Ninja -DFBL_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++-14 \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$dir" --target "${targets[@]}"
mkdir -p "$dir/findings"
for t in "${targets[@]}"; do
  corpus="$dir/corpus/$t"
  mkdir -p "$corpus"
  log "fuzzing $t for ${seconds}s"
  if ! "$dir/tests/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$dir/findings/$t-" -print_final_stats=1 \
      "$corpus" "$FBL_ROOT/tests/fuzz/seeds/$t" >"$dir/$t.log" 2>&1; then
    tail -40 "$dir/$t.log" >&2
    die "$t found a problem; input kept in $dir/findings/"
  fi
  grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$dir/$t.log" | tr '\n' ' ' >&2; echo >&2
done
log "fuzzing: no findings"
