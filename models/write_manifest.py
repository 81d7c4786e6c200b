#!/usr/bin/python3
"""Writes or refreshes a model folder's model.json: file sizes and SHA-256s
are read from disk and the fingerprint recomputed (models/model_fingerprint.py,
the twin of core/model/model_fingerprint.cpp), so the manifest always agrees
with the files beside it. When the folder's previous model.json had the same
image side (the same format-2 fingerprint), its accepted fingerprints are
kept, so indexes built with any earlier version of it stay searchable after a
text tower is added or retrained.

  /usr/bin/python3 models/write_manifest.py models/demo   # refresh in place
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_fingerprint  # noqa: E402

CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]


def demo_manifest(embedding_dim, logit_scale, tokenizer_file):
    """The demo model's manifest before file hashes and fingerprint."""
    return {
        "format": 1,
        "name": "demo-shapes",
        "fingerprint": "",
        "embedding_dim": int(embedding_dim),
        "logit_scale": round(float(logit_scale), 4),
        "text": {"language": "en", "variants": {"fp32": {"path": "text_model.onnx"}}, "inputs": ["input_ids"],
                 "output": "text_embeds",
                 # A causal tower pooled at argmax(input_ids) (models/training/model.py).
                 "input": {"length": "variable", "pad_id": 49407, "pooling": "argmax"}},
        "vision": {"variants": {"fp32": {"path": "vision_model.onnx"}}, "inputs": ["pixel_values"],
                   "output": "image_embeds"},
        "tokenizer": {"kind": "bpe_simple_vocab", "files": [{"path": tokenizer_file}], "context_length": 77},
        "image": {"size": 224, "resize": "shortest_edge", "resample": "bicubic", "crop": "center",
                  "mean": CLIP_MEAN, "std": CLIP_STD},
        "preferred_precision": {"webgpu": "fp32", "wasm": "fp32", "cpu": "fp32"},
    }


def text_tower(language, graph, vocab_file, context_length, pad_id, trained_token_ids=()):
    """Another language's text tower over the same image space (a WordPiece
    one, BERT-style: read at [CLS], padding masked; docs/MODEL_MANIFEST.md)."""
    tower = {"language": language, "variants": {"fp32": {"path": graph}}, "inputs": ["input_ids"],
             "output": "text_embeds",
             "tokenizer": {"kind": "wordpiece", "files": [{"path": vocab_file}], "context_length": context_length},
             "input": {"length": "variable", "pad_id": pad_id, "pooling": "first"}}
    if trained_token_ids:
        tower["trained_token_ids"] = sorted(set(trained_token_ids))
    return tower


def set_text_tower(manifest, tower):
    """Adds or replaces the tower of tower["language"] in "text_towers"."""
    towers = [t for t in manifest.get("text_towers", []) if t.get("language") != tower["language"]]
    manifest["text_towers"] = towers + [tower]


def refresh(model_dir, manifest):
    """Fills in every listed file's sha256 and bytes, then the fingerprint."""
    def entry(e):
        rel = e if isinstance(e, str) else e["path"]
        return model_fingerprint.file_entry(os.path.join(model_dir, rel), rel)

    towers = manifest.get("text_towers", [])
    for encoder in [manifest["text"], manifest["vision"]] + towers:
        variants = encoder["variants"]
        for precision in variants:
            variants[precision] = entry(variants[precision])
    for tokenizer in [manifest["tokenizer"]] + [t["tokenizer"] for t in towers]:
        tokenizer["files"] = [entry(f) for f in tokenizer["files"]]
    return manifest


def carry_over(previous, manifest):
    """The fingerprints indexes of the previous model.json may record, when
    it had the same image side as `manifest` (docs/MODEL_MANIFEST.md)."""
    try:
        same_image_side = model_fingerprint.fingerprint(previous) == manifest["fingerprint"]
    except (KeyError, TypeError, ValueError):
        return
    if not same_image_side:
        return
    accepted = manifest.setdefault("accepted_fingerprints", [])
    for fp in [previous.get("fingerprint", "")] + previous.get("accepted_fingerprints", []):
        if fp and fp != manifest["fingerprint"] and fp not in accepted:
            accepted.append(fp)


def write(model_dir, manifest):
    path = os.path.join(model_dir, "model.json")
    model_fingerprint.complete(refresh(model_dir, manifest))
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            carry_over(json.load(f), manifest)
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    os.replace(path + ".tmp", path)
    return path


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: write_manifest.py MODEL_DIR  (refreshes MODEL_DIR/model.json)")
    with open(os.path.join(sys.argv[1], "model.json"), encoding="utf-8") as f:
        m = json.load(f)
    print(write(sys.argv[1], m))
