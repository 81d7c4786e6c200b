"""The model fingerprint, as core/model/model_fingerprint.cpp defines it.

For Python scripts that write model.json (the demo trainer,
make_random_vitb32.py). Stdlib only. Spec: docs/MODEL_MANIFEST.md.

    import model_fingerprint
    model_fingerprint.complete(manifest)   # sets "fingerprint", extends "accepted_fingerprints"

Format 2 (`fingerprint`) covers the image side only: the vision weights, the
embedding dim and the image settings, so text towers can be added or
retrained without invalidating indexes. Format 1 (`legacy_fingerprint_v1`)
also covered the primary text tower; indexes built before format 2 record
it, and `complete` lists it in "accepted_fingerprints".
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


def _reference_sha(encoder, key):
    variants = encoder["variants"]
    ref = next((variants[p] for p in _PRECISIONS if p in variants), None)
    if ref is None:
        raise ValueError("model fingerprint: the %s encoder lists no file" % key)
    return _sha(ref, ref.get("path", key))


def _image_lines(m):
    img = m["image"]
    return [
        "image.size=%d" % img["size"],
        "image.resize=" + img.get("resize", "shortest_edge"),
        "image.resample=" + img.get("resample", "bicubic"),
        "image.crop=" + img.get("crop", "center"),
        "image.mean=" + ",".join(_float_bits(v) for v in img["mean"]),
        "image.std=" + ",".join(_float_bits(v) for v in img["std"]),
    ]


def fingerprint_text(m):
    """Format 2: what an index's vectors depend on (the image side)."""
    lines = ["clip-model-fingerprint/2", "embedding_dim=%d" % m["embedding_dim"],
             "vision=" + _reference_sha(m["vision"], "vision")]
    return "\n".join(lines + _image_lines(m)) + "\n"


def fingerprint(m):
    return hashlib.sha256(fingerprint_text(m).encode("utf-8")).hexdigest()


def legacy_fingerprint_v1_text(m):
    """Format 1, which indexes built before format 2 record."""
    lines = ["clip-model-fingerprint/1", "embedding_dim=%d" % m["embedding_dim"],
             "text=" + _reference_sha(m["text"], "text"),
             "vision=" + _reference_sha(m["vision"], "vision")]
    tok = m["tokenizer"]
    lines.append("tokenizer=" + tok["kind"])
    for f in tok["files"]:
        lines.append("tokenizer_file=" + _sha(f, f if isinstance(f, str) else f.get("path", "?")))
    lines.append("context_length=%d" % tok.get("context_length", 77))
    return "\n".join(lines + _image_lines(m)) + "\n"


def legacy_fingerprint_v1(m):
    return hashlib.sha256(legacy_fingerprint_v1_text(m).encode("utf-8")).hexdigest()


def complete(m):
    """Sets m["fingerprint"] and adds the format-1 fingerprint of the current
    contents to m["accepted_fingerprints"] (kept: earlier entries)."""
    m["fingerprint"] = fingerprint(m)
    accepted = m.setdefault("accepted_fingerprints", [])
    v1 = legacy_fingerprint_v1(m)
    if v1 not in accepted:
        accepted.append(v1)
    return m


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

    args = [a for a in sys.argv[1:] if a != "--v1"]
    if len(args) != 1:
        sys.exit("usage: model_fingerprint.py [--v1] MODEL_DIR/model.json  (prints the fingerprint; --v1: format 1's)")
    with open(args[0], encoding="utf-8") as f:
        manifest = json.load(f)
    print(legacy_fingerprint_v1(manifest) if "--v1" in sys.argv else fingerprint(manifest))
