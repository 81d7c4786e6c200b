#!/usr/bin/python3
"""Reference crops for Pillow's BILINEAR filter (MobileCLIP's preprocessing).

For each input in ../golden/images: convert to RGB, shortest side to 256 with
Image.BILINEAR (long side int(256*long/short), as Hugging Face computes it),
centre crop 256x256 at ((w-256)//2, (h-256)//2), save the uint8 crop as PNG.
Writes cases.json listing them. Run from anywhere: /usr/bin/python3 make_bilinear_golden.py
"""
import json
import os

import PIL
from PIL import Image

SIZE = 256
# Lossless inputs: downscale (photo, noise), slight upscale, and a strip
# upscaled vertically while downscaled horizontally.
INPUTS = ["sk_chelsea.png", "noise_640x480.png", "odd_225x227.png", "panorama_1000x50.png"]

here = os.path.dirname(os.path.abspath(__file__))
cases = []
for name in INPUTS:
    image = Image.open(os.path.join(here, "..", "golden", "images", name)).convert("RGB")
    w, h = image.size
    short, long_ = min(w, h), max(w, h)
    resized_long = int(SIZE * long_ / short)
    size = (resized_long, SIZE) if w >= h else (SIZE, resized_long)
    resized = image.resize(size, Image.BILINEAR)
    left, top = (size[0] - SIZE) // 2, (size[1] - SIZE) // 2
    crop = resized.crop((left, top, left + SIZE, top + SIZE))
    out = os.path.splitext(name)[0] + ".bilinear256.png"
    crop.save(os.path.join(here, out))
    cases.append({"image": "golden/images/" + name, "crop": "bilinear/" + out,
                  "resized_size": list(size)})

with open(os.path.join(here, "cases.json"), "w") as f:
    json.dump({"size": SIZE, "resample": "bilinear", "pillow": PIL.__version__, "cases": cases}, f, indent=1)
    f.write("\n")
