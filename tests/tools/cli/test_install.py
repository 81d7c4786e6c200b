#!/usr/bin/python3
"""`cmake --install` gives a relocatable tool: bin/clipsearch finds
libonnxruntime beside itself ($ORIGIN rpath) and its model in
share/clipsearch/models/demo, after the whole prefix is moved."""
import os
import shutil
import subprocess
import unittest

from clitest import CliTestCase, tool_env, write_photo

BUILD_DIR = os.environ.get("CLIPSEARCH_BUILD_DIR")


@unittest.skipUnless(BUILD_DIR, "CLIPSEARCH_BUILD_DIR names the build to install (CTest sets it)")
class Install(CliTestCase):
    def test_installed_tool_runs_after_the_prefix_moves(self):
        prefix = self.path("prefix")
        subprocess.run(["cmake", "--install", BUILD_DIR, "--prefix", prefix, "--component", "clipsearch"],
                       check=True, capture_output=True)
        moved = self.path("elsewhere", "clipsearch-1")
        os.makedirs(os.path.dirname(moved))
        shutil.move(prefix, moved)
        tool = os.path.join(moved, "bin", "clipsearch")
        self.assertTrue(os.path.exists(os.path.join(moved, "bin", "libonnxruntime.so.1")))

        env = tool_env(CLIPSEARCH_MODEL=None, LD_LIBRARY_PATH=None)
        ldd = subprocess.run(["ldd", tool], capture_output=True, text=True, env=env).stdout
        self.assertIn(os.path.join(moved, "bin", "libonnxruntime.so.1"), ldd)

        ids = subprocess.run([tool, "tokenize", "a dog"], capture_output=True, text=True, env=env, check=True)
        self.assertEqual(ids.stdout.strip(), "[49406,320,1929,49407]")
        write_photo(self.path("in", "a.png"), seed=1)
        subprocess.run([tool, "index", "--device", "cpu", "--input", self.path("in"), "--out", self.path("idx")],
                       capture_output=True, env=env, check=True)
        m = self.manifest(self.path("idx"))
        self.assertTrue(os.path.samefile(os.path.join(self.path("idx"), m["model"]["location"]),
                                         os.path.join(moved, "share", "clipsearch", "models", "demo")))


if __name__ == "__main__":
    unittest.main()
