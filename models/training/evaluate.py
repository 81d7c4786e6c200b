"""Retrieval quality of demo-model embeddings on a held-out demo set. The
same function scores torch embeddings and ONNX Runtime ones. Definitions:
docs/DEMO_MODEL.md ("Quality")."""
import numpy as np

from .data import COLORS, NONE, SHAPES


def _article(word):
    return ("an " if word[0] in "aeiou" else "a ") + word


# The usual Chinese word of each colour and shape (core/demo/vocabulary_zh.h).
COLORS_ZH = dict(zip(COLORS, ["红色", "橙色", "黄色", "绿色", "蓝色", "紫色", "粉色", "棕色", "白色", "黑色"]))
SHAPES_ZH = dict(zip(SHAPES, ["圆形", "正方形", "三角形", "星星", "心形", "十字"]))


def queries(lang="en"):
    """(kind, text, color or None, shape or None) for every evaluation query:
    "a red shape", "a triangle", "a green star"; in Chinese 红色的形状,
    三角形, 绿色的星星."""
    if lang == "zh":
        out = [("color", COLORS_ZH[c] + "的形状", c, None) for c in COLORS]
        out += [("shape", SHAPES_ZH[s], None, s) for s in SHAPES]
        out += [("color+shape", COLORS_ZH[c] + "的" + SHAPES_ZH[s], c, s) for c in COLORS for s in SHAPES]
        return out
    out = [("color", _article(c) + " shape", c, None) for c in COLORS]
    out += [("shape", _article(s), None, s) for s in SHAPES]
    out += [("color+shape", _article(c + " " + s), c, s) for c in COLORS for s in SHAPES]
    return out


def _holds(objects, color, shape):
    """bool [N]: the image holds an object with this colour and/or shape."""
    ok = objects[:, :, 0] != NONE
    if color is not None:
        ok &= objects[:, :, 1] == COLORS.index(color)
    if shape is not None:
        ok &= objects[:, :, 0] == SHAPES.index(shape)
    return ok.any(1)


def evaluate(image_emb, query_emb, objects, k=10, lang="en"):
    """image_emb [N, D], query_emb {text: [D]} (any scale), objects [N, 2, 4]
    as data.encode_objects. Returns a dict of figures."""
    img = image_emb / np.linalg.norm(image_emb, axis=1, keepdims=True)
    res = {}
    per_kind = {}
    for kind, text, color, shape in queries(lang):
        relevant = _holds(objects, color, shape)
        if relevant.sum() < k:
            continue  # too rare in this set to score precision@k
        q = query_emb[text] / np.linalg.norm(query_emb[text])
        top = np.argsort(-(img @ q), kind="stable")[:k]
        per_kind.setdefault(kind, []).append((float(relevant[top].mean()), text))
    for kind, scores in per_kind.items():
        res["p@%d %s" % (k, kind)] = float(np.mean([s for s, _ in scores]))
        res["worst %s" % kind] = min(scores)
    # Image query: each single-object picture against all others.
    single = np.nonzero(objects[:, 1, 0] == NONE)[0]
    sims = img[single] @ img.T
    sims[np.arange(len(single)), single] = -np.inf
    best = sims.argmax(1)
    hit = [_holds(objects[best[i]:best[i] + 1], COLORS[objects[s, 0, 1]], SHAPES[objects[s, 0, 0]])[0]
           for i, s in enumerate(single)]
    res["image top-1 same color+shape"] = float(np.mean(hit))
    res["image queries"] = int(len(single))
    return res


def format_report(res):
    lines = []
    for key, value in res.items():
        if isinstance(value, tuple):
            lines.append("  %-32s %.3f (%s)" % (key, value[0], value[1]))
        elif isinstance(value, float):
            lines.append("  %-32s %.4f" % (key, value))
        else:
            lines.append("  %-32s %s" % (key, value))
    return "\n".join(lines)
