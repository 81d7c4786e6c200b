#!/usr/bin/env bash
# The README's test command: set up, build native + wasm + the page, run every
# test (GoogleTest, CLI, node --test for wasm, Playwright for the page) via
# CTest; then build the native code again with clang under ASan + UBSan and
# libFuzzer coverage, and run the native and CLI suites under the sanitizers
# plus a short fuzz smoke of every fuzz target (tools/test_sanitize.sh).
#
#   tools/test.sh [extra ctest arguments for the first pass]
#
# Env: CLIPSEARCH_BUILD_DIR (default build), CLIPSEARCH_CMAKE_ARGS,
# CLIPSEARCH_SKIP_SANITIZE=1 to stop after the first pass (a quick local run).
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

if [ "${CLIPSEARCH_SKIP_SANITIZE:-0}" != 1 ]; then
  CC=clang CXX=clang++ CLIPSEARCH_SANITIZE_CMAKE_ARGS="-DCLIPSEARCH_FUZZ=ON" bash tools/test_sanitize.sh
fi
