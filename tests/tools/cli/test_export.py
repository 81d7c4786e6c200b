"""clipsearch export: the .npy loads with NumPy, FAISS IndexFlatIP over it
finds the top 10 that `clipsearch search` finds, the .jsonl pairs each row
with its id, and what the int8 index loses against the model's own
embeddings stays within int8 rounding.

    CLIPSEARCH_BIN=build/tools/clipsearch /usr/bin/python3 tests/tools/cli/test_export.py -v
"""
import json
import os
import unittest

import faiss  # Debian python3-faiss
import numpy as np

from clitest import CliTestCase, read_jsonl

QUERIES = ["a red circle", "a blue square on the left", "a green star", "two shapes: a yellow triangle and a red square",
           "a small purple circle at the top", "an orange star on the right", "a large blue triangle",
           "a cyan square at the bottom", "a green circle", "a red star"]


class ExportTest(CliTestCase):
    @classmethod
    def setUpClass(cls):
        cls.shared = CliTestCase("setUp")
        cls.shared.setUp()
        cls.folder = cls.shared.path("shapes")
        cls.images = cls.shared.demo_images(cls.folder, 160, seed=12)
        cls.index_dir = cls.shared.path("shapes.index")
        cls.shared.index("--input", os.path.join(cls.folder, "captions.jsonl"), "--out", cls.index_dir,
                         "--shard-size", "64", "--no-thumbs")

    @classmethod
    def tearDownClass(cls):
        cls.shared.tearDown()

    def export(self, *args):
        prefix = self.path("out")
        p = self.cli("export", "--index", self.index_dir, "--out", prefix, *args)
        self.assertIn("160 vectors", p.stderr)
        return np.load(prefix + ".npy"), read_jsonl(prefix + ".jsonl")

    def test_rows_are_unit_and_pair_with_the_jsonl(self):
        vectors, meta = self.export()
        self.assertEqual(vectors.dtype, np.float32)
        self.assertEqual(vectors.shape, (160, self.manifest(self.index_dir)["dim"]))
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
        self.assertEqual([m["row"] for m in meta], list(range(160)))
        self.assertEqual(sorted(m["id"] for m in meta), sorted(self.all_ids(self.index_dir)))
        for m in meta:
            self.assertEqual(set(m), {"id", "caption", "source", "row"})
        # Row order is the index's: the first shard's rows first (64 per shard).
        first = self.search(self.index_dir, "--id", meta[0]["id"], "-k", "1")[0]
        self.assertEqual(first["id"], meta[0]["id"])

    def faiss_top10(self, vectors, query):
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        q = np.asarray([query], dtype=np.float32)
        q /= np.linalg.norm(q)
        _, rows = index.search(q, 10)
        return rows[0]

    def recall_against_search(self, vectors, meta):
        hits = total = 0
        queries = [("--text", t) for t in QUERIES] + [("--id", meta[r]["id"]) for r in range(0, 160, 16)]
        for flag, value in queries:
            ours = [h["id"] for h in self.search(self.index_dir, flag, value, "-k", "10")]
            if flag == "--text":
                query = self.cli_json("embed", "--text", value)
            else:
                query = vectors[[m["id"] for m in meta].index(value)]
            theirs = [meta[r]["id"] for r in self.faiss_top10(vectors, query)]
            hits += len(set(ours) & set(theirs))
            total += 10
        return hits / total

    def test_faiss_over_the_npy_finds_what_search_finds(self):
        vectors, meta = self.export()
        recall = self.recall_against_search(vectors, meta)
        print("export f32: recall@10 of FAISS IndexFlatIP over the .npy against clipsearch search: %.3f" % recall)
        self.assertGreaterEqual(recall, 0.99)

    def test_f16_halves_the_file_and_keeps_the_ranking(self):
        f32, meta = self.export()
        f16, meta16 = self.export("--dtype", "f16")
        self.assertEqual(f16.dtype, np.float16)
        self.assertEqual(meta16, meta)
        # Each value is the float32 one rounded to the nearest float16 (numpy's own conversion).
        np.testing.assert_array_equal(f16, f32.astype(np.float16))
        recall = self.recall_against_search(f16.astype(np.float32), meta)
        self.assertGreaterEqual(recall, 0.99)

    def test_round_trip_loses_only_int8_rounding(self):
        vectors, meta = self.export()
        by_id = {m["id"]: r for r, m in enumerate(meta)}
        worst = 1.0
        for item in self.images[:12]:
            image = os.path.join(self.folder, item["path"])
            fresh = np.asarray(self.cli_json("embed", "--image", image), dtype=np.float64)
            stored = vectors[by_id[image if image in by_id else item["path"]]].astype(np.float64)
            worst = min(worst, float(stored @ fresh / np.linalg.norm(fresh) / np.linalg.norm(stored)))
        print("export f32: cosine of exported rows with the model's float embeddings, worst of 12: %.6f" % worst)
        self.assertGreater(worst, 0.999)
        self.assertLess(worst, 1.0)  # int8 storage is not lossless

    def test_refusals(self):
        self.cli_fails("export", "--index", self.path("nothing"), "--out", self.path("x"), contains="nothing")
        p, _ = self.cli_fails("export", "--index", self.index_dir, "--out", self.path("x"), "--dtype", "f64")
        self.assertEqual(p.returncode, 2)
        self.assertFalse(os.path.exists(self.path("x.npy")))


if __name__ == "__main__":
    unittest.main()
