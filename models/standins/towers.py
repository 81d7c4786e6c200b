"""Tiny CLIP-shaped towers with the properties of the published exports.

  CausalText   OpenAI CLIP's text tower: causal attention, any length up to
               77, the embedding taken at argmax(input_ids) (the end token).
  FixedText    MobileCLIP's: no causal mask, so every position (padding
               included) reaches the pooled token; trained on exactly 77 ids
               padded with 0: feed other padding and the output changes.
  Vision       a patch convolution, a mixing layer and a projection.

Weights are random (seeded): what matters is the graphs' shape of
computation, not their meaning. Plain ops only (opset 14: LayerNorm is
decomposed), which ONNX Runtime's CPU, WebAssembly and WebGPU providers run
in float32 and float16.
"""
import math

import torch
from torch import nn

VOCAB = 49408
CONTEXT = 77
WIDTH = 16
DIM = 32


def param(*shape, scale=0.2):
    return nn.Parameter(torch.randn(*shape) * scale)


class Mix(nn.Module):
    """One attention layer and one MLP, pre-norm, residual."""

    def __init__(self, width, causal):
        super().__init__()
        self.causal = causal
        self.q, self.k, self.v, self.o = (param(width, width) for _ in range(4))
        self.up, self.down = param(width, 2 * width), param(2 * width, width)
        self.ln1, self.ln2 = nn.LayerNorm(width), nn.LayerNorm(width)

    def forward(self, x):
        h = self.ln1(x)
        scores = (h @ self.q) @ (h @ self.k).transpose(1, 2) / math.sqrt(x.shape[-1])
        if self.causal:
            n = x.shape[1]
            scores = scores + torch.full((n, n), float("-inf")).triu(1)
        x = x + (scores.softmax(-1) @ (h @ self.v)) @ self.o
        return x + torch.tanh(self.ln2(x) @ self.up) @ self.down


class TextTower(nn.Module):
    def __init__(self, causal):
        super().__init__()
        self.token = param(VOCAB, WIDTH, scale=1.0)
        self.position = param(CONTEXT, WIDTH)
        self.mix = Mix(WIDTH, causal)
        self.ln = nn.LayerNorm(WIDTH)
        self.proj = param(WIDTH, DIM, scale=0.5)

    def forward(self, input_ids):
        x = self.token[input_ids] + self.position[: input_ids.shape[1]]
        hidden = self.ln(self.mix(x))
        # CLIP pools at the end token, the largest id of each row. ArgMax on
        # int32: not every runtime has it for int64.
        end = input_ids.to(torch.int32).argmax(dim=-1)
        pooled = hidden[torch.arange(hidden.shape[0]), end]
        return pooled @ self.proj, hidden


class VisionTower(nn.Module):
    def __init__(self, patch):
        super().__init__()
        self.patch = nn.Conv2d(3, WIDTH, kernel_size=patch, stride=patch)
        self.mix = Mix(WIDTH, causal=False)
        self.ln = nn.LayerNorm(WIDTH)
        self.proj = param(WIDTH, DIM, scale=0.5)

    def forward(self, pixel_values):
        x = self.patch(pixel_values).flatten(2).transpose(1, 2)
        hidden = self.ln(self.mix(x))
        return hidden.mean(dim=1) @ self.proj, hidden


def export(module, example, path, input_name, output_name, dynamic):
    """input -> (embedding, last_hidden_state), as the Xenova exports name them."""
    torch.onnx.export(module.eval(), (example,), path, opset_version=14, do_constant_folding=True,
                      input_names=[input_name], output_names=[output_name, "last_hidden_state"],
                      dynamic_axes={input_name: dynamic, output_name: {0: "batch"},
                                    "last_hidden_state": {0: "batch", 1: "sequence"}})
