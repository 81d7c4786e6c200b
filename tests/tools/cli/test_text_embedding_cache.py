#!/usr/bin/python3
"""The calibration captions' embeddings that every text search's match
verdict needs are kept between runs (tools/ort/text_embedding_cache.h):
written by the first search, read by the next, never used when damaged,
keyed by the encoder file, and never required (an unwritable cache folder
only costs the encoder runs)."""
import glob
import hashlib
import json
import os
import shutil
import struct
import unittest

from clitest import MODEL, SharedFolderTestCase, tool_env

MAGIC = b"CLIPTXE1"


class TextEmbeddingCache(SharedFolderTestCase):
    @classmethod
    def build_shared(cls, c):
        c.demo_images(c.path("set"), 60, seed=41)
        cls.index_dir = c.path("index")
        c.index("--input", c.path("set", "captions.jsonl"), "--out", cls.index_dir, "--no-thumbs")

    def setUp(self):
        super().setUp()
        self.cache = self.path("cache")
        self.env = tool_env(CLIPSEARCH_CACHE_DIR=self.cache)

    def verdict(self, env=None, model=MODEL):
        out = self.cli_json("search", "--index", self.index_dir, "--text", "a red circle", "--json-full", "-k", "3",
                            "--model", model, env=env or self.env)
        return out["match"], out["match_percentile"], [h["id"] for h in out["results"]]

    def files(self):
        return sorted(glob.glob(os.path.join(self.cache, "text-embeddings", "*.f32")))

    def only_entry(self):
        """The one cache file: its path, bytes, rows and dim."""
        [f] = self.files()
        with open(f, "rb") as fh:
            data = fh.read()
        rows, dim = struct.unpack_from("<II", data, 8)
        return f, data, rows, dim

    def test_the_first_search_writes_the_next_reads(self):
        first = self.verdict()
        f, data, rows, dim = self.only_entry()
        self.assertEqual(data[:8], MAGIC)
        self.assertEqual(len(data), 16 + 4 * rows * dim + 32)
        self.assertEqual(hashlib.sha256(data[:-32]).digest(), data[-32:])
        self.assertEqual(rows, 64)
        stamp = os.stat(f).st_mtime_ns
        self.assertEqual(self.verdict(), first)
        self.assertEqual(os.stat(f).st_mtime_ns, stamp, "a cache hit rewrote the file")
        self.assertEqual(first[0], "close", first)

    def test_the_verdict_is_judged_with_the_cached_vectors(self):
        clean = self.verdict()
        f, data, rows, dim = self.only_entry()
        # Every "unrelated" caption replaced by the query's own embedding
        # (printed with 9 digits: the same float32 values), in a file that
        # passes every check: the query then stands out exactly as much as
        # they do, not more than any, so a verdict read from the cache must
        # fall to "none".
        vector = self.cli_json("embed", "--text", "a red circle", env=self.env)
        self.assertEqual(len(vector), dim)
        body = MAGIC + struct.pack("<II", rows, dim) + struct.pack("<%df" % dim, *vector) * rows
        with open(f, "wb") as fh:
            fh.write(body + hashlib.sha256(body).digest())
        self.assertEqual(self.verdict()[0], "none")
        # One damaged byte: the file fails its digest, is recomputed and replaced.
        with open(f, "r+b") as fh:
            fh.seek(100)
            b = fh.read(1)
            fh.seek(100)
            fh.write(bytes([b[0] ^ 0x40]))
        self.assertEqual(self.verdict(), clean)
        with open(f, "rb") as fh:
            self.assertEqual(fh.read(), data)

    def test_another_encoder_file_gets_its_own_entry(self):
        self.verdict()
        copy = self.path("model-copy")
        shutil.copytree(MODEL, copy)
        self.verdict(model=copy)
        self.assertEqual(len(self.files()), 2)

    def test_an_unwritable_cache_folder_only_costs_the_encoder_runs(self):
        blocker = self.path("not-a-folder")
        with open(blocker, "w") as fh:
            fh.write("a file where the cache folder would be")
        env = tool_env(CLIPSEARCH_CACHE_DIR=os.path.join(blocker, "cache"))
        self.assertEqual(self.verdict(env=env), self.verdict())


if __name__ == "__main__":
    unittest.main()
