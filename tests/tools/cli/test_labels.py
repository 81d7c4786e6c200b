#!/usr/bin/python3
"""`clipsearch labels`: zero-shot labels of real demo pictures, the JSON list
sorted with softmax probabilities of the model's logit scale, templates,
label files, and the errors."""
import json
import math
import os
import unittest

from clitest import MODEL, SharedFolderTestCase, cosine

COLORS = ["red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "white", "black"]
SHAPES = ["circle", "square", "triangle", "star", "heart", "cross"]


class Labels(SharedFolderTestCase):
    @classmethod
    def build_shared(cls, c):
        rows = c.demo_images(c.path("set"), 40, seed=33)  # a seed the model was not trained on
        cls.singles = [(c.path("set", r["path"]), r["objects"][0]) for r in rows if len(r["objects"]) == 1][:12]
        cls.all_labels = c.path("labels.txt")
        with open(cls.all_labels, "w", encoding="utf-8") as f:
            f.write("# every colour and shape of the demo\n\n")
            f.write("".join("a %s %s\n" % (col, s) for col in COLORS for s in SHAPES))

    def labels(self, *args):
        return self.cli_json("labels", "--json", *args)

    def test_picks_the_colour_and_shape_of_single_object_pictures(self):
        right = 0
        for path, o in self.singles:
            out = self.labels("--image", path, "--labels", self.all_labels, "--template", "{}")
            self.assertEqual(len(out), 60)
            right += out[0]["label"] == "a %s %s" % (o["color"], o["shape"])
        self.assertGreaterEqual(right / len(self.singles), 0.75, "%d of %d" % (right, len(self.singles)))

    def test_sorted_with_softmax_of_the_logit_scale(self):
        path, _ = self.singles[0]
        out = self.labels("--image", path, "--label", "a red star", "--label", "a blue circle", "--label",
                          "a green heart", "--template", "{}")
        self.assertEqual([set(o) for o in out], [{"label", "score", "prob"}] * 3)
        scores = [o["score"] for o in out]
        self.assertEqual(scores, sorted(scores, reverse=True))
        with open(os.path.join(MODEL, "model.json"), encoding="utf-8") as f:
            scale = json.load(f)["logit_scale"]
        z = sum(math.exp(scale * s) for s in scores)
        for o in out:
            self.assertAlmostEqual(o["prob"], math.exp(scale * o["score"]) / z, places=5)
        self.assertAlmostEqual(sum(o["prob"] for o in out), 1.0, places=5)

    def test_score_is_the_cosine_of_the_embeddings_with_the_template_applied(self):
        path, _ = self.singles[1]
        image = json.loads(self.cli("embed", "--image", path).stdout)
        text = json.loads(self.cli("embed", "--text", "a photo of a red star").stdout)
        out = self.labels("--image", path, "--label", "a red star")  # default template "a photo of {}"
        self.assertAlmostEqual(out[0]["score"], cosine(image, text), places=5)
        self.assertAlmostEqual(out[0]["prob"], 1.0, places=6)
        raw = self.labels("--image", path, "--label", "a red star", "--template", "{}")
        text = json.loads(self.cli("embed", "--text", "a red star").stdout)
        self.assertAlmostEqual(raw[0]["score"], cosine(image, text), places=5)

    def test_labels_file_and_flags_together(self):
        path, _ = self.singles[2]
        with open(self.path("few.txt"), "w", encoding="utf-8") as f:
            f.write("  a red star \n# comment\n\na blue circle\na red star\n")
        out = self.labels("--image", path, "--labels", self.path("few.txt"), "--label", "a black cross")
        self.assertEqual(sorted(o["label"] for o in out), ["a black cross", "a blue circle", "a red star"])

    def test_table_output_and_unknown_words(self):
        path, _ = self.singles[3]
        p = self.cli("labels", "--image", path, "--label", "a red star", "--label", "a dog")
        self.assertEqual(p.stdout.splitlines()[0].split(), ["prob", "score", "label"])
        self.assertEqual(len(p.stdout.splitlines()), 3)
        self.assertIn("the demo-shapes model does not know: dog", p.stderr)

    def test_errors(self):
        path, _ = self.singles[0]
        self.cli_fails("labels", "--image", path, contains="give at least one --label")
        self.cli_fails("labels", "--image", path, "--label", "x", "--template", "a photo", contains="has no {}")
        self.cli_fails("labels", "--image", path, "--label", " ", contains="a label is empty")
        self.cli_fails("labels", "--image", self.path("missing.png"), "--label", "x", contains="missing.png")
        with open(self.path("not-an-image.png"), "wb") as f:
            f.write(b"hello")
        self.cli_fails("labels", "--image", self.path("not-an-image.png"), "--label", "x", contains="not-an-image.png")
        self.cli_fails("labels", "--image", path, "--labels", self.path("none.txt"), contains="none.txt")


if __name__ == "__main__":
    unittest.main()
