#!/usr/bin/python3
"""`clipsearch fetch-model` end to end: the real binary against a real HTTP
server on 127.0.0.1 (tests/tools/http_test_server.py) serving a model in the
layout of the Hugging Face Xenova/* repositories, built at test time from a
tiny CLIP-shaped model (make_tiny_clip.py) and, when it is there, the bundled
demo model.

Environment (set by CTest): CLIPSEARCH_BIN, CLIPSEARCH_SOURCE_DIR,
CLIPSEARCH_TEST_TMP.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import unittest

BIN = os.environ.get("CLIPSEARCH_BIN", "clipsearch")
SRC = os.environ.get("CLIPSEARCH_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "../../..")))
TMP = os.path.join(os.environ.get("CLIPSEARCH_TEST_TMP", "/tmp/clipsearch-tests"), "fetch_model")
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
sys.path.insert(0, os.path.join(SRC, "models"))
import model_fingerprint  # noqa: E402

XENOVA_SUFFIX = {"fp32": "", "fp16": "_fp16", "int8": "_quantized"}


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def clip_bpe_to_vocab_merges(bpe_path, out_dir):
    """The Hugging Face form (vocab.json + merges.txt) of OpenAI's BPE file."""
    printable = [*range(ord("!"), ord("~") + 1), *range(0xA1, 0xAC + 1), *range(0xAE, 0xFF + 1)]
    byte_chars, extra = {}, 0
    for b in range(256):
        if b in printable:
            byte_chars[b] = chr(b)
        else:
            byte_chars[b] = chr(256 + extra)
            extra += 1
    with open(bpe_path, encoding="utf-8") as f:
        merges = f.read().split("\n")[1:49152 - 256 - 2 + 1]
    symbols = [byte_chars[b] for b in sorted(byte_chars, key=lambda b: (b not in printable, b))]
    vocab = symbols + [s + "</w>" for s in symbols] + ["".join(m.split()) for m in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    with open(os.path.join(out_dir, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump({tok: i for i, tok in enumerate(vocab)}, f, ensure_ascii=False)
    with open(os.path.join(out_dir, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "\n".join(merges) + "\n")


def build_xenova_repo(model_dir, repo):
    """Lays a model folder out as a transformers.js export on Hugging Face."""
    with open(os.path.join(model_dir, "model.json"), encoding="utf-8") as f:
        m = json.load(f)
    os.makedirs(os.path.join(repo, "onnx"), exist_ok=True)
    for key in ("text", "vision"):
        for precision, entry in m[key]["variants"].items():
            shutil.copyfile(os.path.join(model_dir, entry["path"]),
                            os.path.join(repo, "onnx", "%s_model%s.onnx" % (key, XENOVA_SUFFIX[precision])))
    tok = m["tokenizer"]
    paths = [os.path.join(model_dir, f["path"] if isinstance(f, dict) else f) for f in tok["files"]]
    if tok["kind"] == "bpe_simple_vocab":
        clip_bpe_to_vocab_merges(paths[0], repo)
    elif tok["kind"] == "vocab_merges":
        shutil.copyfile(paths[0], os.path.join(repo, "vocab.json"))
        shutil.copyfile(paths[1], os.path.join(repo, "merges.txt"))
    else:
        shutil.copyfile(paths[0], os.path.join(repo, "tokenizer.json"))
    img = m["image"]
    with open(os.path.join(repo, "preprocessor_config.json"), "w", encoding="utf-8") as f:
        json.dump({"crop_size": {"height": img["size"], "width": img["size"]}, "do_center_crop": True,
                   "do_normalize": True, "do_rescale": True, "do_resize": True,
                   "image_mean": img["mean"], "image_std": img["std"],
                   "resample": 3 if img.get("resample", "bicubic") == "bicubic" else 2,
                   "rescale_factor": 1 / 255, "size": {"shortest_edge": img["size"]}}, f)
    return m


class FetchModel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(TMP, ignore_errors=True)
        os.makedirs(TMP)
        cls.www = os.path.join(TMP, "www")
        cls.tiny = os.path.join(TMP, "tiny-clip")
        subprocess.run([PYTHON, os.path.join(os.path.dirname(__file__), "make_tiny_clip.py"), cls.tiny], check=True)
        cls.repo = os.path.join(cls.www, "tiny-clip", "resolve", "main")
        cls.source = build_xenova_repo(cls.tiny, cls.repo)
        shutil.copytree(cls.tiny, os.path.join(cls.www, "folder", "tiny-clip"))
        demo = os.path.join(SRC, "models", "demo")
        cls.has_demo = os.path.isfile(os.path.join(demo, "model.json"))
        if cls.has_demo:
            shutil.copytree(demo, os.path.join(cls.www, "folder", "demo"))
        cls.log = os.path.join(TMP, "requests.jsonl")
        cls.server = subprocess.Popen([PYTHON, os.path.join(SRC, "tests", "tools", "http_test_server.py"),
                                       "--root", cls.www, "--log", cls.log], stdout=subprocess.PIPE, text=True)
        line = cls.server.stdout.readline()
        assert line.startswith("PORT "), line
        cls.base = "http://127.0.0.1:%d/" % int(line.split()[1])

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()
        cls.server.wait()

    def setUp(self):
        self.out = os.path.join(TMP, "out", self._testMethodName)
        shutil.rmtree(self.out, ignore_errors=True)
        open(self.log, "w").close()  # each test reads only its own requests

    # --- helpers -----------------------------------------------------------

    def repo_file(self, rel):
        return os.path.join(self.repo, rel)

    def catalog(self, prefix="", known=True):
        """A catalog naming the served repo; `prefix` selects server faults."""
        model = {"format": 1, "name": "tiny-clip", "embedding_dim": self.source["embedding_dim"],
                 "logit_scale": 100, "image": self.source["image"],
                 "tokenizer": {"kind": "vocab_merges", "files": [], "context_length": 77},
                 "preferred_precision": {"webgpu": "fp16", "wasm": "int8", "cpu": "fp32"}}
        for rel in ("vocab.json", "merges.txt"):
            model["tokenizer"]["files"].append(
                {"path": rel, "sha256": sha256_of(self.repo_file(rel)) if known else ""})
        for key, inp, outp in (("text", "input_ids", "text_embeds"), ("vision", "pixel_values", "image_embeds")):
            variants = {}
            for precision, suffix in XENOVA_SUFFIX.items():
                rel = "onnx/%s_model%s.onnx" % (key, suffix)
                variants[precision] = {"path": rel, "sha256": sha256_of(self.repo_file(rel)) if known else "",
                                       "bytes": os.path.getsize(self.repo_file(rel)) if known else 0}
            model[key] = {"variants": variants, "inputs": [inp], "output": outp}
        path = os.path.join(TMP, "catalog-%s.json" % self._testMethodName)
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"format": 1, "models": [{
                "name": "tiny-clip", "aliases": ["test/tiny"], "description": "test model",
                "base_url": self.base + prefix + "tiny-clip/resolve/{revision}/", "revision": "main",
                "model": model}]}, f)
        return path

    def fetch(self, *args):
        return subprocess.run([BIN, "fetch-model", *args], capture_output=True, text=True, timeout=600)

    def assert_failed_with(self, p, text):
        self.assertNotEqual(p.returncode, 0, p.stderr)
        last = p.stderr.strip().splitlines()[-1]
        self.assertTrue(last.startswith("clipsearch fetch-model: "), p.stderr)
        self.assertIn(text, last)

    def manifest(self):
        with open(os.path.join(self.out, "model.json"), encoding="utf-8") as f:
            return json.load(f)

    def requests(self):
        with open(self.log, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    # --- tests -------------------------------------------------------------

    def test_catalog_fetch_verifies_and_writes_model_json(self):
        p = self.fetch("test/tiny", "--catalog", self.catalog(), "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.strip(), self.out + "/model.json")
        self.assertIn("(verified)", p.stderr)
        m = self.manifest()
        self.assertEqual(m["name"], "tiny-clip")
        self.assertEqual(m["embedding_dim"], self.source["embedding_dim"])
        for key in ("text", "vision"):
            self.assertEqual(sorted(m[key]["variants"]), ["fp16", "fp32", "int8"])
            for entry in m[key]["variants"].values():
                path = os.path.join(self.out, entry["path"])
                self.assertEqual(entry["sha256"], sha256_of(path))
                self.assertEqual(entry["bytes"], os.path.getsize(path))
                self.assertEqual(sha256_of(path), sha256_of(self.repo_file(entry["path"])))
        self.assertEqual(m["text"]["inputs"], self.source["text"]["inputs"])  # read from the graph
        self.assertEqual(m["vision"]["output"], "image_embeds")
        self.assertEqual(m["preferred_precision"]["webgpu"], "fp16")
        self.assertEqual(m["source"]["catalog"], "tiny-clip")
        self.assertEqual(m["fingerprint"], model_fingerprint.fingerprint(m))  # C++ and Python agree
        self.assertFalse([f for f in os.listdir(os.path.join(self.out, "onnx")) if f.endswith(".part")])

        # A second run finds everything in place and downloads nothing.
        open(self.log, "w").close()
        again = self.fetch("tiny-clip", "--catalog", self.catalog(), "--out", self.out)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("already here", again.stderr)
        self.assertEqual(self.requests(), [])
        self.assertEqual(self.manifest()["fingerprint"], m["fingerprint"])

    def test_dropped_connection_is_resumed_not_restarted(self):
        p = self.fetch("tiny-clip", "--catalog", self.catalog(prefix="drop-once/"), "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("resumed at", p.stderr)
        rel = "onnx/text_model.onnx"
        size = os.path.getsize(self.repo_file(rel))
        gets = [r for r in self.requests() if r["path"].endswith("/" + rel)]
        self.assertEqual(len(gets), 2, gets)
        self.assertTrue(gets[0].get("dropped"))
        self.assertEqual(gets[1]["range"], "bytes=%d-" % gets[0]["sent"])
        self.assertEqual(gets[0]["sent"] + gets[1]["sent"], size)  # no byte fetched twice
        self.assertEqual(sha256_of(os.path.join(self.out, rel)), sha256_of(self.repo_file(rel)))

    def test_interrupted_run_is_resumed_by_the_next_run(self):
        catalog = self.catalog(prefix="drop-once-interrupted/")
        first = self.fetch("tiny-clip", "--catalog", catalog, "--out", self.out, "--attempts", "1")
        self.assert_failed_with(first, "run again to resume")
        self.assertFalse(os.path.exists(os.path.join(self.out, "model.json")))
        second = self.fetch("tiny-clip", "--catalog", catalog, "--out", self.out)
        self.assertEqual(second.returncode, 0, second.stderr)
        ranged = [r for r in self.requests() if r["range"] and not r["range"].startswith("bytes=0-")]
        self.assertTrue(ranged, "the second run did not resume with a Range request")
        self.assertEqual(self.manifest()["fingerprint"], model_fingerprint.fingerprint(self.manifest()))

    def test_corrupted_file_fails_its_sha256_and_is_not_kept(self):
        p = self.fetch("tiny-clip", "--catalog", self.catalog(prefix="corrupt/"), "--out", self.out)
        self.assert_failed_with(p, "SHA-256 mismatch")
        first = os.path.join(self.out, "onnx", "text_model.onnx")
        self.assertFalse(os.path.exists(first))
        self.assertFalse(os.path.exists(first + ".part"))
        self.assertFalse(os.path.exists(os.path.join(self.out, "model.json")))

    def test_missing_file_is_a_clear_404(self):
        p = self.fetch("tiny-clip", "--catalog", self.catalog(), "--out", self.out,
                       "--revision", "no-such-revision")
        self.assert_failed_with(p, "/tiny-clip/resolve/no-such-revision/onnx/text_model.onnx: HTTP 404")

    def test_unknown_name_and_precision_are_refused(self):
        p = self.fetch("no-such-model", "--catalog", self.catalog(), "--out", self.out)
        self.assert_failed_with(p, 'no model "no-such-model" in the catalog (known: tiny-clip)')
        p = self.fetch("tiny-clip", "--catalog", self.catalog(), "--out", self.out, "--precision", "q4")
        self.assert_failed_with(p, 'unknown precision "q4"')
        self.assertEqual(self.requests(), [])

    def test_precision_subset_fetches_only_those_files(self):
        p = self.fetch("tiny-clip", "--catalog", self.catalog(), "--out", self.out, "--precision", "int8")
        self.assertEqual(p.returncode, 0, p.stderr)
        m = self.manifest()
        self.assertEqual(list(m["text"]["variants"]), ["int8"])
        self.assertEqual(set(m["preferred_precision"].values()), {"int8"})
        fetched = {r["path"].rsplit("/", 1)[-1] for r in self.requests()}
        self.assertNotIn("text_model.onnx", fetched)
        self.assertIn("text_model_quantized.onnx", fetched)

    def test_url_of_a_transformers_js_export(self):
        url = self.base + "redirect/tiny-clip/resolve/main/"
        p = self.fetch("--url", url, "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("(recorded: none published to check)", p.stderr)
        m = self.manifest()
        self.assertEqual(m["name"], "tiny-clip")  # from the URL
        self.assertEqual(m["tokenizer"]["kind"], "vocab_merges")
        self.assertEqual(m["image"]["size"], self.source["image"]["size"])  # from preprocessor_config.json
        self.assertEqual(sorted(m["vision"]["variants"]), ["fp16", "fp32", "int8"])
        self.assertEqual(m["embedding_dim"], self.source["embedding_dim"])  # from the graphs
        self.assertEqual(m["source"]["base_url"], url)

    def variant_repo(self, name, preprocessor):
        """The served repo under another name, with tokenizer.json instead of
        vocab.json + merges.txt and the given preprocessor_config.json."""
        repo = os.path.join(self.www, name, "resolve", "main")
        shutil.rmtree(os.path.join(self.www, name), ignore_errors=True)
        shutil.copytree(os.path.join(self.repo, "onnx"), os.path.join(repo, "onnx"))
        with open(self.repo_file("vocab.json"), encoding="utf-8") as f:
            vocab = json.load(f)
        with open(self.repo_file("merges.txt"), encoding="utf-8") as f:
            merges = [line for line in f.read().split("\n")[1:] if line]
        with open(os.path.join(repo, "tokenizer.json"), "w", encoding="utf-8") as f:
            json.dump({"version": "1.0", "model": {"type": "BPE", "vocab": vocab, "merges": merges}}, f)
        with open(os.path.join(repo, "preprocessor_config.json"), "w", encoding="utf-8") as f:
            json.dump(preprocessor, f)
        return self.base + name + "/resolve/main/"

    def test_url_of_a_mobileclip_style_export(self):
        side = self.source["image"]["size"]
        url = self.variant_repo("tiny-mobile", {
            "crop_size": {"height": side, "width": side}, "do_center_crop": True, "do_convert_rgb": True,
            "do_normalize": False, "do_rescale": True, "do_resize": True, "resample": 2,
            "rescale_factor": 0.00392156862745098, "size": {"shortest_edge": side}})
        p = self.fetch("--url", url, "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        m = self.manifest()
        self.assertEqual(m["name"], "tiny-mobile")
        self.assertEqual(m["tokenizer"]["kind"], "tokenizer_json")
        self.assertEqual(m["image"]["resample"], "bilinear")
        self.assertEqual((m["image"]["mean"], m["image"]["std"]), ([0, 0, 0], [1, 1, 1]))
        self.assertNotEqual(m["fingerprint"], self.source["fingerprint"])

    def test_image_size_the_graph_does_not_take_is_refused(self):
        url = self.variant_repo("tiny-wrong-size", {"size": {"shortest_edge": 224}, "crop_size": 224})
        p = self.fetch("--url", url, "--out", self.out)
        side = self.source["image"]["size"]
        self.assert_failed_with(p, "model.json says images are 224x224 RGB, [batch, 3, 224, 224], but the graph's "
                                   "input 'pixel_values' is [?, 3, %d, %d]" % (side, side))
        self.assertFalse(os.path.exists(os.path.join(self.out, "model.json")))

    def test_url_of_another_clipsearch_model_keeps_its_fingerprint(self):
        p = self.fetch("--url", self.base + "folder/tiny-clip", "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("(verified)", p.stderr)
        self.assertEqual(self.manifest()["fingerprint"], self.source["fingerprint"])

    def test_bundled_demo_model_served_over_http(self):
        if not self.has_demo:
            self.skipTest("models/demo is not there yet")
        with open(os.path.join(SRC, "models", "demo", "model.json"), encoding="utf-8") as f:
            demo = json.load(f)
        p = self.fetch("--url", self.base + "folder/demo/", "--out", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.manifest()["fingerprint"], demo["fingerprint"])

    def test_check_agreement_measures_each_precision(self):
        p = self.fetch("tiny-clip", "--catalog", self.catalog(), "--out", self.out, "--check-agreement")
        self.assertEqual(p.returncode, 0, p.stderr)
        agreement = self.manifest()["agreement"]
        self.assertEqual(sorted(agreement), ["fp16", "int8"])
        # Rounding to int8 moves embeddings more than rounding to fp16; both stay close.
        self.assertGreater(agreement["int8"], 0.9)
        self.assertLess(agreement["int8"], 1.0)
        self.assertGreaterEqual(agreement["fp16"], agreement["int8"])
        self.assertIn("agreement int8 vision: lowest cosine to fp32", p.stderr)

    def test_list_names_the_catalog_models(self):
        p = self.fetch("--list", "--catalog", os.path.join(SRC, "models", "catalog.json"))
        self.assertEqual(p.returncode, 0, p.stderr)
        for name in ("clip-vit-base-patch32", "clip-vit-base-patch16", "mobileclip-s0"):
            self.assertIn(name, p.stdout)


if __name__ == "__main__":
    unittest.main()
