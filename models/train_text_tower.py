#!/usr/bin/python3
"""Trains a text tower for another language (Chinese) into the bundled demo
model's image space: locked-image tuning (the first stage of Chinese-CLIP, and
M-CLIP). The vision tower is frozen, so every index built with the model stays
valid and both text towers query it.

The image side is the committed vision_model.onnx itself, run once over the
training pictures in ONNX Runtime: the tower learns to land where the
product's own image embeddings are.

Reproduce (docs/DEMO_MODEL.md):
  clipsearch demo-data --out W/train --count 20000 --seed 1 --extra-captions 3
  clipsearch demo-data --out W/tune --count 2000 --seed 2
  /usr/bin/python3 models/train_text_tower.py --lang zh --train W/train --heldout W/tune \\
      --work W --model models/demo --clipsearch build/tools/clipsearch [--export]
"""
import argparse
import json
import math
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see train_demo.py
import random
import shutil
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from training import data as D  # noqa: E402
from training.evaluate import evaluate, format_report, queries  # noqa: E402
from training.model import TextTower  # noqa: E402
from training.tokenizer import tokenize, tokenize_wordpiece  # noqa: E402

# Per language: tokenizer, context, pooling, exported file name. "zh" is a
# tower of its own (text_towers in model.json); "en" retrains the primary
# tower in place (the same locked image space: indexes stay valid where the
# fingerprint covers the image side only).
LANGS = {
    "zh": dict(tokenizer="wordpiece",
               vocab_source=os.path.join(os.path.dirname(HERE), "tests", "data", "text", "wordpiece_vocab.txt"),
               vocab_file="vocab.txt", vocab_size=21128, context_length=52, pad_id=0, pool="first",
               graph="text_model_zh.onnx", example_ids=[[101, 5273, 5682, 4638, 1749, 102, 0], [101, 1749, 102, 0, 0, 0, 0]]),
    "en": dict(tokenizer="clip", vocab_size=49408, context_length=77, pad_id=0, pool="argmax",
               graph="text_model.onnx", example_ids=[[49406, 320, 736, 7117, 49407, 0, 0], [49406, 320, 7117, 49407, 0, 0, 0]]),
}


def tokenize_texts(texts, spec, clipsearch, model_dir, log):
    """{text: ids} with the tokenizer the tower reads (the product's own)."""
    if spec["tokenizer"] == "wordpiece":
        return tokenize_wordpiece(texts, clipsearch, spec["vocab_source"], log)
    return tokenize(texts, clipsearch, model_dir=model_dir, log=log)
CONFIG = dict(text_width=96, text_layers=3, text_heads=3, token_dim=32)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lang", default="zh", choices=sorted(LANGS))
    p.add_argument("--train", required=True, help="demo-data folder to train on (with --extra-captions)")
    p.add_argument("--heldout", required=True, help="demo-data folder (another seed) to score on while tuning")
    p.add_argument("--work", required=True, help="folder for image embeddings, checkpoint and logs")
    p.add_argument("--model", required=True, help="the model folder whose vision tower is the image space")
    p.add_argument("--clipsearch", required=True, help="clipsearch binary (tokenization)")
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--images-per-step", type=int, default=1024, help="image embeddings each step compares with")
    p.add_argument("--captioned-per-step", type=int, default=256, help="of those, images whose captions are drawn")
    p.add_argument("--captions-per-image", type=int, default=2)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--weight-decay", type=float, default=0.05)
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--eval-every", type=int, default=250)
    for key, value in CONFIG.items():
        p.add_argument("--" + key.replace("_", "-"), type=int, default=value, help="tower shape")
    p.add_argument("--export", action="store_true", help="write the graph, vocabulary and model.json into --model")
    p.add_argument("--export-only", action="store_true", help="skip training, export the checkpoint in --work")
    return p.parse_args()


class Logger:
    def __init__(self, path):
        self.f = open(path, "a", encoding="utf-8")

    def __call__(self, msg):
        line = time.strftime("%H:%M:%S ") + msg
        print(line, flush=True)
        self.f.write(line + "\n")
        self.f.flush()


def ort_embed(model_dir, work, texts=(), images=None, text_graph="text_model.onnx", tag="ort"):
    """Runs models/training/ort_embed.cjs: (text rows [T, D] one by one, the
    same as one padded batch [T, D], image rows [N, D])."""
    work = os.path.abspath(work)  # node runs in the repository root
    req = os.path.join(work, tag + "_request.json")
    u8 = os.path.join(work, tag + ".u8")
    n = 0 if images is None else len(images)
    if n:
        images.tofile(u8)
    with open(req, "w") as f:
        json.dump({"texts": list(texts), "images_u8": u8, "image_count": n, "mean": list(D.MEAN),
                   "std": list(D.STD)}, f)
    prefix = os.path.join(work, tag)
    subprocess.run(["node", os.path.join(HERE, "training", "ort_embed.cjs"), model_dir, req, prefix, text_graph],
                   check=True, cwd=os.path.dirname(HERE))
    if n:
        os.remove(u8)

    def read(suffix):
        path = prefix + suffix
        return np.fromfile(path, dtype=np.float32) if os.path.exists(path) else np.zeros(0, np.float32)
    return read(".text.f32"), read(".text_batched.f32"), read(".image.f32")


