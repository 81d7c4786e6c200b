#!/usr/bin/python3
"""Retrieval quality of a model on a held-out demo set, measured through the
product's own path: `clipsearch demo-data` renders the set, `clipsearch index`
embeds it (ONNX Runtime, core preprocessing, quantized shards) and every query
is a `clipsearch search` (core tokenizer, text encoder, SIMD search over the
int8 index). Nothing here computes an embedding.

  /usr/bin/python3 models/demo_quality.py --clipsearch build/tools/clipsearch [--lang zh]

Figures (definitions as models/training/evaluate.py, docs/DEMO_MODEL.md):
  p@10 color        "a red shape"  : share of the top 10 holding a red object
  p@10 shape        "a triangle"   : share of the top 10 holding a triangle
  p@10 color+shape  "a green star" : share holding a green star
  (--lang zh: 红色的形状, 三角形, 绿色的星星, through the model's Chinese text tower,
  searching the same index)
  image top-1       each single-object picture, searched by its id with
                    itself excluded: the first hit holds the same colour+shape
Exits 1 when a figure is under its --min-* threshold (the defaults are the
bar the demo model is held to; the test passes looser ones).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from training.evaluate import queries  # noqa: E402  (the query list only)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clipsearch", required=True, help="the clipsearch binary")
    p.add_argument("--model", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo"))
    p.add_argument("--count", type=int, default=2000, help="held-out images to render")
    p.add_argument("--seed", type=int, default=2, help="held-out seed (training used 1)")
    p.add_argument("--image-queries", type=int, default=1200, help="single-object pictures used as queries")
    p.add_argument("--work", default=None, help="folder for the set and its index (default: a temporary one)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--lang", default="en", choices=["en", "zh"], help="query language (text tower)")
    p.add_argument("--min-color", type=float, default=0.9)
    p.add_argument("--min-shape", type=float, default=0.9)
    p.add_argument("--min-color-shape", type=float, default=0.8)
    p.add_argument("--min-image", type=float, default=0.9)
    return p.parse_args()


def run(cmd):
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit("failed (%d): %s\n%s" % (done.returncode, " ".join(cmd), done.stderr.strip()))
    return done.stdout


def holds(objects, color, shape):
    return any((color is None or o["color"] == color) and (shape is None or o["shape"] == shape)
               for o in objects)


def measure(args, work):
    data = os.path.join(work, "set")
    index = os.path.join(work, "index")
    cli = args.clipsearch
    run([cli, "demo-data", "--out", data, "--count", str(args.count), "--seed", str(args.seed)])
    captions = os.path.join(data, "captions.jsonl")
    run([cli, "index", "--input", captions, "--out", index, "--model", args.model, "--no-thumbs", "--force"])
    with open(captions, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    # Hits name the image by its id; ids are paths as the JSONL gives them.
    objects = {r["path"]: r["objects"] for r in rows}

    def search(*query, k):
        hits = json.loads(run([cli, "search", "--index", index, "-k", str(k), "--json"] + list(query)))
        missing = [h["id"] for h in hits if h["id"] not in objects]
        if missing:
            sys.exit("search returned ids the set does not have: %s" % missing[:3])
        return hits

    per_kind, worst = {}, {}
    for kind, text, color, shape in queries(args.lang):
        relevant = sum(holds(o, color, shape) for o in objects.values())
        if relevant < 10:
            continue  # too rare in this set to score precision@10
        hits = search("--text", text, "--lang", args.lang, k=10)
        p = sum(holds(objects[h["id"]], color, shape) for h in hits) / 10.0
        per_kind.setdefault(kind, []).append(p)
        if p < worst.get(kind, (2.0, ""))[0]:
            worst[kind] = (p, text)

    single = [r for r in rows if len(r["objects"]) == 1][:args.image_queries]
    image_hits = 0
    for r in single:
        hits = search("--id", r["path"], "--exclude-self", k=1)
        o = r["objects"][0]
        image_hits += bool(hits) and holds(objects[hits[0]["id"]], o["color"], o["shape"])

    figures = {"p@10 " + kind: sum(v) / len(v) for kind, v in per_kind.items()}
    figures["image top-1 same color+shape"] = image_hits / max(1, len(single))
    figures["image queries"] = len(single)
    figures["images"] = len(rows)
    figures["lang"] = args.lang
    for kind, (p, text) in worst.items():
        figures["worst " + kind] = "%.2f (%s)" % (p, text)
    return figures


def main():
    args = parse_args()
    if args.work:
        os.makedirs(args.work, exist_ok=True)
        figures = measure(args, args.work)
    else:
        with tempfile.TemporaryDirectory(prefix="demo_quality.") as work:
            figures = measure(args, work)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print("  %-30s %s" % (key, "%.4f" % value if isinstance(value, float) else value))
    bar = {"p@10 color": args.min_color, "p@10 shape": args.min_shape,
           "p@10 color+shape": args.min_color_shape, "image top-1 same color+shape": args.min_image}
    low = ["%s %.3f < %.3f" % (k, figures.get(k, 0.0), v) for k, v in bar.items() if figures.get(k, 0.0) < v]
    if low:
        print("below the bar: " + "; ".join(low), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
