#!/usr/bin/python3
"""A stand-in for Xenova/chinese-clip-vit-base-patch16: one fused ONNX graph
per precision, in that repository's file layout, for tests that cannot
download the real one (tests/tools/fetch_model/test_fetch_fused.py).

    /usr/bin/python3 models/standins/make_fused_standin.py OUT

OUT/cn-clip-like/   the published layout (docs/MODELS.md, "chinese-clip"):
  onnx/model.onnx             float32, inputs input_ids, attention_mask
                              (int64 [batch, sequence]) and pixel_values
                              (float32 [batch, 3, 224, 224]); outputs
                              logits_per_image, logits_per_text, text_embeds,
                              image_embeds, the embeddings L2-normalised and
                              the logits scaled, as Hugging Face's
                              ChineseCLIPModel.forward returns them
  onnx/model_fp16.onnx        float16 inside, float32 inputs and outputs
  onnx/model_quantized.onnx   dynamic int8 (DynamicQuantizeLinear + MatMulInteger)
  vocab.txt                   the published vocabulary, byte for byte
                              (45bbac6b..., 109,540 bytes: the bundled demo
                              model's vocab.txt is that file)
  preprocessor_config.json    byte for byte the published file (its SHA-256,
                              61a78fdd..., is what public projects pin):
                              both sides to 224, no centre crop, bicubic
  tokenizer.json, config.json, special_tokens_map.json, tokenizer_config.json
                              the same kinds of file (a BERT WordPiece
                              tokenizer, the model config), not the same bytes
OUT/fused_standin.json: every file's size and SHA-256.

The towers are the bundled demo model's own (models/demo): its vision tower
and its Chinese text tower, joined into one graph the way a fused export
joins them, so the stand-in really answers 红色的圆形 with red circles. The
text tower takes the attention mask as BERT does: positions where it is 0
read as padding ([PAD] = 0). Deterministic; needs Debian's python3-onnx.
"""
import argparse
import hashlib
import json
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEMO = os.path.join(ROOT, "models", "demo")
sys.path.insert(0, HERE)
import fp16  # noqa: E402
import quantize  # noqa: E402

REPO = "cn-clip-like"
CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]
# Hugging Face's save_pretrained writes json.dumps(indent=2, sort_keys=True) + "\n";
# these keys and values give the published file's exact bytes.
PREPROCESSOR = {
    "crop_size": {"height": 224, "width": 224}, "do_center_crop": False, "do_convert_rgb": True,
    "do_normalize": True, "do_rescale": True, "do_resize": True,
    "feature_extractor_type": "ChineseCLIPFeatureExtractor", "image_mean": CLIP_MEAN,
    "image_processor_type": "ChineseCLIPFeatureExtractor", "image_std": CLIP_STD, "resample": 3,
    "rescale_factor": 0.00392156862745098, "size": {"height": 224, "width": 224}}
PUBLISHED_PREPROCESSOR_SHA256 = "61a78fdd2c7ac17b54b6190c0f4cb23423192c535003d52528d01e318a47608b"
PUBLISHED_VOCAB_SHA256 = "45bbac6b341c319adc98a532532882e91a9cefc0329aa57bac9ae761c27b291c"


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def prefixed(graph, prefix):
    """The graph's nodes and initializers with every internal name prefixed,
    so two towers can share one graph; graph inputs and outputs keep theirs."""
    keep = {v.name for v in graph.input} | {v.name for v in graph.output}
    rename = lambda n: n if (not n or n in keep) else prefix + n  # noqa: E731
    nodes = []
    for node in graph.node:
        n = onnx.NodeProto()
        n.CopyFrom(node)
        n.input[:] = [rename(x) for x in node.input]
        n.output[:] = [rename(x) for x in node.output]
        n.name = prefix + (node.name or node.output[0])
        nodes.append(n)
    inits = []
    for t in graph.initializer:
        c = onnx.TensorProto()
        c.CopyFrom(t)
        c.name = rename(t.name)
        inits.append(c)
    return nodes, inits


