#!/usr/bin/python3
"""A tiny two-tower CLIP-shaped model for fetch-model tests (seconds to make).

Writes OUT/{text,vision}_model{,_fp16,_int8}.onnx, the CLIP BPE merges and
model.json. The fp16 and int8 files hold the fp32 weights rounded to those
precisions (stored as float32), so their embeddings differ from fp32 by
real rounding error: what `--check-agreement` measures. Deterministic.

    /usr/bin/python3 make_tiny_clip.py OUT
"""
import json
import os
import shutil
import sys

import torch
from torch import nn

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "models"))
import model_fingerprint  # noqa: E402

BPE = os.path.join(ROOT, "models", "clip-bpe", "bpe_simple_vocab_16e6.txt")
DIM = 16
SIDE = 64


class Text(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(49408, 8)
        self.pos = nn.Parameter(torch.randn(77, 8) * 0.1)
        self.mix = nn.Linear(8, 8)
        self.proj = nn.Linear(8, DIM)

    def forward(self, input_ids):
        x = self.embed(input_ids) + self.pos[: input_ids.shape[1]]
        x = torch.tanh(self.mix(x)).cumsum(dim=1)  # each position sees what came before it
        eot = (input_ids == 49407).int().argmax(dim=-1)
        return self.proj(x[torch.arange(x.shape[0]), eot])


class Vision(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 12, kernel_size=8, stride=8)
        self.proj = nn.Linear(12, DIM)

    def forward(self, pixel_values):
        return self.proj(torch.relu(self.conv(pixel_values)).mean(dim=(2, 3)))


def rounded(model, precision):
    """A copy whose weights hold `precision`'s rounding of the originals."""
    copy = type(model)()
    copy.load_state_dict(model.state_dict())
    with torch.no_grad():
        for p in copy.parameters():
            if precision == "fp16":
                p.copy_(p.half().float())
            else:  # symmetric per-tensor int8
                scale = p.abs().max().clamp(min=1e-12) / 127
                p.copy_((p / scale).round().clamp(-127, 127) * scale)
    return copy.eval()


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(1)
    text, vision = Text().eval(), Vision().eval()
    ids = torch.tensor([[49406, 320, 1929, 49407]], dtype=torch.int64)
    pixels = torch.randn(1, 3, SIDE, SIDE)
    files = {"text": {}, "vision": {}}
    for precision, suffix in (("fp32", ""), ("fp16", "_fp16"), ("int8", "_int8")):
        for key, model, example, names, dyn in (
                ("text", text, ids, ("input_ids", "text_embeds"), {0: "batch", 1: "sequence"}),
                ("vision", vision, pixels, ("pixel_values", "image_embeds"), {0: "batch"})):
            m = model if precision == "fp32" else rounded(model, precision)
            name = "%s_model%s.onnx" % (key, suffix)
            torch.onnx.export(m, (example,), os.path.join(out, name), input_names=[names[0]],
                              output_names=[names[1]], dynamic_axes={names[0]: dyn, names[1]: {0: "batch"}},
                              opset_version=17)
            files[key][precision] = model_fingerprint.file_entry(os.path.join(out, name), name)
    shutil.copyfile(BPE, os.path.join(out, "bpe_simple_vocab_16e6.txt"))
    manifest = {
        "format": 1, "name": "tiny-clip", "fingerprint": "", "embedding_dim": DIM, "logit_scale": 100.0,
        "text": {"variants": files["text"], "inputs": ["input_ids"], "output": "text_embeds"},
        "vision": {"variants": files["vision"], "inputs": ["pixel_values"], "output": "image_embeds"},
        "tokenizer": {"kind": "bpe_simple_vocab", "context_length": 77,
                      "files": [model_fingerprint.file_entry(os.path.join(out, "bpe_simple_vocab_16e6.txt"),
                                                             "bpe_simple_vocab_16e6.txt")]},
        "image": {"size": SIDE, "resize": "shortest_edge", "resample": "bicubic", "crop": "center",
                  "mean": [0.48145466, 0.4578275, 0.40821073], "std": [0.26862954, 0.26130258, 0.27577711]},
        "preferred_precision": {"cpu": "fp32"},
    }
    manifest["fingerprint"] = model_fingerprint.fingerprint(manifest)
    with open(os.path.join(out, "model.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)


if __name__ == "__main__":
    main()
