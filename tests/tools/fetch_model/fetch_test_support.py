"""What the fetch-model tests share: where the binary and the sources are, a
real HTTP server on 127.0.0.1 over a folder (tests/tools/http_test_server.py,
which logs every request), and the checks made on a fetch's result.

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
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


def test_tmp(name):
    return os.path.join(os.environ.get("CLIPSEARCH_TEST_TMP", "/tmp/clipsearch-tests"), name)


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class FetchTestCase(unittest.TestCase):
    """Subclasses set TMP, fill cls.www in setUpClass, then call start_server()."""

    TMP = None

    @classmethod
    def make_standins(cls, script, summary, *args):
        """A fresh TMP; models/standins/SCRIPT writes into TMP/standins, whose
        SUMMARY json (every file's size and SHA-256) is returned."""
        shutil.rmtree(cls.TMP, ignore_errors=True)
        os.makedirs(cls.TMP)
        cls.www = os.path.join(cls.TMP, "www")
        cls.standins = os.path.join(cls.TMP, "standins")
        subprocess.run([PYTHON, os.path.join(SRC, "models", "standins", script), cls.standins, *args], check=True,
                       capture_output=True)
        with open(os.path.join(cls.standins, summary), encoding="utf-8") as f:
            return json.load(f)

    @classmethod
    def start_server(cls):
        cls.log = os.path.join(cls.TMP, "requests.jsonl")
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
        self.out = os.path.join(self.TMP, "out", self._testMethodName)
        shutil.rmtree(self.out, ignore_errors=True)
        open(self.log, "w").close()  # each test reads only its own requests

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
