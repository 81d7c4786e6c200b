#!/usr/bin/python3
"""`clipsearch index` over the bad-input corpus (make_corpus.py): the run
completes (exit 0), every good image is in the index under its id, every
broken or hostile file is in report.jsonl with a reason, nothing else is in
either, the index verifies, and peak memory stays under a fixed ceiling.

CTest sets CLIPSEARCH_BIN, CLIPSEARCH_TEST_MODEL, CLIPSEARCH_TEST_TMP and
CLIPSEARCH_RSS_CEILING_MB. By hand:

    CLIPSEARCH_BIN=build/tools/clipsearch CLIPSEARCH_TEST_MODEL=models/demo \\
    /usr/bin/python3 tests/badinput/test_badinput.py -v

Run as root (CI containers), the indexer runs as user nobody (setpriv), so
that the mode-000 file is really unreadable to it.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_corpus import INDEXED, PASSED_OVER, REPORTED, make_corpus  # noqa: E402

BIN = os.environ.get("CLIPSEARCH_BIN", "clipsearch")
MODEL = os.environ.get("CLIPSEARCH_TEST_MODEL")
CEILING_MB = float(os.environ.get("CLIPSEARCH_RSS_CEILING_MB", "600"))
NOBODY = 65534


def shown(name):
    """An id as the tool prints it: bytes that are not UTF-8 become U+FFFD."""
    return name.decode("utf-8", "replace")


class BadInputCorpus(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        base = os.environ.get("CLIPSEARCH_TEST_TMP")
        if base:
            os.makedirs(base, exist_ok=True)
        cls.tmp = tempfile.mkdtemp(prefix="badinput-", dir=base)
        os.chmod(cls.tmp, 0o755)  # the unprivileged indexer must reach the corpus
        cls.cases = make_corpus(cls.tmp)
        cls.images = os.path.join(cls.tmp, "images")
        writable = os.path.join(cls.tmp, "w")
        os.makedirs(writable)
        os.chmod(writable, 0o777)
        cls.out = os.path.join(writable, "index")

        cmd = [BIN, "index", "--device", "cpu", "--input", cls.images, "--out", cls.out]
        if MODEL:
            cmd += ["--model", MODEL]
        if os.geteuid() == 0:
            cmd = ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups"] + cmd
        # /usr/bin/time -v reports the peak resident set size of the indexer
        # (setpriv execs it in the same process).
        cls.time_file = os.path.join(cls.tmp, "time.txt")
        env = dict(os.environ)
        env.pop("VK_ICD_FILENAMES", None)
        cls.index_run = subprocess.run(["/usr/bin/time", "-v", "-o", cls.time_file] + cmd, capture_output=True, env=env,
                                 timeout=900)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def by_expectation(self, expect):
        return {shown(c.name): c for c in self.cases if c.expect == expect}

    def stderr(self):
        return self.index_run.stderr.decode("utf-8", "replace")

    def indexed_ids(self):
        with open(os.path.join(self.out, "manifest.json"), encoding="utf-8") as f:
            n = json.load(f)["count"]
        cmd = [BIN, "search", "--index", self.out, "--text", "anything", "-k", str(n), "--min-score", "-1", "--json"]
        if MODEL:
            cmd += ["--model", MODEL]
        p = subprocess.run(cmd, capture_output=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr.decode("utf-8", "replace"))
        return [h["id"] for h in json.loads(p.stdout)]

    def report(self):
        with open(os.path.join(self.out, "report.jsonl"), "rb") as f:
            return [json.loads(line) for line in f if line.strip()]

    def test_run_completes(self):
        self.assertEqual(self.index_run.returncode, 0, "index exited %d:\n%s" % (self.index_run.returncode, self.stderr()))
        good, bad = self.by_expectation(INDEXED), self.by_expectation(REPORTED)
        self.assertIn("%d embedded, %d skipped" % (len(good), len(bad)), self.stderr())

    def test_every_good_image_is_indexed(self):
        ids = self.indexed_ids()
        self.assertEqual(len(ids), len(set(ids)), "an id is in the index twice")
        good = self.by_expectation(INDEXED)
        missing = ["%r (%s)" % (i, c.why) for i, c in good.items() if i not in ids]
        self.assertEqual(missing, [], "good images not indexed; report:\n%s" % json.dumps(self.report(), indent=1))
        extra = [i for i in ids if i not in good]
        self.assertEqual(extra, [], "indexed, but should have been refused")

    def test_every_bad_file_is_reported_with_a_reason(self):
        entries = {e["id"]: e for e in self.report()}
        bad = self.by_expectation(REPORTED)
        for i, case in bad.items():
            with self.subTest(id=i, why=case.why):
                self.assertIn(i, entries, "not in report.jsonl")
                reason = entries[i]["reason"]
                self.assertTrue(reason.strip(), "empty reason")
                self.assertNotIn("\n", reason)
                if case.reason:
                    self.assertIn(case.reason, reason.lower())
        extra = [i for i in entries if i not in bad]
        self.assertEqual(extra, [], "reported, but not a bad input")

    def test_non_inputs_are_passed_over(self):
        others = set(self.by_expectation(PASSED_OVER))
        self.assertEqual(others & set(self.indexed_ids()), set())
        self.assertEqual(others & {e["id"] for e in self.report()}, set())

    def test_index_verifies(self):
        p = subprocess.run([BIN, "verify", self.out], capture_output=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr.decode("utf-8", "replace"))

    def test_peak_memory_under_ceiling(self):
        with open(self.time_file, encoding="utf-8", errors="replace") as f:
            stats = f.read()
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stats)
        self.assertIsNotNone(m, stats)
        peak_mb = int(m.group(1)) / 1024
        print("\npeak RSS of clipsearch index: %.0f MB (ceiling %.0f MB)" % (peak_mb, CEILING_MB), file=sys.stderr)
        self.assertLess(peak_mb, CEILING_MB)


if __name__ == "__main__":
    unittest.main()
