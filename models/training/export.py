"""ONNX export with the public CLIP conventions (as Xenova/clip-vit-base-patch32):

  text_model.onnx    input_ids [batch, sequence] int64 -> text_embeds [batch, dim]
  vision_model.onnx  pixel_values [batch, 3, 224, 224] float32 -> image_embeds [batch, dim]

Embeddings are projected, not normalised. Opset 17 with plain ops (Gather,
MatMul, Add, LayerNormalization, Softmax, Erf, ArgMax, ...), which ONNX
Runtime's CPU, WASM and WebGPU backends all run.
"""
import os

import torch

OPSET = 17


class TextGraph(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.text = model.text

    def forward(self, input_ids):
        return self.text(input_ids)


class VisionGraph(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.vision = model.vision

    def forward(self, pixel_values):
        return self.vision(pixel_values)


def _export(module, example, path, input_name, output_name, dynamic):
    tmp = path + ".tmp"
    torch.onnx.export(module, (example,), tmp, opset_version=OPSET, do_constant_folding=True,
                      input_names=[input_name], output_names=[output_name],
                      dynamic_axes={input_name: dynamic, output_name: {0: "batch"}})
    os.replace(tmp, path)


def export_model(model, out_dir, log=print):
    model = model.eval()
    os.makedirs(out_dir, exist_ok=True)
    text_path = os.path.join(out_dir, "text_model.onnx")
    vision_path = os.path.join(out_dir, "vision_model.onnx")
    ids = torch.tensor([[49406, 320, 736, 7117, 49407, 0, 0], [49406, 320, 7117, 49407, 0, 0, 0]])
    with torch.no_grad():
        _export(TextGraph(model), ids, text_path, "input_ids", "text_embeds", {0: "batch", 1: "sequence"})
        _export(VisionGraph(model), torch.zeros(2, 3, 224, 224), vision_path, "pixel_values", "image_embeds",
                {0: "batch"})
    for p in (text_path, vision_path):
        log("exported %s (%.2f MB)" % (p, os.path.getsize(p) / 1e6))
    return text_path, vision_path
