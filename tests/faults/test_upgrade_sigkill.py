#!/usr/bin/python3
"""SIGKILL trials for `clipsearch upgrade`: a version-1 index is upgraded in
place, killed at a random moment; the folder must then verify (the old index
or the new one, nothing in between), and a rerun must finish with the same
shard bytes as an uninterrupted upgrade.

    CLIPSEARCH_SIGKILL_TRIALS (default 20), CLIPSEARCH_SIGKILL_SEED
"""
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "cli"))
from clitest import BIN, CliTestCase, tool_env  # noqa: E402

TRIALS = int(os.environ.get("CLIPSEARCH_SIGKILL_TRIALS", "20"))
SEED = int(os.environ.get("CLIPSEARCH_SIGKILL_SEED", "20261206"))
IMAGES = 24


class UpgradeSigkillTrials(CliTestCase):
    def test_killed_upgrades_leave_an_index_and_finish_the_same(self):
        self.demo_images(self.path("demo"), IMAGES, seed=6)
        v1 = self.path("v1")
        # One image per shard: many files for a kill to land between.
        self.index("--input", self.path("demo", "captions.jsonl"), "--out", v1, "--shard-size", "1",
                   "--no-thumbs")
        self.cli("upgrade", v1, "--to", "1")
        clean = self.path("clean")
        shutil.copytree(v1, clean)
        t0 = time.monotonic()
        self.cli("upgrade", clean)
        duration = time.monotonic() - t0
        want = [(s["sha256"], s["head_sha256"]) for s in self.manifest(clean)["shards"]]
        self.assertEqual(len(want), IMAGES)

        rng = random.Random(SEED)
        per_shard = duration / IMAGES
        states = {"old": 0, "mid-write": 0, "new": 0}
        for trial in range(TRIALS):
            with self.subTest(trial=trial):
                out = self.path("trial-%02d" % trial)
                shutil.copytree(v1, out)
                # Kills are placed by progress (new shard files written so far),
                # so they land inside the upgrade however loaded the machine is;
                # one in four near the commit.
                written = IMAGES if trial % 4 == 3 else rng.randrange(IMAGES)
                delay = rng.uniform(0.0, 3.0 if trial % 4 == 3 else 1.2) * per_shard
                p = subprocess.Popen([BIN, "upgrade", out], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     env=tool_env())
                while p.poll() is None and self.new_files(out) < written:
                    time.sleep(0.0005)
                time.sleep(delay)
                p.send_signal(signal.SIGKILL)
                p.wait()
                self.cli("verify", out)  # whatever was left is a whole index
                if self.manifest(out)["version"] == 2:
                    states["new"] += 1
                else:
                    states["mid-write" if self.new_files(out) else "old"] += 1
                self.cli("upgrade", out)
                self.cli("verify", out)
                self.assertEqual([(s["sha256"], s["head_sha256"]) for s in self.manifest(out)["shards"]], want)
                self.assertEqual(sorted(f for f in os.listdir(out) if f.startswith("shard-")),
                                 sorted(s["file"] for s in self.manifest(out)["shards"]))
                self.assertEqual([f for f in os.listdir(out) if f.endswith(".partial")], [])
        print("\n%d trials (seed %d, clean upgrade %.3f s): %s" % (TRIALS, SEED, duration, states), file=sys.stderr)
        # The draw must interrupt upgrades while they write, or the test proves nothing.
        self.assertGreaterEqual(states["mid-write"], TRIALS // 2, states)

    def new_files(self, out):
        """Shard files the upgrade has written (numbered after the old ones)."""
        return sum(1 for f in os.listdir(out) if f.startswith("shard-") and f.endswith(".bin") and
                   int(f[6:11]) >= IMAGES)


if __name__ == "__main__":
    unittest.main()
