#!/usr/bin/python3
"""Writes the bad-input corpus for `clipsearch index`: a folder of
valid-but-unusual images that must be indexed, broken or hostile files that
must be reported in report.jsonl and skipped, and things the folder walk must
pass over without hanging (symlink loops, a FIFO, non-image extensions).

    /usr/bin/python3 tests/badinput/make_corpus.py OUT_DIR

writes OUT_DIR/images/ and lists each case with what must happen to it.
test_badinput.py imports make_corpus() to get the same list as data.

Everything is generated here (PIL, numpy, zlib, hand-built bytes): nothing is
downloaded, and the corpus is the same on every run (fixed seeds).
"""
import io
import os
import stat
import struct
import sys
import zlib

import numpy as np
from PIL import Image

INDEXED = "indexed"        # must be in the index under this id
REPORTED = "reported"      # must be in report.jsonl under this id, with a reason
PASSED_OVER = "passed over"  # in neither (not an image file by name or type)


class Case:
    def __init__(self, name, expect, why, reason=None):
        self.name = name          # bytes: path inside images/, '/'-separated
        self.expect = expect
        self.why = why            # what the case is about, for failure messages
        self.reason = reason      # substring the report reason must contain (lowercase), if any


def _rng(seed):
    return np.random.default_rng(seed)


def photo(w, h, seed, mode="RGB"):
    """A smooth picture with some noise: real image content, compresses like one."""
    r = _rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([(x * 255 // max(w - 1, 1)), (y * 255 // max(h - 1, 1)), ((x + y) * 127 // max(w + h - 2, 1))], -1)
    px = np.clip(base + r.integers(-20, 21, (h, w, 3)), 0, 255).astype(np.uint8)
    return Image.fromarray(px, "RGB").convert(mode)


def encode(img, fmt, **kw):
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


# --- PNG by hand: bit depths, interlacing and headers PIL will not write ---

def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_ihdr(w, h, depth, color, interlace=0):
    return png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color, 0, 0, interlace))


def png_bytes(pixels, depth, color, interlace=False):
    """pixels: (h, w, channels) uint8/uint16 array; filter 0 on every row."""
    h, w = pixels.shape[:2]
    be = pixels.astype(">u2" if depth == 16 else np.uint8)

    def rows(sub):
        return b"".join(b"\0" + sub[y].tobytes() for y in range(sub.shape[0]))

    if not interlace:
        raw = rows(be)
    else:  # Adam7: seven passes, each a sub-image of every n-th pixel
        raw = b""
        for x0, y0, dx, dy in ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
                               (0, 1, 1, 2)):
            sub = be[y0::dy, x0::dx]
            if sub.shape[0] and sub.shape[1]:
                raw += rows(sub)
    return (b"\x89PNG\r\n\x1a\n" + png_ihdr(w, h, depth, color, int(interlace)) +
            png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b""))


def png_header_only(w, h, idat=b"\0" * 64):
    """A valid PNG structure whose header declares w x h; the data is a token amount."""
    return (b"\x89PNG\r\n\x1a\n" + png_ihdr(w, h, 8, 2) + png_chunk(b"IDAT", zlib.compress(idat)) +
            png_chunk(b"IEND", b""))


def png_bomb(w, h, inflated_bytes):
    """A small header with an IDAT stream that inflates to inflated_bytes of zeros."""
    comp = zlib.compressobj(9)
    block = b"\0" * (1 << 20)
    parts = []
    for _ in range(inflated_bytes >> 20):
        parts.append(comp.compress(block))
    parts.append(comp.flush())
    return (b"\x89PNG\r\n\x1a\n" + png_ihdr(w, h, 8, 0) + png_chunk(b"IDAT", b"".join(parts)) +
            png_chunk(b"IEND", b""))


# --- JPEG surgery on PIL's output ---

def jpeg_segments(data):
    """(marker, offset, length) of each segment before the first scan."""
    out, pos = [], 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        length = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        out.append((marker, pos, length))
        if marker == 0xDA:
            break
        pos += 2 + length
    return out


def jpeg_patch_sof(data, width=None, height=None, precision=None):
    b = bytearray(data)
    for marker, pos, _ in jpeg_segments(data):
        if marker in (0xC0, 0xC1, 0xC2):
            if precision is not None:
                b[pos + 4] = precision
            if height is not None:
                b[pos + 5:pos + 7] = struct.pack(">H", height)
            if width is not None:
                b[pos + 7:pos + 9] = struct.pack(">H", width)
            return bytes(b)
    raise ValueError("no SOF segment")


