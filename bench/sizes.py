#!/usr/bin/python3
"""What a visitor downloads before any model or index: the page folder that
`cmake --build build --target web` assembles, without models/ and index/,
raw and gzip-compressed (level 9, as a static host would serve it), grouped
by part.

    /usr/bin/python3 bench/sizes.py [--web build/web]
"""
import argparse
import gzip
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def part_of(rel):
    name = os.path.basename(rel)
    if name.startswith("clipsearch_core"):
        return "wasm core (%s)" % ("module" if name.endswith(".wasm") else "JS glue")
    if name.startswith("ort") or "onnxruntime" in rel:
        return "ONNX Runtime Web"
    return "page (HTML, CSS, JS, icon, service worker)"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--web", default=os.path.join(ROOT, "build/web"))
    args = ap.parse_args()
    if not os.path.exists(os.path.join(args.web, "index.html")):
        raise SystemExit("%s/index.html not found: build the `web` target first" % args.web)

    parts = {}
    for folder, dirs, files in os.walk(args.web):
        rel_folder = os.path.relpath(folder, args.web)
        if rel_folder == ".":
            dirs[:] = [d for d in dirs if d not in ("models", "index")]
        for f in files:
            rel = os.path.normpath(os.path.join(rel_folder, f))
            data = open(os.path.join(folder, f), "rb").read()
            p = parts.setdefault(part_of(rel), [0, 0, []])
            p[0] += len(data)
            p[1] += len(gzip.compress(data, 9))
            p[2].append(rel)

    print("## Download sizes\n")
    print("`%s` without `models/` and `index/`.\n" % os.path.relpath(args.web, ROOT))
    print("| part | files | bytes | gzip -9 |")
    print("|---|---|---:|---:|")
    total = [0, 0]
    for name in sorted(parts):
        raw, gz, files = parts[name]
        total[0] += raw
        total[1] += gz
        shown = ", ".join(sorted(files)[:4]) + (", ..." if len(files) > 4 else "")
        print("| %s | %d: %s | %s | %s |" % (name, len(files), shown, format(raw, ","), format(gz, ",")))
    print("| **total** | | **%s** | **%s** |" % (format(total[0], ","), format(total[1], ",")))


if __name__ == "__main__":
    main()