def image_embeddings(data, model_dir, work, name, log):
    """[N, D] unit image embeddings of a demo-data set from the model's
    vision graph, cached in work/NAME.npy."""
    cache = os.path.join(work, name + ".npy")
    if os.path.exists(cache):
        emb = np.load(cache)
        if len(emb) == len(data.rows):
            return emb
    t0 = time.time()
    parts = []
    for start, chunk in data.image_chunks():
        parts.append(ort_embed(model_dir, work, images=chunk, tag="images")[2].reshape(len(chunk), -1))
        log("image embeddings %s: %d/%d (%.0f s)" % (name, start + len(chunk), len(data.rows), time.time() - t0))
    emb = np.concatenate(parts)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    np.save(cache, emb)
    return emb


def pad(rows, pad_id):
    ids = torch.full((len(rows), max(len(r) for r in rows)), pad_id, dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = torch.tensor(r)
    return ids


def contrastive_loss(txt, img, match, scale):
    """Every caption against a bank of fixed image embeddings, every fitting
    pair a positive (the captions repeat). text->image over the whole bank;
    image->text for the images some caption in the batch fits."""
    logits = scale * txt @ img.t()
    m = match.float()
    t2i = -(m / m.sum(1, keepdim=True) * logits.log_softmax(1)).sum(1).mean()
    has = m.sum(0) > 0
    mi = m.t()[has]
    i2t = -(mi / mi.sum(1, keepdim=True) * logits.t()[has].log_softmax(1)).sum(1).mean()
    return 0.5 * (t2i + i2t)


@torch.no_grad()
def score(tower, image_emb, objects, query_ids, lang):
    tower.eval()
    q = {t: tower(torch.tensor([ids]))[0].numpy() for t, ids in query_ids.items()}
    tower.train()
    return evaluate(image_emb, q, objects, lang=lang)


def make_tower(cfg, spec):
    return TextTower(cfg["text_width"], cfg["text_layers"], cfg["text_heads"], cfg["dim"], cfg["token_dim"],
                     vocab_size=spec["vocab_size"], context_length=spec["context_length"], pool=spec["pool"],
                     pad_id=spec["pad_id"])


def train(args, spec, log):
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    rng = np.random.default_rng(args.seed)
    torch.use_deterministic_algorithms(True)

    data = D.DemoData(args.train, log, lang=args.lang, load_images=False)
    heldout = D.DemoData(args.heldout, log, lang=args.lang, load_images=False)
    img = image_embeddings(data, args.model, args.work, "train_images", log)
    img_heldout = image_embeddings(heldout, args.model, args.work, "heldout_images", log)
    texts = [t for caps in data.captions for t, _ in caps] + [q[1] for q in queries(args.lang)]
    token_ids = tokenize_texts(texts, spec, args.clipsearch, args.model, log)
    query_ids = {q[1]: token_ids[q[1]] for q in queries(args.lang)}
    log("data: %d training images, %d captions (%d distinct), %d held-out"
        % (len(data.rows), sum(len(c) for c in data.captions), len(token_ids), len(heldout.rows)))

    cfg = {k: getattr(args, k) for k in CONFIG}
    cfg["dim"] = img.shape[1]
    tower = make_tower(cfg, spec)
    log_scale = torch.nn.Parameter(torch.tensor(math.log(1 / 0.07)))
    params = list(tower.named_parameters())
    decay = [p for n, p in params if p.ndim >= 2 and "token.weight" not in n]
    no_decay = [p for n, p in params if not (p.ndim >= 2 and "token.weight" not in n)] + [log_scale]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.98), eps=1e-6)

    def lr_at(step):
        if step < args.warmup:
            return args.lr * (step + 1) / args.warmup
        return args.lr * 0.5 * (1 + math.cos(math.pi * (step - args.warmup) / max(1, args.steps - args.warmup)))

    img_t = torch.from_numpy(img)
    t0 = time.time()
    for step in range(args.steps):
        bank = np.sort(rng.choice(len(data.rows), args.images_per_step, replace=False))
        captioned = bank[rng.choice(len(bank), args.captioned_per_step, replace=False)]
        picks = []
        for i in captioned:
            caps = data.captions[i]
            k = args.captions_per_image
            picks += [caps[c % len(caps)] for c in rng.permutation(max(k, len(caps)))[:k]]
        ids = pad([token_ids[t] for t, _ in picks], spec["pad_id"])
        match = torch.from_numpy(D.fits(np.stack([c for _, c in picks]), data.objects[bank]))
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        txt = F.normalize(tower(ids), dim=-1)
        loss = contrastive_loss(txt, img_t[bank], match, log_scale.exp())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(tower.parameters(), 1.0)
        opt.step()
        with torch.no_grad():
            log_scale.clamp_(0, math.log(100))
        if step % 25 == 0 or step == args.steps - 1:
            log("step %d/%d loss %.4f scale %.1f lr %.2e %.3f s/step"
                % (step, args.steps, loss.item(), log_scale.exp().item(), lr_at(step), (time.time() - t0) / (step + 1)))
        if args.eval_every and step and step % args.eval_every == 0:
            log("held-out at step %d:\n%s" % (step, format_report(
                score(tower, img_heldout, heldout.objects, query_ids, args.lang))))
    train_s = time.time() - t0
    res = score(tower, img_heldout, heldout.objects, query_ids, args.lang)
    log("trained %d steps in %.1f min; held-out (torch):\n%s" % (args.steps, train_s / 60, format_report(res)))
    ckpt = os.path.join(args.work, "text_tower_%s.pt" % args.lang)
    torch.save({"config": cfg, "spec": {k: v for k, v in spec.items() if k != "vocab_source"},
                "tower": tower.state_dict(), "args": vars(args), "train_seconds": train_s, "heldout": res}, ckpt)
    log("saved " + ckpt)
    return tower, cfg