def jpeg_with_app1(data, payload):
    """Inserts an APP1 segment holding payload right after SOI."""
    return data[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + data[2:]


def tiff_ifd(entries, next_ifd=0, ifd_at=8):
    """Big-endian TIFF header + one IFD of (tag, type, count, value) at ifd_at."""
    head = b"MM\0*" + struct.pack(">I", ifd_at) + b"\0" * (ifd_at - 8)
    ifd = struct.pack(">H", len(entries))
    for tag, typ, count, value in entries:
        ifd += struct.pack(">HHI", tag, typ, count) + value.ljust(4, b"\0")
    return head + ifd + struct.pack(">I", next_ifd)


def exif(tiff):
    return b"Exif\0\0" + tiff


ORIENT_6 = (0x0112, 3, 1, struct.pack(">H", 6))


def cases():
    """[(Case, bytes or a callable that makes the file at a path)]"""
    jpg = encode(photo(96, 64, 1), "JPEG", quality=90)
    png = encode(photo(80, 60, 2), "PNG")
    gif_frames = [photo(40, 30, s).convert("P", palette=Image.ADAPTIVE) for s in (3, 4, 5)]
    gif = encode(gif_frames[0], "GIF", save_all=True, append_images=gif_frames[1:], duration=100, loop=0)
    r = _rng(9)
    out = []

    def good(name, data, why):
        out.append((Case(name, INDEXED, why), data))

    def bad(name, data, why, reason=None):
        out.append((Case(name, REPORTED, why, reason), data))

    # --- valid but unusual: must be indexed ---
    good(b"cmyk.jpg", encode(photo(64, 48, 10, "CMYK"), "JPEG", quality=90), "CMYK JPEG")
    good(b"gray.jpg", encode(photo(50, 70, 11, "L"), "JPEG"), "grayscale JPEG")
    good(b"progressive.jpg", encode(photo(64, 64, 12), "JPEG", progressive=True), "progressive JPEG")
    good(b"rgb16.png", png_bytes(r.integers(0, 65536, (40, 50, 3)), 16, 2), "16-bit RGB PNG")
    good(b"gray16.png", png_bytes(r.integers(0, 65536, (33, 21, 1)), 16, 0), "16-bit gray PNG")
    good(b"interlaced.png", png_bytes(r.integers(0, 256, (37, 45, 3)), 8, 2, interlace=True), "Adam7 interlaced PNG")
    good(b"interlaced16_alpha.png", png_bytes(r.integers(0, 65536, (19, 23, 4)), 16, 6, interlace=True),
         "interlaced 16-bit RGBA PNG")
    good(b"palette_alpha.png", encode(photo(30, 30, 13, "RGBA").convert("P"), "PNG", transparency=0),
         "palette PNG with tRNS")
    good(b"animated.gif", gif, "animated GIF (first frame)")
    # Only the first frame is read: a cut in a later one loses nothing (Pillow agrees).
    good(b"animated_cut_in_last_frame.gif", gif[:-20], "animated GIF cut inside its last frame")
    good(b"image.bmp", encode(photo(33, 17, 14), "BMP"), "24-bit BMP")
    good(b"png_named.jpg", png, "a PNG named .jpg (content decides)")
    good(b"jpeg_named.png", jpg, "a JPEG named .png")
    good(b"tiny_1x1.png", encode(photo(1, 1, 15), "PNG"), "1x1 image")
    good(b"strip_3000x2.png", encode(photo(3000, 2, 16), "PNG"), "extreme aspect ratio")
    good(b"exif_rotated.jpg", jpeg_with_app1(jpg, exif(tiff_ifd([ORIENT_6]))), "EXIF orientation 6")
    # Malformed EXIF is ignored (read as upright), as Pillow does: the pixels are fine.
    good(b"exif_offset_outside.jpg", jpeg_with_app1(jpg, exif(b"MM\0*" + struct.pack(">I", 0x7FFFFFF0))),
         "EXIF IFD offset past the block")
    good(b"exif_entry_count_huge.jpg", jpeg_with_app1(jpg, exif(b"MM\0*\0\0\0\x08\xff\xff" + b"\x01" * 20)),
         "EXIF IFD claiming 65535 entries")
    good(b"exif_ifd_loop.jpg", jpeg_with_app1(jpg, exif(tiff_ifd([(0x010F, 2, 4, b"cam\0")], next_ifd=8))),
         "EXIF next-IFD pointing at itself")
    good(b"exif_value_offset_outside.jpg",
         jpeg_with_app1(jpg, exif(tiff_ifd([(0x0112, 3, 300, struct.pack(">I", 0xFFFFFF00))]))),
         "EXIF orientation with a count that puts its value outside")
    good(b"exif_orientation_99.jpg", jpeg_with_app1(jpg, exif(tiff_ifd([(0x0112, 3, 1, struct.pack(">H", 99))]))),
         "EXIF orientation out of range")
    good(b"exif_not_tiff.jpg", jpeg_with_app1(jpg, exif(b"XX\0*garbage")), "EXIF block without a TIFF header")
    # Awkward names: the id is the path inside the folder, byte for byte.
    good(b"with space.png", png, "space in the name")
    good(b"quote's \"double\".png", png, "quotes in the name")
    good(b"new\nline.png", png, "newline in the name")
    good(b"tab\tand\\backslash.png", png, "tab and backslash in the name")
    good(b"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac.png", png, "UTF-8 name")
    good(b"latin1_\xe9\xff.png", png, "name that is not UTF-8")
    good(b"sub dir/nested.jpg", jpg, "image in a subfolder with a space")
    good(b"folder.jpg/inside.png", png, "a folder named like an image")

    # --- broken or hostile: must be reported with a reason ---
    bad(b"empty.jpg", b"", "zero-byte .jpg", "empty")
    bad(b"empty.png", b"", "zero-byte .png", "empty")
    for cut in (2, 100, len(jpg) // 2, len(jpg) - 2):
        bad(b"truncated_jpeg_%d.jpg" % cut, jpg[:cut], "JPEG cut at byte %d of %d" % (cut, len(jpg)))
    for cut in (8, 20, 45, len(png) // 2):
        bad(b"truncated_png_%d.png" % cut, png[:cut], "PNG cut at byte %d of %d" % (cut, len(png)))
    for cut in (6, 13, len(gif) // 3):
        bad(b"truncated_gif_%d.gif" % cut, gif[:cut], "GIF cut at byte %d of %d" % (cut, len(gif)))
    bad(b"text.jpg", b"just some text, not an image\n", "text file named .jpg")
    bad(b"html.png", b"<!DOCTYPE html><html><body>404</body></html>\n", "HTML error page named .png")
    bad(b"random.gif", r.integers(0, 256, 4096, dtype=np.uint8).tobytes(), "random bytes named .gif")
    bad(b"tiff_named.png", encode(photo(20, 20, 17), "TIFF"), "TIFF (stb_image cannot read it) named .png", "tiff")
    bad(b"webp_named.jpg", encode(photo(20, 20, 18), "WEBP"), "WebP named .jpg", "webp")
    bad(b"photo.webp", encode(photo(20, 20, 19), "WEBP"), "WebP with its own extension", "webp")
    bad(b"huge_header.png", png_header_only(100000, 100000), "PNG header declaring 100000x100000", "exceeds")
    bad(b"huge_header.jpg", jpeg_patch_sof(jpg, 65500, 65500), "JPEG header declaring 65500x65500", "exceeds")
    bad(b"huge_narrow.png", png_header_only(1, 100000000), "PNG header declaring 1x100000000", "exceeds")
    bad(b"bomb_declared.png", png_bomb(10000, 10000, 100 << 20),
        "decompression bomb: 100 MB of zeros for a declared 10000x10000 (100 MP)", "exceeds")
    bad(b"bomb_hidden.png", png_bomb(64, 64, 512 << 20),
        "decompression bomb: a 64x64 header over 512 MB of compressed zeros", "bomb")
    bad(b"jpeg_12bit.jpg", jpeg_patch_sof(jpg, precision=12), "12-bit JPEG")
    bad(b"jpeg_zero_size.jpg", jpeg_patch_sof(jpg, 0, 0), "JPEG header declaring 0x0")
    bad(b"exif_segment_overrun.jpg", jpg[:2] + b"\xff\xe1\xff\xf0Exif\0\0MM\0*" + jpg[2:40],
        "APP1 segment longer than the file")
    bad(b"unreadable.jpg", jpg, "file without read permission", "permission")

    # --- not inputs: passed over, and the walk must end ---
    out.append((Case(b"notes.txt", PASSED_OVER, "text file"), b"hello\n"))
    out.append((Case(b"photo.txt", PASSED_OVER, "a JPEG without an image extension"), jpg))
    out.append((Case(b".hidden.png", PASSED_OVER, "hidden file"), png))
    out.append((Case(b"loop", PASSED_OVER, "symlink to its own folder"), ("symlink", ".")))
    out.append((Case(b"sub dir/up", PASSED_OVER, "symlink to the parent folder"), ("symlink", "..")))
    out.append((Case(b"self.jpg", PASSED_OVER, "symlink to itself (ELOOP)"), ("symlink", "self.jpg")))
    out.append((Case(b"dangling.png", PASSED_OVER, "symlink to nothing"), ("symlink", "missing.png")))
    out.append((Case(b"fifo.jpg", PASSED_OVER, "a FIFO named .jpg (opening it would block)"), ("fifo",)))
    return out


def make_corpus(out_dir):
    """Writes out_dir/images/ and returns its Cases. unreadable.jpg gets mode
    000: only an unprivileged reader sees it fail (root reads anything)."""
    root = os.path.join(os.fsencode(out_dir), b"images")
    os.makedirs(root, exist_ok=True)
    made = []
    for case, data in cases():
        path = os.path.join(root, case.name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(data, tuple) and data[0] == "symlink":
            os.symlink(data[1], path)
        elif isinstance(data, tuple) and data[0] == "fifo":
            os.mkfifo(path)
        else:
            with open(path, "wb") as f:
                f.write(data)
        if case.name == b"unreadable.jpg":
            os.chmod(path, 0)
        made.append(case)
    return made


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_corpus.py OUT_DIR")
    for case in make_corpus(sys.argv[1]):
        print("%-12s %-40r %s" % (case.expect, case.name.decode("utf-8", "backslashreplace"), case.why))


if __name__ == "__main__":
    main()
