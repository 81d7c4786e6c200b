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
that the mode-000 file is really unreadable to it. nobody must then reach
the binary, its libraries and the model even when the clone sits in a
folder only root may enter (/root is mode 700): what it cannot reach is
copied into the test's own 0755 folder first (reachable_copy).
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


def reachable_by_others(path):
    """Whether a user with no rights of its own (nobody) can read `path`:
    every folder above it searchable by others, the path itself readable."""
    path = os.path.abspath(path)
    if not os.stat(path).st_mode & 0o004:
        return False
    while path != os.path.dirname(path):
        path = os.path.dirname(path)
        if not os.stat(path).st_mode & 0o001:
            return False
    return True


def reachable_base(preferred):
    """A folder whose whole path nobody can traverse, for the test's files."""
    for base in (preferred, tempfile.gettempdir()):
        if base and os.path.isdir(base) and reachable_by_others(base):
            return base
    raise RuntimeError("no folder that user nobody can reach for the corpus (tried %s and %s)" % (preferred, tempfile.gettempdir()))


def reachable_copy(binary, model, folder):
    """The binary, the libraries it loads and the model, each copied into
    `folder` (0755) unless nobody can already read it there. Returns
    (binary, model, extra environment)."""
    env = {}
    libs = os.path.join(folder, "lib")
    ldd = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    for lib in re.findall(r"=> (/\S+) \(", ldd):
        if not reachable_by_others(lib):
            os.makedirs(libs, mode=0o755, exist_ok=True)
            shutil.copy2(lib, libs)  # copy2 follows links: the real file, under the name the binary asks for
            env["LD_LIBRARY_PATH"] = libs  # searched before the binary's RUNPATH
    if not reachable_by_others(binary):
        os.makedirs(os.path.join(folder, "bin"), mode=0o755, exist_ok=True)
        binary = shutil.copy2(binary, os.path.join(folder, "bin"))
    # Sanitizer builds name suppression files in *SAN_OPTIONS; a runtime that
    # cannot read one aborts, so they travel too.
    for var in ("ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS"):
        options = os.environ.get(var)
        if not options:
            continue
        parts = []
        for part in options.split(":"):
            key, _, value = part.partition("=")
            if key == "suppressions" and value and not reachable_by_others(value):
                supp = os.path.join(folder, "sanitize")
                os.makedirs(supp, mode=0o755, exist_ok=True)
                value = shutil.copy2(value, os.path.join(supp, os.path.basename(value)))
                os.chmod(value, 0o644)
                part = key + "=" + value
            parts.append(part)
        env[var] = ":".join(parts)
    if model and not reachable_by_others(os.path.join(model, "model.json")):
        model = shutil.copytree(model, os.path.join(folder, "model"))
        for d, _, files in os.walk(model):
            os.chmod(d, 0o755)
            for f in files:
                os.chmod(os.path.join(d, f), 0o644)
    return binary, model, env


def shown(name):
    """An id as the tool prints it: bytes that are not UTF-8 become U+FFFD."""
    return name.decode("utf-8", "replace")


class BadInputCorpus(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        base = os.environ.get("CLIPSEARCH_TEST_TMP")
        if base:
            os.makedirs(base, exist_ok=True)
        drop = os.geteuid() == 0
        cls.tmp = tempfile.mkdtemp(prefix="badinput-", dir=reachable_base(base) if drop else base)
        os.chmod(cls.tmp, 0o755)  # the unprivileged indexer must reach the corpus
        cls.cases = make_corpus(cls.tmp)
        cls.images = os.path.join(cls.tmp, "images")
        writable = os.path.join(cls.tmp, "w")
        os.makedirs(writable)
        os.chmod(writable, 0o777)
        cls.out = os.path.join(writable, "index")

        binary, model, run_env = (reachable_copy(BIN, MODEL, cls.tmp) if drop else (BIN, MODEL, {}))
        cmd = [binary, "index", "--device", "cpu", "--input", cls.images, "--out", cls.out]
        if model:
            cmd += ["--model", model]
        if drop:
            cmd = ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups"] + cmd
        # /usr/bin/time -v reports the peak resident set size of the indexer
        # (setpriv execs it in the same process).
        cls.time_file = os.path.join(cls.tmp, "time.txt")
        env = dict(os.environ, **run_env)
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
