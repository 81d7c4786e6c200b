#!/usr/bin/python3
"""`clipsearch verify` finds any damage (a flipped byte, a truncated shard,
a missing thumbnail) and exits non-zero; `clipsearch info` describes an
index. Damaged files give clear errors, never a crash."""
import hashlib
import json
import os
import unittest

from clitest import CliTestCase


class VerifyAndInfo(CliTestCase):
    def setUp(self):
        super().setUp()
        self.demo_images(self.path("demo"), 10, seed=3)
        self.out = self.path("index")
        self.index("--input", self.path("demo", "captions.jsonl"), "--out", self.out, "--shard-size", "4")
        self.shard = os.path.join(self.out, self.manifest(self.out)["shards"][1]["file"])

    def flip_byte(self, path, offset):
        with open(path, "r+b") as f:
            f.seek(offset)
            b = f.read(1)
            f.seek(offset)
            f.write(bytes([b[0] ^ 0x01]))

    def rewrite_manifest_sha(self):
        # As if the manifest had been regenerated from the damaged file: only
        # the shard's own section checksums can tell.
        m = self.manifest(self.out)
        for s in m["shards"]:
            with open(os.path.join(self.out, s["file"]), "rb") as f:
                data = f.read()
            s["sha256"], s["bytes"] = hashlib.sha256(data).hexdigest(), len(data)
        with open(os.path.join(self.out, "manifest.json"), "w") as f:
            json.dump(m, f)

    def test_an_intact_index_verifies(self):
        out = self.cli("verify", self.out).stdout
        self.assertIn("ok: 10 vectors in 3 shards, 10 thumbnails", out)

    def test_every_flipped_byte_position_is_detected(self):
        size = os.path.getsize(self.shard)
        with open(self.shard, "rb") as f:
            original = f.read()
        for offset in sorted({0, 9, size // 5, size // 3, size // 2, 2 * size // 3, size - 1}):
            with open(self.shard, "wb") as f:
                f.write(original)
            self.flip_byte(self.shard, offset)
            p, reason = self.cli_fails("verify", self.out)
            self.assertIn(os.path.basename(self.shard), reason, offset)
            self.assertIn("SHA-256", p.stdout, offset)
            self.rewrite_manifest_sha()
            p, reason = self.cli_fails("verify", self.out)  # the shard's own checks
            self.assertIn(os.path.basename(self.shard), reason, offset)
            # search refuses the damaged index too, naming the shard
            self.cli_fails("search", "--index", self.out, "--id", "images/000000.png",
                           contains=os.path.basename(self.shard))

    def test_truncated_shard_and_missing_thumbnail(self):
        thumb = self.search(self.out, "--id", "images/000000.png", "-k", "1")[0]["thumb"]
        with open(self.shard, "r+b") as f:
            f.truncate(os.path.getsize(self.shard) // 2)
        os.remove(os.path.join(self.out, thumb))
        p, reason = self.cli_fails("verify", self.out)
        self.assertIn("is damaged", reason)
        self.assertIn("bytes, but manifest.json says", p.stdout)
        self.assertIn("thumbnail of 'images/000000.png' is missing", p.stdout)

    def edit_manifest(self, edit):
        m = self.manifest(self.out)
        edit(m)
        with open(os.path.join(self.out, "manifest.json"), "w") as f:
            json.dump(m, f)

    def test_a_row_count_the_shard_does_not_hold_is_refused_though_the_hash_matches(self):
        def one_more(m):
            m["shards"][1]["count"] += 1
            m["count"] += 1
        self.edit_manifest(one_more)
        name = os.path.basename(self.shard)
        p, reason = self.cli_fails("verify", self.out, contains=name)
        self.assertIn("holds 4 images, but manifest.json says 5", p.stdout)
        self.assertNotIn("SHA-256", p.stdout)
        self.cli_fails("search", "--index", self.out, "--id", "images/000000.png", contains=name)

    def test_a_dim_the_shards_do_not_hold_is_refused_though_the_hashes_match(self):
        def other_dim(m):
            m["dim"] = m["dim"] * 2
        self.edit_manifest(other_dim)
        p, reason = self.cli_fails("verify", self.out)
        for s in self.manifest(self.out)["shards"]:
            self.assertIn(s["file"] + " holds", p.stdout)
        self.assertIn("-d vectors, but manifest.json says", reason)
        self.cli_fails("search", "--index", self.out, "--id", "images/000000.png", contains="shard-00000.bin")

    def test_a_head_the_shard_does_not_have_is_refused_though_the_hash_matches(self):
        # Version 2 (what `index` writes): the manifest's head, which the page
        # loads alone by HTTP Range, must be the file's.
        self.assertTrue(all(s["version"] == 2 for s in self.manifest(self.out)["shards"]))
        def other_head(m):
            m["shards"][1]["head_sha256"] = "c" * 64
        self.edit_manifest(other_head)
        name = os.path.basename(self.shard)
        p, reason = self.cli_fails("verify", self.out, contains=name)
        self.assertIn("differs from manifest.json's cccccccccccc", p.stdout)

    def test_an_id_used_twice_is_refused(self):
        # The same shard listed under a second name: every id comes twice.
        with open(self.shard, "rb") as f:
            data = f.read()
        with open(os.path.join(self.out, "shard-00009.bin"), "wb") as f:
            f.write(data)
        def listed_twice(m):
            entry = dict(m["shards"][1], file="shard-00009.bin")
            m["shards"].append(entry)
            m["count"] += entry["count"]
        self.edit_manifest(listed_twice)
        p, reason = self.cli_fails("verify", self.out, contains="shard-00009.bin")
        self.assertIn("is already used by " + os.path.basename(self.shard), reason)

    def test_damaged_manifest(self):
        with open(os.path.join(self.out, "manifest.json"), "w") as f:
            f.write('{"version": 1, "shards": [{"file": "../../etc/passwd"}]}')
        self.cli_fails("verify", self.out, contains="manifest.json")
        self.cli_fails("info", self.out, contains="manifest.json")

    def test_info(self):
        info = self.cli_json("info", self.out, "--json")
        m = self.manifest(self.out)
        self.assertEqual(info["count"], 10)
        self.assertEqual(info["shards"], 3)
        self.assertEqual(info["model"]["fingerprint"], m["model"]["fingerprint"])
        self.assertEqual(info["bytes"]["shards"], sum(s["bytes"] for s in m["shards"]))
        self.assertAlmostEqual(info["bytes_per_image"]["shards"], info["bytes"]["shards"] / 10)
        self.assertEqual(info["thumbnails"], 10)
        self.assertFalse(info["unfinished_run"])
        text = self.cli("info", self.out).stdout
        self.assertIn("10 in 3 shards", text)


if __name__ == "__main__":
    unittest.main()
