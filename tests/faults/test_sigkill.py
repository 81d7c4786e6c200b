#!/usr/bin/python3
"""SIGKILL trials for `clipsearch index`: TRIALS runs (seeded) are each
killed at a random moment, the folder is checked (empty, a valid index, or
an unfinished run with its journal, never anything else), then the same
command runs to completion (unless the kill came after the run finished: a
finished index is refused without --append, by contract) and the index must
hold exactly the expected ids, each once: the same shard bytes as an
uninterrupted run. tests/tools/cli/test_resume.py covers the resume
bookkeeping itself (finished shards are not embedded again, --append keeps
the old index); this is the many-kills stress of it.

    CLIPSEARCH_SIGKILL_TRIALS (default 20), CLIPSEARCH_SIGKILL_SEED
"""
import glob
import os
import random
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "cli"))
from clitest import BIN, CliTestCase, tool_env  # noqa: E402

TRIALS = int(os.environ.get("CLIPSEARCH_SIGKILL_TRIALS", "20"))
SEED = int(os.environ.get("CLIPSEARCH_SIGKILL_SEED", "20261128"))
IMAGES = 40


class SigkillTrials(CliTestCase):
    def command(self, out):
        # Shards of 4 and batches of 2: many journal and shard writes for a kill to land between.
        return [BIN, "index", "--device", "cpu", "--input", self.path("demo", "captions.jsonl"), "--out", out,
                "--shard-size", "4", "--batch", "2", "--threads", "2"]

    def timed_run(self, out):
        """Runs the command to completion; returns (seconds until its journal
        appeared, i.e. the writing began; total seconds)."""
        log = open(self.path(os.path.basename(out) + ".log"), "w+b")
        t0 = time.monotonic()
        p = subprocess.Popen(self.command(out), stdout=subprocess.DEVNULL, stderr=log, env=tool_env())
        journal = os.path.join(out, "journal.json")
        startup = None
        while p.poll() is None:
            if startup is None and os.path.exists(journal):
                startup = time.monotonic() - t0
            time.sleep(0.005)
        duration = time.monotonic() - t0
        log.seek(0)
        self.assertEqual(p.returncode, 0, log.read().decode("utf-8", "replace"))
        log.close()
        return (startup if startup is not None else 0.5 * duration), duration

    def run_killed(self, out, shards_done, after):
        """Runs the command, waits until its journal records shards_done shards
        (None: from the start), then SIGKILLs it `after` seconds later. Returns
        'finished' when it ended first, else the state it left."""
        p = subprocess.Popen(self.command(out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=tool_env())
        journal = os.path.join(out, "journal.json")
        while shards_done is not None and p.poll() is None:
            try:
                with open(journal, encoding="utf-8") as f:
                    if f.read().count('"chunk"') >= shards_done:
                        break
            except OSError:
                pass  # not written yet
            time.sleep(0.001)
        try:
            self.assertEqual(p.wait(timeout=after), 0, "an uninterrupted run failed")
            return "finished"
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGKILL)
            p.wait()
            return self.state_after_kill(out)

    def state_after_kill(self, out):
        """'index' (finished), 'committed' (manifest written, clean-up left to
        the next run), 'resumable' or 'empty' (nothing but temporary files);
        fails on anything else."""
        if os.path.exists(os.path.join(out, "manifest.json")):
            self.cli("verify", out)
            return "committed" if os.path.exists(os.path.join(out, "journal.json")) else "index"
        # Killed inside its first write: at most that write's temporary file,
        # which the rerun clears away.
        if not os.path.isdir(out) or all(name.endswith(".partial") for name in os.listdir(out)):
            return "empty"
        self.assertTrue(os.path.exists(os.path.join(out, "journal.json")),
                        "killed run left %s without a manifest or a journal" % sorted(os.listdir(out)))
        return "resumable"

    def test_killed_runs_always_resume_to_the_same_index(self):
        captions = self.demo_images(self.path("demo"), IMAGES, seed=5)
        expected = sorted(c["path"] for c in captions)

        clean = self.path("clean")
        startup, duration = self.timed_run(clean)
        self.assertEqual(sorted(self.all_ids(clean)), expected)  # every id, none twice
        clean_shards = [s["sha256"] for s in self.manifest(clean)["shards"]]

        rng = random.Random(SEED)
        shards = len(clean_shards)
        per_shard = (duration - startup) / shards
        states = {}
        for trial in range(TRIALS):
            with self.subTest(trial=trial):
                out = self.path("trial-%02d" % trial)
                # Kills are placed by progress, not by the clock alone, so they land
                # inside the run however loaded the machine is: one in five during
                # start-up, the others once a random number of shards is done, a
                # random part of a shard's time later.
                if trial % 5 == 4:
                    state = self.run_killed(out, None, rng.uniform(0.0, startup))
                else:
                    state = self.run_killed(out, rng.randrange(shards), rng.uniform(0.0, 1.2) * per_shard)
                states[state] = states.get(state, 0) + 1
                if state not in ("finished", "index"):
                    self.cli(*self.command(out)[1:])  # the same command, to completion
                self.cli("verify", out)
                # The clean run's shards, byte for byte: so the same ids, each once.
                self.assertEqual([s["sha256"] for s in self.manifest(out)["shards"]], clean_shards)
                self.assertFalse(os.path.exists(os.path.join(out, "journal.json")))
                self.assertEqual(glob.glob(os.path.join(out, "**", "*.partial"), recursive=True), [])
                self.assertEqual(len(os.listdir(os.path.join(out, "thumbs"))), IMAGES)
        print("\n%d trials (seed %d, clean run %.2f s, writing from %.2f s): %s" %
              (TRIALS, SEED, duration, startup, states), file=sys.stderr)
        # The draw must actually interrupt runs, or the test proves nothing.
        interrupted = TRIALS - states.get("finished", 0) - states.get("index", 0)
        self.assertGreaterEqual(interrupted, TRIALS // 2, states)


if __name__ == "__main__":
    unittest.main()
