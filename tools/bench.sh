#!/usr/bin/env bash
# Runs a benchmark suite and writes its tables (markdown) to
# $build/bench-results/<suite>.md as well as stdout. BENCHMARKS.md holds the
# results and says what each figure is measured against.
#
#   tools/bench.sh native    search vs FAISS (one query and batched), image
#                            preprocessing vs Pillow, `clipsearch index` per
#                            model and device, near-duplicate quality (< 20 min)
#   tools/bench.sh wasm      search and tokenizer in WebAssembly under Node.js
#   tools/bench.sh browser   search in headless Chromium, the page's load and
#                            query times, download sizes
#   tools/bench.sh all
#
# Run tools/setup.sh once first (the README's commands do). The build folder
# is ${CLIPSEARCH_BUILD_DIR:-build}; bench data goes to $build/bench-data.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
suite="${1:-native}"
build="${CLIPSEARCH_BUILD_DIR:-build}"
data="$build/bench-data"
results="$build/bench-results"
py=/usr/bin/python3  # Debian's, which sees python3-pil and python3-numpy
mkdir -p "$data" "$results"

configure() {
  local gen=()
  command -v ninja >/dev/null && [ ! -f "$build/CMakeCache.txt" ] && gen=(-G Ninja)
  cmake -S . -B "$build" "${gen[@]}" -DCLIPSEARCH_BENCHMARKS=ON >/dev/null
}
targets() { cmake --build "$build" -j "$(nproc)" --target "$@"; }
cli() { find "$build" -name clipsearch -type f -perm -u+x -not -path "*/CMakeFiles/*" | head -n 1; }

# Each table is printed as it is made, and kept.
run() {
  local name="$1"
  shift
  echo ">> $*" >&2
  "$@" | tee "$results/$name.md"
}

header() {
  {
    echo "Machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "Date: $(date -u +%Y-%m-%dT%H:%MZ); commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)."
  } | tee "$results/$1-machine.md"
}

search_data() {  # the wasm suites' data sets: 100k and 1M vectors
  targets clipsearch_bench_search_data >&2
  for n in 100000 1000000; do
    [ -f "$data/search-$n/data.json" ] || "$build/bench/clipsearch_bench_search_data" --n "$n" --out "$data/search-$n" >&2
  done
}

native() {
  configure
  targets clipsearch_bench_search clipsearch_bench_batch clipsearch_bench_preprocess clipsearch >&2
  header native
  run search "$build/bench/clipsearch_bench_search" --sizes 100000,1000000
  run batch "$build/bench/clipsearch_bench_batch" --sizes 100000,1000000
  run duplicates "$py" bench/duplicates_quality.py --cli "$(cli)" --work "$data/duplicates"
  run preprocess "$py" bench/preprocess_speed.py --native "$build/bench/clipsearch_bench_preprocess" --work "$data"
  if [ ! -f models/vitb32-random/model.json ]; then
    echo ">> making models/vitb32-random (random weights, ViT-B/32 shapes)" >&2
    "$py" models/make_random_vitb32.py --out models/vitb32-random >&2
  fi
  run index "$py" bench/index_speed.py --cli "$(cli)" --work "$data"
}

wasm() {
  configure
  targets wasm clipsearch_bench_tokenize >&2
  search_data
  header wasm
  run search-node node bench/search_wasm.mjs --host node --wasm "$build/wasm" \
    --data "$data/search-100000,$data/search-1000000"
  run tokenizer node bench/tokenizer_speed.mjs --native "$build/bench/clipsearch_bench_tokenize" --wasm "$build/wasm"
}

browser() {
  configure
  targets wasm >&2
  search_data
  header browser
  run search-chromium node bench/search_wasm.mjs --host chromium --wasm "$build/wasm" --seconds 2 \
    --data "$data/search-100000,$data/search-1000000"
  targets web >&2
  [ -f "$data/index-vitb32-cpu-48/manifest.json" ] ||
    "$py" bench/index_speed.py --cli "$(cli)" --work "$data" --runs vitb32:cpu:48 >/dev/null
  run page node bench/page_speed.mjs --web "$build/web" --cli "$(cli)" --vitb32-index "$data/index-vitb32-cpu-48"
  run sizes "$py" bench/sizes.py --web "$build/web"
}

case "$suite" in
  native) native ;;
  wasm) wasm ;;
  browser) browser ;;
  all) native; wasm; browser ;;
  *) echo "usage: tools/bench.sh [native|wasm|browser|all]" >&2; exit 2 ;;
esac
