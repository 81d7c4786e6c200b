#!/usr/bin/python3
"""What a user sees, two builds side by side in one sitting: `clipsearch
index` throughput (bench/index_speed.py, demo model, demo-data PNGs) and
the page's cold start, cached start and query latency (bench/page_speed.mjs,
demo model and index, WebAssembly). Runs alternate A B B A so a trend in the
machine's load hits both alike; prints each side's median and range and the
ratio B / A of the medians.

    /usr/bin/python3 bench/ab_speed.py --a OLD_BUILD --b build [--a-src OLD_SRC] [--pairs 3] [--images 500]

A build folder needs tools/clipsearch and web/ (the `web` target). Each
side's bench/index_speed.py comes from its --a-src / --b-src tree (default:
this one), so an old build is measured by its own script and model files;
both pages are driven by this tree's bench/page_speed.mjs.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGE_COLUMNS = ["cold first result", "cached first result", "text query", "first image query", "image query"]


def load():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def index_rate(src, build, work, images):
    out = subprocess.run(["/usr/bin/python3", os.path.join(src, "bench/index_speed.py"), "--cli",
                          os.path.join(build, "tools/clipsearch"), "--work", work, "--runs", "demo:cpu:%d" % images],
                         capture_output=True, text=True, check=True).stdout
    row = next(line for line in out.splitlines() if line.startswith("| demo | cpu"))
    return float(row.split("|")[5])


def page_times(build):
    out = subprocess.run(["node", os.path.join(ROOT, "bench/page_speed.mjs"), "--web", os.path.join(build, "web"),
                          "--runs", "demo:wasm"], capture_output=True, text=True, check=True, timeout=900).stdout
    row = next(line for line in out.splitlines() if line.startswith("| demo |"))
    cells = [c.strip() for c in row.strip("|").split("|")][2:]
    return [float(re.match(r"[\d.]+", c).group()) for c in cells]  # totals; the (encoder + search) split is dropped


def summary(name, a, b, unit, higher_is_better):
    """A table row; a B median inside A's range is called noise, not a change."""
    ma, mb = statistics.median(a), statistics.median(b)
    if min(a) <= mb <= max(a):
        verdict = "within A's range"
    else:
        verdict = "faster" if (mb > ma) == higher_is_better else "slower"
    return "| %s | %.1f (%.1f-%.1f) | %.1f (%.1f-%.1f) | %.2f, %s |" % (
        "%s, %s" % (name, unit), ma, min(a), max(a), mb, min(b), max(b), mb / ma, verdict)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", required=True, help="build folder A (the baseline)")
    ap.add_argument("--b", required=True, help="build folder B")
    ap.add_argument("--a-src", default=ROOT, help="source tree of A (its bench/ and models/)")
    ap.add_argument("--b-src", default=ROOT, help="source tree of B")
    ap.add_argument("--pairs", type=int, default=3, help="A B B A rounds")
    ap.add_argument("--images", type=int, default=500)
    ap.add_argument("--work", default=os.path.join(ROOT, "build/bench-data/ab"))
    o = ap.parse_args()
    sides = {"A": (o.a_src, os.path.abspath(o.a)), "B": (o.b_src, os.path.abspath(o.b))}
    rates = {"A": [], "B": []}
    pages = {"A": [], "B": []}
    loads = []
    for _ in range(o.pairs):
        for order in (("A", "B"), ("B", "A")):
            for s in order:
                src, build = sides[s]
                loads.append(load())
                rates[s].append(index_rate(src, build, os.path.join(o.work, s), o.images))
                pages[s].append(page_times(build))
                print("%s: %.1f images/s, page %s" % (s, rates[s][-1], pages[s][-1]), file=sys.stderr)
    print("A = %s, B = %s; %d runs each, A B B A order; load average %.1f-%.1f on %d cores.\n" % (
        o.a, o.b, 2 * o.pairs, min(loads), max(loads), os.cpu_count()))
    print("| measure | A: median (range) | B: median (range) | B / A |")
    print("|---|---:|---:|---:|")
    print(summary("`clipsearch index`", rates["A"], rates["B"], "images/s", True))
    for i, name in enumerate(PAGE_COLUMNS):
        print(summary("page " + name, [p[i] for p in pages["A"]], [p[i] for p in pages["B"]], "ms", False))


if __name__ == "__main__":
    main()
