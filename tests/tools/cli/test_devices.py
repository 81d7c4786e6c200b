#!/usr/bin/python3
"""--device: ONNX Runtime's WebGPU EP agrees with the CPU EP (run here on
SwiftShader, Chromium's CPU Vulkan driver, selected by VK_ICD_FILENAMES as a
user would; the tool never sets it); auto never picks a CPU emulation; an
unavailable device asked for by name is an error with the reason."""
import os
import unittest

from clitest import SWIFTSHADER_ICD, CliTestCase, cosine, tool_env, write_photo


@unittest.skipUnless(os.path.exists(SWIFTSHADER_ICD), "needs Chromium's SwiftShader Vulkan driver")
class WebGpuOnSwiftShader(CliTestCase):
    def setUp(self):
        super().setUp()
        # SwiftShader is slow: few images.
        self.env = tool_env(VK_ICD_FILENAMES=SWIFTSHADER_ICD, XDG_RUNTIME_DIR=self.tmp)
        self.images = [write_photo(self.path("in", "a.jpg"), seed=1, fmt="JPEG"),
                       write_photo(self.path("in", "b.png"), size=(300, 500), seed=2)]

    def test_webgpu_embeddings_match_cpu(self):
        for args in (["--image", self.images[0]], ["--text", "a photo of a red circle"]):
            cpu = self.cli_json("embed", "--device", "cpu", *args)
            gpu = self.cli_json("embed", "--device", "webgpu", *args, env=self.env)
            self.assertGreaterEqual(cosine(cpu, gpu), 0.9999, args)

    def test_index_on_webgpu_searches_like_cpu(self):
        out = self.path("index")
        self.cli("index", "--device", "webgpu", "--input", self.path("in"), "--out", out, env=self.env)
        self.cli("verify", out)
        for path, id_ in zip(self.images, ["a.jpg", "b.png"]):
            hit = self.search(out, "--image", path, "-k", "1", "--device", "cpu")[0]
            self.assertEqual(hit["id"], id_)
            self.assertGreaterEqual(hit["score"], 0.99)

    def test_auto_does_not_pick_a_cpu_emulation(self):
        err = self.cli("embed", "--device", "auto", "--text", "hi", env=self.env).stderr
        self.assertIn("device auto -> cpu", err)
        self.assertIn("SwiftShader", err)


class UnavailableDevices(CliTestCase):
    def test_cuda_without_its_provider_library_is_an_error(self):
        # The npm build of ONNX Runtime ships no CUDA provider library.
        _, reason = self.cli_fails("embed", "--device", "cuda", "--text", "hi")
        self.assertIn("cuda execution provider unavailable", reason)

    def test_webgpu_without_a_driver_is_an_error(self):
        env = tool_env(VK_ICD_FILENAMES=os.path.join(self.tmp, "no-such-icd.json"), XDG_RUNTIME_DIR=self.tmp)
        _, reason = self.cli_fails("index", "--device", "webgpu", "--input", self.tmp, "--out", self.path("i"),
                                   env=env)
        self.assertIn("webgpu execution provider unavailable", reason)
        self.assertFalse(os.path.exists(self.path("i")))  # failed before touching anything


if __name__ == "__main__":
    unittest.main()
