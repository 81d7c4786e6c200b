#!/usr/bin/python3
"""`clipsearch fetch-model` end to end: the real binary against a real HTTP
server on 127.0.0.1 (tests/tools/http_test_server.py) serving stand-ins
exported the way the published files were (models/standins/make_standins.py)
in the exact layout of the Hugging Face repositories Xenova/clip-vit-base-patch32
("clip-like") and Xenova/mobileclip_s0 ("mobile-like"), plus the bundled demo
model as another clipsearch folder.

The catalogs here are written like models/catalog.json: pinned revision,
every file's size and SHA-256, and "published numbers" (label probabilities
of models/reference/CLIP_rgb.png, computed by the stand-in generator with torch
and Pillow) that fetch-model's checks on arrival must reproduce.

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

sys.path.insert(0, os.path.join(SRC, "models"))
import model_fingerprint  # noqa: E402

TMP = test_tmp("fetch_model")
REVISION = "0123456789abcdef0123456789abcdef01234567"  # a pinned commit, as in models/catalog.json
CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]



class FetchModel(FetchTestCase):
    TMP = TMP

    @classmethod
    def setUpClass(cls):
        cls.published = cls.make_standins("make_standins.py", "standins.json", "--clipsearch", BIN)
        standins = cls.standins
        for name in ("clip-like", "mobile-like"):
            shutil.copytree(os.path.join(standins, name), cls.repo(name))
        demo = os.path.join(SRC, "models", "demo")
        shutil.copytree(demo, os.path.join(cls.www, "folder", "demo"))
        # Catalogs sit beside a reference/ folder, as models/catalog.json does.
        shutil.copytree(os.path.join(SRC, "models", "reference"), os.path.join(TMP, "reference"))
        cls.start_server()

    @classmethod
    def repo(cls, name, revision=REVISION):
        return os.path.join(cls.www, "Xenova", name, "resolve", revision)

    # --- helpers -----------------------------------------------------------

    def entry(self, name="clip-like", prefix="", probs=None, verified=True, **changes):
        """A catalog entry for a served stand-in, in models/catalog.json's form."""
        pub = self.published["repos"][name]
        files = pub["files"]
        img = pub["image"]

        def f(rel):
            e = {"path": rel}
            if verified:
                e.update(sha256=files[rel]["sha256"], bytes=files[rel]["bytes"])
            return e

        def enc(stem):
            return {"variants": {p: f("onnx/%s%s.onnx" % (stem, s))
                                 for p, s in (("fp32", ""), ("fp16", "_fp16"), ("int8", "_quantized"))}}
        fixed = name == "mobile-like"
        text = enc("text_model")
        text.update(output="text_embeds",
                    input={"length": "fixed", "pad_id": 0, "pooling": "none"} if fixed
                    else {"length": "variable", "pad_id": 49407, "pooling": "argmax"})
        if fixed:
            text["inputs"] = ["input_ids"]  # else read from the graph on arrival
        vision = enc("vision_model")
        vision.update(inputs=["pixel_values"], output="image_embeds")
        tokenizer = ({"kind": "tokenizer_json", "files": [f("tokenizer.json")]} if fixed else
                     {"kind": "vocab_merges", "files": [f("vocab.json"), f("merges.txt")]})
        tokenizer["context_length"] = 77
        model = {"format": 1, "name": name, "embedding_dim": pub["embedding_dim"], "logit_scale": 100,
                 "text": text, "vision": vision, "tokenizer": tokenizer,
                 "image": {"size": img["size"], "resample": img["resample"], "mean": img["mean"], "std": img["std"]},
                 "preferred_precision": {"webgpu": "fp16", "wasm": "int8", "cpu": "fp32"}}
        e = {"name": name, "aliases": ["test/" + name], "description": "stand-in", "license": "test",
             "base_url": self.base + prefix + "Xenova/%s/resolve/{revision}/" % name, "revision": REVISION,
             "verified": verified, "model": model,
             "checks": {"labels": {"image": "reference/CLIP_rgb.png", "texts": self.published["labels"],
                                   "probs": probs or pub["label_probs"], "max_abs_error": 0.01,
                                   "source": "models/standins/make_standins.py"}}}
        for k, v in changes.items():
            e[k] = v
        return e

    def catalog(self, *entries):
        path = os.path.join(TMP, "catalog-%s.json" % self._testMethodName)
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"format": 1, "models": list(entries) or [self.entry()]}, f)
        return path

    # --- catalog fetches, checked on arrival ----------------------------------

    def test_catalog_fetch_verifies_checks_and_writes_model_json(self):
        p = self.fetch("test/clip-like", "--catalog", self.catalog(), "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.strip(), self.out + "/model.json")
        self.assertIn("(verified)", p.stderr)
        # The published label probabilities, reproduced and printed.
        self.assertIn("check: reference/CLIP_rgb.png label probabilities", p.stderr)
        self.assertIn("checks on arrival passed", p.stderr)
        m = self.manifest()
        self.assertEqual(m["name"], "clip-like")
        for key in ("text", "vision"):
            self.assertEqual(sorted(m[key]["variants"]), ["fp16", "fp32", "int8"])
            for entry in m[key]["variants"].values():
                path = os.path.join(self.out, entry["path"])
                self.assertEqual(entry["sha256"], sha256_of(path))
                self.assertEqual(entry["bytes"], os.path.getsize(path))
        self.assertEqual(m["text"]["inputs"], ["input_ids"])  # read from the graph: the catalog left it out
        self.assertEqual(m["text"]["input"], {"length": "variable", "pad_id": 49407, "pooling": "argmax"})
        self.assertEqual(m["preferred_precision"]["webgpu"], "fp16")
        self.assertEqual(m["source"]["revision"], REVISION)
        self.assertEqual(m["fingerprint"], model_fingerprint.fingerprint(m))  # C++ and Python agree
        self.assertIn(model_fingerprint.legacy_fingerprint_v1(m), m["accepted_fingerprints"])
        # fp16 (float16 inside) and int8 (dynamic quantisation) measured against fp32.
        self.assertEqual(sorted(m["agreement"]), ["fp16", "int8"])
        self.assertGreater(m["agreement"]["fp16"], 0.999)
        self.assertGreater(m["agreement"]["int8"], 0.9)
        self.assertLessEqual(m["agreement"]["int8"], m["agreement"]["fp16"])
        self.assertFalse([f for f in os.listdir(os.path.join(self.out, "onnx")) if f.endswith(".part")])

        # A second run finds everything in place and downloads nothing.
        open(self.log, "w").close()
        again = self.fetch("clip-like", "--catalog", self.catalog(), "--out", self.out)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("already here", again.stderr)
        self.assertEqual(self.requests(), [])
        self.assertEqual(self.manifest()["fingerprint"], m["fingerprint"])

    def test_fixed_length_tower_is_fed_77_ids_padded_with_0(self):
        p = self.fetch("test/mobile-like", "--catalog", self.catalog(self.entry("mobile-like")), "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("checks on arrival passed", p.stderr)
        m = self.manifest()
        self.assertEqual(m["text"]["input"], {"length": "fixed", "pad_id": 0, "pooling": "none"})
        self.assertEqual(m["image"]["size"], 256)
        self.assertEqual(m["image"]["resample"], "bilinear")

    def test_wrong_padding_changes_the_embedding_and_is_refused(self):
        # The same graphs described as padded with 49407: the non-causal tower
        # sees the padding, so the published probabilities are not reproduced.
        e = self.entry("mobile-like")
        e["model"]["text"]["input"] = {"length": "fixed", "pad_id": 49407, "pooling": "none"}
        p = self.fetch("test/mobile-like", "--catalog", self.catalog(e), "--out", self.out)
        self.assert_failed_with(p, "failed its checks on arrival: label probabilities of reference/CLIP_rgb.png differ")
        self.assertFalse(os.path.exists(os.path.join(self.out, "model.json")))
        self.assertTrue(os.path.exists(os.path.join(self.out, "model.json.rejected")))

    def test_a_model_that_does_not_reproduce_the_published_numbers_is_refused(self):
        right = self.published["repos"]["clip-like"]["label_probs"]
        wrong = right[1:] + right[:1]  # the same numbers on other labels
        catalog = self.catalog(self.entry(probs=wrong))
        p = self.fetch("clip-like", "--catalog", catalog, "--out", self.out)
        self.assertIn("check: reference/CLIP_rgb.png label probabilities", p.stderr)  # the figures are printed
        self.assert_failed_with(p, "label probabilities of reference/CLIP_rgb.png differ from the published ones")
        self.assertIn("--no-verify", p.stderr.strip().splitlines()[-1])
        self.assertFalse(os.path.exists(os.path.join(self.out, "model.json")))
        # --no-verify keeps it, and says why it would have been refused.
        kept = self.fetch("clip-like", "--catalog", catalog, "--out", self.out, "--no-verify")
        self.assertEqual(kept.returncode, 0, kept.stderr)
        self.assertIn("kept although it failed its checks on arrival (--no-verify)", kept.stderr)
        self.assertTrue(os.path.exists(os.path.join(self.out, "model.json")))

    def test_a_catalog_graph_that_does_not_match_is_refused_naming_both(self):
        e = self.entry()
        e["model"]["vision"]["output"] = "pooler_output"
        p = self.fetch("clip-like", "--catalog", self.catalog(e), "--out", self.out)
        self.assert_failed_with(p, "model.json's vision names inputs [pixel_values] and output pooler_output; "
                                   "the graph has inputs [pixel_values] and outputs [image_embeds, last_hidden_state]")

    def test_unverified_entries_need_allow_unverified(self):
        catalog = self.catalog(self.entry(verified=False))
        p = self.fetch("clip-like", "--catalog", catalog, "--out", self.out)
        self.assert_failed_with(p, "clip-like is unverified")
        self.assertEqual(self.requests(), [])
        p = self.fetch("clip-like", "--catalog", catalog, "--out", self.out, "--allow-unverified")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("(recorded: none published to check)", p.stderr)

    def test_a_verified_entry_must_give_every_hash(self):
        e = self.entry()
        del e["model"]["tokenizer"]["files"][1]["sha256"]
        p = self.fetch("--list", "--catalog", self.catalog(e))
        self.assert_failed_with(p, "verified is true, but merges.txt has no published sha256 and size")

    # --- downloads ---------------------------------------------------------

    def test_dropped_connection_is_resumed_not_restarted(self):
        p = self.fetch("clip-like", "--catalog", self.catalog(self.entry(prefix="drop-once/")), "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("resumed at", p.stderr)
        rel = "onnx/text_model.onnx"
        size = os.path.getsize(os.path.join(self.repo("clip-like"), rel))
        gets = [r for r in self.requests() if r["path"].endswith("/" + rel)]
        self.assertEqual(len(gets), 2, gets)
        self.assertTrue(gets[0].get("dropped"))
        self.assertEqual(gets[1]["range"], "bytes=%d-" % gets[0]["sent"])
        self.assertEqual(gets[0]["sent"] + gets[1]["sent"], size)  # no byte fetched twice

    def test_interrupted_run_is_resumed_by_the_next_run(self):
        catalog = self.catalog(self.entry(prefix="drop-once-interrupted/"))
        first = self.fetch("clip-like", "--catalog", catalog, "--out", self.out, "--attempts", "1")
        self.assert_failed_with(first, "run again to resume")
        self.assertFalse(os.path.exists(os.path.join(self.out, "model.json")))
        second = self.fetch("clip-like", "--catalog", catalog, "--out", self.out)
        self.assertEqual(second.returncode, 0, second.stderr)
        ranged = [r for r in self.requests() if r["range"] and not r["range"].startswith("bytes=0-")]
        self.assertTrue(ranged, "the second run did not resume with a Range request")

    def test_corrupted_file_fails_its_sha256_and_is_not_kept(self):
        p = self.fetch("clip-like", "--catalog", self.catalog(self.entry(prefix="corrupt/")), "--out", self.out)
        self.assert_failed_with(p, "SHA-256 mismatch")
        first = os.path.join(self.out, "onnx", "text_model.onnx")
        self.assertFalse(os.path.exists(first))
        self.assertFalse(os.path.exists(first + ".part"))
        self.assertFalse(os.path.exists(os.path.join(self.out, "model.json")))

    def test_missing_file_is_a_clear_404(self):
        p = self.fetch("clip-like", "--catalog", self.catalog(), "--out", self.out, "--revision", "no-such-revision")
        self.assertIn("instead of the pinned " + REVISION, p.stderr)
        self.assert_failed_with(p, "/Xenova/clip-like/resolve/no-such-revision/onnx/text_model.onnx: HTTP 404")

    def test_unknown_name_and_precision_are_refused(self):
        p = self.fetch("no-such-model", "--catalog", self.catalog(), "--out", self.out)
        self.assert_failed_with(p, 'no model "no-such-model" in the catalog (known: clip-like)')
        p = self.fetch("clip-like", "--catalog", self.catalog(), "--out", self.out, "--precision", "q4")
        self.assert_failed_with(p, 'unknown precision "q4"')
        self.assertEqual(self.requests(), [])

    def test_precision_subset_fetches_only_those_files(self):
        p = self.fetch("clip-like", "--catalog", self.catalog(), "--out", self.out, "--precision", "int8")
        self.assertEqual(p.returncode, 0, p.stderr)
        m = self.manifest()
        self.assertEqual(list(m["text"]["variants"]), ["int8"])
        self.assertEqual(set(m["preferred_precision"].values()), {"int8"})
        fetched = {r["path"].rsplit("/", 1)[-1] for r in self.requests()}
        self.assertNotIn("text_model.onnx", fetched)
        self.assertIn("text_model_quantized.onnx", fetched)

        # A dynamically quantised graph quantises the whole batch with one
        # scale, so int8 texts run one per run: a text embeds bit for bit as
        # it does alone, even among others of its length ("a dog", "a cat").
        def embed(*args, stdin=None):
            p = subprocess.run([BIN, "embed", "--model", self.out, "--device", "cpu", *args], input=stdin,
                               capture_output=True, text=True, check=True)
            return [json.loads(line) for line in p.stdout.splitlines()]
        batch = embed("--jsonl", stdin='"a dog"\n"a cat"\n"two people riding bicycles"\n')
        self.assertEqual(batch[0], embed("--text", "a dog")[0])
        self.assertEqual(batch[1], embed("--text", "a cat")[0])

    # --- --url -------------------------------------------------------------

    def test_url_of_a_transformers_js_export(self):
        url = self.base + "redirect/Xenova/clip-like/resolve/%s/" % REVISION
        p = self.fetch("--url", url, "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("(recorded: none published to check)", p.stderr)
        m = self.manifest()
        self.assertEqual(m["name"], "clip-like")  # from the URL
        self.assertEqual(m["tokenizer"]["kind"], "vocab_merges")
        self.assertEqual(m["image"]["size"], 224)  # from preprocessor_config.json
        self.assertEqual(m["image"]["mean"], [0.48145467, 0.4578275, 0.40821072])
        self.assertEqual((m["text"]["inputs"], m["text"]["output"]), (["input_ids"], "text_embeds"))  # from the graph
        self.assertEqual(m["text"]["input"]["length"], "variable")
        self.assertEqual(m["embedding_dim"], 32)  # from the graphs
        self.assertEqual(sorted(m["agreement"]), ["fp16", "int8"])  # no published numbers: agreement instead
        self.assertEqual(m["source"]["base_url"], url)

    def test_url_of_a_mobileclip_style_export_reads_its_padding(self):
        url = self.base + "Xenova/mobile-like/resolve/%s/" % REVISION
        p = self.fetch("--url", url, "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("tokenizer.json pads every text to 77 ids with 0", p.stderr)
        m = self.manifest()
        self.assertEqual(m["tokenizer"]["kind"], "tokenizer_json")
        self.assertEqual(m["text"]["input"]["length"], "fixed")
        self.assertEqual(m["text"]["input"]["pad_id"], 0)
        self.assertEqual(m["image"]["resample"], "bilinear")
        self.assertEqual((m["image"]["mean"], m["image"]["std"]), ([0, 0, 0], [1, 1, 1]))

    def test_image_size_the_graph_does_not_take_is_refused(self):
        name = "wrong-size"
        repo = os.path.join(self.www, "Xenova", name, "resolve", REVISION)
        shutil.rmtree(os.path.join(self.www, "Xenova", name), ignore_errors=True)
        shutil.copytree(self.repo("clip-like"), repo)
        with open(os.path.join(repo, "preprocessor_config.json"), "w", encoding="utf-8") as f:
            json.dump({"size": {"shortest_edge": 256}, "crop_size": 256}, f)
        p = self.fetch("--url", self.base + "Xenova/%s/resolve/%s/" % (name, REVISION), "--out", self.out)
        self.assert_failed_with(p, "model.json says images are 256x256 RGB, [batch, 3, 256, 256], but the graph's "
                                   "input 'pixel_values' is [?, 3, 224, 224]")
        self.assertFalse(os.path.exists(os.path.join(self.out, "model.json")))

    def test_bundled_demo_model_served_over_http_keeps_its_fingerprint(self):
        with open(os.path.join(SRC, "models", "demo", "model.json"), encoding="utf-8") as f:
            demo = json.load(f)
        p = self.fetch("--url", self.base + "folder/demo/", "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("(verified)", p.stderr)
        self.assertEqual(self.manifest()["fingerprint"], demo["fingerprint"])
        self.assertEqual(self.manifest()["accepted_fingerprints"], demo["accepted_fingerprints"])

    def test_list_names_the_catalog_models(self):
        p = self.fetch("--list", "--catalog", os.path.join(SRC, "models", "catalog.json"))
        self.assertEqual(p.returncode, 0, p.stderr)
        for name in ("clip-vit-base-patch32", "clip-vit-base-patch16", "mobileclip-s0"):
            self.assertIn(name, p.stdout)
        self.assertIn("mobileclip-s0", [l for l in p.stdout.splitlines() if "unverified" in l][0] + "mobileclip-s0")


    # --- the online acceptance test (tools/test-online.sh) up to the network --

    def online_test(self, catalog, timeout=600):
        env = dict(os.environ, CLIPSEARCH_ONLINE_CATALOG=catalog,
                   CLIPSEARCH_BUILD_DIR=os.path.dirname(os.path.dirname(os.path.abspath(BIN))))
        return subprocess.run(["bash", os.path.join(SRC, "tools", "test-online.sh"), self.out],
                              capture_output=True, text=True, timeout=timeout, env=env)

    def test_online_test_skips_cleanly_without_network(self):
        e = self.entry()
        e["base_url"] = "http://127.0.0.1:9/Xenova/clip-like/resolve/{revision}/"  # the discard port: nothing answers
        p = self.online_test(self.catalog(e), timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stdout.startswith("skipped: no network ("), p.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.out, "clip-like")))

    @unittest.skipUnless(os.environ.get("CLIPSEARCH_WEB_DIR"), "needs the built page and Chromium: ctest web_online_mirror")
    def test_online_test_passes_on_a_mirror_of_the_published_layout(self):
        # Every catalog entry, verified or not, fetched and checked on arrival
        # by the script, then run in headless Chromium on both backends.
        catalog = self.catalog(self.entry(), self.entry("mobile-like", verified=False))
        p = self.online_test(catalog)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("fetch-model mobile-like --allow-unverified", p.stderr)
        self.assertEqual(p.stderr.count("checks on arrival passed"), 2, p.stderr)
        online = [l for l in p.stdout.splitlines() if "ONLINE " in l]
        print("\n".join(online))
        self.assertEqual(len(online), 4, p.stdout)  # 2 models x 2 backends
        self.assertIn("test-online: all 2 models passed in the CLI and the page", p.stdout)


if __name__ == "__main__":
    unittest.main()