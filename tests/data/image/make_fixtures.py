#!/usr/bin/python3
"""Writes the small image fixtures in fixtures/ with Pillow (python3-pil) and
the expected RGB result of each as Pillow + Hugging Face see it
(ImageOps.exif_transpose, then convert to RGBA and alpha_composite over
white, as transformers' convert_to_rgb does). Deterministic; rerun with
    /usr/bin/python3 tests/data/image/make_fixtures.py
"""
import io
import os
import struct
import zlib

import numpy as np
from PIL import Image, ImageOps

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
rng = np.random.default_rng(20240607)


def reference_rgb(im):
    """What the reference pipeline feeds the resize: oriented, over white."""
    im = ImageOps.exif_transpose(im)
    if im.mode == "RGB":
        return im
    rgba = im.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba).convert("RGB")


def save_expected(name, im):
    reference_rgb(im).save(os.path.join(HERE, name + ".expected.png"))


def blocks(w, h):
    """Flat 8x8-aligned colour blocks: asymmetric, so every orientation differs,
    and JPEG-friendly, so decoders agree closely."""
    a = np.zeros((h, w, 3), np.uint8)
    for by in range(0, h, 8):
        for bx in range(0, w, 8):
            a[by:by + 8, bx:bx + 8] = rng.integers(0, 256, 3)
    return Image.fromarray(a, "RGB")


def exif_with_orientation(k):
    exif = Image.Exif()
    exif[0x0112] = k
    return exif.tobytes()


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def encoded(im, fmt, **kw):
    b = io.BytesIO()
    im.save(b, fmt, **kw)
    return b.getvalue()


def main():
    os.makedirs(HERE, exist_ok=True)

    # The same 40x24 pixels in every file, only EXIF orientation differs.
    base = blocks(40, 24)
    for k in range(1, 9):
        data = encoded(base, "JPEG", quality=95, subsampling=0, exif=exif_with_orientation(k))
        write(f"orient_{k}.jpg", data)
        save_expected(f"orient_{k}", Image.open(io.BytesIO(data)))

    # PNG carries EXIF in an eXIf chunk; Pillow's exif_transpose honours it.
    data = encoded(base, "PNG", exif=exif_with_orientation(6))
    write("orient_6.png", data)
    save_expected("orient_6_png", Image.open(io.BytesIO(data)))

    # Alpha and palette variants (lossless: the result must match exactly).
    ramp = np.arange(256, dtype=np.uint8)
    rgba = np.zeros((16, 16, 4), np.uint8)
    rgba[..., 0] = ramp.reshape(16, 16)
    rgba[..., 1] = 255 - ramp.reshape(16, 16)
    rgba[..., 2] = 77
    rgba[..., 3] = ramp.reshape(16, 16).T
    la = Image.fromarray(rgba[..., [0, 3]], "LA")
    write("gray_alpha.png", encoded(la, "PNG"))
    save_expected("gray_alpha", la)

    pal = Image.fromarray(rgba[..., :3], "RGB").quantize(16)
    trns = bytes(range(0, 256, 16))  # one alpha per palette entry
    data = encoded(pal, "PNG", transparency=trns)
    write("palette_trns.png", data)
    save_expected("palette_trns", Image.open(io.BytesIO(data)))

    gray = Image.fromarray(ramp.reshape(16, 16), "L")
    data = encoded(gray, "PNG", transparency=128)  # one grey level is transparent
    write("gray_trns.png", data)
    save_expected("gray_trns", Image.open(io.BytesIO(data)))

    # GIF, two frames: only the first counts; index 0 is transparent.
    f1 = Image.fromarray(rgba[..., :3], "RGB").quantize(8)
    f2 = Image.fromarray(255 - rgba[..., :3], "RGB").quantize(8)
    data = encoded(f1, "GIF", save_all=True, append_images=[f2], transparency=0)
    write("two_frames.gif", data)
    save_expected("two_frames_gif", Image.open(io.BytesIO(data)))

    data = encoded(Image.fromarray(rgba[..., :3], "RGB"), "BMP")
    write("rgb24.bmp", data)
    save_expected("rgb24_bmp", Image.open(io.BytesIO(data)))

    # 16-bit RGB PNG: Pillow keeps the high byte of each sample, as we do.
    # (Pillow reads 16-bit *grey* as mode I and clips it to 255 when
    # converting, which is a Pillow quirk we do not copy; see README.)
    deep = (rng.integers(0, 65536, (8, 12, 3))).astype(">u2")
    write("rgb16.png", png_bytes(deep, color_type=2))
    save_expected("rgb16", Image.open(os.path.join(HERE, "rgb16.png")))
    grey16 = (rng.integers(0, 65536, (8, 12))).astype(">u2")
    write("gray16.png", png_bytes(grey16, color_type=0))
    Image.fromarray((grey16 >> 8).astype(np.uint8), "L").convert("RGB").save(
        os.path.join(HERE, "gray16.expected.png"))

    # Progressive JPEG with EXIF orientation 8, for the truncation tests too.
    write("progressive_orient_8.jpg",
          encoded(base, "JPEG", quality=90, progressive=True, exif=exif_with_orientation(8)))


def png_bytes(samples, color_type):
    """A 16-bit PNG written by hand (Pillow cannot write 16-bit RGB)."""
    h, w = samples.shape[:2]
    raw = b"".join(b"\0" + samples[y].tobytes() for y in range(h))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", w, h, 16, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) +
            chunk(b"IEND", b""))


if __name__ == "__main__":
    main()
