#!/usr/bin/env bash
# The online acceptance test: fetches every model in models/catalog.json for
# real (clipsearch fetch-model, which checks each one on arrival against its
# published numbers and its own fp32 files), then runs each in headless
# Chromium on WebAssembly and WebGPU and requires the page to rank the
# reference photos (models/reference/) exactly as the CLI does.
#
#   tools/test-online.sh [OUT]     # models go to OUT (default build/online-models)
#
# Needs network access to the catalog's hosts. Without it, it prints
# "skipped: no network" and exits 0 (CTest reports the test as skipped).
# Env: CLIPSEARCH_BUILD_DIR (default build), CLIPSEARCH_ONLINE_CATALOG (another
# catalog, e.g. of a local mirror), CLIPSEARCH_ONLINE_MODELS (a
# comma-separated subset of the catalog's names).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${CLIPSEARCH_BUILD_DIR:-$root/build}"
out="${1:-$build/online-models}"
cli="$build/tools/clipsearch"
catalog="${CLIPSEARCH_ONLINE_CATALOG:-$root/models/catalog.json}"
[ -x "$cli" ] || { echo "test-online: build the clipsearch target first ($cli is missing)" >&2; exit 1; }

# name <TAB> verified <TAB> URL of its first file, for every catalog entry.
entries="$(/usr/bin/python3 - "$catalog" "${CLIPSEARCH_ONLINE_MODELS:-}" <<'PY'
import json, sys
catalog = json.load(open(sys.argv[1], encoding="utf-8"))
wanted = [n for n in sys.argv[2].split(",") if n]
for e in catalog["models"]:
    if wanted and e["name"] not in wanted:
        continue
    base = e["base_url"].replace("{revision}", e["revision"])
    first = next(iter(e["model"]["vision"]["variants"].values()))["path"]
    print("%s\t%s\t%s" % (e["name"], "yes" if e.get("verified") else "no", base + first))
PY
)"
probe="$(printf '%s\n' "$entries" | head -n1 | cut -f3)"
if ! curl -sfIL --max-time 20 -o /dev/null "$probe"; then
  echo "skipped: no network ($probe cannot be reached)"
  exit 0
fi

mkdir -p "$out"
names=()
while IFS=$'\t' read -r name verified _; do
  flags=()
  [ "$verified" = yes ] || flags+=(--allow-unverified)
  echo "test-online: fetch-model $name ${flags[*]}" >&2
  "$cli" fetch-model "$name" --catalog "$catalog" --out "$out/$name" "${flags[@]}"
  names+=("$name")
done <<< "$entries"

# The page: every fetched model on both backends (tests/web/online.test.mjs).
cmake --build "$build" --target web >/dev/null
CLIPSEARCH_WEB_DIR="$build/web" CLIPSEARCH_CLI="$cli" CLIPSEARCH_ONLINE_MODELS_DIR="$out" \
  CLIPSEARCH_ONLINE_MODELS="$(IFS=,; echo "${names[*]}")" \
  node "$root/tests/web/online.test.mjs"
echo "test-online: all ${#names[@]} models passed in the CLI and the page"
