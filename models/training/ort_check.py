"""Checks the exported graphs in ONNX Runtime (onnxruntime-node via
ort_embed.cjs) against torch, and scores the held-out set with ORT's
embeddings."""
import json
import os
import subprocess

import numpy as np
import torch

from . import data as D
from .evaluate import evaluate

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def _cosines(a, b):
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return (a * b).sum(1)


def check(model, model_dir, heldout, text_ids, work, log=print, max_images=None):
    """text_ids {text: ids}. Returns (min cosines dict, ORT held-out figures)."""
    texts = sorted(text_ids)
    n = len(heldout.images) if max_images is None else min(max_images, len(heldout.images))
    u8 = os.path.join(work, "heldout.u8")
    heldout.images[:n].tofile(u8)
    req = os.path.join(work, "ort_request.json")
    with open(req, "w") as f:
        json.dump({"texts": [text_ids[t] for t in texts], "images_u8": u8, "image_count": n,
                   "mean": list(D.MEAN), "std": list(D.STD)}, f)
    prefix = os.path.join(work, "ort")
    subprocess.run(["node", os.path.join(HERE, "ort_embed.cjs"), model_dir, req, prefix], check=True, cwd=REPO)
    os.remove(u8)

    model.eval()
    with torch.no_grad():
        t_torch = torch.cat([model.text(torch.tensor([text_ids[t]])) for t in texts]).numpy()
        i_torch = torch.cat([model.vision(D.normalize(heldout.images[i:i + 250])) for i in range(0, n, 250)]).numpy()
    dim = t_torch.shape[1]
    t_ort = np.fromfile(prefix + ".text.f32", dtype=np.float32).reshape(-1, dim)
    t_ort_batched = np.fromfile(prefix + ".text_batched.f32", dtype=np.float32).reshape(-1, dim)
    i_ort = np.fromfile(prefix + ".image.f32", dtype=np.float32).reshape(-1, dim)
    cos = {"text ort vs torch": float(_cosines(t_ort, t_torch).min()),
           "text padded batch vs single": float(_cosines(t_ort_batched, t_ort).min()),
           "image ort vs torch": float(_cosines(i_ort, i_torch).min())}
    log("ORT parity (min cosine over %d texts, %d images): %s" % (len(texts), n, json.dumps(cos)))
    figures = evaluate(i_ort, dict(zip(texts, t_ort)), heldout.objects[:n])
    return cos, figures
