#!/usr/bin/python3
"""`clipsearch index` over a list of URLs served by a local server that
misbehaves: it stalls before or inside a response, resets connections, sends
endless bodies (with and without a length) and images too large to accept.
Every such row times out or is refused per the limits (--url-timeout,
--max-download-bytes, the decoder's pixel limit), lands in report.jsonl with
its reason, and the run completes with the good rows indexed.

The server lives here rather than in tests/tools/http_test_server.py: these
faults are about raw sockets (no response at all, RST), not HTTP semantics.
"""
import json
import os
import random
import socket
import struct
import sys
import threading
import time
import unittest
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "cli"))
from clitest import CliTestCase, write_photo  # noqa: E402

URL_TIMEOUT_S = 3
MAX_BYTES = 1 << 20


def png_header_only(width, height):
    """A PNG that declares width x height and holds one empty IDAT: what a
    hostile host sends to make a decoder allocate."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


class FaultyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    files = {}          # path -> bytes served normally
    release = None      # threading.Event: set at teardown so stalled handlers end

    def log_message(self, *args):
        pass

    def headers_for(self, length=None, chunked=False):
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        if length is not None:
            self.send_header("Content-Length", str(length))
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()

    def do_GET(self):
        name = self.path.lstrip("/")
        try:
            if name in self.files:
                body = self.files[name]
                self.headers_for(len(body))
                self.wfile.write(body)
            elif name == "stall-before-headers.jpg":
                self.release.wait(60)
            elif name == "stall-in-body.jpg":
                body = self.files["good.jpg"]
                self.headers_for(len(body))
                self.wfile.write(body[:len(body) // 2])
                self.wfile.flush()
                self.release.wait(60)
            elif name == "reset.jpg":
                # SO_LINGER 0: close() sends RST instead of FIN.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True
            elif name == "reset-in-body.jpg":
                body = self.files["good.jpg"]
                self.headers_for(len(body))
                self.wfile.write(body[:len(body) // 3])
                self.wfile.flush()
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True
            elif name == "endless-chunked.jpg":
                self.headers_for(chunked=True)
                block = b"\xff" * 65536
                while not self.release.is_set():
                    self.wfile.write(b"%x\r\n" % len(block) + block + b"\r\n")
            elif name == "endless-declared.jpg":
                self.headers_for(length=1 << 40)
                block = b"\xff" * 65536
                while not self.release.is_set():
                    self.wfile.write(block)
            else:
                self.send_error(404)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the client gave up, as it should


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients giving up mid-request is what this test provokes


class UrlFaults(CliTestCase):
    def setUp(self):
        super().setUp()
        write_photo(self.path("good.jpg"), size=(320, 240), seed=1, fmt="JPEG")
        write_photo(self.path("good2.png"), size=(200, 150), seed=2, fmt="PNG")
        # A real image bigger than the byte limit (noise does not compress).
        Image.frombytes("RGB", (700, 700), random.Random(3).randbytes(700 * 700 * 3)).save(self.path("big.png"))
        files = {}
        for name in ("good.jpg", "good2.png", "big.png"):
            with open(self.path(name), "rb") as f:
                files[name] = f.read()
        self.assertGreater(len(files["big.png"]), MAX_BYTES)
        files["huge-pixels.png"] = png_header_only(100000, 100000)

        release = threading.Event()
        handler = type("Handler", (FaultyHandler,), {"files": files, "release": release})
        self.server = QuietServer(("127.0.0.1", 0), handler)
        self.release = release
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def tearDown(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        super().tearDown()

    def url(self, name):
        return "http://127.0.0.1:%d/%s" % (self.server.server_address[1], name)

    def test_every_faulty_row_is_refused_and_the_run_completes(self):
        # name -> a word the reason must contain
        faulty = {
            "stall-before-headers.jpg": "timed out",
            "stall-in-body.jpg": "timed out",
            "reset.jpg": "",
            "reset-in-body.jpg": "",
            "endless-chunked.jpg": "",
            "endless-declared.jpg": "",
            "big.png": "",
            "huge-pixels.png": "exceeds",
            "missing.jpg": "404",
        }
        rows = ["good.jpg", "good2.png"] + list(faulty)
        with open(self.path("urls.csv"), "w", encoding="utf-8") as f:
            f.write("url,caption\n")
            for name in rows:
                f.write("%s,%s\n" % (self.url(name), name))

        out = self.path("index")
        t0 = time.monotonic()
        err = self.index("--input", self.path("urls.csv"), "--out", out, "--url-timeout", str(URL_TIMEOUT_S),
                         "--max-download-bytes", str(MAX_BYTES), "--download-threads", "4", timeout=300).stderr
        elapsed = time.monotonic() - t0
        self.assertIn("2 embedded, %d skipped" % len(faulty), err)
        # Each stalled row costs at most the timeout, in parallel; nothing waits for an endless body.
        self.assertLess(elapsed, 120, "the run took %.0f s" % elapsed)

        self.assertEqual(sorted(self.all_ids(out)), sorted([self.url("good.jpg"), self.url("good2.png")]))
        reasons = {e["id"]: e["reason"] for e in self.report(out)}
        self.assertEqual(sorted(reasons), sorted(self.url(n) for n in faulty))
        for name, word in faulty.items():
            with self.subTest(row=name):
                reason = reasons[self.url(name)]
                self.assertTrue(reason.strip())
                self.assertNotIn("\n", reason)
                if word:
                    self.assertIn(word, reason.lower())
        for name in ("endless-chunked.jpg", "endless-declared.jpg", "big.png"):
            with self.subTest(row=name):
                self.assertRegex(reasons[self.url(name)].lower(), r"limit|large|exceed|max",
                                 "refused for its size: " + reasons[self.url(name)])
        self.cli("verify", out)


if __name__ == "__main__":
    unittest.main()
