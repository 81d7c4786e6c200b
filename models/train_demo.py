#!/usr/bin/python3
"""Trains the bundled demo CLIP model on `clipsearch demo-data` output, scores
it on a held-out set, exports the two ONNX graphs and writes model.json.

Reproduce (docs/DEMO_MODEL.md):
  clipsearch demo-data --out W/train --count 20000 --seed 1 --extra-captions 3
  clipsearch demo-data --out W/heldout --count 2000 --seed 2
  /usr/bin/python3 models/train_demo.py --train W/train --heldout W/heldout \
      --work W --out models/demo [--clipsearch PATH/TO/clipsearch]
"""
import argparse
import json
import math
import os

# Threads that sleep at barriers: when other work shares the cores, spinning
# OpenMP threads made each step 2-3x slower here. Must precede torch's import.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from training import data as D  # noqa: E402
from training.evaluate import evaluate, format_report, queries  # noqa: E402
from training.loss import attribute_loss, multi_positive_clip_loss, same_objects_loss  # noqa: E402
from training.model import DemoClip  # noqa: E402
from training.tokenizer import tokenize  # noqa: E402

CONFIG = dict(vision_width=96, vision_layers=4, vision_heads=3,
              text_width=96, text_layers=3, text_heads=3, token_dim=32, dim=128)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--train", required=True, help="demo-data folder to train on")
    p.add_argument("--heldout", required=True, help="demo-data folder (another seed) to score on")
    p.add_argument("--work", required=True, help="folder for the checkpoint and logs")
    p.add_argument("--out", default=None, help="model folder to export to (models/demo)")
    p.add_argument("--clipsearch", default=None, help="clipsearch binary for tokenization")
    p.add_argument("--steps", type=int, default=1000, help="joint steps after the vision-only ones")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--captions-per-image", type=int, default=2,
                   help="captions drawn per image per step (text is cheap next to the vision tower)")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--weight-decay", type=float, default=0.05)
    p.add_argument("--warmup", type=int, default=40)
    p.add_argument("--pretrain-steps", type=int, default=800,
                   help="first steps: the vision tower alone learns shape and colour of single-object pictures")
    p.add_argument("--attr-weight", type=float, default=0.5, help="weight of the attribute loss")
    p.add_argument("--image-weight", type=float, default=0.5, help="weight of the image-to-image loss")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--eval-every", type=int, default=0, help="also score the held-out set every N steps")
    for key, value in CONFIG.items():
        p.add_argument("--" + key.replace("_", "-"), type=int, default=value, help="model shape")
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


