#!/usr/bin/python3
"""`clipsearch upgrade` rewrites an index's shards in another format version
in place: the same rows, the same search results, a manifest that says so;
damaged indexes and unfinished runs are refused. tests/faults/test_upgrade_sigkill.py
kills it at random moments."""
import json
import os
import unittest

from clitest import CliTestCase, folder_written_by_another_run


class Upgrade(CliTestCase):
    def setUp(self):
        super().setUp()
        self.demo_images(self.path("demo"), 10, seed=4)
        self.out = self.path("index")
        self.index("--input", self.path("demo", "captions.jsonl"), "--out", self.out, "--shard-size", "4")

    def versions(self):
        m = self.manifest(self.out)
        return m["version"], [s.get("version", 1) for s in m["shards"]]

    def results(self):
        return [self.search(self.out, "--id", "images/%06d.png" % i, "-k", "5") for i in range(0, 10, 3)]

    def test_index_writes_version_2_and_upgrade_goes_both_ways_keeping_results(self):
        self.assertEqual(self.versions(), (2, [2, 2, 2]))
        m = self.manifest(self.out)
        for s in m["shards"]:
            with open(os.path.join(self.out, s["file"]), "rb") as f:
                head = f.read(s["head_bytes"])
            import hashlib
            self.assertEqual(hashlib.sha256(head).hexdigest(), s["head_sha256"])
        before = self.results()
        with folder_written_by_another_run(self.out):
            self.cli_fails("upgrade", self.out, "--to", "1", contains="is being written by another clipsearch run")
        out = self.cli("upgrade", self.out, "--to", "1").stdout
        self.assertIn("3 shards (10 images) now version 1", out)
        self.assertEqual(self.versions(), (1, [1, 1, 1]))
        self.assertFalse(any("head_bytes" in s for s in self.manifest(self.out)["shards"]))
        self.cli("verify", self.out)
        self.assertEqual(self.results(), before)
        self.cli("upgrade", self.out)
        self.assertEqual(self.versions(), (2, [2, 2, 2]))
        self.cli("verify", self.out)
        self.assertEqual(self.results(), before)
        # Only the manifest's shards remain, no temporary files.
        listed = {s["file"] for s in self.manifest(self.out)["shards"]}
        self.assertEqual({f for f in os.listdir(self.out) if f.startswith("shard-")}, listed)
        self.assertIn("already version 2", self.cli("upgrade", self.out).stdout)

    def test_damage_and_unfinished_runs_are_refused(self):
        self.cli_fails("upgrade", self.out, "--to", "3", contains="versions are 1 and 2")
        shard = os.path.join(self.out, self.manifest(self.out)["shards"][1]["file"])
        with open(shard, "r+b") as f:
            f.seek(100)
            b = f.read(1)
            f.seek(100)
            f.write(bytes([b[0] ^ 1]))
        self.cli_fails("upgrade", self.out, "--to", "1", contains=os.path.basename(shard))
        self.assertEqual(self.versions(), (2, [2, 2, 2]))  # untouched
        with open(os.path.join(self.out, "journal.json"), "w") as f:
            json.dump({}, f)
        self.cli_fails("upgrade", self.out, contains="unfinished")


if __name__ == "__main__":
    unittest.main()
