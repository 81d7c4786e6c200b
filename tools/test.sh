#!/usr/bin/env bash
# The README's test command: set up, build native + wasm + the page, run every
# test (GoogleTest, CLI, node --test for wasm, Playwright for the page) via CTest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash tools/setup.sh
build="${CLIPSEARCH_BUILD_DIR:-build}"
jobs="$(nproc)"
gen=()
command -v ninja >/dev/null && [ ! -f "$build/CMakeCache.txt" ] && gen=(-G Ninja)
cmake -S . -B "$build" "${gen[@]}" ${CLIPSEARCH_CMAKE_ARGS:-}
cmake --build "$build" -j "$jobs"
cmake --build "$build" -j "$jobs" --target wasm web
ctest --test-dir "$build" --output-on-failure -j "$jobs" --timeout 900 "$@"
