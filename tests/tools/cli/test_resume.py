#!/usr/bin/python3
"""A killed `clipsearch index` (SIGKILL at any moment) leaves either the
previous valid index or a state that rerunning the same command resumes,
without embedding finished shards again; the final index holds every input
exactly once."""
import glob
import json
import os
import random
import signal
import subprocess
import time
import unittest

from clitest import BIN, CliTestCase, folder_written_by_another_run, tool_env

SEED = int(os.environ.get("CLIPSEARCH_RESUME_SEED", "20240607"))


class Resume(CliTestCase):
    @classmethod
    def setUpClass(cls):
        cls.rng = random.Random(SEED)

    def setUp(self):
        super().setUp()
        self.captions = self.demo_images(self.path("demo"), 60, seed=11)
        self.expected = sorted(c["path"] for c in self.captions)

    def command(self, out, *extra):
        # Small shards and batches: many journal updates to land a kill between.
        return [BIN, "index", "--device", "cpu", "--input", self.path("demo", "captions.jsonl"), "--out", out,
                "--shard-size", "8", "--batch", "4", "--threads", "2", *extra]

    def run_killed(self, cmd, after):
        """Starts cmd and SIGKILLs it `after` seconds later; True if it was killed."""
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=tool_env())
        try:
            p.wait(timeout=after)
            return False
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGKILL)
            p.wait()
            return True

    def assert_valid_or_resumable(self, out):
        has_manifest = os.path.exists(os.path.join(out, "manifest.json"))
        has_journal = os.path.exists(os.path.join(out, "journal.json"))
        if has_manifest:
            self.cli("verify", out)
        elif os.path.isdir(out) and not all(n.endswith(".partial") for n in os.listdir(out)):
            self.assertTrue(has_journal, "killed run left %s without manifest or journal" % os.listdir(out))

    def assert_complete(self, out):
        self.cli("verify", out)
        self.assertEqual(sorted(self.all_ids(out)), self.expected)  # each id exactly once
        self.assertFalse(os.path.exists(os.path.join(out, "journal.json")))
        self.assertEqual(glob.glob(os.path.join(out, "**", "*.partial"), recursive=True), [])
        thumbs = os.listdir(os.path.join(out, "thumbs"))
        self.assertEqual(len(thumbs), len(self.expected))

    def test_random_kills_then_rerun_gives_the_same_index(self):
        clean = self.path("clean")
        t0 = time.monotonic()
        self.cli(*self.command(clean)[1:])
        duration = time.monotonic() - t0
        self.assert_complete(clean)
        clean_manifest = self.manifest(clean)

        for trial in range(3):
            out = self.path("killed-%d" % trial)
            finished = False
            for attempt in range(4):
                if not self.run_killed(self.command(out), self.rng.uniform(0.05, 1.1) * duration):
                    finished = True  # the kill came too late
                    break
                self.assert_valid_or_resumable(out)
            if not finished:
                self.cli(*self.command(out)[1:])  # the same command, to completion
            self.assert_complete(out)
            # Same inputs, same chunks: the shards are the same bytes as a clean run's.
            self.assertEqual([s["sha256"] for s in self.manifest(out)["shards"]],
                             [s["sha256"] for s in clean_manifest["shards"]])

    def test_a_run_killed_in_its_first_write_leaves_nothing_a_rerun_refuses(self):
        # Killed while journal.json was still being written, the folder holds
        # only that write's temporary file: the same command starts afresh.
        out = self.path("out")
        os.makedirs(out)
        with open(os.path.join(out, "journal.json.4242.partial"), "w") as f:
            f.write('{"fingerprint": "')
        self.cli(*self.command(out)[1:])
        self.assert_complete(out)
        # Anything else in a folder without an index is still refused.
        other = self.path("other")
        os.makedirs(other)
        open(os.path.join(other, "notes.txt"), "w").close()
        self.cli_fails(*self.command(other)[1:], contains="is not empty and holds no index")

    def test_a_second_run_into_a_folder_being_written_is_refused_at_once(self):
        # Another run is writing `out` (it holds the folder's lock) and is in
        # its first write: its temporary file must stay, and nothing is written.
        out = self.path("out")
        os.makedirs(out)
        live = os.path.join(out, "journal.json.4242.partial")
        with open(live, "w") as f:
            f.write('{"fingerprint": "')
        with folder_written_by_another_run(out):
            self.cli_fails(*self.command(out)[1:], contains="is being written by another clipsearch run")
            self.assertEqual(os.listdir(out), [os.path.basename(live)])
        # Once that run has ended (here: died), the same command runs.
        self.cli(*self.command(out)[1:])
        self.assert_complete(out)

    def test_resumed_run_does_not_embed_finished_shards_again(self):
        out = self.path("out")
        journal = os.path.join(out, "journal.json")
        p = subprocess.Popen(self.command(out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env=tool_env())
        # Kill once a few shards are recorded as done.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and p.poll() is None:
            if os.path.exists(journal):
                with open(journal) as f:
                    if f.read().count('"chunk"') >= 3:
                        break
            time.sleep(0.01)
        p.send_signal(signal.SIGKILL)
        p.wait()
        if not os.path.exists(journal):
            self.skipTest("the run finished before it could be killed")
        stats = self.path("stats.json")
        err = self.cli(*self.command(out, "--stats-json", stats)[1:]).stderr
        self.assertIn("resuming", err)
        with open(stats) as f:
            s = json.load(f)
        self.assertGreaterEqual(s["resumed"], 3 * 8)
        self.assertEqual(s["resumed"] + s["embedded"], len(self.expected))
        self.assert_complete(out)

    def test_kill_during_append_keeps_the_old_index_valid(self):
        out = self.path("out")
        first = self.path("first.jsonl")
        with open(first, "w") as f:
            for c in self.captions[:20]:
                f.write('{"path": "demo/%s", "caption": "%s"}\n' % (c["path"], c["caption"]))
        self.cli("index", "--device", "cpu", "--input", first, "--out", out)
        before = sorted(self.all_ids(out))
        cmd = self.command(out, "--append")
        killed = self.run_killed(cmd, 0.3)
        if killed:
            self.cli("verify", out)  # a whole index: the first one, or the append's finished one
            if not os.path.exists(os.path.join(out, "journal.json")):
                # No journal: killed before the append began, or after it
                # committed (a quiet machine finishes it within the 0.3 s);
                # never anything in between.
                self.assertIn(sorted(self.all_ids(out)), [before, sorted(set(before) | set(self.expected))])
        self.cli(*cmd[1:])
        ids = self.all_ids(out)
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(set(ids), set(before) | set(self.expected))


if __name__ == "__main__":
    unittest.main()
