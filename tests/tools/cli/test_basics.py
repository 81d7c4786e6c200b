#!/usr/bin/python3
"""clipsearch's small commands: --help and the one-line error convention,
tokenize, preprocess, embed, demo-data, finding the default model, and no
ONNX Runtime telemetry."""
import json
import math
import os
import struct
import unittest

from clitest import DATA, MODEL, CliTestCase, tool_env, write_photo

COMMANDS = ["tokenize", "preprocess", "embed", "index", "search", "verify", "info", "merge", "demo-data",
            "fetch-model"]


class HelpAndErrors(CliTestCase):
    def test_every_command_has_help(self):
        top = self.cli("--help").stdout
        for name in COMMANDS:
            self.assertIn(name, top)
            out = self.cli(name, "--help").stdout
            self.assertIn("Usage", out, name)

    def test_usage_errors_are_one_line(self):
        self.cli_fails("no-such-command")
        self.cli_fails("index", "--input", "x")  # --out missing
        self.cli_fails("embed", "--text", "a", "--image", "b")
        self.cli_fails("embed", "--text", "a", "--device", "tpu")

    def test_run_errors_name_the_file(self):
        _, reason = self.cli_fails("embed", "--image", self.path("missing.jpg"))
        self.assertIn("missing.jpg", reason)
        _, reason = self.cli_fails("tokenize", "hi", "--model", self.path("nowhere"))
        self.assertIn("nowhere", reason)


class Tokenize(CliTestCase):
    def test_jsonl_gives_one_array_per_line_with_start_and_end_tokens(self):
        # Ids from Hugging Face's CLIP tokenizer (tests/data/tools/README.md).
        cases = [json.loads(l) for l in open(os.path.join(DATA, "tokenizer_cases.jsonl"), encoding="utf-8")]
        stdin = "".join(json.dumps(c["text"]) + "\n" for c in cases)
        lines = self.cli("tokenize", "--model", MODEL, "--jsonl", input=stdin).stdout.splitlines()
        self.assertEqual(len(lines), len(cases))
        for case, line in zip(cases, lines):
            self.assertEqual(json.loads(line), case["input_ids"], case["text"])

    def test_plain_text_argument_and_no_padding(self):
        ids = json.loads(self.cli("tokenize", "a red circle").stdout)
        self.assertEqual(ids[0], 49406)
        self.assertEqual(ids[-1], 49407)
        self.assertEqual(len(ids), 5)  # a, red, circle + start/end: no padding to 77

    def test_long_text_is_truncated_to_the_context_keeping_the_end_token(self):
        ids = json.loads(self.cli("tokenize", "dog " * 200).stdout)
        self.assertEqual(len(ids), 77)
        self.assertEqual(ids[-1], 49407)

    def test_a_line_that_is_not_a_json_string_fails_with_its_number(self):
        _, reason = self.cli_fails("tokenize", "--jsonl", input='"ok"\nnot json\n')
        self.assertIn("line 2", reason)


class Preprocess(CliTestCase):
    def test_crop_matches_the_reference_crops(self):
        from PIL import Image
        for name in ["gradient_400x300", "rgba_alpha_400x300", "panorama_1000x50"]:
            out = self.path(name + ".png")
            self.cli("preprocess", os.path.join(DATA, "preprocess", name + ".png"), "--crop-png", out)
            got = Image.open(out)
            want = Image.open(os.path.join(DATA, "preprocess", name + ".crop.png")).convert("RGB")
            self.assertEqual(got.size, (224, 224))
            self.assertEqual(got.mode, "RGB")
            self.assertEqual(list(got.getdata()), list(want.getdata()), name)

    def test_tensor_is_the_normalised_crop_in_nchw(self):
        from PIL import Image
        src = write_photo(self.path("p.jpg"), size=(300, 500), seed=3)
        crop_png, tensor = self.path("crop.png"), self.path("t.f32")
        info = json.loads(self.cli("preprocess", src, "--crop-png", crop_png, "--tensor", tensor).stdout)
        self.assertEqual((info["width"], info["height"]), (300, 500))
        crop = Image.open(crop_png)
        raw = open(tensor, "rb").read()
        self.assertEqual(len(raw), 3 * 224 * 224 * 4)
        mean, std = (0.48145466, 0.4578275, 0.40821073), (0.26862954, 0.26130258, 0.27577711)
        for (x, y) in [(0, 0), (111, 57), (223, 223), (5, 200)]:
            rgb = crop.getpixel((x, y))
            for c in range(3):
                (v,) = struct.unpack_from("<f", raw, 4 * (c * 224 * 224 + y * 224 + x))
                self.assertAlmostEqual(v, (rgb[c] / 255.0 - mean[c]) / std[c], places=5)

    def test_a_broken_image_fails_with_one_line(self):
        bad = self.path("bad.jpg")
        with open(bad, "wb") as f:
            f.write(b"\xff\xd8\xff\xe0 not really a jpeg")
        self.cli_fails("preprocess", bad, "--crop-png", self.path("o.png"), contains="bad.jpg")


