#!/usr/bin/python3
"""The small 512-d text model bench/page_scale.mjs ties its synthetic index
to, so that model loading does not dominate the page's figures: a lookup,
not a network. The first token after the start token picks a row of a table
of query vectors (bench/page_index.cpp writes them, drawn from the same
mixture as the index), so each bench query word embeds to one synthetic
query. The vision graph is a stand-in of the same output size (the bench
runs no image query). The model.json is written as the demo model's
(models/write_manifest.py): file hashes and the project's fingerprint.

    /usr/bin/python3 bench/page_scale_model.py OUT --queries Q.f32 --tokens ID,ID,... [--dim 512]

Row 0 of Q.f32 answers any other token; query i (the i-th --tokens id) is
row i + 1.
"""
import argparse
import os
import shutil
import sys

import numpy as np
import torch
from torch import nn

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "models"))
import write_manifest  # noqa: E402

VOCAB = 49408
BPE = os.path.join(ROOT, "models", "clip-bpe", "bpe_simple_vocab_16e6.txt")


class Text(nn.Module):
    def __init__(self, rows, vectors):
        super().__init__()
        self.register_buffer("rows", rows)        # int64 [VOCAB]: token id -> table row
        self.register_buffer("vectors", vectors)  # float [Q + 1, dim]

    def forward(self, input_ids):
        return self.vectors[self.rows[input_ids[:, 1]]]


class Vision(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.proj = nn.Linear(3, dim)

    def forward(self, pixel_values):
        return self.proj(pixel_values.mean(dim=(2, 3)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--queries", required=True)
    ap.add_argument("--tokens", required=True)
    ap.add_argument("--dim", type=int, default=512)
    a = ap.parse_args()
    vectors = np.fromfile(a.queries, dtype="<f4").reshape(-1, a.dim)
    tokens = [int(t) for t in a.tokens.split(",")]
    if len(tokens) + 1 > len(vectors):
        sys.exit(f"{len(tokens)} tokens need {len(tokens) + 1} query vectors, {a.queries} has {len(vectors)}")
    rows = torch.zeros(VOCAB, dtype=torch.int64)
    for i, t in enumerate(tokens):
        rows[t] = i + 1
    os.makedirs(a.out, exist_ok=True)
    torch.manual_seed(0)
    text = Text(rows, torch.from_numpy(vectors[: len(tokens) + 1].copy()))
    torch.onnx.export(text, (torch.tensor([[49406, tokens[0], 49407]]),), os.path.join(a.out, "text_model.onnx"),
                      input_names=["input_ids"], output_names=["text_embeds"],
                      dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, "text_embeds": {0: "batch"}},
                      opset_version=14)
    torch.onnx.export(Vision(a.dim), (torch.zeros(1, 3, 224, 224),), os.path.join(a.out, "vision_model.onnx"),
                      input_names=["pixel_values"], output_names=["image_embeds"],
                      dynamic_axes={"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}}, opset_version=14)
    shutil.copyfile(BPE, os.path.join(a.out, "bpe_simple_vocab_16e6.txt"))
    m = write_manifest.demo_manifest(a.dim, 100.0, "bpe_simple_vocab_16e6.txt")
    m["name"] = "page-scale-lookup"
    print(write_manifest.write(a.out, m))


if __name__ == "__main__":
    main()
