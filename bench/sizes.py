#!/usr/bin/python3
"""What a visitor downloads before any model or index: the page folder that
`cmake --build build --target web` assembles, without models/ and index/,
raw and gzip-compressed (level 9, as a static host would serve it).

ONNX Runtime Web comes as two builds and the page loads one, by backend
(web/js/worker/runtime.js): `ort.wasm.min.mjs` + `ort-wasm-simd-threaded.*`
for WASM, `ort.min.mjs` + `ort-wasm-simd-threaded.jsep.*` (with WebGPU)
for WebGPU. The visitor rows add the page's own files, the wasm core and one
of those.

    /usr/bin/python3 bench/sizes.py [--web build/web]
"""
import argparse
import gzip
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def part_of(rel):
    name = os.path.basename(rel)
    if name == "clipsearch_core.wasm":
        return "wasm core: module"
    if name.startswith("clipsearch_core"):
        return "wasm core: JS glue"
    if name.startswith("ort"):
        webgpu = "jsep" in name or name == "ort.min.mjs"
        return "ONNX Runtime Web, %s build" % ("WebGPU" if webgpu else "WASM")
    return "page: HTML, CSS, JS, icon, service worker"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--web", default=os.path.join(ROOT, "build/web"))
    args = ap.parse_args()
    if not os.path.exists(os.path.join(args.web, "index.html")):
        raise SystemExit("%s/index.html not found: build the `web` target first" % args.web)

    parts = {}
    for folder, dirs, files in os.walk(args.web):
        if os.path.samefile(folder, args.web):
            # CMake's own files for web/ land in the same folder; no host serves them.
            dirs[:] = [d for d in dirs if d not in ("models", "index", "CMakeFiles")]
            files = [f for f in files if not f.endswith(".cmake")]
        for f in files:
            data = open(os.path.join(folder, f), "rb").read()
            p = parts.setdefault(part_of(os.path.relpath(os.path.join(folder, f), args.web)), [0, 0, 0])
            p[0] += 1
            p[1] += len(data)
            p[2] += len(gzip.compress(data, 9))

    def row(name, files, raw, gz, bold=False):
        b = "**" if bold else ""
        print("| %s%s%s | %s | %s%s%s | %s%s%s |" % (b, name, b, files, b, format(raw, ","), b, b, format(gz, ","), b))

    print("## Download sizes\n")
    print("`%s` without `models/` and `index/`; gzip -9.\n" % os.path.relpath(args.web, ROOT))
    print("| part | files | bytes | gzip |")
    print("|---|---:|---:|---:|")
    for name in sorted(parts):
        row(name, *parts[name])
    common = [parts.get(k, [0, 0, 0]) for k in parts if not k.startswith("ONNX")]
    for backend in ("WASM", "WebGPU"):
        ort = parts.get("ONNX Runtime Web, %s build" % backend, [0, 0, 0])
        total = [sum(p[i] for p in common) + ort[i] for i in range(3)]
        row("a visitor on the %s backend" % backend, *total, bold=True)


if __name__ == "__main__":
    main()
