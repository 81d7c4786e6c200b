#!/usr/bin/python3
"""Writes the token ids the demo model's text tower was trained on into
models/demo/model.json (text.trained_token_ids), so the CLI and the page can
say which query words the model never saw ("the demo-shapes model does not
know: dog, beach").

The ids are those of every caption the training run used: the training set
of docs/DEMO_MODEL.md (`demo-data --count 20000 --seed 1 --extra-captions 3`,
all captions of every image), tokenized by the product's own tokenizer.
Padding (id 0 after the end token) is not counted: a causal tower pooled at
the end token never sees it.

  /usr/bin/python3 models/demo_trained_tokens.py --clipsearch build/tools/clipsearch \\
      [--train W/train] [--model models/demo] [--check]

--train reuses a training folder; without it the set is rendered into a
temporary folder (about a minute of CPU). --check only compares.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN_ARGS = ["--count", "20000", "--seed", "1", "--extra-captions", "3"]


def training_captions(clipsearch, train_dir):
    if train_dir is None:
        with tempfile.TemporaryDirectory(prefix="demo-train-") as tmp:
            train_dir = os.path.join(tmp, "train")
            subprocess.run([clipsearch, "demo-data", "--out", train_dir, *TRAIN_ARGS], check=True,
                           stdout=subprocess.DEVNULL)
            return training_captions(clipsearch, train_dir)
    captions = []
    with open(os.path.join(train_dir, "captions.jsonl"), encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            captions.append(row["caption"])
            captions += [c["caption"] for c in row.get("extra_captions", [])]
    return captions


def token_ids(clipsearch, model_dir, texts):
    unique = sorted(set(texts))
    stdin = "".join(json.dumps(t) + "\n" for t in unique)
    p = subprocess.run([clipsearch, "tokenize", "--model", model_dir, "--jsonl"], input=stdin,
                       capture_output=True, text=True, check=True)
    ids = set()
    for line in p.stdout.splitlines():
        ids.update(json.loads(line))
    return sorted(ids), len(unique)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clipsearch", required=True)
    p.add_argument("--train", help="an existing demo-data folder rendered with " + " ".join(TRAIN_ARGS))
    p.add_argument("--model", default=os.path.join(HERE, "demo"))
    p.add_argument("--check", action="store_true", help="exit 1 if model.json lists other ids")
    a = p.parse_args()
    captions = training_captions(a.clipsearch, a.train)
    ids, distinct = token_ids(a.clipsearch, a.model, captions)
    path = os.path.join(a.model, "model.json")
    with open(path, encoding="utf-8") as f:
        manifest = json.load(f)
    listed = manifest["text"].get("trained_token_ids")
    print("%d captions (%d distinct) use %d token ids" % (len(captions), distinct, len(ids)), file=sys.stderr)
    if a.check:
        if listed != ids:
            print("model.json lists %s ids, the training captions give %d" %
                  ("no" if listed is None else len(listed), len(ids)), file=sys.stderr)
            return 1
        return 0
    manifest["text"]["trained_token_ids"] = ids
    text = json.dumps(manifest, indent=2)
    # One line for the id list: 80 numbers, one per line, would drown the manifest.
    text = text.replace(json.dumps(ids, indent=2).replace("\n", "\n    "), json.dumps(ids))
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(text + "\n")
    os.replace(path + ".tmp", path)
    print("wrote %s" % path, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