def pad(rows):
    """Right-pad id lists with 0 (after the end token; the model is causal)."""
    ids = torch.zeros(len(rows), max(len(r) for r in rows), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = torch.tensor(r)
    return ids


def attribute_labels(objects):
    """[B, colours + shapes + colour-shape pairs] presence, 0/1."""
    nc, ns = len(D.COLORS), len(D.SHAPES)
    y = np.zeros((len(objects), nc + ns + nc * ns), dtype=np.float32)
    for b, objs in enumerate(objects):
        for shape, color, _, _ in objs:
            if shape == D.NONE:
                continue
            y[b, color] = y[b, nc + shape] = y[b, nc + ns + color * ns + shape] = 1
    return torch.from_numpy(y)


@torch.no_grad()
def embed_images(model, pixels, batch=250):
    model.eval()
    mean, std = D.mean_std()
    out = [model.vision.forward_raw(torch.from_numpy(pixels[i:i + batch]).float(), mean, std)
           for i in range(0, len(pixels), batch)]
    model.train()
    return torch.cat(out).numpy()


@torch.no_grad()
def embed_texts(model, token_ids):
    model.eval()
    out = {t: model.text(torch.tensor([ids]))[0].numpy() for t, ids in token_ids.items()}
    model.train()
    return out


def score(model, heldout, query_ids):
    return evaluate(embed_images(model, heldout.pixels), embed_texts(model, query_ids), heldout.objects)


def train(args, log):
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    rng = np.random.default_rng(args.seed)
    torch.use_deterministic_algorithms(True)

    t0 = time.time()
    data = D.DemoData(args.train, log)
    heldout = D.DemoData(args.heldout, log)
    texts = [t for caps in data.captions for t, _ in caps] + [q[1] for q in queries()]
    token_ids = tokenize(texts, args.clipsearch, log=log)
    query_ids = {q[1]: token_ids[q[1]] for q in queries()}
    pixels = D.to_nchw(data.images)
    data.images = None
    heldout.pixels = D.to_nchw(heldout.images)
    mean, std = D.mean_std()
    log("data: %d training images (%d captions), %d held-out, loaded in %.0f s"
        % (len(data.rows), sum(len(c) for c in data.captions), len(heldout.rows), time.time() - t0))

    config = {k: getattr(args, k) for k in CONFIG}
    model = DemoClip(config)
    head = torch.nn.Linear(config["dim"], len(D.COLORS) * (len(D.SHAPES) + 1) + len(D.SHAPES))
    params = list(model.named_parameters()) + [("head." + n, p) for n, p in head.named_parameters()]
    decay = [p for n, p in params if p.ndim >= 2 and "token.weight" not in n]
    no_decay = [p for n, p in params if not (p.ndim >= 2 and "token.weight" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.98), eps=1e-6)

    def lr_at(step):  # linear warmup, cosine to zero over both stages
        if step < args.warmup:
            return args.lr * (step + 1) / args.warmup
        span = args.pretrain_steps + args.steps - args.warmup
        return args.lr * 0.5 * (1 + math.cos(math.pi * (step - args.warmup) / max(1, span)))

    # Two stages. Shapes are what a small vision tower trained from scratch
    # learns slowest: an object covers a few percent of the picture, and the
    # contrastive loss spreads its signal over captions that often name only
    # the colour. So the vision tower first learns shape and colour of
    # single-object pictures as plain classification (no text tower), then
    # everything trains together.
    single = data.single_object()
    pools = {True: single, False: np.arange(len(data.rows))}
    orders = {key: rng.permutation(pool) for key, pool in pools.items()}
    cursors = {True: 0, False: 0}
    classify = torch.nn.Linear(config["dim"], len(D.SHAPES) + len(D.COLORS))
    opt.add_param_group({"params": list(classify.parameters()), "weight_decay": 0.0})
    total = args.pretrain_steps + args.steps
    t_train = time.time()
    for step in range(total):
        pretrain = step < args.pretrain_steps
        if cursors[pretrain] + args.batch > len(pools[pretrain]):
            orders[pretrain], cursors[pretrain] = rng.permutation(pools[pretrain]), 0
        idx = np.sort(orders[pretrain][cursors[pretrain]:cursors[pretrain] + args.batch])
        cursors[pretrain] += args.batch
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        if pretrain:
            out = classify(model.vision.forward_raw(torch.from_numpy(pixels[idx]).float(), mean, std))
            shape = torch.from_numpy(data.objects[idx, 0, 0].astype(np.int64))
            color = torch.from_numpy(data.objects[idx, 0, 1].astype(np.int64))
            ns = len(D.SHAPES)
            loss = F.cross_entropy(out[:, :ns], shape) + F.cross_entropy(out[:, ns:], color)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            if step % 10 == 0:
                acc = (out[:, :ns].argmax(1) == shape).float().mean().item()
                log("pretrain %d/%d loss %.4f shape acc %.2f lr %.2e %.2f s/step"
                    % (step, args.pretrain_steps, loss.item(), acc, lr_at(step), (time.time() - t_train) / (step + 1)))
            if args.eval_every and step and step % args.eval_every == 0:
                log("held-out at step %d:\n%s" % (step, format_report(score(model, heldout, query_ids))))
            continue
        k = args.captions_per_image
        picks = []  # caption t belongs to image t // k
        for i in idx:
            caps = data.captions[i]
            picks += [caps[c % len(caps)] for c in rng.permutation(max(k, len(caps)))[:k]]
        ids = pad([token_ids[t] for t, _ in picks])
        match = torch.from_numpy(D.fits(np.stack([c for _, c in picks]), data.objects[idx]))
        assert bool(match[torch.arange(len(picks)), torch.arange(len(picks)) // k].all()), \
            "a caption does not fit its own image"

        raw, img, txt = model.encode(torch.from_numpy(pixels[idx]).float(), ids, mean, std)
        scale = model.logit_scale.exp()
        loss_c = multi_positive_clip_loss(img, txt, scale, match)
        labels = attribute_labels(data.objects[idx])
        loss_a = attribute_loss(head, raw, labels)
        loss_i = same_objects_loss(img, labels[:, len(D.COLORS) + len(D.SHAPES):], scale)
        loss = loss_c + args.attr_weight * loss_a + args.image_weight * loss_i
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))

        if step % 10 == 0 or step == total - 1:
            el = time.time() - t_train
            log("step %d/%d loss %.4f (clip %.4f attr %.4f image %.4f) scale %.1f lr %.2e %.2f s/step"
                % (step, total, loss.item(), loss_c.item(), loss_a.item(), loss_i.item(), scale.item(), lr_at(step),
                   el / (step + 1)))
        if args.eval_every and step and step % args.eval_every == 0:
            log("held-out at step %d:\n%s" % (step, format_report(score(model, heldout, query_ids))))

    train_s = time.time() - t_train
    log("trained %d + %d steps in %.1f min" % (args.pretrain_steps, args.steps, train_s / 60))
    res = score(model, heldout, query_ids)
    log("held-out (torch):\n" + format_report(res))
    ckpt = os.path.join(args.work, "demo_clip.pt")
    torch.save({"config": config, "model": model.state_dict(), "args": vars(args),
                "train_seconds": train_s, "heldout": res}, ckpt)
    log("saved " + ckpt)
    return model, res


def export_and_check(model, args, log):
    """ONNX graphs + tokenizer copy + ORT parity and held-out figures + model.json."""
    import shutil

    import write_manifest
    from training.export import export_model
    from training.ort_check import check

    export_model(model, args.out, log)
    vocab = "bpe_simple_vocab_16e6.txt"
    shutil.copyfile(os.path.join(os.path.dirname(os.path.abspath(__file__)), "clip-bpe", vocab),
                    os.path.join(args.out, vocab))
    heldout = D.DemoData(args.heldout, log)
    sample = [t for caps in heldout.captions[:200] for t, _ in caps]
    texts = [q[1] for q in queries()] + sample
    ids = tokenize(texts, args.clipsearch, log=log)
    cos, figures = check(model, args.out, heldout, ids, args.work, log)
    log("held-out (ONNX Runtime):\n" + format_report(figures))
    if min(cos.values()) < 0.9999:
        sys.exit("ONNX export disagrees with torch: %s" % cos)
    scale = float(model.logit_scale.exp())
    path = write_manifest.write(args.out, write_manifest.demo_manifest(model.cfg["dim"], scale, vocab))
    with open(os.path.join(args.work, "ort_figures.json"), "w") as f:
        json.dump({"parity_min_cosine": cos, "heldout": figures}, f, indent=2)
    log("wrote %s (total %.2f MB)" % (path, sum(os.path.getsize(os.path.join(args.out, f))
                                               for f in os.listdir(args.out)) / 1e6))


def main():
    args = parse_args()
    os.makedirs(args.work, exist_ok=True)
    torch.set_num_threads(args.threads)
    log = Logger(os.path.join(args.work, "train.log"))
    log("args: " + json.dumps(vars(args)))
    if args.export_only:
        ckpt = torch.load(os.path.join(args.work, "demo_clip.pt"))
        model = DemoClip(ckpt["config"])
        model.load_state_dict(ckpt["model"])
    else:
        model, _ = train(args, log)
    if args.out:
        export_and_check(model.eval(), args, log)


if __name__ == "__main__":
    main()
