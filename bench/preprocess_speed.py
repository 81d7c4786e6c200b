#!/usr/bin/python3
"""Image preprocessing per core: ours (clipsearch_bench_preprocess) against
Pillow + NumPy doing the same steps the way Hugging Face CLIPImageProcessor
does them, on the golden test images and on a large photo made here.

Steps, both sides:
  decode  - file bytes -> RGB pixels: decode, EXIF orientation, alpha over white
  rest    - shortest side to 224 (bicubic), centre crop 224x224, x/255,
            (x - mean) / std, float32 NCHW

    /usr/bin/python3 bench/preprocess_speed.py --native build/bench/clipsearch_bench_preprocess [--work DIR]

Times are CPU time of the calling thread (time.thread_time; the native tool
times its own thread), medians of repeats; ratios are what to read.
"""
import argparse
import io
import json
import os
import statistics
import subprocess
import time

import numpy as np
from PIL import Image, ImageOps

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "tests/data/image/golden/images")
MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)


def pillow_decode(data):
    img = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return img.convert("RGB")


def pillow_rest(img, size=224):
    w, h = img.size
    short, long_ = (w, h) if w <= h else (h, w)
    new_long = int(size * long_ / short)
    resized = img.resize((size, new_long) if w <= h else (new_long, size), Image.BICUBIC)
    top, left = (resized.height - size) // 2, (resized.width - size) // 2
    crop = resized.crop((left, top, left + size, top + size))
    x = np.asarray(crop, dtype=np.float32) / 255.0
    return ((x - MEAN) / STD).transpose(2, 0, 1).copy()


def median_time(fn, seconds, repeats=3):
    times, start = [], time.perf_counter()
    while len(times) < repeats or time.perf_counter() - start < seconds:
        t0 = time.thread_time()
        fn()
        times.append(time.thread_time() - t0)
    return statistics.median(times)


def make_large_photo(path, width=4000, height=3000):
    """A 4000x3000 JPEG: a test photo upscaled (made at bench time, not stored)."""
    if not os.path.exists(path):
        src = Image.open(os.path.join(GOLDEN, "sk_chelsea.png")).convert("RGB")
        src.resize((width, height), Image.BICUBIC).save(path, quality=90)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--native", required=True, help="path to clipsearch_bench_preprocess")
    ap.add_argument("--work", default=os.path.join(ROOT, "build/bench-data"), help="where the large photo is made")
    ap.add_argument("--seconds", type=float, default=0.3, help="minimum time per measurement")
    args = ap.parse_args()

    os.makedirs(args.work, exist_ok=True)
    golden = sorted(os.path.join(GOLDEN, f) for f in os.listdir(GOLDEN))
    large = make_large_photo(os.path.join(args.work, "large_4000x3000.jpg"))
    png = [f for f in golden if f.endswith(".png")]
    jpeg = [f for f in golden if f.endswith(".jpg")]
    groups = [("golden PNG (%d files)" % len(png), png), ("golden JPEG (%d files)" % len(jpeg), jpeg),
              ("4000x3000 JPEG photo", [large])]

    out = subprocess.run([args.native, "--seconds", str(args.seconds)] + golden + [large],
                         check=True, capture_output=True, text=True).stdout
    ours = {r["image"]: r for r in map(json.loads, out.splitlines())}

    print("## Image preprocessing, one core\n")
    print("Ours: `clipsearch_bench_preprocess` (core/image, stb_image decoder). Pillow %s + NumPy %s: the same "
          "steps as Hugging Face CLIPImageProcessor. Images/s from the sum over a group of each image's median "
          "CPU time.\n" % (Image.__version__, np.__version__))
    print("| images | step | ours, images/s | Pillow + NumPy, images/s | ours / Pillow |")
    print("|---|---|---:|---:|---:|")
    verdicts = []
    for label, files in groups:
        sums = {"decode": [0.0, 0.0], "rest": [0.0, 0.0], "total": [0.0, 0.0]}
        for f in files:
            data = open(f, "rb").read()
            img = pillow_decode(data)
            pil_decode = median_time(lambda: pillow_decode(data), args.seconds)
            pil_rest = median_time(lambda: pillow_rest(img), args.seconds)
            for step, pil in (("decode", pil_decode), ("rest", pil_rest), ("total", pil_decode + pil_rest)):
                sums[step][0] += ours[f][step + "_ms"] / 1e3
                sums[step][1] += pil
        for step, name in (("decode", "decode"), ("rest", "resize + crop + normalise"), ("total", "end to end")):
            o, p = len(files) / sums[step][0], len(files) / sums[step][1]
            print("| %s | %s | %.1f | %.1f | %.2f |" % (label, name, o, p, o / p))
            verdicts.append((label, step, o / p))
    print("\nTargets: resize + crop + normalise >= 2x Pillow; end to end at least on par.\n")
    for label, step, ratio in verdicts:
        if step == "rest":
            print("* %s, resize + crop + normalise: %.2fx: %s" % (label, ratio, "met" if ratio >= 2 else "MISSED"))
        if step == "total":
            print("* %s, end to end: %.2fx: %s" % (label, ratio, "met" if ratio >= 1 else "MISSED"))


if __name__ == "__main__":
    main()
