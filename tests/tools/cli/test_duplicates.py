"""clipsearch duplicates on real files: byte copies, a re-encoded JPEG and a
half-size copy of a photo are grouped with it, the largest copy is the
suggested keeper, different pictures stay apart; the JSON shape of the
contract; the threshold's edges and the errors.

    CLIPSEARCH_BIN=build/tools/clipsearch /usr/bin/python3 tests/tools/cli/test_duplicates.py -v
"""
import json
import os
import shutil
import unittest

from PIL import Image  # python3-pil

from clitest import SOURCE_DIR, CliTestCase

PHOTOS = os.path.join(SOURCE_DIR, "tests", "data", "image", "golden", "images")


class DuplicatesTest(CliTestCase):
    @classmethod
    def setUpClass(cls):
        cls.shared = CliTestCase("setUp")
        cls.shared.setUp()
        folder = cls.shared.path("photos")
        os.makedirs(folder)
        cat = Image.open(os.path.join(PHOTOS, "sk_chelsea.png")).convert("RGB")
        cat.save(os.path.join(folder, "cat.png"))
        cat.save(os.path.join(folder, "cat_q85.jpg"), quality=85)
        cat.resize((cat.width // 2, cat.height // 2), Image.BICUBIC).save(os.path.join(folder, "cat_half.png"))
        demo = cls.shared.path("demo")
        cls.shared.demo_images(demo, 6, seed=3)
        for i in range(6):
            shutil.copyfile(os.path.join(demo, "images", "%06d.png" % i), os.path.join(folder, "shape_%d.png" % i))
        shutil.copyfile(os.path.join(demo, "images", "000000.png"), os.path.join(folder, "shape_0_copy.png"))
        cls.index_dir = cls.shared.path("photos.index")
        cls.shared.index("--input", folder, "--out", cls.index_dir)

    @classmethod
    def tearDownClass(cls):
        cls.shared.tearDown()

    def groups(self, *args):
        return self.cli_json("duplicates", "--index", self.index_dir, "--json", *args)

    def test_copies_and_edits_are_grouped_with_their_original(self):
        groups = self.groups("--threshold", "0.97")
        as_sets = [{m["id"] for m in g["members"]} for g in groups]
        self.assertIn({"cat.png", "cat_q85.jpg", "cat_half.png"}, as_sets)
        self.assertIn({"shape_0.png", "shape_0_copy.png"}, as_sets)
        seen = [m["id"] for g in groups for m in g["members"]]
        self.assertEqual(len(seen), len(set(seen)), "an image is in one group at most")
        for i in range(1, 6):
            self.assertNotIn("shape_%d.png" % i, seen, "a different picture is not a duplicate")

    def test_contract_shape_and_keeper(self):
        for g in self.groups("--threshold", "0.97"):
            self.assertEqual(set(g), {"keeper", "members"})
            self.assertIsInstance(g["keeper"], str)
            self.assertGreaterEqual(len(g["members"]), 2)
            first = g["members"][0]
            self.assertEqual(first["id"], g["keeper"], "the keeper comes first")
            self.assertEqual(first["score"], 1.0)
            for m in g["members"]:
                self.assertIsInstance(m["id"], str)
                self.assertTrue(-1.0 <= m["score"] <= 1.0)
                self.assertTrue(m["thumb"].startswith("thumbs/"))
            scores = [m["score"] for m in g["members"][1:]]
            self.assertEqual(scores, sorted(scores, reverse=True))
            if any(m["id"] == "cat_half.png" for m in g["members"]):
                # The largest copy is kept: not the half-size one.
                self.assertIn(g["keeper"], {"cat.png", "cat_q85.jpg"})
                sizes = {m["id"]: (m["width"], m["height"]) for m in g["members"]}
                self.assertEqual(sizes["cat_half.png"], (225, 150))
                self.assertEqual(sizes[g["keeper"]], (451, 300))

    def test_default_threshold_and_table(self):
        p = self.cli("duplicates", "--index", self.index_dir)
        self.assertIn("keep", p.stdout)
        self.assertIn("cosine >= 0.985", p.stderr)  # the default chosen in BENCHMARKS.md
        self.assertIn("shape_0_copy.png", p.stdout)

    def test_threshold_edges(self):
        self.assertEqual(self.groups("--threshold", "1"), [])
        p = self.cli("duplicates", "--index", self.index_dir, "--threshold", "1")
        self.assertIn("no near-duplicates", p.stdout)
        everything = self.groups("--threshold", "-1")
        self.assertEqual(len(everything), 1)
        self.assertEqual(len(everything[0]["members"]), 10)

    def test_refusals(self):
        self.cli_fails("duplicates", "--index", self.path("missing"), contains="missing")
        self.cli_fails("duplicates", "--index", self.index_dir, "--threshold", "1.5", contains="[-1, 1]")
        self.cli_fails("duplicates", "--index", self.index_dir, "--neighbours", "0", contains="at least 1")


if __name__ == "__main__":
    unittest.main()
