"""clipsearch index --embeddings: an index built from vectors computed
elsewhere. From a .npy with JSONL or CSV metadata (an export of another
index), and from a clip-retrieval output folder built here the way
clip-retrieval writes one (img_emb/img_emb_N.npy in float16,
metadata/metadata_N.parquet with image_path and caption, Snappy-compressed)
from real images embedded with the demo model. Vectors that are not the
model's are refused with the figure; so are mismatched shapes.

    CLIPSEARCH_BIN=build/tools/clipsearch /usr/bin/python3 tests/tools/cli/test_import.py -v
"""
import csv
import json
import os
import shutil
import subprocess
import unittest

import numpy as np

from clitest import MODEL, SOURCE_DIR, CliTestCase, folder_written_by_another_run, read_jsonl

PHOTOS = os.path.join(SOURCE_DIR, "tests", "data", "image", "golden", "images")
NODE_MODULES = os.path.join(SOURCE_DIR, "node_modules")

# Writes a Parquet file with hyparquet-writer (npm), Snappy-compressed as
# pandas' to_parquet does by default: argv = OUT.parquet COLUMNS.json.
WRITE_PARQUET = """
import { readFileSync } from 'node:fs';
import { parquetWriteFile } from 'hyparquet-writer';
const [out, spec] = process.argv.slice(1);
const columns = JSON.parse(readFileSync(spec, 'utf8'));
parquetWriteFile({ filename: out, codec: 'SNAPPY',
  columnData: Object.entries(columns).map(([name, data]) => ({ name, data, type: 'STRING' })) });
"""


