#!/usr/bin/python3
"""models/train_demo.py end to end at toy size: render a training and a
held-out set with `clipsearch demo-data`, train a few steps of both stages,
export, and check that the product loads what came out: the manifest
validates, `clipsearch index` embeds with it and `clipsearch search` answers.
Quality is not asserted here (a few steps); tests/models/CMakeLists.txt runs
demo_quality.py on the committed model for that."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

CLI = os.environ["CLIPSEARCH_BIN"]
SOURCE = os.environ["CLIPSEARCH_SOURCE_DIR"]


def run(*cmd):
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s" % (" ".join(cmd), done.returncode, done.stderr[-2000:]))
    return done.stdout


class TrainDemoTest(unittest.TestCase):
    def test_trains_exports_and_the_product_loads_it(self):
        with tempfile.TemporaryDirectory(prefix="train_demo.") as work:
            train, heldout, model = (os.path.join(work, d) for d in ("train", "heldout", "model"))
            run(CLI, "demo-data", "--out", train, "--count", "96", "--seed", "1", "--extra-captions", "3")
            run(CLI, "demo-data", "--out", heldout, "--count", "48", "--seed", "2")
            run(sys.executable, os.path.join(SOURCE, "models", "train_demo.py"), "--train", train,
                "--heldout", heldout, "--work", work, "--out", model, "--clipsearch", CLI,
                "--pretrain-steps", "3", "--steps", "3", "--batch", "16", "--threads", "1")

            with open(os.path.join(model, "model.json"), encoding="utf-8") as f:
                manifest = json.load(f)
            self.assertEqual(manifest["embedding_dim"], 128)
            self.assertEqual(manifest["text"]["inputs"], ["input_ids"])
            self.assertEqual(manifest["vision"]["output"], "image_embeds")
            with open(os.path.join(work, "ort_figures.json"), encoding="utf-8") as f:
                parity = json.load(f)["parity_min_cosine"]
            self.assertGreater(min(parity.values()), 0.9999, parity)

            index = os.path.join(work, "index")
            run(CLI, "index", "--input", os.path.join(heldout, "captions.jsonl"), "--out", index,
                "--model", model, "--no-thumbs")
            hits = json.loads(run(CLI, "search", "--index", index, "--text", "a red circle", "-k", "5", "--json"))
            self.assertEqual(len(hits), 5)
            self.assertTrue(all(h["id"].startswith("images/") for h in hits), hits)


if __name__ == "__main__":
    unittest.main()
