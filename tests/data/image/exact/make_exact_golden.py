#!/usr/bin/python3
"""Reference images for the "exact" resize rule (Chinese-CLIP's preprocessing).

Hugging Face's ChineseCLIPImageProcessor with size {"height": 224, "width": 224}
and do_center_crop false resizes both sides to 224 with Pillow, aspect ratio
not kept, and crops nothing. For each input in ../golden/images: convert to
RGB, Image.resize((224, 224), BICUBIC), save the uint8 result as PNG; one
input also with BILINEAR. Writes cases.json listing them.
Run from anywhere: /usr/bin/python3 make_exact_golden.py
"""
import json
import os

import PIL
from PIL import Image

SIZE = 224
# Lossless inputs: downscale both sides (photo, noise), and a strip shrunk
# horizontally while stretched 4.5x vertically.
INPUTS = [("sk_chelsea.png", "bicubic"), ("noise_640x480.png", "bicubic"), ("panorama_1000x50.png", "bicubic"), ("sk_chelsea.png", "bilinear")]
FILTERS = {"bicubic": Image.BICUBIC, "bilinear": Image.BILINEAR}

here = os.path.dirname(os.path.abspath(__file__))
cases = []
for name, resample in INPUTS:
    image = Image.open(os.path.join(here, "..", "golden", "images", name)).convert("RGB")
    resized = image.resize((SIZE, SIZE), FILTERS[resample])
    out = "%s.exact%d.%s.png" % (os.path.splitext(name)[0], SIZE, resample)
    resized.save(os.path.join(here, out))
    cases.append({"image": "golden/images/" + name, "resample": resample, "crop": "exact/" + out})

with open(os.path.join(here, "cases.json"), "w") as f:
    json.dump({"size": SIZE, "resize": "exact", "crop": "none", "pillow": PIL.__version__, "cases": cases}, f,
              indent=1)
    f.write("\n")
