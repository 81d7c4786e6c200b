#!/usr/bin/python3
"""`clipsearch search --query`: expressions of weighted text and image terms
over a real demo index, the JSON object with the match verdict, the stderr
line, and the errors that name the character."""
import json
import os
import shutil
import unittest

from clitest import HttpServer, SharedFolderTestCase


def holds(objects, color=None, shape=None):
    return any((color is None or o["color"] == color) and (shape is None or o["shape"] == shape) for o in objects)


class QueryExpressions(SharedFolderTestCase):
    @classmethod
    def build_shared(cls, c):
        # A seed the demo model was not trained on (training used 1 and 2).
        rows = c.demo_images(c.path("set"), 400, seed=31)
        cls.objects = {r["path"]: r["objects"] for r in rows}
        cls.index_dir = c.path("index")
        c.index("--input", c.path("set", "captions.jsonl"), "--out", cls.index_dir, "--no-thumbs")

    def query(self, expr, *args):
        """The --json-full object: terms, verdict and results."""
        return self.search(self.index_dir, "--query", expr, "--json-full", *args)

    def share(self, hits, **kw):
        return sum(holds(self.objects[h["id"]], **kw) for h in hits) / len(hits)

    def test_subtracting_a_colour_and_adding_another(self):
        red = self.query("a red circle", "-k", "5")["results"]
        self.assertGreaterEqual(self.share(red, color="red", shape="circle"), 0.8)
        swapped = self.query("a red circle - red + blue", "-k", "5")["results"]
        self.assertGreaterEqual(self.share(swapped, color="blue", shape="circle"), 0.6)
        self.assertEqual(self.share(swapped, color="red", shape="circle"), 0.0)

    def test_subtracting_a_colour_keeps_the_shape(self):
        hits = self.query("a circle - red", "-k", "10")["results"]
        self.assertGreaterEqual(self.share(hits, shape="circle"), 0.8)
        self.assertLessEqual(self.share(hits, color="red"), 0.1)

    def test_weights_decide_which_term_leads(self):
        blue = self.query("3:a blue circle + a red square", "-k", "5")["results"]
        red = self.query("a blue circle + 3:a red square", "-k", "5")["results"]
        self.assertGreater(self.share(blue, color="blue", shape="circle"), self.share(blue, color="red", shape="square"))
        self.assertGreater(self.share(red, color="red", shape="square"), self.share(red, color="blue", shape="circle"))

    def test_json_object_has_terms_match_and_results(self):
        out = self.query("2:a green star - 0.5:\"small\"", "-k", "3")
        self.assertEqual(out["query"], "2:a green star - 0.5:\"small\"")
        self.assertEqual(out["terms"], [{"text": "a green star", "weight": 2.0, "kind": "text"},
                                        {"text": "small", "weight": -0.5, "kind": "text"}])
        self.assertIn(out["match"], ("close", "weak", "none"))
        self.assertEqual(out["unrelated_queries"], 64)
        self.assertTrue(0.0 <= out["match_percentile"] <= 1.0)
        self.assertEqual(len(out["results"]), 3)
        self.assertEqual(set(out["results"][0]), {"id", "score", "caption", "source", "thumb", "match"})

    def test_true_matches_are_not_flagged_and_unknown_words_are(self):
        for q in ["a green star", "a blue square", "a white heart"]:
            out = self.query(q, "-k", "3")
            self.assertNotEqual(out["match"], "none", q)
            self.assertEqual(out["unknown_words"], [], q)
        p = self.cli("search", "--index", self.index_dir, "--query", "a dog on the beach", "--json-full")
        out = json.loads(p.stdout)
        self.assertEqual(out["match"], "none")
        self.assertEqual(out["unknown_words"], ["dog", "beach"])
        self.assertEqual(len(out["results"]), 10)  # the nearest are still shown
        self.assertIn("match none: no close match, showing the nearest", p.stderr)
        self.assertIn("the demo-shapes model does not know: dog, beach", p.stderr)
        # A table run says it on stderr too.
        p = self.cli("search", "--index", self.index_dir, "--query", "a purple giraffe")
        self.assertIn("does not know: giraffe", p.stderr)
        self.assertTrue(p.stdout.startswith("rank"))

    def test_plain_json_is_the_contract_list_with_the_verdict_on_each_hit(self):
        for args in (["--query", "a dog on the beach"], ["--text", "a dog on the beach"]):
            hits = self.search(self.index_dir, *args, "-k", "4")
            self.assertIsInstance(hits, list)
            self.assertEqual(len(hits), 4)
            for h in hits:
                self.assertEqual(set(h), {"id", "score", "caption", "source", "thumb", "match"})
                self.assertEqual(h["match"], "none", args)
        for args in (["--query", "a green star"], ["--text", "a green star"], ["--id", "images/000007.png"]):
            hits = self.search(self.index_dir, *args, "-k", "3")
            self.assertTrue(all(h["match"] != "none" for h in hits), args)
        # --text is read as text even when it names a file, and keeps its '-'.
        self.assertEqual(self.search(self.index_dir, "--text", "a t-shirt", "--json-full", "-k", "1")["terms"],
                         [{"text": "a t-shirt", "weight": 1.0, "kind": "text"}])
        self.cli_fails("search", "--index", self.index_dir, "--image", self.path("missing.png"), contains="missing.png")

    def test_min_score_cuts_results_but_not_the_verdict(self):
        out = self.query("a green star", "--min-score", "0.99")
        self.assertEqual(out["results"], [])
        self.assertNotEqual(out["match"], "none")

    def test_an_image_file_term_is_embedded_by_the_vision_encoder(self):
        # Quoted: the temporary folder's name has a '-', an operator otherwise.
        path = '"%s"' % self.shared.path("set", "images", "000007.png")
        out = self.query(path, "-k", "2")
        self.assertEqual(out["terms"][0]["kind"], "image")
        self.assertEqual(out["terms"][0]["indexed_id"], "images/000007.png")
        self.assertEqual(out["results"][0]["id"], "images/000007.png")
        self.assertGreaterEqual(out["results"][0]["score"], 0.99)
        self.assertEqual(out["match"], "close")
        rest = self.query(path, "-k", "2", "--exclude-self")
        self.assertNotIn("images/000007.png", [h["id"] for h in rest["results"]])
        # A photo plus text: "this photo + blue".
        mixed = self.query(path + " + 2:something blue", "-k", "1")
        self.assertEqual([t["kind"] for t in mixed["terms"]], ["image", "text"])

    def test_similar_id_terms_run_no_model(self):
        # No model can be loaded, so any encoder run would fail.
        out = self.search(self.index_dir, "--query", "similar:images/000003.png - 0.2:similar:images/000004.png",
                          "-k", "2", "--model", self.path("no-model-here"), "--json-full")
        self.assertEqual([t["kind"] for t in out["terms"]], ["id", "id"])
        self.assertEqual(out["results"][0]["id"], "images/000003.png")
        self.cli_fails("search", "--index", self.index_dir, "--query", "similar:nope.png", contains="no image with id 'nope.png'")

    def test_a_url_term_is_downloaded(self):
        os.makedirs(self.path("www"))
        shutil.copy(self.shared.path("set", "images", "000011.png"), self.path("www", "q-1.png"))
        server = HttpServer(self.path("www"))
        try:
            out = self.query('"%s"' % server.url("q-1.png"), "-k", "1")
            self.assertEqual(out["terms"][0]["kind"], "url")
            self.assertEqual(out["results"][0]["id"], "images/000011.png")
            self.cli_fails("search", "--index", self.index_dir, "--query", '"%s"' % server.url("status/404/x.png"),
                           contains="HTTP 404")
        finally:
            server.close()

    def test_errors_name_the_character(self):
        cases = {
            "a red circle +": "expected a term at character 15 (after '+'), found the end",
            "red + - blue": "expected a term at character 7 (after '+'), found '-'",
            'a "t-shirt': "unterminated quote at character 3",
            "0:red": "the weight at character 1 must be between 0.001 and 1000",
            "red - red": "the terms cancel out",
            "": "the expression is empty",
        }
        for expr, reason in cases.items():
            _, line = self.cli_fails("search", "--index", self.index_dir, "--query", expr, contains=reason)
            self.assertTrue(line.startswith("clipsearch search: query: "), line)
        self.cli_fails("search", "--index", self.index_dir, "--query", "red", "--text", "red", contains="excludes")

    def test_a_hyphen_inside_a_word_is_text_and_quotes_keep_it_too(self):
        for expr in ('a "t-shirt" + red', "a t-shirt + red"):
            out = self.query(expr, "-k", "1")
            self.assertEqual([t["text"] for t in out["terms"]], ["a t-shirt", "red"], expr)
            self.assertEqual(out["unknown_words"], ["t", "shirt"], expr)
        # A file name with a hyphen is an image term without quotes.
        img = self.shared.path("set", "images", "000007.png")
        named = self.path("a-copy-of-000007.png")
        with open(img, "rb") as src, open(named, "wb") as dst:
            dst.write(src.read())
        out = self.query(named + " - blue", "-k", "1")
        self.assertEqual([t["kind"] for t in out["terms"]], ["image", "text"])


if __name__ == "__main__":
    unittest.main()
