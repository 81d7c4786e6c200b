#!/usr/bin/python3
"""What a text query costs when a CLIP export is one fused graph that needs
both towers' inputs (as Xenova/chinese-clip-vit-base-patch16's onnx/model*.onnx
is reported to be), against a text-only graph. Measured with the demo model's
architecture at random weights (timing does not depend on the weights):

  /usr/bin/python3 bench/fused_graph_cost.py [--work DIR] [--runs 200]

Exports fused.onnx (input_ids + pixel_values -> text_embeds + image_embeds)
and text.onnx (input_ids -> text_embeds) with torch, then runs
bench/fused_graph_cost.cjs (onnxruntime-node, CPU): a text query on the fused
graph fed a minimal image (one zero 224x224 picture) and asked only for
text_embeds, the same asked for both outputs, and the text-only graph.
Prints one JSON line: medians in ms and their ratios to the text-only graph.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "models"))
from training.model import DemoClip  # noqa: E402

CONFIG = dict(vision_width=96, vision_layers=4, vision_heads=3, text_width=96, text_layers=3, text_heads=3,
              token_dim=32, dim=128)


class Fused(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, pixel_values):
        return self.model.text(input_ids), self.model.vision(pixel_values)


class TextOnly(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids):
        return self.model.text(input_ids)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--work", default=None)
    p.add_argument("--runs", type=int, default=200)
    args = p.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="fused_graph_cost.")
    os.makedirs(work, exist_ok=True)
    torch.manual_seed(0)
    model = DemoClip(CONFIG).eval()
    ids = torch.tensor([[49406, 320, 736, 7117, 49407]])
    px = torch.zeros(1, 3, 224, 224)
    dyn = {"input_ids": {0: "batch", 1: "sequence"}, "text_embeds": {0: "batch"}}
    with torch.no_grad():
        torch.onnx.export(Fused(model), (ids, px), os.path.join(work, "fused.onnx"), opset_version=17,
                          input_names=["input_ids", "pixel_values"], output_names=["text_embeds", "image_embeds"],
                          dynamic_axes={**dyn, "pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}})
        torch.onnx.export(TextOnly(model), (ids,), os.path.join(work, "text.onnx"), opset_version=17,
                          input_names=["input_ids"], output_names=["text_embeds"], dynamic_axes=dyn)
    out = subprocess.run(["node", os.path.join(HERE, "fused_graph_cost.cjs"), work, str(args.runs)],
                         check=True, capture_output=True, text=True, cwd=os.path.dirname(HERE))
    print(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