def fused_model(logit_scale, dim):
    text = onnx.load(os.path.join(DEMO, "text_model_zh.onnx"))
    vision = onnx.load(os.path.join(DEMO, "vision_model.onnx"))
    # The towers' own outputs become internal tensors; the fused graph's
    # outputs are computed from them below.
    for g, out in ((text.graph, "text_embeds"), (vision.graph, "image_embeds")):
        for node in g.node:
            node.output[:] = [out + "_unnormalised" if x == out else x for x in node.output]
        del g.output[:]
    text_nodes, text_inits = prefixed(text.graph, "text_model.")
    vision_nodes, vision_inits = prefixed(vision.graph, "vision_model.")
    # BERT reads the mask: a masked position is padding ([PAD] = 0).
    mask_nodes = [helper.make_node("Mul", ["input_ids", "attention_mask"], ["text_model.masked_ids"], name="mask_ids")]
    for n in text_nodes:
        n.input[:] = ["text_model.masked_ids" if x == "input_ids" else x for x in n.input]
    head = [
        helper.make_node("LpNormalization", ["text_model.text_embeds_unnormalised"], ["text_embeds"], axis=-1, p=2,
                         name="text_norm"),
        helper.make_node("LpNormalization", ["vision_model.image_embeds_unnormalised"], ["image_embeds"], axis=-1,
                         p=2, name="image_norm"),
        helper.make_node("Transpose", ["image_embeds"], ["image_embeds_t"], perm=[1, 0], name="image_t"),
        helper.make_node("MatMul", ["text_embeds", "image_embeds_t"], ["text_image"], name="similarity"),
        helper.make_node("Mul", ["text_image", "logit_scale"], ["logits_per_text"], name="scale"),
        helper.make_node("Transpose", ["logits_per_text"], ["logits_per_image"], perm=[1, 0], name="per_image"),
    ]
    graph = helper.make_graph(
        mask_nodes + text_nodes + vision_nodes + head, "chinese_clip",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch_size", "sequence_length"]),
         helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT,
                                       ["batch_size", "num_channels", "height", "width"])],
        [helper.make_tensor_value_info("logits_per_image", TensorProto.FLOAT, ["image_batch_size", "text_batch_size"]),
         helper.make_tensor_value_info("logits_per_text", TensorProto.FLOAT, ["text_batch_size", "image_batch_size"]),
         helper.make_tensor_value_info("text_embeds", TensorProto.FLOAT, ["text_batch_size", dim]),
         helper.make_tensor_value_info("image_embeds", TensorProto.FLOAT, ["image_batch_size", dim])],
        text_inits + vision_inits + [numpy_helper.from_array(np.array(logit_scale, np.float32), "logit_scale")])
    opset = max(o.version for o in list(text.opset_import) + list(vision.opset_import) if o.domain in ("", "ai.onnx"))
    model = helper.make_model(graph, producer_name="pytorch", opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = text.ir_version
    onnx.checker.check_model(model)
    return model


def tokenizer_json(vocab_lines):
    """A Hugging Face BERT WordPiece tokenizer.json over the vocabulary."""
    vocab = {tok: i for i, tok in enumerate(vocab_lines)}
    special = [{"id": vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                "normalized": False, "special": True} for t in ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")]
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": special,
            "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                           "strip_accents": None, "lowercase": True},
            "pre_tokenizer": {"type": "BertPreTokenizer"},
            "post_processor": {"type": "TemplateProcessing",
                               "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                                          {"Sequence": {"id": "A", "type_id": 0}},
                                          {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                               "pair": [], "special_tokens": {t: {"id": t, "ids": [vocab[t]], "tokens": [t]}
                                                              for t in ("[CLS]", "[SEP]")}},
            "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
            "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                      "max_input_chars_per_word": 100, "vocab": vocab}}


def write_repo(repo, logit_scale, dim):
    os.makedirs(os.path.join(repo, "onnx"))
    fused = fused_model(logit_scale, dim)
    onnx.save(fused, os.path.join(repo, "onnx", "model.onnx"))
    onnx.save(fp16.convert(onnx.load(os.path.join(repo, "onnx", "model.onnx"))),
              os.path.join(repo, "onnx", "model_fp16.onnx"))
    onnx.save(quantize.convert(onnx.load(os.path.join(repo, "onnx", "model.onnx"))),
              os.path.join(repo, "onnx", "model_quantized.onnx"))

    shutil.copyfile(os.path.join(DEMO, "vocab.txt"), os.path.join(repo, "vocab.txt"))
    assert sha256(os.path.join(repo, "vocab.txt")) == PUBLISHED_VOCAB_SHA256, "models/demo/vocab.txt changed"
    with open(os.path.join(repo, "preprocessor_config.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(PREPROCESSOR, indent=2, sort_keys=True) + "\n")
    assert sha256(os.path.join(repo, "preprocessor_config.json")) == PUBLISHED_PREPROCESSOR_SHA256
    with open(os.path.join(repo, "vocab.txt"), encoding="utf-8") as f:
        vocab_lines = f.read().split("\n")[:-1]
    with open(os.path.join(repo, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_json(vocab_lines), f, ensure_ascii=False)
    with open(os.path.join(repo, "special_tokens_map.json"), "w", encoding="utf-8") as f:
        json.dump({"cls_token": "[CLS]", "mask_token": "[MASK]", "pad_token": "[PAD]", "sep_token": "[SEP]",
                   "unk_token": "[UNK]"}, f)
    with open(os.path.join(repo, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump({"do_lower_case": True, "model_max_length": 52, "tokenizer_class": "BertTokenizer"}, f)
    with open(os.path.join(repo, "config.json"), "w", encoding="utf-8") as f:
        json.dump({"architectures": ["ChineseCLIPModel"], "model_type": "chinese_clip", "projection_dim": 128,
                   "logit_scale_init_value": float(np.log(logit_scale)),
                   "text_config": {"model_type": "chinese_clip_text_model", "vocab_size": len(vocab_lines),
                                   "pad_token_id": 0, "pooler_type": "first_token_transform"},
                   "vision_config": {"model_type": "chinese_clip_vision_model", "image_size": 224}}, f, indent=2)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    args = ap.parse_args()
    with open(os.path.join(DEMO, "model.json"), encoding="utf-8") as f:
        demo = json.load(f)
    repo = os.path.join(args.out, REPO)
    shutil.rmtree(repo, ignore_errors=True)
    write_repo(repo, demo["logit_scale"], demo["embedding_dim"])
    files = sorted(os.path.relpath(os.path.join(d, n), repo) for d, _, names in os.walk(repo) for n in names)
    summary = {"repo": REPO, "embedding_dim": demo["embedding_dim"], "logit_scale": demo["logit_scale"],
               "files": {p: {"sha256": sha256(os.path.join(repo, p)), "bytes": os.path.getsize(os.path.join(repo, p))}
                         for p in files}}
    with open(os.path.join(args.out, "fused_standin.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2)


if __name__ == "__main__":
    main()
