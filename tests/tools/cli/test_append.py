#!/usr/bin/python3
"""`index --append` upserts by id without embedding old images again; an
index is tied to its model's fingerprint (append and search refuse another
model with a clear message)."""
import json
import os
import shutil
import unittest

from clitest import MODEL, CliTestCase, write_photo


def write_csv(path, rows):
    with open(path, "w") as f:
        f.write("id,path,caption\n")
        f.writelines("%s,%s,%s\n" % r for r in rows)


class Append(CliTestCase):
    def setUp(self):
        super().setUp()
        for i in range(6):
            write_photo(self.path("img", "p%d.png" % i), seed=i)
        self.out = self.path("index")
        write_csv(self.path("first.csv"), [("a", "img/p0.png", "first"), ("b", "img/p1.png", "second"),
                                           ("c", "img/p2.png", "third")])
        self.index("--input", self.path("first.csv"), "--out", self.out, "--shard-size", "2")

    def test_upsert_by_id(self):
        stats = self.path("stats.json")
        write_csv(self.path("more.csv"), [
            ("a", "img/p0.png", "first"),          # unchanged: kept, not embedded again
            ("b", "img/p3.png", "second (new)"),    # same id, another image: replaced
            ("d", "img/p4.png", "fourth"),         # new
        ])
        self.index("--input", self.path("more.csv"), "--out", self.out, "--append", "--shard-size", "2",
                   "--stats-json", stats)
        with open(stats) as f:
            s = json.load(f)
        self.assertEqual((s["embedded"], s["unchanged"]), (2, 1))
        self.assertEqual(self.manifest(self.out)["count"], 4)
        self.assertEqual(sorted(self.all_ids(self.out)), ["a", "b", "c", "d"])
        # "b" is now the new image: its own file finds it first, and "b"'s
        # vector is nearer the new file than the old one (a relative test:
        # how far apart two photos embed depends on the model).
        hit = self.search(self.out, "--image", self.path("img", "p3.png"), "-k", "1")[0]
        self.assertEqual((hit["id"], hit["caption"]), ("b", "second (new)"))
        self.assertGreaterEqual(hit["score"], 0.99)
        old = {h["id"]: h["score"] for h in self.search(self.out, "--image", self.path("img", "p1.png"), "-k", "4",
                                                         "--min-score", "-1")}
        self.assertLess(old["b"], hit["score"])
        # Untouched rows keep their vectors: "c" still scores ~1 against its file.
        hit = self.search(self.out, "--image", self.path("img", "p2.png"), "-k", "1")[0]
        self.assertEqual(hit["id"], "c")
        self.assertGreaterEqual(hit["score"], 0.99)
        out = self.cli("verify", self.out).stdout
        self.assertIn("4 thumbnails", out)
        self.assertEqual(len(os.listdir(os.path.join(self.out, "thumbs"))), 4)  # the replaced one is gone

    def test_append_with_another_model_is_refused(self):
        other = self.path("other-model")
        shutil.copytree(MODEL, other)
        with open(os.path.join(other, "model.json")) as f:
            m = json.load(f)
        m["name"] = "another-model"
        m["fingerprint"] = "0" * 64  # e.g. retrained weights
        with open(os.path.join(other, "model.json"), "w") as f:
            json.dump(m, f)
        write_csv(self.path("more.csv"), [("d", "img/p4.png", "fourth")])
        _, reason = self.cli_fails("index", "--device", "cpu", "--model", other, "--input", self.path("more.csv"),
                                   "--out", self.out, "--append")
        self.assertIn("another-model", reason)
        self.assertIn("cannot be mixed", reason)
        # search refuses it too, naming both models
        _, reason = self.cli_fails("search", "--index", self.out, "--text", "x", "--model", other)
        self.assertIn("another-model", reason)
        self.assertIn("fingerprint", reason)
        # an index built with that model, searched with the default one
        idx2 = self.path("index2")
        self.cli("index", "--device", "cpu", "--model", other, "--input", self.path("more.csv"), "--out", idx2)
        self.cli_fails("search", "--index", idx2, "--text", "x", "--model", MODEL, contains="fingerprint")
        # without --model, search uses the model the manifest names
        self.assertEqual(self.search(idx2, "--text", "x")[0]["id"], "d")


if __name__ == "__main__":
    unittest.main()
