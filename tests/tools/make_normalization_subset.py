#!/usr/bin/python3
"""Writes tests/data/text/normalization_nfc_subset.txt: the lines of the
Unicode NormalizationTest.txt that exercise NFC, small enough to commit.

Keeps Parts 0, 2 and 3 whole; from Part 1 (one line per code point with a
decomposition) the code points that NFC changes and every 97th Hangul
syllable (algorithmic composition). Columns: c1;c2;c3;c4;c5 as in the UCD
file, where c2 == NFC(c1) == NFC(c2) == NFC(c3) and c4 == NFC(c4) == NFC(c5).

    /usr/bin/python3 tests/tools/make_normalization_subset.py > tests/data/text/normalization_nfc_subset.txt
"""
import bz2
import sys

SOURCE = "/usr/share/unicode/NormalizationTest.txt.bz2"  # Debian unicode-data

with bz2.open(SOURCE, "rt", encoding="utf-8") as f:
    lines = f.read().splitlines()
out = sys.stdout
out.write(f"# NFC lines from {lines[0].lstrip('# ')} (Debian unicode-data), selected by\n")
out.write("# tests/tools/make_normalization_subset.py. Columns c1;c2;c3;c4;c5.\n")
part = None
for line in lines:
    if line.startswith("@Part"):
        part = line.split()[0]
        out.write(part + "\n")
        continue
    if line.startswith("#") or not line.strip():
        continue
    cols = line.split(";")[:5]
    if part == "@Part1" and cols[0] == cols[1]:
        cp = int(cols[0], 16)
        if not (0xAC00 <= cp <= 0xD7A3 and (cp - 0xAC00) % 97 == 0):
            continue
    out.write(";".join(cols) + "\n")