class Embed(CliTestCase):
    def test_text_and_image_embeddings_are_unit_vectors_of_the_model_dim(self):
        dim = json.load(open(os.path.join(MODEL, "model.json")))["embedding_dim"]
        t = self.cli_json("embed", "--model", MODEL, "--text", "a red circle")
        i = self.cli_json("embed", "--model", MODEL, "--image", write_photo(self.path("a.png"), seed=1))
        for v in (t, i):
            self.assertEqual(len(v), dim)
            self.assertAlmostEqual(math.sqrt(sum(x * x for x in v)), 1.0, places=5)

    def test_jsonl_embeds_texts_in_batches_exactly_as_one_by_one(self):
        # "a red circle" and "a blue square" have equal token counts: one encoder run.
        texts = ["a red circle", "a blue square", "a dog", "two green stars on the left", ""]
        stdin = "".join(json.dumps(t) + "\n" for t in texts)
        rows = [json.loads(l) for l in self.cli("embed", "--jsonl", "--batch", "3", input=stdin).stdout.splitlines()]
        self.assertEqual(len(rows), len(texts))
        for text, row in zip(texts, rows):
            single = self.cli_json("embed", "--text", text)
            for a, b in zip(row, single):
                self.assertAlmostEqual(a, b, places=5)

    def test_same_input_same_vector(self):
        img = write_photo(self.path("a.jpg"), seed=2)
        self.assertEqual(self.cli_json("embed", "--image", img), self.cli_json("embed", "--image", img))


class Privacy(CliTestCase):
    def test_onnx_runtime_telemetry_is_off(self):
        # ONNX Runtime 1.29+ would keep its telemetry database (and device id)
        # under ~/.cache/Microsoft; the tool opts out before ORT starts.
        home = self.path("home")
        env = tool_env(HOME=home, XDG_CACHE_HOME=None, ORT_DISABLE_TELEMETRY=None)
        self.cli("embed", "--text", "a dog", env=env)
        self.assertFalse(os.path.exists(os.path.join(home, ".cache", "Microsoft")))


class DemoData(CliTestCase):
    def test_images_and_captions_depend_on_seed_and_number_only(self):
        from PIL import Image
        small, large, other = self.path("small"), self.path("large"), self.path("other")
        rows = self.demo_images(small, 3, seed=5)
        more = self.demo_images(large, 5, seed=5)
        self.demo_images(other, 3, seed=6)
        self.assertEqual([r["path"] for r in rows], ["images/%06d.png" % i for i in range(3)])
        self.assertEqual(more[:3], rows)  # the same rows whatever --count is
        for r in rows:
            self.assertTrue(r["caption"])
            # A Chinese caption beside the English one, with its own claims.
            self.assertRegex(r["caption_zh"], "^[\u4e00-\u9fff\uff1a\uff0c\uff1b]+$")
            self.assertTrue(r["describes_zh"])
            for o in r["objects"]:
                self.assertEqual(set(o), {"shape", "color", "size", "position"})
            with Image.open(os.path.join(small, r["path"])) as a, Image.open(os.path.join(large, r["path"])) as b, \
                    Image.open(os.path.join(other, r["path"])) as c:
                self.assertEqual((a.size, a.mode), ((224, 224), "RGB"))
                self.assertEqual(a.tobytes(), b.tobytes())  # pixel-identical
                self.assertNotEqual(a.tobytes(), c.tobytes())  # another seed, another picture


class DefaultModel(CliTestCase):
    def test_without_model_flag_or_environment_the_bundled_model_is_used(self):
        # The default is fixed at configure time: models/demo of the source tree.
        env = tool_env(CLIPSEARCH_MODEL=None)
        ids = json.loads(self.cli("tokenize", "a dog", env=env).stdout)
        self.assertEqual(ids, [49406, 320, 1929, 49407])
        self.assertEqual(len(self.cli_json("embed", "--text", "a dog", env=env)),
                         json.load(open(os.path.join(MODEL, "model.json")))["embedding_dim"])

    def test_the_environment_variable_overrides_the_default(self):
        env = tool_env(CLIPSEARCH_MODEL=self.path("no-model-here"))
        self.cli_fails("embed", "--text", "a dog", env=env, contains="no-model-here")


if __name__ == "__main__":
    unittest.main()
