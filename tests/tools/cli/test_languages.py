#!/usr/bin/python3
"""Text towers per language: `--lang en|zh|auto` on tokenize, embed and
search. The bundled demo model has an English tower and a Chinese one
trained into the same image space, so one index answers both languages."""
import json
import os
import unittest

from clitest import SOURCE_DIR, CliTestCase, read_jsonl

GOLDEN = "tests/data/text/wordpiece_cases.jsonl"


class Languages(CliTestCase):
    @classmethod
    def setUpClass(cls):
        cls.shared = CliTestCase("run")
        cls.shared.setUp()
        c = cls.shared
        cls.rows = c.demo_images(c.path("set"), 300, seed=11)
        cls.index_dir = c.path("index")
        c.index("--input", c.path("set", "captions.jsonl"), "--out", cls.index_dir, "--no-thumbs")

    @classmethod
    def tearDownClass(cls):
        cls.shared.tearDown()

    def holds(self, hit, color, shape):
        row = next(r for r in self.rows if r["path"] == hit["id"])
        return any(o["color"] == color and o["shape"] == shape for o in row["objects"])

    def test_tokenize_zh_is_chinese_clips_tokenizer(self):
        cases = read_jsonl(os.path.join(SOURCE_DIR, GOLDEN))
        out = self.cli("tokenize", "--lang", "zh", "--jsonl",
                       input="".join(json.dumps(c["text"]) + "\n" for c in cases)).stdout
        got = [json.loads(line) for line in out.splitlines()]
        self.assertEqual(len(got), 400)
        self.assertEqual(sum(g == c["input_ids"] for g, c in zip(got, cases)), 400)

    def test_auto_picks_the_tower_by_script(self):
        self.assertEqual(self.cli_json("tokenize", "--lang", "auto", "红色的圆"), [101, 5273, 5682, 4638, 1749, 102])
        self.assertEqual(self.cli_json("tokenize", "--lang", "auto", "a red circle"), [49406, 320, 736, 7117, 49407])
        # Without --lang, tokenize is the primary tower's (CLIP's) tokenizer, Chinese or not.
        self.assertEqual(self.cli_json("tokenize", "红")[0], 49406)
        self.assertEqual(self.cli_json("tokenize", "--lang", "en", "红")[0], 49406)
        self.assertEqual(self.cli_json("tokenize", "--lang", "zh", "red")[0], 101)
        # embed: auto on a Chinese text is the zh tower's embedding, not the English one's.
        auto = self.cli_json("embed", "--text", "红色的圆形")
        self.assertEqual(auto, self.cli_json("embed", "--text", "红色的圆形", "--lang", "zh"))
        self.assertNotEqual(auto, self.cli_json("embed", "--text", "红色的圆形", "--lang", "en"))

    def test_a_language_the_model_lacks_is_refused(self):
        self.cli_fails("search", "--index", self.index_dir, "--text", "x", "--lang", "fr",
                       contains="language 'fr': this model's text towers read en, zh")

    def test_chinese_queries_find_the_same_pictures_in_the_same_index(self):
        for zh, en, color, shape in [("红色的圆形", "a red circle", "red", "circle"),
                                     ("蓝色的星星", "a blue star", "blue", "star"),
                                     ("绿色的三角形", "a green triangle", "green", "triangle")]:
            relevant = sum(self.holds({"id": r["path"]}, color, shape) for r in self.rows)
            k = min(5, relevant)
            zh_hits = self.search(self.index_dir, "--text", zh, "-k", str(k))
            en_hits = self.search(self.index_dir, "--text", en, "-k", str(k))
            good = sum(self.holds(h, color, shape) for h in zh_hits)
            self.assertGreaterEqual(good, k - 1, "%s: %s" % (zh, [h["caption"] for h in zh_hits]))
            # Both towers land in one image space: the top hits overlap.
            self.assertTrue({h["id"] for h in zh_hits} & {h["id"] for h in en_hits}, zh)


if __name__ == "__main__":
    unittest.main()
