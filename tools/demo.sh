#!/usr/bin/env bash
# The README's demo command: set up, build the page with the bundled demo model
# and a demo index, and serve it on http://127.0.0.1:${PORT:-8080}/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash tools/setup.sh
build="${CLIPSEARCH_BUILD_DIR:-build}"
gen=()
command -v ninja >/dev/null && [ ! -f "$build/CMakeCache.txt" ] && gen=(-G Ninja)
cmake -S . -B "$build" "${gen[@]}"
cmake --build "$build" -j "$(nproc)" --target web
port="${PORT:-8080}"
# A static server that answers HTTP Range requests, so large indexes load in
# tiers (docs/WEB.md); any static server serves the demo index itself.
exec node tools/serve.mjs "$build/web" --port "$port" --host 127.0.0.1
