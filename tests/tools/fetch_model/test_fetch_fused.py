#!/usr/bin/python3
"""`clipsearch fetch-model` on a model published as one fused graph per
precision (Xenova/chinese-clip-vit-base-patch16): the real binary against a
real HTTP server on 127.0.0.1 serving a stand-in in that repository's exact
layout (models/standins/make_fused_standin.py). The catalog entry is
models/catalog.json's own "chinese-clip-vit-base-patch16" entry, with only
the base URL, the fused files' hashes and the stand-in's width changed, so
what is tested is the entry users fetch.

fetch-model downloads onnx/model.onnx and onnx/model_quantized.onnx, splits
each into a text and a vision graph, checks the towers against the fused
graph, and writes model.json; the result then indexes pictures and answers
a Chinese query in the CLI.

Environment (set by CTest): CLIPSEARCH_BIN, CLIPSEARCH_SOURCE_DIR,
CLIPSEARCH_TEST_TMP.
"""
import json
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fetch_test_support import BIN, SRC, FetchTestCase, sha256_of, test_tmp  # noqa: E402

TMP = test_tmp("fetch_fused")
REVISION = "89abcdef0123456789abcdef0123456789abcdef"
CATALOG_NAME = "chinese-clip-vit-base-patch16"


class FetchFused(FetchTestCase):
    TMP = TMP

    @classmethod
    def setUpClass(cls):
        cls.published = cls.make_standins("make_fused_standin.py", "fused_standin.json")
        standins = cls.standins
        cls.repo = os.path.join(cls.www, "Xenova", "cn-clip-like", "resolve", REVISION)
        shutil.copytree(os.path.join(standins, "cn-clip-like"), cls.repo)
        # A fused file that is not ONNX, for the refusal test.
        with open(os.path.join(cls.repo, "onnx", "model_broken.onnx"), "wb") as f:
            f.write(b"\x0a\x05hello" + b"\x3a\xff\xff\x03")
        cls.start_server()

    # --- helpers -----------------------------------------------------------

    def entry(self):
        """models/catalog.json's Chinese-CLIP entry, pointed at the stand-in."""
        with open(os.path.join(SRC, "models", "catalog.json"), encoding="utf-8") as f:
            real = next(e for e in json.load(f)["models"] if e["name"] == CATALOG_NAME)
        files = self.published["files"]
        real["base_url"] = self.base + "Xenova/cn-clip-like/resolve/{revision}/"
        real["revision"] = REVISION
        for fused in real["fused"].values():
            fused.update(files[fused["path"]])
        for f in real["model"]["tokenizer"]["files"]:
            self.assertEqual(f["sha256"], files[f["path"]]["sha256"], "the stand-in's vocab.txt is the published one")
        real["model"]["embedding_dim"] = self.published["embedding_dim"]
        real["model"]["logit_scale"] = self.published["logit_scale"]
        return real

    def catalog(self, *entries):
        path = os.path.join(TMP, "catalog-%s.json" % self._testMethodName)
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"format": 1, "models": list(entries) or [self.entry()]}, f)
        # Check images sit beside the catalog, as models/reference does.
        if not os.path.exists(os.path.join(TMP, "reference")):
            shutil.copytree(os.path.join(SRC, "models", "reference"), os.path.join(TMP, "reference"))
        return path

    def run_cli(self, *args, timeout=600):
        return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout)

    # --- tests -------------------------------------------------------------

    def test_fused_graphs_are_split_checked_and_recorded(self):
        p = self.fetch("Xenova/chinese-clip-vit-base-patch16", "--catalog", self.catalog(), "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        # Both fused files arrived verified, and each was split.
        self.assertIn("onnx/model.onnx: ", p.stderr)
        self.assertIn("(verified)", p.stderr)
        self.assertIn("onnx/model.onnx: text tower -> onnx/text_model.onnx", p.stderr)
        self.assertIn("inputs input_ids, attention_mask,", p.stderr)
        self.assertIn("onnx/model_quantized.onnx: vision tower -> onnx/vision_model_quantized.onnx", p.stderr)
        self.assertIn("check: the split fp32 towers reproduce onnx/model.onnx", p.stderr)
        self.assertIn("check: the split int8 towers reproduce onnx/model_quantized.onnx", p.stderr)
        self.assertIn("checks on arrival passed", p.stderr)
        fetched = {r["path"].split("/resolve/%s/" % REVISION)[-1] for r in self.requests()}
        self.assertEqual(fetched, {"onnx/model.onnx", "onnx/model_quantized.onnx", "vocab.txt"})

        m = self.manifest()
        self.assertEqual(m["name"], CATALOG_NAME)
        self.assertEqual(m["text"]["language"], "zh")
        self.assertEqual(m["text"]["inputs"], ["input_ids", "attention_mask"])
        self.assertEqual(m["text"]["input"], {"length": "fixed", "pad_id": 0, "pooling": "first"})
        self.assertEqual(m["tokenizer"]["kind"], "wordpiece")
        self.assertEqual(m["tokenizer"]["context_length"], 52)
        self.assertEqual(m["vision"]["inputs"], ["pixel_values"])
        self.assertEqual((m["image"]["resize"], m["image"]["crop"]), ("exact", "none"))
        for key, stem in (("text", "text_model"), ("vision", "vision_model")):
            self.assertEqual(m[key]["variants"]["fp32"]["path"], "onnx/%s.onnx" % stem)
            self.assertEqual(m[key]["variants"]["int8"]["path"], "onnx/%s_quantized.onnx" % stem)
            for v in m[key]["variants"].values():
                path = os.path.join(self.out, v["path"])
                self.assertEqual(v["sha256"], sha256_of(path))
                self.assertEqual(v["bytes"], os.path.getsize(path))
        # Each tower is smaller than the fused graph it came from; together
        # they hold about what it held (shared weights are in both).
        fused = os.path.getsize(os.path.join(self.out, "onnx", "model.onnx"))
        text = os.path.getsize(os.path.join(self.out, "onnx", "text_model.onnx"))
        vision = os.path.getsize(os.path.join(self.out, "onnx", "vision_model.onnx"))
        self.assertLess(max(text, vision), fused)
        self.assertLess(abs(text + vision - fused), fused // 20)
        self.assertEqual(m["agreement"].keys(), {"int8"})
        self.assertGreater(m["agreement"]["int8"], 0.9)
        self.assertEqual(m["preferred_precision"]["wasm"], "int8")
        self.assertEqual(m["source"]["revision"], REVISION)

        # Splitting is deterministic: a second run re-splits to the same bytes
        # and downloads nothing.
        open(self.log, "w").close()
        again = self.fetch(CATALOG_NAME, "--catalog", self.catalog(), "--out", self.out)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("already here", again.stderr)
        self.assertEqual(self.requests(), [])
        self.assertEqual(self.manifest()["text"], m["text"])
        self.assertEqual(self.manifest()["fingerprint"], m["fingerprint"])

        # The fetched model indexes pictures and answers a Chinese query: the
        # stand-in's towers are the demo model's, which finds red circles.
        data = os.path.join(TMP, "pictures")
        if not os.path.exists(data):
            gen = self.run_cli("demo-data", "--out", data, "--count", "150", "--seed", "11")
            self.assertEqual(gen.returncode, 0, gen.stderr)
        index = os.path.join(self.out, "index")
        built = self.run_cli("index", "--model", self.out, "--input", os.path.join(data, "captions.jsonl"),
                             "--out", index)
        self.assertEqual(built.returncode, 0, built.stderr)
        with open(os.path.join(data, "captions.jsonl"), encoding="utf-8") as f:
            rows = [json.loads(line) for line in f]
        red_circle = {r["path"] for r in rows if any(o["shape"] == "circle" and o["color"] == "red" for o in r["objects"])}
        self.assertGreaterEqual(len(red_circle), 3)
        found = self.run_cli("search", "--index", index, "--text", "红色的圆形", "-k", "6", "--json")
        self.assertEqual(found.returncode, 0, found.stderr)
        hits = [h["source"] for h in json.loads(found.stdout)]
        self.assertIn(hits[0], red_circle, hits)
        self.assertGreaterEqual(len(red_circle.intersection(hits)), 3, hits)

    def test_only_the_precisions_asked_for_are_fetched_and_split(self):
        p = self.fetch(CATALOG_NAME, "--catalog", self.catalog(), "--out", self.out, "--precision", "int8")
        self.assertEqual(p.returncode, 0, p.stderr)
        fetched = {r["path"].rsplit("/", 1)[-1] for r in self.requests()}
        self.assertEqual(fetched, {"model_quantized.onnx", "vocab.txt"})
        m = self.manifest()
        self.assertEqual(list(m["text"]["variants"]), ["int8"])
        self.assertEqual(list(m["vision"]["variants"]), ["int8"])
        self.assertFalse(os.path.exists(os.path.join(self.out, "onnx", "text_model.onnx")))

    def test_a_fused_file_that_is_not_onnx_is_refused_naming_it(self):
        e = self.entry()
        broken = os.path.join(self.repo, "onnx", "model_broken.onnx")
        e["fused"] = {"int8": {"path": "onnx/model_broken.onnx", "sha256": sha256_of(broken),
                               "bytes": os.path.getsize(broken)}}
        for key in ("text", "vision"):
            del e["model"][key]["variants"]["fp32"]
        p = self.fetch(CATALOG_NAME, "--catalog", self.catalog(e), "--out", self.out)
        self.assert_failed_with(p, "onnx/model_broken.onnx: model: malformed protobuf at byte")
        self.assertFalse(os.path.exists(os.path.join(self.out, "model.json")))
        self.assertFalse(os.path.exists(os.path.join(self.out, "onnx", "text_model_quantized.onnx")))

    def test_a_tower_output_the_fused_graph_lacks_is_refused(self):
        e = self.entry()
        e["model"]["text"]["output"] = "pooler_output"
        p = self.fetch(CATALOG_NAME, "--catalog", self.catalog(e), "--out", self.out, "--precision", "int8")
        self.assert_failed_with(p, "onnx/model_quantized.onnx: the graph has no output 'pooler_output' (it has "
                                   "logits_per_image, logits_per_text, text_embeds, image_embeds)")

    def test_catalog_entries_with_fused_graphs_are_checked(self):
        e = self.entry()
        e["model"]["text"]["variants"]["fp32"]["sha256"] = "0" * 64
        p = self.fetch("--list", "--catalog", self.catalog(e))
        self.assert_failed_with(p, "fused makes onnx/text_model.onnx by splitting, so the entry cannot give its sha256")
        e = self.entry()
        del e["fused"]["int8"]
        p = self.fetch("--list", "--catalog", self.catalog(e))
        self.assert_failed_with(p, "fused must list exactly the precisions of model.text and model.vision")
        e = self.entry()
        del e["fused"]["fp32"]["sha256"]
        p = self.fetch("--list", "--catalog", self.catalog(e))
        self.assert_failed_with(p, "verified is true, but onnx/model.onnx has no published sha256 and size")

    def test_the_real_catalog_lists_the_chinese_model(self):
        p = self.fetch("--list", "--catalog", os.path.join(SRC, "models", "catalog.json"))
        self.assertEqual(p.returncode, 0, p.stderr)
        block = p.stdout.split(CATALOG_NAME, 1)[1].split("\n\n")[0]
        self.assertIn("precisions: fp32 int8 (one fused graph each, split into towers on arrival)", block)
        self.assertIn("f26904860903e70e050b8f48255e5f48401816e9", block)
        self.assertNotIn("unverified", block.split("licence")[0])


if __name__ == "__main__":
    unittest.main()