class ImportTest(CliTestCase):
    @classmethod
    def setUpClass(cls):
        cls.shared = CliTestCase("setUp")
        cls.shared.setUp()
        cls.folder = cls.shared.path("shapes")
        cls.shared.demo_images(cls.folder, 48, seed=21)
        # Real photos beside the shapes, so the check sees natural images too.
        for name in ("sk_chelsea.png", "sk_coffee.png", "sk_rocket.jpg"):
            shutil.copyfile(os.path.join(PHOTOS, name), os.path.join(cls.folder, "images", name))
        cls.index_dir = cls.shared.path("shapes.index")
        cls.shared.index("--input", os.path.join(cls.folder, "images"), "--out", cls.index_dir, "--shard-size", "20")
        # "Elsewhere": the vectors of that index, exported next to the images.
        cls.prefix = os.path.join(cls.folder, "images", "vectors")
        cls.shared.cli("export", "--index", cls.index_dir, "--out", cls.prefix)
        cls.vectors = np.load(cls.prefix + ".npy")
        cls.meta = read_jsonl(cls.prefix + ".jsonl")

    @classmethod
    def tearDownClass(cls):
        cls.shared.tearDown()

    def import_index(self, *args, out="imported.index", **kw):
        out = self.path(out)
        p = self.cli("index", "--device", "cpu", "--model", MODEL, "--out", out, *args, **kw)
        return out, p

    def top_ids(self, index_dir, text):
        return [h["id"] for h in self.search(index_dir, "--text", text, "-k", "5")]

    def test_npy_with_jsonl_gives_the_same_search(self):
        out, p = self.import_index("--embeddings", self.prefix + ".npy", "--metadata", self.prefix + ".jsonl")
        self.assertIn("the embeddings match model", p.stderr)
        self.assertIn("imported 51 vectors", p.stderr)
        m = self.manifest(out)
        self.assertEqual(m["count"], 51)
        self.assertEqual(m["model"]["fingerprint"], self.manifest(self.index_dir)["model"]["fingerprint"])
        for text in ("a red circle", "a blue square", "a green star on the left"):
            self.assertEqual(self.top_ids(out, text), self.top_ids(self.index_dir, text))
        # Thumbnails, sizes and hashes come from the listed images.
        hit = self.search(out, "--image", os.path.join(self.folder, "images", "sk_coffee.png"), "-k", "1",
                          "--exclude-self")
        self.assertNotEqual(hit[0]["id"], "sk_coffee.png")
        self.cli("verify", out)

    def test_csv_metadata_and_no_thumbnails(self):
        path = self.path("meta.csv")
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["id", "path", "caption"])
            for m in self.meta:
                w.writerow([m["id"], os.path.join(self.folder, "images", m["id"]), m["caption"]])
        out, _ = self.import_index("--embeddings", self.prefix + ".npy", "--metadata", path, "--no-thumbs")
        self.assertFalse(os.path.exists(os.path.join(out, "thumbs")))
        self.assertEqual(self.top_ids(out, "a yellow triangle"), self.top_ids(self.index_dir, "a yellow triangle"))

    def write_clip_retrieval(self, root, vectors, paths, captions, parts=2):
        """The layout clip-retrieval's writer makes: img_emb/img_emb_N.npy
        (float16) and metadata/metadata_N.parquet, N zero-padded."""
        os.makedirs(os.path.join(root, "img_emb"))
        os.makedirs(os.path.join(root, "metadata"))
        bounds = np.linspace(0, len(paths), parts + 1).astype(int)
        for n in range(parts):
            a, b = bounds[n], bounds[n + 1]
            np.save(os.path.join(root, "img_emb", "img_emb_%d.npy" % n), vectors[a:b].astype(np.float16))
            spec = self.path("columns-%d.json" % n)
            with open(spec, "w", encoding="utf-8") as f:
                json.dump({"image_path": paths[a:b], "caption": captions[a:b]}, f)
            subprocess.run(["node", "--input-type=module", "-e", WRITE_PARQUET,
                            os.path.join(root, "metadata", "metadata_%d.parquet" % n), spec],
                           check=True, env=dict(os.environ, NODE_PATH=NODE_MODULES), cwd=SOURCE_DIR)

    def test_clip_retrieval_folder(self):
        root = self.path("cr")
        paths = [os.path.join(self.folder, "images", m["id"]) for m in self.meta]
        captions = ["caption %d" % i for i in range(len(paths))]
        self.write_clip_retrieval(root, self.vectors, paths, captions)
        with open(os.path.join(root, "metadata", "metadata_0.parquet"), "rb") as f:
            self.assertEqual(f.read(4), b"PAR1")
        out, p = self.import_index("--metadata", root)
        self.assertIn("imported 51 vectors", p.stderr)
        print("clip-retrieval folder (float16): " + [l for l in p.stderr.splitlines() if "match model" in l][0])
        ids = set(self.all_ids(out))
        self.assertEqual(ids, set(paths), "ids are clip-retrieval's image_path")
        coffee = os.path.join(self.folder, "images", "sk_coffee.png")
        hit = self.search(out, "--image", coffee, "-k", "1")[0]
        self.assertEqual(hit["id"], coffee)
        self.assertGreater(hit["score"], 0.99)  # float16 and int8 lose little
        self.assertEqual(hit["caption"], captions[paths.index(coffee)])
        self.assertTrue(hit["thumb"].startswith("thumbs/"))

    def test_relative_image_paths_resolve_against_images_root(self):
        root = self.path("cr-relative")
        paths = [m["id"] for m in self.meta]  # relative to the images folder (the folder input's ids)
        self.write_clip_retrieval(root, self.vectors, paths, [""] * len(paths), parts=1)
        out, _ = self.import_index("--metadata", root, "--images-root", os.path.join(self.folder, "images"))
        self.assertEqual(self.search(out, "--image", os.path.join(self.folder, "images", "sk_rocket.jpg"),
                                     "-k", "1")[0]["id"], "sk_rocket.jpg")

    def test_vectors_of_another_kind_are_refused_with_the_figure(self):
        # clip-retrieval's text_emb mistaken for img_emb: the same model, the wrong tower.
        texts = np.asarray([self.cli_json("embed", "--text", "a picture of %s" % m["source"])
                            for m in self.meta[:51]], dtype=np.float32)
        wrong = self.path("text.npy")
        np.save(wrong, texts)
        _, reason = self.cli_fails("index", "--device", "cpu", "--model", MODEL, "--out", self.path("bad.index"),
                                   "--embeddings", wrong, "--metadata", self.prefix + ".jsonl",
                                   contains="do not come from model")
        print("text vectors as image vectors: " + reason)
        self.assertRegex(reason, r"median cosine -?0\.\d+ \(lowest -?\d\.\d+\) over 8 images, need >= 0\.90")
        self.assertFalse(os.path.exists(os.path.join(self.path("bad.index"), "manifest.json")))
        # Random directions: refused; imported only when the check is skipped on purpose.
        rng = np.random.default_rng(5)
        random_path = self.path("random.npy")
        np.save(random_path, rng.standard_normal(self.vectors.shape).astype(np.float32))
        self.cli_fails("index", "--device", "cpu", "--model", MODEL, "--out", self.path("bad2.index"),
                       "--embeddings", random_path, "--metadata", self.prefix + ".jsonl",
                       contains="do not come from model")
        out, _ = self.import_index("--embeddings", random_path, "--metadata", self.prefix + ".jsonl",
                                   "--skip-model-check", out="unchecked.index")
        self.assertEqual(self.manifest(out)["count"], 51)

    def test_shape_and_metadata_mistakes_are_refused(self):
        base = ["index", "--device", "cpu", "--model", MODEL, "--out", self.path("x.index")]
        short = self.path("short.npy")
        np.save(short, self.vectors[:50])
        self.cli_fails(*base, "--embeddings", short, "--metadata", self.prefix + ".jsonl",
                       contains="has 50 rows but")
        narrow = self.path("narrow.npy")
        np.save(narrow, self.vectors[:, :64])
        self.cli_fails(*base, "--embeddings", narrow, "--metadata", self.prefix + ".jsonl",
                       contains="vectors of 64 values")
        ints = self.path("ints.npy")
        np.save(ints, (self.vectors * 100).astype(np.int16))
        self.cli_fails(*base, "--embeddings", ints, "--metadata", self.prefix + ".jsonl", contains="'<i2'")
        self.cli_fails("index", "--device", "cpu", "--out", self.path("y.index"), "--embeddings",
                       self.prefix + ".npy", "--metadata", self.prefix + ".jsonl", contains="pass --model")
        self.cli_fails(*base, "--embeddings", self.prefix + ".npy", contains="needs --metadata")
        empty = self.path("empty-cr")
        os.makedirs(os.path.join(empty, "metadata"))
        self.cli_fails(*base, "--metadata", empty, contains="no metadata_N.parquet")
        broken = self.path("broken-cr")
        self.write_clip_retrieval(broken, self.vectors, [m["id"] for m in self.meta], [""] * 51, parts=1)
        with open(os.path.join(broken, "metadata", "metadata_0.parquet"), "r+b") as f:
            f.truncate(40)
        self.cli_fails(*base, "--metadata", broken, contains="not a readable Parquet file")

    def test_an_import_killed_in_its_first_write_leaves_nothing_a_rerun_refuses(self):
        # Killed while journal.json was still being written, the folder holds
        # only that write's temporary file: the same command starts afresh.
        out = self.path("killed.index")
        os.makedirs(out)
        with open(os.path.join(out, "journal.json.4242.partial"), "w") as f:
            f.write('{"fingerprint": "')
        # While another run writes the folder, that file is its own: refused, kept.
        with folder_written_by_another_run(out):
            self.cli_fails("index", "--device", "cpu", "--model", MODEL, "--out", out, "--embeddings",
                           self.prefix + ".npy", "--metadata", self.prefix + ".jsonl",
                           contains="is being written by another clipsearch run")
            self.assertEqual(os.listdir(out), ["journal.json.4242.partial"])
        self.import_index("--embeddings", self.prefix + ".npy", "--metadata", self.prefix + ".jsonl", "--no-thumbs",
                          out="killed.index")
        self.assertEqual(self.manifest(out)["count"], 51)
        self.assertFalse([n for n in os.listdir(out) if n.endswith(".partial")])
        # Anything else in a folder without an index is still refused.
        other = self.path("other.index")
        os.makedirs(other)
        open(os.path.join(other, "notes.txt"), "w").close()
        self.cli_fails("index", "--device", "cpu", "--model", MODEL, "--out", other, "--embeddings",
                       self.prefix + ".npy", "--metadata", self.prefix + ".jsonl",
                       contains="is not empty and holds no index")

    def test_unreadable_images_stop_the_check(self):
        meta = self.path("gone.jsonl")
        with open(meta, "w", encoding="utf-8") as f:
            for m in self.meta:
                f.write(json.dumps({"id": m["id"], "path": "/nonexistent/" + m["id"]}) + "\n")
        self.cli_fails("index", "--device", "cpu", "--model", MODEL, "--out", self.path("z.index"),
                       "--embeddings", self.prefix + ".npy", "--metadata", meta, contains="could be read")


if __name__ == "__main__":
    unittest.main()
