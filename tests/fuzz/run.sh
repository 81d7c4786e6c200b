#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS_PER_TARGET (default 60), one after
# the other at low priority, and prints per target: executions, coverage
# (libFuzzer's final cov / ft), the corpus size and any crash files.
#
#   tests/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Needs a build with fuzzing on:
#   CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCLIPSEARCH_FUZZ=ON
#   cmake --build build-fuzz --target fuzz_shard fuzz_image ...
# Env: FUZZ_BUILD (default build-fuzz), FUZZ_WORK (default $FUZZ_BUILD/fuzz-work:
# the growing corpus, kept between runs), FUZZ_ARGS (extra libFuzzer flags).
# Seeds come from tests/fuzz/corpus/<target>/ and tests/fuzz/regressions/<target>/;
# a crash file lands in $FUZZ_WORK/<target>/crash-* and the script exits 1.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(shard index_manifest model_manifest image tokenizer vocab wordpiece onnx_prune)
build="${FUZZ_BUILD:-$root/build-fuzz}"
work="${FUZZ_WORK:-$build/fuzz-work}"
here="$root/tests/fuzz"

printf '%-16s %8s %12s %8s %8s %8s %s\n' target seconds execs cov ft corpus crashes
status=0
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/fuzz_$t"
  if [ ! -x "$bin" ]; then
    echo "$bin missing: build target fuzz_$t in $build (CLIPSEARCH_FUZZ=ON)" >&2
    exit 2
  fi
  mkdir -p "$work/$t/corpus"
  seeds=()
  for d in "$here/corpus/$t" "$here/regressions/$t"; do [ -d "$d" ] && seeds+=("$d"); done
  dict=()
  [ -f "$here/dict/$t.dict" ] && dict=("-dict=$here/dict/$t.dict")
  log="$work/$t/last.log"
  # -timeout: a slow unit (> 10 s) is a finding too; -rss_limit_mb: so is a blow-up.
  nice -n 10 "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/$t/" "${dict[@]}" ${FUZZ_ARGS:-} "$work/$t/corpus" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  last="$(grep -E '^#[0-9]+' "$log" | tail -1)"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")"
  ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")"
  n="$(find "$work/$t/corpus" -type f | wc -l)"
  crashes="$(find "$work/$t" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'slow-unit-*' \) | wc -l)"
  printf '%-16s %8s %12s %8s %8s %8s %s\n' "$t" "$seconds" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$n" "$crashes"
  if [ $rc -ne 0 ] || [ "$crashes" -ne 0 ]; then
    echo "  fuzz_$t exited $rc; log: $log" >&2
    grep -m3 -E 'ERROR|FUZZ_CHECK|SUMMARY|Test unit written' "$log" | sed 's/^/  /' >&2
    status=1
  fi
done
exit $status
