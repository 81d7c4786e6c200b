"""Shared pieces of the clipsearch CLI tests: run the real binary, make
real image files, serve them over loopback HTTP.

CTest sets CLIPSEARCH_BIN (the built tool), CLIPSEARCH_SOURCE_DIR and
CLIPSEARCH_TEST_MODEL (the bundled demo model folder, the tool's default).
Run one script by hand:

    CLIPSEARCH_BIN=build/tools/clipsearch CLIPSEARCH_SOURCE_DIR=. \\
    CLIPSEARCH_TEST_MODEL=models/demo /usr/bin/python3 tests/tools/cli/test_index_inputs.py -v
"""
import atexit
import contextlib
import fcntl
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unittest

BIN = os.environ.get("CLIPSEARCH_BIN", "clipsearch")
SOURCE_DIR = os.environ.get("CLIPSEARCH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..", ".."))
MODEL = os.environ.get("CLIPSEARCH_TEST_MODEL", os.path.join(SOURCE_DIR, "models", "demo"))
DATA = os.path.join(SOURCE_DIR, "tests", "data", "tools")
SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json"


# What the tool keeps between runs (text embeddings, tools/ort/text_embedding_cache.h)
# goes to a folder of this test process, not the user's ~/.cache.
if os.environ.get("CLIPSEARCH_TEST_TMP"):
    os.makedirs(os.environ["CLIPSEARCH_TEST_TMP"], exist_ok=True)
CACHE_DIR = tempfile.mkdtemp(prefix="clipsearch-test-cache-", dir=os.environ.get("CLIPSEARCH_TEST_TMP"))
atexit.register(shutil.rmtree, CACHE_DIR, True)


def tool_env(**changes):
    """The environment the tool runs in: the test model as the default
    (CLIPSEARCH_MODEL), this process's cache folder, no inherited Vulkan
    driver choice; a change of None removes a variable."""
    env = dict(os.environ)
    env.pop("VK_ICD_FILENAMES", None)
    env["CLIPSEARCH_MODEL"] = MODEL
    env["CLIPSEARCH_CACHE_DIR"] = CACHE_DIR
    for k, v in changes.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


@contextlib.contextmanager
def folder_written_by_another_run(folder):
    """Holds the lock a clipsearch run holds on the folder it writes (an
    exclusive flock on the folder itself), as a second writer would."""
    os.makedirs(folder, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        os.close(fd)


def cosine(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


class CliTestCase(unittest.TestCase):
    """A test with its own temporary folder and helpers to run the tool."""

    def setUp(self):
        base = os.environ.get("CLIPSEARCH_TEST_TMP")
        if base:
            os.makedirs(base, exist_ok=True)
        self.tmp = tempfile.mkdtemp(prefix=self.id().split(".")[-1] + "-", dir=base)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def cli(self, *args, input=None, env=None, timeout=300):
        """Runs clipsearch and expects success; returns the CompletedProcess."""
        p = subprocess.run([BIN, *args], input=input, capture_output=True, text=True, env=env or tool_env(),
                           timeout=timeout)
        if p.returncode != 0:
            self.fail("clipsearch %s exited %d:\n%s" % (" ".join(args), p.returncode, p.stderr))
        return p

    def cli_json(self, *args, **kw):
        return json.loads(self.cli(*args, **kw).stdout)

    def cli_fails(self, *args, contains=None, input=None, env=None, timeout=300):
        """Runs clipsearch and expects failure with a one-line reason on stderr."""
        p = subprocess.run([BIN, *args], input=input, capture_output=True, text=True, env=env or tool_env(),
                           timeout=timeout)
        self.assertNotEqual(p.returncode, 0, "clipsearch %s should fail; stdout:\n%s" % (" ".join(args), p.stdout))
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        self.assertGreaterEqual(len(lines), 1, "no reason on stderr")
        reason = lines[-1]
        if contains:
            self.assertIn(contains, reason)
        return p, reason

    def index(self, *args, **kw):
        return self.cli("index", "--device", "cpu", *args, **kw)

    def search(self, index_dir, *args, **kw):
        return self.cli_json("search", "--index", index_dir, "--json", *args, **kw)

    def demo_images(self, folder, count, seed=7):
        """`clipsearch demo-data`: captioned synthetic images (the demo model's
        own kind of data) in folder/images/ and folder/captions.jsonl."""
        self.cli("demo-data", "--out", folder, "--count", str(count), "--seed", str(seed))
        return read_jsonl(os.path.join(folder, "captions.jsonl"))

    def manifest(self, index_dir):
        with open(os.path.join(index_dir, "manifest.json"), encoding="utf-8") as f:
            return json.load(f)

    def report(self, index_dir):
        path = os.path.join(index_dir, "report.jsonl")
        return read_jsonl(path) if os.path.exists(path) else []

    def all_ids(self, index_dir):
        """Every id in the index, via search (k large, any text)."""
        n = self.manifest(index_dir)["count"]
        if n == 0:
            return []
        hits = self.search(index_dir, "--text", "anything", "-k", str(n), "--min-score", "-1")
        return [h["id"] for h in hits]


class SharedFolderTestCase(CliTestCase):
    """Tests that only read what build_shared(c) makes once for the class in
    the folder of c = cls.shared (an index, a data set)."""

    @classmethod
    def build_shared(cls, c):
        raise NotImplementedError

    @classmethod
    def setUpClass(cls):
        cls.shared = CliTestCase("run")
        cls.shared.setUp()
        cls.build_shared(cls.shared)

    @classmethod
    def tearDownClass(cls):
        cls.shared.tearDown()


def write_photo(path, size=(320, 240), seed=0, mode="RGB", fmt=None, exif_orientation=None):
    """A distinct picture (random blocks and gradients) saved with PIL."""
    from PIL import Image, ImageDraw
    rng = random.Random(seed)
    w, h = size
    img = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    d = ImageDraw.Draw(img)
    for _ in range(12):
        x0, y0 = rng.randrange(w), rng.randrange(h)
        x1, y1 = x0 + rng.randrange(8, w // 2 + 9), y0 + rng.randrange(8, h // 2 + 9)
        color = tuple(rng.randrange(256) for _ in range(3))
        (d.ellipse if rng.random() < 0.5 else d.rectangle)([x0, y0, x1, y1], fill=color)
    if mode != "RGB":
        img = img.convert(mode)
    kw = {}
    if exif_orientation:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        kw["exif"] = exif.tobytes()
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    img.save(path, format=fmt, **kw)
    return path


class HttpServer:
    """tests/tools/http_test_server.py on 127.0.0.1 serving `root` (with
    fault prefixes such as /status/404/...)."""

    def __init__(self, root):
        script = os.path.join(SOURCE_DIR, "tests", "tools", "http_test_server.py")
        self.proc = subprocess.Popen([sys.executable, script, "--root", root, "--port", "0"],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.proc.kill()
            raise RuntimeError("test HTTP server did not start: %r" % line)
        self.port = int(line.split()[1])

    def url(self, path):
        return "http://127.0.0.1:%d/%s" % (self.port, path)

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()
