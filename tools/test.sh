#!/usr/bin/env bash
# The README's test command: set up, build native + wasm + the page, run every
# test (GoogleTest, CLI, node --test for wasm, Playwright for the page) via
# CTest; then build the native code again with clang under ASan + UBSan and
# libFuzzer coverage, and run the native and CLI suites under the sanitizers
# plus a short fuzz smoke of every fuzz target (tools/test_sanitize.sh), from a
# copy of the tree in a mode-700 folder (build-private/).
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

# The second pass runs from a copy of this tree inside a mode-700 folder, as
# a clone in /root is: tests that drop to user nobody must still reach what
# they run (tools/private_tree.sh). Its build folder sits beside the copy.
if [ "${CLIPSEARCH_SKIP_SANITIZE:-0}" != 1 ]; then
  private="$root/build-private"
  src="$(bash tools/private_tree.sh "$private")"
  CC=clang CXX=clang++ CLIPSEARCH_SANITIZE_CMAKE_ARGS="-DCLIPSEARCH_FUZZ=ON" CLIPSEARCH_ASAN_BUILD_DIR="$private/asan" \
    bash "$src/tools/test_sanitize.sh"
fi
