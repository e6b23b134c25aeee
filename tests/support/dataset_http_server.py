#!/usr/bin/env python3
"""A small HTTP server for the dataset download tests, on 127.0.0.1 only.

Usage: dataset_http_server.py LOG_FILE NAME=DIR [NAME=DIR ...]
Prints the port it listens on as the first line of stdout, then serves
/NAME/<file> from DIR. A path may start with modifiers, each one segment:

  /drop-once-N/...  the first request for a path sends N bytes of the body, then
                    drops the connection (later requests are served whole)
  /slow-B/...       sends B bytes a second
  /corrupt/...      flips one byte in the middle of the body
  /norange/...      ignores Range headers (always 200 with the whole file)
  /missing/...      404
  /loop/...         redirects to itself, forever

Range requests (bytes=N-) are honoured with 206. Each request is appended to
LOG_FILE as one line: "<path> <Range header or ->".
"""
import http.server
import os
import socketserver
import sys
import threading
import time

LOG = sys.argv[1]
ROOTS = dict(arg.split("=", 1) for arg in sys.argv[2:])
dropped = set()
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        with lock, open(LOG, "a") as log:
            log.write("%s %s\n" % (self.path, self.headers.get("Range", "-")))
        parts = [p for p in self.path.split("/") if p]
        mods = []
        while parts and (parts[0].startswith(("drop-once-", "slow-")) or
                         parts[0] in ("corrupt", "norange", "missing", "loop")):
            mods.append(parts.pop(0))
        if "loop" in mods:
            self.send_response(302)
            self.send_header("Location", self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if "missing" in mods or len(parts) != 2 or parts[0] not in ROOTS:
            return self.fail(404)
        path = os.path.join(ROOTS[parts[0]], parts[1])
        if not os.path.isfile(path):
            return self.fail(404)
        with open(path, "rb") as f:
            body = f.read()
        if "corrupt" in mods:
            middle = len(body) // 2
            body = body[:middle] + bytes([body[middle] ^ 0xFF]) + body[middle + 1:]
        start = 0
        rng = self.headers.get("Range")
        if rng and "norange" not in mods and rng.startswith("bytes=") and rng.endswith("-"):
            start = int(rng[6:-1])
            if start >= len(body):
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % len(body))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(body) - 1, len(body)))
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(body) - start))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        data = body[start:]
        for m in mods:
            if m.startswith("drop-once-"):
                with lock:
                    first = self.path not in dropped
                    dropped.add(self.path)
                if first:
                    self.wfile.write(data[:int(m[len("drop-once-"):])])
                    self.wfile.flush()
                    self.close_connection = True
                    return
        rate = next((int(m[5:]) for m in mods if m.startswith("slow-")), 0)
        try:
            if rate:
                step = max(1, rate // 10)
                for i in range(0, len(data), step):
                    self.wfile.write(data[i:i + step])
                    self.wfile.flush()
                    time.sleep(0.1)
            else:
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def fail(self, code):
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