def export(tower, cfg, args, spec, log):
    """The ONNX graph and vocabulary into the model folder, ORT parity against
    torch, and the tower in model.json."""
    from training.export import OPSET

    import write_manifest

    tower = tower.eval()
    path = os.path.join(args.model, spec["graph"])
    ids = torch.tensor(spec["example_ids"])
    with torch.no_grad():
        torch.onnx.export(tower, (ids,), path + ".tmp", opset_version=OPSET, do_constant_folding=True,
                          input_names=["input_ids"], output_names=["text_embeds"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, "text_embeds": {0: "batch"}})
    os.replace(path + ".tmp", path)
    log("exported %s (%.2f MB)" % (path, os.path.getsize(path) / 1e6))
    if "vocab_source" in spec:
        shutil.copyfile(spec["vocab_source"], os.path.join(args.model, spec["vocab_file"]))

    heldout = D.DemoData(args.heldout, log, lang=args.lang, load_images=False)
    texts = sorted({q[1] for q in queries(args.lang)} | {t for caps in heldout.captions[:300] for t, _ in caps})
    token_ids = tokenize_texts(texts, spec, args.clipsearch, args.model, log)
    rows = [token_ids[t] for t in texts]
    single, batched, _ = ort_embed(args.model, args.work, texts=rows, text_graph=spec["graph"], tag="ort_text")
    single, batched = single.reshape(len(rows), -1), batched.reshape(len(rows), -1)
    with torch.no_grad():
        ref = torch.cat([tower(torch.tensor([r])) for r in rows]).numpy()

    def cos(a, b):
        return float(((a / np.linalg.norm(a, axis=1, keepdims=True)) *
                      (b / np.linalg.norm(b, axis=1, keepdims=True))).sum(1).min())
    parity = {"text ort vs torch": cos(single, ref), "text padded batch vs single": cos(batched, single)}
    log("ORT parity (min cosine over %d texts): %s" % (len(rows), json.dumps(parity)))
    if min(parity.values()) < 0.9999:
        sys.exit("ONNX export disagrees with torch: %s" % parity)
    img = image_embeddings(heldout, args.model, args.work, "heldout_images", log)
    q = {t: single[i] for i, t in enumerate(texts)}
    log("held-out (ONNX Runtime):\n" + format_report(evaluate(img, q, heldout.objects, lang=args.lang)))

    with open(os.path.join(args.model, "model.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    if args.lang != "en":  # "en" replaced the primary tower's graph in place
        train = D.DemoData(args.train, log, lang=args.lang, load_images=False)
        trained = tokenize_texts([t for caps in train.captions for t, _ in caps], spec, args.clipsearch, args.model, log)
        seen = {i for ids in trained.values() for i in ids}
        write_manifest.set_text_tower(manifest, write_manifest.text_tower(
            args.lang, spec["graph"], spec["vocab_file"], spec["context_length"], spec["pad_id"], seen))
    out = write_manifest.write(args.model, manifest)
    with open(os.path.join(args.work, "ort_parity_%s.json" % args.lang), "w") as f:
        json.dump(parity, f, indent=2)
    log("wrote %s (model folder %.2f MB)" % (out, sum(os.path.getsize(os.path.join(args.model, f))
                                                       for f in os.listdir(args.model)) / 1e6))


def main():
    args = parse_args()
    spec = LANGS[args.lang]
    os.makedirs(args.work, exist_ok=True)
    torch.set_num_threads(args.threads)
    log = Logger(os.path.join(args.work, "train_%s.log" % args.lang))
    log("args: " + json.dumps(vars(args)))
    if args.export_only:
        ckpt = torch.load(os.path.join(args.work, "text_tower_%s.pt" % args.lang))
        cfg = ckpt["config"]
        tower = make_tower(cfg, spec)
        tower.load_state_dict(ckpt["tower"])
    else:
        tower, cfg = train(args, spec, log)
    if args.export or args.export_only:
        export(tower, cfg, args, spec, log)


if __name__ == "__main__":
    main()
