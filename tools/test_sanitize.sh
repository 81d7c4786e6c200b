#!/usr/bin/env bash
# The native test suite under AddressSanitizer + UndefinedBehaviorSanitizer:
# its own build folder configured with CLIPSEARCH_SANITIZE=ON, then every
# CTest test except those whose code is not this build's (wasm, web: the
# Emscripten module and the page) and models (the Python training and
# quality checks, whose native parts the CLI tests already cover). With CLIPSEARCH_SANITIZE_CMAKE_ARGS=
# -DCLIPSEARCH_FUZZ=ON (clang) the same build also holds the libFuzzer
# targets and their ~30 s smoke runs (label fuzz); tools/test.sh does that.
# Any sanitizer report fails its test.
#
#   tools/test_sanitize.sh [extra ctest arguments, e.g. -R badinput]
#
# Env: CLIPSEARCH_ASAN_BUILD_DIR (default build-asan), CLIPSEARCH_JOBS
# (default nproc), CC/CXX (default the system gcc; clang works too),
# CLIPSEARCH_SANITIZE_CMAKE_ARGS (more cmake arguments).
# Suppressions (only for uninstrumented third-party libraries, each with its
# reason): tests/sanitize/*.supp. Setup (tools/setup.sh) must have run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build="${CLIPSEARCH_ASAN_BUILD_DIR:-build-asan}"
jobs="${CLIPSEARCH_JOBS:-$(nproc)}"
gen=()
command -v ninja >/dev/null && [ ! -f "$build/CMakeCache.txt" ] && gen=(-G Ninja)
cmake -S . -B "$build" "${gen[@]}" -DCLIPSEARCH_SANITIZE=ON -DCLIPSEARCH_BENCHMARKS=OFF ${CLIPSEARCH_SANITIZE_CMAKE_ARGS:-}
cmake --build "$build" -j "$jobs"

supp="$root/tests/sanitize"
# halt_on_error / abort: the first report ends the process with an error, so
# the test that ran it fails. detect_leaks: LeakSanitizer at exit.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:strict_string_checks=1:check_initialization_order=1:detect_stack_use_after_return=1:suppressions=$supp/asan.supp${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:suppressions=$supp/ubsan.supp${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
ctest --test-dir "$build" --output-on-failure -j "$jobs" --timeout 1200 -LE '^(wasm|web|models)$' "$@"
