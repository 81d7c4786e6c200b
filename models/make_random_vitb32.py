#!/usr/bin/python3
"""A random-weight model with the exact shapes of CLIP ViT-B/32.

For benchmarks and load tests that need the real model's cost (tensor sizes,
file sizes, FLOPs) without downloading its weights: the embeddings mean
nothing. Same conventions as a real export: text_model.onnx takes
input_ids (int64 [batch, sequence <= 77]) and gives text_embeds [batch, 512];
vision_model.onnx takes pixel_values (float32 [batch, 3, 224, 224]) and gives
image_embeds [batch, 512] (projected, not normalised). Writes model.json with
the real CLIP tokenizer and preprocessing.

    /usr/bin/python3 models/make_random_vitb32.py [--out models/vitb32-random] [--seed 0]

Needs Debian's python3-torch (not the transformers library).
"""
import argparse
import json
import os
import shutil
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_fingerprint  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BPE = os.path.join(HERE, "clip-bpe", "bpe_simple_vocab_16e6.txt")

# openai/clip-vit-base-patch32
VISION = dict(width=768, layers=12, heads=12, patch=32, image=224)
TEXT = dict(width=512, layers=12, heads=8, vocab=49408, context=77)
EMBED_DIM = 512
END_OF_TEXT = 49407


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class Block(nn.Module):
    """Pre-norm transformer block as in CLIP: attention, then a 4x MLP."""

    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.ln_1 = nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)
        self.ln_2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), QuickGELU(), nn.Linear(4 * width, width))

    def attention(self, x, mask):
        b, n, w = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, w // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
        scores = q @ k.transpose(-2, -1) * (w // self.heads) ** -0.5
        if mask is not None:
            scores = scores + mask
        y = torch.softmax(scores, dim=-1) @ v
        return self.out(y.transpose(1, 2).reshape(b, n, w))

    def forward(self, x, mask=None):
        x = x + self.attention(self.ln_1(x), mask)
        return x + self.mlp(self.ln_2(x))


class TextEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.token_embedding = nn.Embedding(c["vocab"], c["width"])
        self.positional_embedding = nn.Parameter(torch.randn(c["context"], c["width"]) * 0.01)
        self.blocks = nn.ModuleList(Block(c["width"], c["heads"]) for _ in range(c["layers"]))
        self.ln_final = nn.LayerNorm(c["width"])
        self.projection = nn.Linear(c["width"], EMBED_DIM, bias=False)
        causal = torch.full((c["context"], c["context"]), -1e4).triu(1)
        self.register_buffer("causal_mask", causal, persistent=False)

    def forward(self, input_ids):
        n = input_ids.shape[1]
        x = self.token_embedding(input_ids) + self.positional_embedding[:n]
        mask = self.causal_mask[:n, :n]
        for block in self.blocks:
            x = block(x, mask)
        x = self.ln_final(x)
        # Pooled at each row's first end-of-text token, as CLIP does.
        eot = (input_ids == END_OF_TEXT).int().argmax(dim=-1)
        pooled = x[torch.arange(x.shape[0]), eot]
        return self.projection(pooled)


class VisionEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        grid = c["image"] // c["patch"]
        self.patchify = nn.Conv2d(3, c["width"], kernel_size=c["patch"], stride=c["patch"], bias=False)
        self.class_embedding = nn.Parameter(torch.randn(c["width"]) * 0.02)
        self.positional_embedding = nn.Parameter(torch.randn(grid * grid + 1, c["width"]) * 0.01)
        self.ln_pre = nn.LayerNorm(c["width"])
        self.blocks = nn.ModuleList(Block(c["width"], c["heads"]) for _ in range(c["layers"]))
        self.ln_post = nn.LayerNorm(c["width"])
        self.projection = nn.Linear(c["width"], EMBED_DIM, bias=False)

    def forward(self, pixel_values):
        x = self.patchify(pixel_values).flatten(2).transpose(1, 2)  # [b, 49, width]
        cls = self.class_embedding.expand(x.shape[0], 1, -1)
        x = self.ln_pre(torch.cat([cls, x], dim=1) + self.positional_embedding)
        for block in self.blocks:
            x = block(x)
        return self.projection(self.ln_post(x[:, 0]))


def init_weights(module):
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
            if getattr(m, "bias", None) is not None:
                nn.init.zeros_(m.bias)


def export(model, example, input_name, output_name, dynamic, path):
    torch.onnx.export(model, (example,), path, input_names=[input_name], output_names=[output_name],
                      dynamic_axes={input_name: dynamic, output_name: {0: "batch"}}, opset_version=17,
                      do_constant_folding=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(HERE, "vitb32-random"))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if not os.path.isfile(BPE):
        sys.exit("make_random_vitb32: missing %s (the CLIP BPE merges)" % BPE)
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(args.seed)
    start = time.time()

    with torch.no_grad():
        text = TextEncoder(TEXT).eval()
        vision = VisionEncoder(VISION).eval()
        init_weights(text)
        init_weights(vision)
        ids = torch.tensor([[49406, 320, 1929, 539, 320, 1929, END_OF_TEXT]], dtype=torch.int64)
        export(text, ids, "input_ids", "text_embeds", {0: "batch", 1: "sequence"},
               os.path.join(args.out, "text_model.onnx"))
        pixels = torch.randn(1, 3, VISION["image"], VISION["image"])
        export(vision, pixels, "pixel_values", "image_embeds", {0: "batch"},
               os.path.join(args.out, "vision_model.onnx"))
    shutil.copyfile(BPE, os.path.join(args.out, os.path.basename(BPE)))

    f = model_fingerprint.file_entry
    manifest = {
        "format": 1,
        "name": "vitb32-random",
        "fingerprint": "",
        "embedding_dim": EMBED_DIM,
        "logit_scale": 100.0,
        "text": {"language": "en", "variants": {"fp32": f(os.path.join(args.out, "text_model.onnx"), "text_model.onnx")},
                 "inputs": ["input_ids"], "output": "text_embeds",
                 "input": {"length": "variable", "pad_id": 49407, "pooling": "argmax"}},
        "vision": {"variants": {"fp32": f(os.path.join(args.out, "vision_model.onnx"), "vision_model.onnx")},
                   "inputs": ["pixel_values"], "output": "image_embeds"},
        "tokenizer": {"kind": "bpe_simple_vocab",
                      "files": [f(os.path.join(args.out, os.path.basename(BPE)), os.path.basename(BPE))],
                      "context_length": TEXT["context"]},
        "image": {"size": VISION["image"], "resize": "shortest_edge", "resample": "bicubic", "crop": "center",
                  "mean": [0.48145466, 0.4578275, 0.40821073], "std": [0.26862954, 0.26130258, 0.27577711]},
        "preferred_precision": {"webgpu": "fp32", "wasm": "fp32", "cpu": "fp32", "cuda": "fp32"},
    }
    model_fingerprint.complete(manifest)
    with open(os.path.join(args.out, "model.json"), "w", encoding="utf-8") as out:
        json.dump(manifest, out, indent=2)
        out.write("\n")

    sizes = ", ".join("%s %.1f MB" % (name, os.path.getsize(os.path.join(args.out, name)) / 1e6)
                      for name in ("text_model.onnx", "vision_model.onnx"))
    print("make_random_vitb32: wrote %s (%s) in %.0f s" % (args.out, sizes, time.time() - start), file=sys.stderr)


if __name__ == "__main__":
    main()
