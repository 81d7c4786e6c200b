#!/usr/bin/python3
"""`clipsearch index` on a full disk: the run fails with a one-line reason
(no crash), the folder is left resumable or holding the previous index
whole, and once there is room the same command completes with every input
exactly once.

The disk is a small tmpfs mounted for the test, which needs root (CI
containers run as root); elsewhere the test is skipped, saying why.
Uses the CLI tests' helpers (tests/tools/cli/clitest.py); CTest sets the
same environment as for those.
"""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "cli"))
from clitest import BIN, CliTestCase, tool_env, write_photo  # noqa: E402


class DiskFull(CliTestCase):
    def setUp(self):
        super().setUp()
        self.disk = self.path("disk")
        os.makedirs(self.disk)
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", self.disk], capture_output=True,
                           text=True)
        if p.returncode != 0:
            self.skipTest("cannot mount a tmpfs (needs root): " + p.stderr.strip())
        self.mounted = True
        self.photos = self.path("photos")
        for i in range(40):  # 40 thumbnails of ~10 KB do not fit in 256 KB
            write_photo(self.path("photos", "p%02d.jpg" % i), size=(400, 300), seed=100 + i, fmt="JPEG")

    def tearDown(self):
        if getattr(self, "mounted", False):
            subprocess.run(["umount", "-l", self.disk], capture_output=True)
        super().tearDown()

    def resize_disk(self, size):
        subprocess.run(["mount", "-o", "remount,size=" + size, self.disk], check=True)

    def index_cmd(self, out, *extra):
        return [BIN, "index", "--device", "cpu", "--input", self.photos, "--out", out, "--shard-size", "8", *extra]

    def expect_disk_full(self, cmd):
        p = subprocess.run(cmd, capture_output=True, text=True, env=tool_env(), timeout=600)
        self.assertGreater(p.returncode, 0, "expected a clean failure, got exit %d:\n%s" % (p.returncode, p.stderr))
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        self.assertIn("No space left on device", lines[-1])

    def ids(self, out):
        return sorted(self.all_ids(out))

    def test_full_disk_fails_cleanly_then_the_rerun_completes(self):
        out = os.path.join(self.disk, "index")
        self.expect_disk_full(self.index_cmd(out))
        self.assertFalse(os.path.exists(os.path.join(out, "manifest.json")), "an unfinished run wrote a manifest")
        self.resize_disk("64m")
        self.cli(*self.index_cmd(out)[1:])
        self.cli("verify", out)
        self.assertEqual(self.ids(out), ["p%02d.jpg" % i for i in range(40)])

    def test_full_disk_during_append_keeps_the_old_index(self):
        self.resize_disk("64m")
        out = os.path.join(self.disk, "index")
        first = self.path("first")
        os.makedirs(first)
        for i in range(5):
            os.link(self.path("photos", "p%02d.jpg" % i), os.path.join(first, "p%02d.jpg" % i))
        self.cli("index", "--device", "cpu", "--input", first, "--out", out)
        before = self.ids(out)
        used_kb = int(subprocess.run(["du", "-sk", self.disk], capture_output=True, text=True).stdout.split()[0])
        self.resize_disk("%dk" % (used_kb + 96))
        self.expect_disk_full(self.index_cmd(out, "--append"))
        self.cli("verify", out)  # the first index, whole
        self.resize_disk("64m")
        self.cli(*self.index_cmd(out, "--append")[1:])
        self.cli("verify", out)
        self.assertEqual(self.ids(out), ["p%02d.jpg" % i for i in range(40)])
        self.assertTrue(set(before) <= set(self.ids(out)))


if __name__ == "__main__":
    unittest.main()
