#!/usr/bin/python3
"""An index is tied to its model's image side (fingerprint format 2); indexes
built before that record format 1, which the model lists in
"accepted_fingerprints" (docs/MODEL_MANIFEST.md). The index in
tests/data/index/demo-fingerprint-v1 was built with the bundled demo model
before format 2: search it, append to it, and see another model refused.
"""
import json
import os
import shutil
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from clitest import MODEL, SOURCE_DIR, CliTestCase  # noqa: E402

sys.path.insert(0, os.path.join(SOURCE_DIR, "models"))
import model_fingerprint  # noqa: E402

V1_INDEX = os.path.join(SOURCE_DIR, "tests", "data", "index", "demo-fingerprint-v1")
V1_FINGERPRINT = "19a3a3f64e4e782f278c006120285a72f97641d6eb107a5ef063d055ff9638e5"


class ModelFingerprints(CliTestCase):
    def copy_v1_index(self):
        out = self.path("v1-index")
        shutil.copytree(V1_INDEX, out)
        m = self.manifest(out)
        m["model"]["location"] = os.path.abspath(MODEL)  # the copy lives elsewhere
        with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as f:
            json.dump(m, f)
        return out

    def test_the_fixture_was_built_with_format_1(self):
        self.assertEqual(self.manifest(V1_INDEX)["model"]["fingerprint"], V1_FINGERPRINT)
        with open(os.path.join(MODEL, "model.json"), encoding="utf-8") as f:
            demo = json.load(f)
        self.assertNotEqual(demo["fingerprint"], V1_FINGERPRINT)
        self.assertEqual(model_fingerprint.legacy_fingerprint_v1(demo), V1_FINGERPRINT)
        self.assertIn(V1_FINGERPRINT, demo["accepted_fingerprints"])

    def test_an_index_from_before_format_2_is_searched_with_todays_model(self):
        hits = self.search(V1_INDEX, "--text", "a purple square", "-k", "6", "--min-score", "-1")
        self.assertEqual(len(hits), 6)
        # The text tower is the one the index was built alongside: its best
        # match for "brown triangle" is the image captioned so.
        top = self.search(V1_INDEX, "--text", "brown triangle", "-k", "1")[0]
        self.assertEqual(top["caption"], "brown triangle")
        self.assertEqual(self.cli("verify", V1_INDEX).returncode, 0)

    def test_appending_keeps_the_recorded_fingerprint_in_every_shard(self):
        index = self.copy_v1_index()
        rows = self.demo_images(self.path("more"), 3, seed=99)
        with open(self.path("more", "new.jsonl"), "w", encoding="utf-8") as f:
            for i, row in enumerate(rows):
                f.write(json.dumps({"id": "new-%d" % i, "path": row["path"], "caption": row["caption"]}) + "\n")
        self.index("--input", self.path("more", "new.jsonl"), "--out", index, "--append")
        m = self.manifest(index)
        self.assertEqual(m["model"]["fingerprint"], V1_FINGERPRINT)
        self.assertEqual(m["count"], 6 + len(rows))
        self.assertEqual(self.cli("verify", index).returncode, 0)  # shards agree with the manifest
        self.assertEqual(len(self.all_ids(index)), 6 + len(rows))

    def test_a_model_that_does_not_accept_it_is_refused(self):
        other = self.path("other-model")
        shutil.copytree(MODEL, other)
        with open(os.path.join(other, "model.json"), encoding="utf-8") as f:
            m = json.load(f)
        m["name"] = "demo-without-history"
        m["accepted_fingerprints"] = []
        with open(os.path.join(other, "model.json"), "w", encoding="utf-8") as f:
            json.dump(m, f)
        _, reason = self.cli_fails("search", "--index", V1_INDEX, "--text", "x", "--model", other)
        self.assertIn('it needs "demo-shapes" (fingerprint 19a3a3f64e4e', reason)
        self.assertIn("demo-without-history", reason)


if __name__ == "__main__":
    unittest.main()
