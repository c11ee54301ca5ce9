#!/usr/bin/env python3
"""range-server.py - a static HTTP/1.1 file server for benchmarks, with a fixed latency per request.

Usage: range-server.py DIR PORT [--latency-ms MS] [--log FILE] [--bind ADDR]

Serves the regular files directly under DIR (no listing, no subdirectories) on ADDR:PORT
(default 127.0.0.1): GET and HEAD, one byte range per request (`Range: bytes=A-B`, `A-` or `-N`;
a list of ranges is answered with the whole file), Content-Length, an ETag and Last-Modified
from the file's size and mtime, If-Match (412 on a mismatch). Every request first sleeps MS
milliseconds (the round trip of a remote server), then is answered; keep-alive connections, one
thread per connection. Each request appends one line to FILE (default: stderr):
    METHOD STATUS BYTES_SENT RANGE
where BYTES_SENT counts the body only. Used by native-test/bench-boot.
"""
import argparse
import email.utils
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "range-server/1"

    def log_message(self, fmt, *args):  # the per-request line below replaces the default log
        pass

    def record(self, status, sent, rng):
        line = f"{self.command} {status} {sent} {rng or '-'}\n"
        with self.server.log_lock:
            self.server.log.write(line)
            self.server.log.flush()

    def answer(self, body):
        time.sleep(self.server.latency)
        name = self.path.split("?", 1)[0].lstrip("/")
        path = os.path.join(self.server.root, name)
        if "/" in name or name in ("", ".", "..") or not os.path.isfile(path):
            return self.empty(404, None)
        st = os.stat(path)
        etag = f'"{st.st_size:x}-{st.st_mtime_ns:x}"'
        match = self.headers.get("If-Match")
        if match is not None and match.strip() != "*" and etag not in [m.strip() for m in match.split(",")]:
            return self.empty(412, None)
        size = st.st_size
        start, end, status = 0, size - 1, 200
        rng = self.headers.get("Range")
        m = RANGE.match(rng.strip()) if rng else None
        if m and (m.group(1) or m.group(2)):
            if m.group(1):
                start = int(m.group(1))
                end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
            else:  # suffix range: the last N bytes
                start = max(0, size - int(m.group(2)))
            if start >= size or start > end:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return self.record(416, 0, rng)
            status = 206
        length = end - start + 1
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(length))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", email.utils.formatdate(st.st_mtime, usegmt=True))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        sent = 0
        if body:
            with open(path, "rb") as f:
                f.seek(start)
                left = length
                while left > 0:
                    chunk = f.read(min(left, 1 << 20))
                    if not chunk:
                        break
                    self.wfile.write(chunk)
                    sent += len(chunk)
                    left -= len(chunk)
        self.record(status, sent, rng)

    def empty(self, status, rng):
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.record(status, 0, rng)

    def do_GET(self):
        self.answer(True)

    def do_HEAD(self):
        self.answer(False)


def main():
    p = argparse.ArgumentParser(description="static HTTP/1.1 range server with a per-request latency")
    p.add_argument("dir")
    p.add_argument("port", type=int)
    p.add_argument("--latency-ms", type=float, default=0.0)
    p.add_argument("--log", default=None)
    p.add_argument("--bind", default="127.0.0.1")
    a = p.parse_args()
    server = ThreadingHTTPServer((a.bind, a.port), Handler)
    server.daemon_threads = True
    server.root = os.path.abspath(a.dir)
    server.latency = a.latency_ms / 1000.0
    server.log = open(a.log, "a", buffering=1) if a.log else sys.stderr
    server.log_lock = threading.Lock()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
