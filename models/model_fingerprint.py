"""The model fingerprint, as core/model/model_fingerprint.cpp defines it.

For Python scripts that write model.json (the demo trainer,
make_random_vitb32.py). Stdlib only. Spec: docs/MODEL_MANIFEST.md.

    import model_fingerprint
    manifest["fingerprint"] = model_fingerprint.fingerprint(manifest)
"""
import hashlib
import struct

_PRECISIONS = ("fp32", "fp16", "int8")


def _float_bits(x):
    # IEEE-754 single-precision bits, as the C++ side holds the value.
    return "%08x" % struct.unpack("<I", struct.pack("<f", float(x)))[0]


def _sha(entry, what):
    sha = entry.get("sha256", "") if isinstance(entry, dict) else ""
    if not sha:
        raise ValueError("model fingerprint: %s has no sha256 in the manifest" % what)
    return sha.lower()


def fingerprint_text(m):
    lines = ["clip-model-fingerprint/1", "embedding_dim=%d" % m["embedding_dim"]]
    for key in ("text", "vision"):
        variants = m[key]["variants"]
        ref = next((variants[p] for p in _PRECISIONS if p in variants), None)
        if ref is None:
            raise ValueError("model fingerprint: the %s encoder lists no file" % key)
        lines.append("%s=%s" % (key, _sha(ref, ref.get("path", key))))
    tok = m["tokenizer"]
    lines.append("tokenizer=" + tok["kind"])
    for f in tok["files"]:
        lines.append("tokenizer_file=" + _sha(f, f if isinstance(f, str) else f.get("path", "?")))
    lines.append("context_length=%d" % tok.get("context_length", 77))
    img = m["image"]
    lines.append("image.size=%d" % img["size"])
    lines.append("image.resize=" + img.get("resize", "shortest_edge"))
    lines.append("image.resample=" + img.get("resample", "bicubic"))
    lines.append("image.crop=" + img.get("crop", "center"))
    lines.append("image.mean=" + ",".join(_float_bits(v) for v in img["mean"]))
    lines.append("image.std=" + ",".join(_float_bits(v) for v in img["std"]))
    return "\n".join(lines) + "\n"


def fingerprint(m):
    return hashlib.sha256(fingerprint_text(m).encode("utf-8")).hexdigest()


def file_entry(path, rel):
    """{"path", "sha256", "bytes"} for a file on disk, `rel` as model.json names it."""
    h = hashlib.sha256()
    n = 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
            n += len(chunk)
    return {"path": rel, "sha256": h.hexdigest(), "bytes": n}


if __name__ == "__main__":
    import json
    import sys

    if len(sys.argv) != 2:
        sys.exit("usage: model_fingerprint.py MODEL_DIR/model.json  (prints the fingerprint)")
    with open(sys.argv[1], encoding="utf-8") as f:
        print(fingerprint(json.load(f)))
