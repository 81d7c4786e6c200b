#!/usr/bin/python3
"""Stand-ins for the published CLIP ONNX exports, in their repositories'
exact file layout, for tests that cannot download the real ones.

    /usr/bin/python3 models/standins/make_standins.py OUT --clipsearch build/tools/clipsearch

OUT/clip-like/      the layout of Xenova/clip-vit-base-patch32: a causal text
                    tower of any length pooled at argmax(input_ids), CLIP's
                    224 px bicubic preprocessing, vocab.json + merges.txt +
                    tokenizer.json
OUT/mobile-like/    the layout of Xenova/mobileclip_s0: a non-causal text
                    tower trained on exactly 77 ids padded with 0,
                    256 px bilinear without normalisation, tokenizer.json
                    whose padding says so
Each has onnx/{text,vision}_model.onnx (float32), *_fp16.onnx (float16
inside, float32 inputs and outputs) and *_quantized.onnx (dynamic int8:
DynamicQuantizeLinear + MatMulInteger).

OUT/webgpu-fails/   clip-like with a vision graph that ONNX Runtime's WebGPU
                    provider accepts but cannot run (an antialiased Resize:
                    "Only default value (0) for Antialias attribute is
                    supported" at the first run), while its CPU and
                    WebAssembly providers can: the page's fallback.

OUT/standins.json: every file's size and SHA-256, and "published numbers"
for each repo: label probabilities of CLIP_rgb.png over three texts, computed
here with torch and Pillow (an implementation independent of the project's
C++), which fetch-model's check on arrival must reproduce.

Deterministic: the same torch version writes the same bytes. Needs Debian's
python3-torch, python3-onnx and python3-pil; a few seconds, a few MB.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys

import onnx
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import fp16  # noqa: E402
import quantize  # noqa: E402
import towers  # noqa: E402

BPE = os.path.join(ROOT, "models", "clip-bpe", "bpe_simple_vocab_16e6.txt")
CLIP_PNG = os.path.join(ROOT, "models", "reference", "CLIP_rgb.png")
LABELS = ["a diagram", "a dog", "a cat"]
CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]

REPOS = {
    # name: (causal text, fixed length, image size, patch, resample, mean, std)
    "clip-like": dict(causal=True, fixed=False, size=224, patch=32, resample="bicubic", mean=CLIP_MEAN, std=CLIP_STD),
    "mobile-like": dict(causal=False, fixed=True, size=256, patch=32, resample="bilinear", mean=[0, 0, 0],
                        std=[1, 1, 1]),
}


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def byte_chars():
    """GPT-2/CLIP byte <-> unicode table (bytes_to_unicode)."""
    printable = [*range(ord("!"), ord("~") + 1), *range(0xA1, 0xAC + 1), *range(0xAE, 0xFF + 1)]
    table, extra = {}, 0
    for b in range(256):
        if b in printable:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return [table[b] for b in sorted(table, key=lambda b: (b not in printable, b))]


def write_tokenizer(repo, fixed):
    """vocab.json + merges.txt (the published merges.txt is byte for byte
    OpenAI's bpe_simple_vocab_16e6.txt) and tokenizer.json."""
    with open(BPE, encoding="utf-8") as f:
        merges = f.read().split("\n")[1:49152 - 256 - 2 + 1]
    symbols = byte_chars()
    vocab = symbols + [s + "</w>" for s in symbols] + ["".join(m.split()) for m in merges]
    vocab = {tok: i for i, tok in enumerate(vocab + ["<|startoftext|>", "<|endoftext|>"])}
    files = []
    if not fixed:
        with open(os.path.join(repo, "vocab.json"), "w", encoding="utf-8") as f:
            json.dump(vocab, f, ensure_ascii=False)
        shutil.copyfile(BPE, os.path.join(repo, "merges.txt"))
        files += ["vocab.json", "merges.txt"]
    special = [{"id": vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                "normalized": True, "special": True} for t in ("<|startoftext|>", "<|endoftext|>")]
    tok = {"version": "1.0", "truncation": {"max_length": 77, "strategy": "LongestFirst", "stride": 0},
           "padding": None, "added_tokens": special,
           "model": {"type": "BPE", "dropout": None, "unk_token": "<|endoftext|>", "continuing_subword_prefix": "",
                     "end_of_word_suffix": "</w>", "fuse_unk": False, "vocab": vocab, "merges": merges}}
    if fixed:
        tok["padding"] = {"strategy": {"Fixed": 77}, "direction": "Right", "pad_to_multiple_of": None,
                          "pad_id": 0, "pad_type_id": 0, "pad_token": "!"}
    with open(os.path.join(repo, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tok, f, ensure_ascii=False)
    return files + ["tokenizer.json"]


def write_preprocessor(repo, spec):
    resample = {"bicubic": 3, "bilinear": 2}[spec["resample"]]
    normalize = spec["std"] != [1, 1, 1]
    cfg = {"crop_size": {"height": spec["size"], "width": spec["size"]}, "do_center_crop": True,
           "do_normalize": normalize, "do_rescale": True, "do_resize": True, "resample": resample,
           "rescale_factor": 0.00392156862745098, "size": {"shortest_edge": spec["size"]}}
    if normalize:
        cfg.update(image_mean=spec["mean"], image_std=spec["std"])
    with open(os.path.join(repo, "preprocessor_config.json"), "w", encoding="utf-8") as f:
        json.dump(cfg, f, indent=2)
    return ["preprocessor_config.json"]


def write_graphs(repo, spec, text, vision):
    onnx_dir = os.path.join(repo, "onnx")
    os.makedirs(onnx_dir, exist_ok=True)
    ids = torch.tensor([[49406, 320, 1929, 49407] + ([0] * 73 if spec["fixed"] else [])])
    pixels = torch.randn(1, 3, spec["size"], spec["size"])
    text_axes = {0: "batch"} if spec["fixed"] else {0: "batch", 1: "sequence"}
    files = []
    for name, module, example, inp, out, axes in (
            ("text_model", text, ids, "input_ids", "text_embeds", text_axes),
            ("vision_model", vision, pixels, "pixel_values", "image_embeds", {0: "batch"})):
        path = os.path.join(onnx_dir, name + ".onnx")
        towers.export(module, example, path, inp, out, axes)
        for suffix, convert in (("_fp16", fp16.convert), ("_quantized", quantize.convert)):
            onnx.save(convert(onnx.load(path)), os.path.join(onnx_dir, name + suffix + ".onnx"))
        files += ["onnx/%s%s.onnx" % (name, s) for s in ("", "_fp16", "_quantized")]
    return files


def reference_pixels(spec):
    """CLIPImageProcessor's steps with Pillow: shortest side to `size`, centre
    crop, x/255, (x - mean) / std."""
    img = Image.open(CLIP_PNG).convert("RGB")
    w, h = img.size
    s = spec["size"]
    nw, nh = (s, int(s * h / w)) if w <= h else (int(s * w / h), s)
    img = img.resize((nw, nh), Image.BICUBIC if spec["resample"] == "bicubic" else Image.BILINEAR)
    left, top = (nw - s) // 2, (nh - s) // 2
    img = img.crop((left, top, left + s, top + s))
    x = torch.tensor(list(img.getdata()), dtype=torch.float32).reshape(s, s, 3) / 255.0
    x = (x - torch.tensor(spec["mean"])) / torch.tensor(spec["std"])
    return x.permute(2, 0, 1).unsqueeze(0)


def label_probs(spec, text, vision, rows):
    with torch.no_grad():
        image = torch.nn.functional.normalize(vision(reference_pixels(spec))[0], dim=-1)
        texts = []
        for row in rows:
            ids = row + ([0] * (77 - len(row)) if spec["fixed"] else [])
            texts.append(torch.nn.functional.normalize(text(torch.tensor([ids]))[0], dim=-1))
        logits = 100.0 * image @ torch.cat(texts).T
        return [round(float(p), 7) for p in logits.softmax(-1)[0]]


def tokenize(clipsearch, texts):
    """Token ids from the project's tokenizer (checked against Hugging Face's
    on the golden cases)."""
    p = subprocess.run([clipsearch, "tokenize", "--jsonl"], input="".join(json.dumps(t) + "\n" for t in texts),
                       capture_output=True, text=True, check=True)
    return [json.loads(line) for line in p.stdout.splitlines()]


def write_webgpu_fails(out):
    """clip-like, its vision graph (all three files) replaced by one that
    first shrinks the image with an antialiased Resize (opset 18): ONNX
    Runtime's WebGPU provider accepts the graph but fails at its first run
    ("Only default value (0) for Antialias attribute is supported"); its CPU
    and WebAssembly providers run it."""
    from onnx import TensorProto, helper, numpy_helper
    import numpy as np
    repo = os.path.join(out, "webgpu-fails")
    shutil.rmtree(repo, ignore_errors=True)
    shutil.copytree(os.path.join(out, "clip-like"), repo)
    rng = np.random.RandomState(7)
    init = [numpy_helper.from_array(np.array([1, 1, 0.5, 0.5], np.float32), "scales"),
            numpy_helper.from_array((rng.randn(8, 3, 16, 16) * 0.05).astype(np.float32), "conv_w"),
            numpy_helper.from_array((rng.randn(8, towers.DIM) * 0.5).astype(np.float32), "proj_w")]
    graph = helper.make_graph(
        [helper.make_node("Resize", ["pixel_values", "", "scales"], ["small"], mode="linear", antialias=1),
         helper.make_node("Conv", ["small", "conv_w"], ["features"], kernel_shape=[16, 16], strides=[16, 16]),
         helper.make_node("Relu", ["features"], ["active"]),
         helper.make_node("GlobalAveragePool", ["active"], ["pooled"]),
         helper.make_node("Flatten", ["pooled"], ["flat"]),
         helper.make_node("MatMul", ["flat", "proj_w"], ["image_embeds"])],
        "antialiased_vision",
        [helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT, ["batch", 3, 224, 224])],
        [helper.make_tensor_value_info("image_embeds", TensorProto.FLOAT, ["batch", towers.DIM])],
        init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 8
    for suffix in ("", "_fp16", "_quantized"):
        onnx.save(model, os.path.join(repo, "onnx", "vision_model%s.onnx" % suffix))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--clipsearch", required=True, help="the built clipsearch binary (for token ids)")
    args = ap.parse_args()
    rows = tokenize(args.clipsearch, LABELS)
    summary = {"labels": LABELS, "repos": {}}
    for seed, (name, spec) in enumerate(sorted(REPOS.items())):
        torch.manual_seed(1000 + seed)
        text, vision = towers.TextTower(causal=spec["causal"]).eval(), towers.VisionTower(spec["patch"]).eval()
        repo = os.path.join(args.out, name)
        shutil.rmtree(repo, ignore_errors=True)
        os.makedirs(repo)
        files = write_graphs(repo, spec, text, vision) + write_tokenizer(repo, spec["fixed"]) + \
            write_preprocessor(repo, spec)
        summary["repos"][name] = {
            "files": {f: {"sha256": sha256(os.path.join(repo, f)), "bytes": os.path.getsize(os.path.join(repo, f))}
                      for f in files},
            "label_probs": label_probs(spec, text, vision, rows),
            "embedding_dim": towers.DIM, "image": spec,
        }
    write_webgpu_fails(args.out)
    with open(os.path.join(args.out, "standins.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2)


if __name__ == "__main__":
    main()
