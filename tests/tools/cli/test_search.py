#!/usr/bin/python3
"""`clipsearch search`: every indexed image searched by its own file comes
first with a score of at least 0.99; --id, --exclude-self, -k, --min-score,
--binary, the table and the JSON output."""
import os
import unittest

from clitest import SharedFolderTestCase, write_photo


class SelfSearch(SharedFolderTestCase):
    @classmethod
    def build_shared(cls, c):
        # One index shared by the tests below (built once: they only read it).
        cls.files = {}
        for i in range(4):
            cls.files["photo%d.jpg" % i] = write_photo(c.path("in", "photo%d.jpg" % i), seed=i, fmt="JPEG")
        cls.files["gray.png"] = write_photo(c.path("in", "gray.png"), seed=20, mode="L")
        cls.files["rgba.png"] = write_photo(c.path("in", "rgba.png"), seed=21, mode="RGBA")
        cls.files["tall.png"] = write_photo(c.path("in", "tall.png"), size=(90, 700), seed=22)
        cls.files["rotated.jpg"] = write_photo(c.path("in", "rotated.jpg"), seed=23, fmt="JPEG", exif_orientation=8)
        c.demo_images(c.path("in", "demo"), 12, seed=5)
        for name in sorted(os.listdir(c.path("in", "demo", "images"))):
            cls.files["demo/images/" + name] = c.path("in", "demo", "images", name)
        cls.index_dir = c.path("index")
        # Small shards: hits must come back from several shards.
        c.index("--input", c.path("in"), "--out", cls.index_dir, "--shard-size", "7")

    def test_each_image_finds_itself_first(self):
        self.assertGreater(len(self.manifest(self.index_dir)["shards"]), 1)
        for id_, path in self.files.items():
            hits = self.search(self.index_dir, "--image", path, "-k", "3")
            self.assertEqual(hits[0]["id"], id_)
            self.assertGreaterEqual(hits[0]["score"], 0.99, id_)
            self.assertEqual(set(hits[0]), {"id", "score", "caption", "source", "thumb", "match"})
            # Several files here are copies of one picture, so its copies lift
            # the calibration band: found-itself is at least weak, never none.
            self.assertIn(hits[0]["match"], ("close", "weak"), id_)
            self.assertTrue(os.path.exists(os.path.join(self.index_dir, hits[0]["thumb"])))

    def test_exclude_self_leaves_out_the_indexed_copy(self):
        path = self.files["photo1.jpg"]
        hits = self.search(self.index_dir, "--image", path, "-k", "3", "--exclude-self")
        self.assertNotIn("photo1.jpg", [h["id"] for h in hits])
        self.assertEqual(len(hits), 3)

    def test_search_by_id_uses_the_stored_vector(self):
        hits = self.search(self.index_dir, "--id", "gray.png", "-k", "5")
        self.assertEqual(hits[0]["id"], "gray.png")
        self.assertGreaterEqual(hits[0]["score"], 0.99)
        rest = self.search(self.index_dir, "--id", "gray.png", "-k", "4", "--exclude-self")
        self.assertEqual([h["id"] for h in rest], [h["id"] for h in hits[1:]])
        self.cli_fails("search", "--index", self.index_dir, "--id", "no-such-id", contains="no-such-id")

    def test_k_and_min_score(self):
        hits = self.search(self.index_dir, "--text", "a red circle", "-k", "100")
        self.assertEqual(len(hits), len(self.files))
        scores = [h["score"] for h in hits]
        self.assertEqual(scores, sorted(scores, reverse=True))
        self.assertTrue(all(-1.0 <= s <= 1.0 for s in scores))
        cut = scores[len(scores) // 2]
        above = self.search(self.index_dir, "--text", "a red circle", "-k", "100", "--min-score", str(cut))
        self.assertEqual(len(above), sum(1 for s in scores if s >= cut))
        self.assertEqual(len(self.search(self.index_dir, "--text", "a red circle", "-k", "2")), 2)

    def test_binary_first_pass_keeps_self_first(self):
        for first_pass in [["--binary"], ["--first-pass", "binary"], ["--first-pass", "int8"]]:
            for id_ in ["photo0.jpg", "tall.png", "demo/images/000003.png"]:
                hits = self.search(self.index_dir, "--image", self.files[id_], "-k", "1", *first_pass)
                self.assertEqual(hits[0]["id"], id_)
        self.cli_fails("search", "--index", self.index_dir, "--id", "tall.png", "--first-pass", "hamming",
                       contains="first-pass")

    def test_table_output(self):
        out = self.cli("search", "--index", self.index_dir, "--text", "a blue square", "-k", "3").stdout
        lines = out.splitlines()
        self.assertEqual(lines[0].split()[:4], ["rank", "score", "id", "caption"])
        self.assertEqual(len(lines), 4)


if __name__ == "__main__":
    unittest.main()
