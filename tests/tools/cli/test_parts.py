#!/usr/bin/python3
"""Fan-out: `index --part I/N` on N workers, then `merge` the N folders;
the result holds exactly the ids of a single run, searchable and intact."""
import os
import unittest

from clitest import CliTestCase, folder_written_by_another_run


class PartsAndMerge(CliTestCase):
    def setUp(self):
        super().setUp()
        self.captions = self.demo_images(self.path("demo"), 24, seed=9)
        self.input = self.path("demo", "captions.jsonl")

    def test_parts_merged_equal_a_single_run(self):
        single = self.path("single")
        self.index("--input", self.input, "--out", single, "--shard-size", "5")
        parts = []
        for i in range(1, 4):
            part = self.path("part-%d" % i)
            self.index("--input", self.input, "--out", part, "--part", "%d/3" % i, "--shard-size", "5")
            parts.append(part)
        part_ids = [set(self.all_ids(p)) for p in parts]
        self.assertEqual(sum(len(s) for s in part_ids), len(self.captions))  # disjoint, complete
        self.assertTrue(all(part_ids), "with 24 ids every one of 3 parts gets some")

        merged = self.path("merged")
        with folder_written_by_another_run(merged):
            self.cli_fails("merge", "--out", merged, *parts, contains="is being written by another clipsearch run")
        self.cli("merge", "--out", merged, *parts)
        self.cli("verify", merged)
        self.assertEqual(sorted(self.all_ids(merged)), sorted(self.all_ids(single)))
        self.assertEqual(self.manifest(merged)["count"], len(self.captions))
        # merge copies the parts' shards byte for byte: every score is exactly
        # the part's. A single run holds the same embeddings, but its shards
        # quantize around other centres, so its scores agree to int8 rounding
        # (near-equal scores may swap places; compare by id, not by rank).
        n = len(self.captions)
        for query in ["a red circle", "two green squares"]:
            merged_scores = self.scores(merged, query, n)
            part_scores = {}
            for part in parts:
                part_scores.update(self.scores(part, query, n))
            self.assertEqual(merged_scores, part_scores)
            single_scores = self.scores(single, query, n)
            self.assertEqual(set(merged_scores), set(single_scores))
            for id_, score in merged_scores.items():
                self.assertAlmostEqual(score, single_scores[id_], delta=0.005, msg=id_)
        hit = self.search(merged, "--image", self.path("demo", "images", "000017.png"), "-k", "1")[0]
        self.assertEqual(hit["id"], "images/000017.png")
        self.assertTrue(os.path.exists(os.path.join(merged, hit["thumb"])))

    def scores(self, index_dir, query, k):
        """{id: score} of every image in the index for a text query."""
        hits = self.search(index_dir, "--text", query, "-k", str(k), "--min-score", "-1")
        return {h["id"]: h["score"] for h in hits}

    def test_the_same_part_is_the_same_whatever_the_row_order(self):
        with open(self.input) as f:
            lines = f.readlines()
        with open(self.path("demo", "reversed.jsonl"), "w") as f:
            f.writelines(reversed(lines))
        a, b = self.path("a"), self.path("b")
        self.index("--input", self.input, "--out", a, "--part", "2/4")
        self.index("--input", self.path("demo", "reversed.jsonl"), "--out", b, "--part", "2/4")
        self.assertEqual(sorted(self.all_ids(a)), sorted(self.all_ids(b)))

    def test_merge_refuses_overlapping_parts_and_bad_part_syntax(self):
        a, b = self.path("a"), self.path("b")
        self.index("--input", self.input, "--out", a, "--part", "1/2")
        self.index("--input", self.input, "--out", b, "--part", "1/2")
        _, reason = self.cli_fails("merge", "--out", self.path("m"), a, b)
        self.assertIn("is in both", reason)
        self.assertFalse(os.path.exists(self.path("m", "manifest.json")))
        for bad in ["0/3", "4/3", "1/0", "x", "1-3"]:
            self.cli_fails("index", "--device", "cpu", "--input", self.input, "--out", self.path("p"), "--part", bad,
                           contains="--part")


if __name__ == "__main__":
    unittest.main()
