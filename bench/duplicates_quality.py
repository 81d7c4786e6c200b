#!/usr/bin/python3
"""Near-duplicate quality of `clipsearch duplicates` against its threshold:
real photos and their edits (the positives) beside different photos of one
scene and look-alike demo images (the hard negatives), indexed with a model,
grouped at each threshold of a sweep; pairwise precision and recall of the
groups, and how often the suggested keeper is the unedited original.

    /usr/bin/python3 bench/duplicates_quality.py --cli build/tools/clipsearch [--model DIR] [--work DIR] [--json]

Originals: the scikit-image photos in ../shared/golden/preprocess/images
(copied in tests/data/image/golden/images) and, when present, those of
Debian's python3-skimage package (brick, grass, gravel, moon, retina, text,
motorcycle_right ...: `--skimage DIR`, default: unpacked from
`apt-get download python3-skimage` into the work folder), plus the golden
synthetic images and demo-data pictures. Edits of each: JPEG at quality 90,
70, 50 and 30; resized to 50% and 25%; cropped 3% and 8% from every side;
brightened 20%; saturation x1.4 with a hue turn; a text watermark; a caption
bar. Hard negatives: the motorcycle left/right stereo pair (two photos of
one scene, a different origin each) and demo-data pictures that share a
shape and colour.

The originals are split in two by a hash of their names: the threshold is
chosen (best F1) on the "tune" half and precision and recall are reported on
the "held-out" half, which the choice never saw.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "tests/data/image/golden/images")
THRESHOLDS = [0.80, 0.85, 0.90, 0.93, 0.95, 0.96, 0.97, 0.975, 0.98, 0.985, 0.99, 0.993, 0.995, 0.998]
# Too small or too synthetic to stand for a photo (1 px, a 7 px strip, pure noise).
SKIP = {"tiny_1x1.png", "tiny_5x3.png", "strip_7x300.png", "noise_640x480.png", "exact_224x224.png",
        "odd_225x227.png", "panorama_1000x50.png"}
SKIMAGE_PHOTOS = ["brick.png", "grass.png", "gravel.png", "moon.png", "retina.jpg", "text.png", "ihc.png",
                  "cell.png", "clock_motion.png", "motorcycle_right.png", "microaneurysms.png"]
DEMO_ORIGINALS = 24   # demo pictures edited like the photos
DEMO_NEGATIVES = 60   # further demo pictures, no edits: look-alikes of each other


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), r.returncode, r.stderr.strip()[-2000:]))
    return r


def skimage_folder(work, given):
    """Debian python3-skimage's data folder: given, installed, or unpacked from
    `apt-get download` (Debian's archive, no other source)."""
    for d in [given, "/usr/lib/python3/dist-packages/skimage/data"]:
        if d and os.path.isdir(d):
            return d
    target = os.path.join(work, "skimage-deb")
    data = os.path.join(target, "usr/lib/python3/dist-packages/skimage/data")
    if not os.path.isdir(data):
        os.makedirs(target, exist_ok=True)
        try:
            run(["apt-get", "download", "python3-skimage"], cwd=target)
            deb = [f for f in os.listdir(target) if f.endswith(".deb")][0]
            run(["dpkg", "-x", os.path.join(target, deb), target])
        except (RuntimeError, IndexError, OSError) as e:
            print("duplicates_quality: no python3-skimage photos (%s); golden photos only" % e, file=sys.stderr)
            return None
    return data


def originals(cli, work, skimage):
    """{name: path} of the unedited pictures, and the names that are demo pictures."""
    out = {}
    for f in sorted(os.listdir(GOLDEN)):
        if f not in SKIP:
            out[os.path.splitext(f)[0]] = os.path.join(GOLDEN, f)
    if skimage:
        for f in SKIMAGE_PHOTOS:
            p = os.path.join(skimage, f)
            if os.path.exists(p):
                out["sk_" + os.path.splitext(f)[0]] = p
    demo = os.path.join(work, "demo")
    if not os.path.exists(os.path.join(demo, "captions.jsonl")):
        run([cli, "demo-data", "--out", demo, "--count", str(DEMO_ORIGINALS + DEMO_NEGATIVES), "--seed", "31"])
    demo_names = []
    for i in range(DEMO_ORIGINALS + DEMO_NEGATIVES):
        name = "demo_%03d" % i
        out[name] = os.path.join(demo, "images", "%06d.png" % i)
        demo_names.append(name)
    return out, set(demo_names[DEMO_ORIGINALS:])


def edits(img):
    """(suffix, PIL image, save options) for each edit of an RGB image."""
    from PIL import Image, ImageDraw, ImageEnhance, ImageFont

    w, h = img.size
    out = [("q%d" % q, img, {"format": "JPEG", "quality": q}) for q in (90, 70, 50, 30)]
    for pct in (50, 25):
        size = (max(1, w * pct // 100), max(1, h * pct // 100))
        out.append(("half" if pct == 50 else "quarter", img.resize(size, Image.BICUBIC), {"format": "PNG"}))
    for pct in (3, 8):
        dx, dy = w * pct // 100, h * pct // 100
        out.append(("crop%d" % pct, img.crop((dx, dy, w - dx, h - dy)), {"format": "PNG"}))
    out.append(("bright", ImageEnhance.Brightness(img).enhance(1.2), {"format": "PNG"}))
    hsv = ImageEnhance.Color(img).enhance(1.4).convert("HSV")
    hh, s, v = hsv.split()
    hsv = Image.merge("HSV", (hh.point(lambda x: (x + 12) % 256), s, v))
    out.append(("hue", hsv.convert("RGB"), {"format": "PNG"}))
    font = ImageFont.load_default()
    marked = img.copy()
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    for y in range(0, h, max(12, h // 6)):
        d.text((w // 10, y), "(c) 2026 clipsearch sample", fill=(255, 255, 255, 110), font=font)
    marked = Image.alpha_composite(marked.convert("RGBA"), layer).convert("RGB")
    out.append(("watermark", marked, {"format": "PNG"}))
    bar = img.copy()
    d = ImageDraw.Draw(bar)
    d.rectangle((0, h - max(10, h // 8), w, h), fill=(0, 0, 0))
    d.text((4, h - max(10, h // 8) + 1), "Holiday 2026 - IMG_0042", fill=(255, 255, 255), font=font)
    out.append(("caption", bar, {"format": "PNG"}))
    return out


def split_of(name):
    """The half a picture belongs to, by a hash of its family (a stereo pair is
    one family, so the hard negative pair lands in one half together)."""
    family = name.replace("_left", "").replace("_right", "")
    return "tune" if hashlib.sha256(family.encode()).digest()[0] % 2 == 0 else "held-out"


def make_sets(cli, work, skimage):
    """Two image folders (tune, held-out) and for each file its origin."""
    from PIL import Image

    pictures, negatives = originals(cli, work, skimage)
    origin = {"tune": {}, "held-out": {}}
    for name, path in pictures.items():
        part = split_of(name)
        folder = os.path.join(work, part)
        os.makedirs(folder, exist_ok=True)
        base = name + os.path.splitext(path)[1].lower()
        shutil.copyfile(path, os.path.join(folder, base))
        origin[part][base] = name
        if name in negatives:
            continue
        img = Image.open(path)
        img = img.convert("RGBA").convert("RGB") if img.mode in ("P", "LA", "RGBA", "I;16", "I") else img.convert("RGB")
        for suffix, edited, opts in edits(img):
            f = "%s__%s.%s" % (name, suffix, "jpg" if opts["format"] == "JPEG" else "png")
            save = dict(opts)
            edited.save(os.path.join(folder, f), **save)
            origin[part][f] = name
    return origin


def pairs_of(groups):
    out = set()
    for g in groups:
        ids = sorted(m["id"] for m in g["members"])
        for i in range(len(ids)):
            for j in range(i + 1, len(ids)):
                out.add((ids[i], ids[j]))
    return out


def evaluate(groups, origin):
    truth = set()
    by_origin = {}
    for f, o in origin.items():
        by_origin.setdefault(o, []).append(f)
    for files in by_origin.values():
        files.sort()
        for i in range(len(files)):
            for j in range(i + 1, len(files)):
                truth.add((files[i], files[j]))
    found = pairs_of(groups)
    tp = len(found & truth)
    precision = tp / len(found) if found else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    keepers = [g for g in groups if len({origin[m["id"]] for m in g["members"]}) == 1]
    kept_original = sum(1 for g in keepers if "__" not in g["keeper"])  # edits are named ORIGINAL__EDIT
    # The keeper has the largest size in its group (the rule's first step),
    # and the chance of hitting the original among the copies of that size.
    full_size, chance = 0, 0.0
    for g in keepers:
        sizes = {m["id"]: m["width"] * m["height"] for m in g["members"]}
        full_size += sizes[g["keeper"]] == max(sizes.values())
        chance += 1.0 / sum(1 for v in sizes.values() if v == max(sizes.values()))
    moto = {"sk_motorcycle_left", "sk_motorcycle_right"}
    moto_merged = any(len({origin[m["id"]] for m in g["members"]} & moto) == 2 for g in groups)
    demo_neg = sum(1 for g in groups
                   if sum(1 for o in {origin[m["id"]] for m in g["members"]} if o.startswith("demo_")) > 1)
    # Per edit: the share of edited files grouped with their original.
    group_of = {m["id"]: i for i, g in enumerate(groups) for m in g["members"]}
    per_edit = {}
    for f, o in origin.items():
        if "__" not in f:
            continue
        kind = f.split("__")[1].split(".")[0]
        orig = [x for x in by_origin[o] if "__" not in x][0]
        hit = f in group_of and group_of.get(orig) == group_of[f]
        n, k = per_edit.get(kind, (0, 0))
        per_edit[kind] = (n + 1, k + hit)
    return {"precision": precision, "recall": recall, "f1": f1, "groups": len(groups), "true_pairs": len(truth),
            "found_pairs": len(found), "pure_groups": len(keepers),
            "keeper_is_original": kept_original / len(keepers) if keepers else None,
            "keeper_is_full_size": full_size / len(keepers) if keepers else None,
            "keeper_chance": chance / len(keepers) if keepers else None,
            "motorcycle_pair_merged": moto_merged, "groups_mixing_demo_pictures": demo_neg,
            "recall_by_edit": {k: v[1] / v[0] for k, v in sorted(per_edit.items())}}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", required=True)
    ap.add_argument("--model", default=os.path.join(ROOT, "models/demo"))
    ap.add_argument("--work", default=None, help="folder for images and indexes (default: a temporary one)")
    ap.add_argument("--skimage", default=None, help="python3-skimage's data folder")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="dupq-")
    os.makedirs(work, exist_ok=True)
    sets_dir = os.path.join(work, os.path.basename(os.path.normpath(a.model)))
    os.makedirs(sets_dir, exist_ok=True)
    origin = make_sets(a.cli, sets_dir, skimage_folder(work, a.skimage))
    results = {}
    for part in ("tune", "held-out"):
        index = os.path.join(sets_dir, part + ".index")
        run([a.cli, "index", "--model", a.model, "--device", "cpu", "--input", os.path.join(sets_dir, part),
             "--out", index, "--force", "--no-thumbs"])
        results[part] = {}
        for t in THRESHOLDS:
            groups = json.loads(run([a.cli, "duplicates", "--index", index, "--threshold", str(t), "--json"]).stdout)
            results[part][t] = evaluate(groups, origin[part])
    best = max(THRESHOLDS, key=lambda t: (results["tune"][t]["f1"], t))
    summary = {"model": os.path.basename(os.path.normpath(a.model)), "chosen_threshold": best,
               "images": {p: len(origin[p]) for p in origin},
               "originals": {p: len(set(origin[p].values())) for p in origin},
               "held_out_at_chosen": results["held-out"][best],
               "sweep": {p: {str(t): r for t, r in results[p].items()} for p in results}}
    if a.json:
        print(json.dumps(summary, indent=1))
        return
    print("Model %s; tune: %d images from %d originals; held-out: %d images from %d originals.\n" % (
        summary["model"], summary["images"]["tune"], summary["originals"]["tune"], summary["images"]["held-out"],
        summary["originals"]["held-out"]))
    print("| threshold | tune P | tune R | tune F1 | held-out P | held-out R | held-out F1 | keeper is original "
          "(held-out; by chance) | motorcycle pair merged | groups mixing demo pictures |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for t in THRESHOLDS:
        tu, ho = results["tune"][t], results["held-out"][t]
        kept = "-" if ho["keeper_is_original"] is None else "%.0f%% (%.0f%%)" % (
            100 * ho["keeper_is_original"], 100 * ho["keeper_chance"])
        merged = "yes" if tu["motorcycle_pair_merged"] or ho["motorcycle_pair_merged"] else "no"
        mark = " **(chosen)**" if t == best else ""
        print("| %.3f%s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %s | %s | %d |" % (
            t, mark, tu["precision"], tu["recall"], tu["f1"], ho["precision"], ho["recall"], ho["f1"], kept, merged,
            tu["groups_mixing_demo_pictures"] + ho["groups_mixing_demo_pictures"]))
    h = results["held-out"][best]
    print("\nHeld-out at %.3f, share of each edit grouped with its original: %s." % (
        best, ", ".join("%s %.0f%%" % (k, 100 * v) for k, v in h["recall_by_edit"].items())))
    print("\nKeeper at %.3f (held-out): the largest size in its group in %.0f%% of the groups of one origin; the "
          "original itself in %.0f%% (%.0f%% by chance among the copies of that size)." % (
              best, 100 * h["keeper_is_full_size"], 100 * h["keeper_is_original"], 100 * h["keeper_chance"]))
    print("\nChosen on the tune half (best F1): %.3f. Held-out at %.3f: precision %.3f, recall %.3f, F1 %.3f." % (
        best, best, h["precision"], h["recall"], h["f1"]))


if __name__ == "__main__":
    main()
