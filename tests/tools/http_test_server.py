#!/usr/bin/env python3
"""A small HTTP server for download tests: serves a folder with Range
support and misbehaves on request. Stdlib only; listens on 127.0.0.1.

    http_test_server.py --root DIR [--port 0] [--log FILE]

Prints "PORT <n>" on stdout once it listens. Leading path components choose
faults (they combine, e.g. /redirect/drop-once/onnx/x.onnx):

    /drop-once/P   the first GET of P sends the headers and half the body, then
                   closes the connection; later GETs of P are served normally
                   (/drop-once-TAG/P: each TAG has its own "first")
    /corrupt/P     one byte in the middle of the body is flipped
    /norange/P     Range headers are ignored (always 200 with the whole file)
    /slow/P        the body trickles out at ~200 bytes/s
    /redirect/P    302 to /P (as Hugging Face redirects to its CDN)
    /status/N/P    answers HTTP N with a short text body

Every request is logged to --log as one JSON object per line:
{"path", "range", "status", "sent", "t0", "t1"} (sent = body bytes written,
t0/t1 = when the request arrived and ended, in seconds).
"""
import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULTS = ("drop-once", "corrupt", "norange", "slow", "redirect")


class State:
    def __init__(self, root, log_path):
        self.root = os.path.realpath(root)
        self.log_path = log_path
        self.lock = threading.Lock()
        self.dropped = set()

    def log(self, entry):
        if not self.log_path:
            return
        entry["t1"] = time.time()
        with self.lock, open(self.log_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")

    def first_drop(self, path):
        with self.lock:
            if path in self.dropped:
                return False
            self.dropped.add(path)
            return True


def parse_range(header, size):
    """(start, end) inclusive for "bytes=a-" / "bytes=a-b", None when absent,
    "unsatisfiable" when it lies past the end."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    a, _, b = header[6:].partition("-")
    if not a.isdigit():
        return None
    start = int(a)
    end = int(b) if b.isdigit() else size - 1
    if start >= size:
        return "unsatisfiable"
    return start, min(end, size - 1)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None
    head_only = False

    def log_message(self, *args):  # quiet: tests read --log instead
        pass

    def record(self, status, sent, **extra):
        entry = {"path": self.path, "range": self.headers.get("Range"), "status": status, "sent": sent,
                 "t0": self.t0}
        entry.update(extra)
        self.state.log(entry)

    def send_text(self, status, text):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not self.head_only:
            self.wfile.write(body)
        self.record(status, 0 if self.head_only else len(body))

    def do_HEAD(self):
        self.head_only = True
        self.serve()

    def do_GET(self):
        self.head_only = False
        self.serve()

    def serve(self):
        self.t0 = time.time()
        rng_header = self.headers.get("Range")
        parts = [p for p in self.path.split("?")[0].split("/") if p]
        faults = set()
        drop_key = ""
        status_override = None
        while parts:
            if parts[0].startswith("drop-once"):
                drop_key = parts.pop(0)
                faults.add("drop-once")
            elif parts[0] in FAULTS:
                faults.add(parts.pop(0))
            elif parts[0] == "status" and len(parts) > 1 and parts[1].isdigit():
                status_override = int(parts[1])
                parts = parts[2:]
            else:
                break
        rel = "/".join(parts)
        if "redirect" in faults:
            faults.discard("redirect")
            kept = sorted(f for f in faults if f != "drop-once") + ([drop_key] if drop_key else [])
            target = "/" + "/".join(kept + parts)
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            self.record(302, 0)
            return
        if status_override is not None:
            return self.send_text(status_override, "status %d\n" % status_override)
        full = os.path.realpath(os.path.join(self.state.root, rel))
        if not full.startswith(self.state.root + os.sep) or not os.path.isfile(full):
            return self.send_text(404, "not found\n")

        with open(full, "rb") as f:
            data = f.read()
        size = len(data)
        if "corrupt" in faults and size:
            mid = size // 2
            data = data[:mid] + bytes([data[mid] ^ 0x5A]) + data[mid + 1:]
        rng = None if "norange" in faults else parse_range(rng_header, size)
        if rng == "unsatisfiable":
            self.send_response(416)
            self.send_header("Content-Range", "bytes */%d" % size)
            self.send_header("Content-Length", "0")
            self.end_headers()
            self.record(416, 0)
            return
        start, end = rng if rng else (0, size - 1)
        body = data[start:end + 1]
        status = 206 if rng else 200
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        if rng:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, size))
        self.end_headers()
        if self.head_only:
            return self.record(status, 0)

        sent = 0
        if "drop-once" in faults and self.state.first_drop(drop_key + "/" + rel) and len(body) > 1:
            sent = len(body) // 2
            self.wfile.write(body[:sent])
            self.wfile.flush()
            self.close_connection = True
            self.record(status, sent, dropped=True)
            return
        try:
            if "slow" in faults:
                for i in range(0, len(body), 20):
                    self.wfile.write(body[i:i + 20])
                    self.wfile.flush()
                    sent += len(body[i:i + 20])
                    time.sleep(0.1)
            else:
                self.wfile.write(body)
                sent = len(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.record(status, sent)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--log", default="")
    args = ap.parse_args()
    Handler.state = State(args.root, args.log)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
