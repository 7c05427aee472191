"""The slow origin behind the learner's cache: `python3 services/origin.py`.

Every business read and write sleeps ORIGIN_LATENCY_MS (default 150) so a cache hit is
easy to tell from a trip to the origin, and every business call is counted per key so the
grader can see how often the cache let a request through. The /admin/ endpoints change
data behind the cache's back and read or reset the counters; they are instant and uncounted.
Standard library only; listens on $HOST (default every interface, as in a container):$PORT.
"""

import json
import os
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

ITEMS, ADMIN_ITEMS = "/items/", "/admin/items/"


class Store:
    """Items by key, each with a version bumped on every write, and the call counters."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items = {}
        self.reads = Counter()
        self.writes = Counter()

    def get(self, key, counted):
        with self.lock:
            if counted:
                self.reads[key] += 1
            return dict(self.items[key]) if key in self.items else None

    def put(self, key, value, counted):
        with self.lock:
            if counted:
                self.writes[key] += 1
            version = self.items[key]["version"] + 1 if key in self.items else 1
            self.items[key] = {"key": key, "value": value, "version": version}
            return dict(self.items[key])

    def delete(self, key):
        with self.lock:
            return self.items.pop(key, None) is not None

    def calls(self):
        with self.lock:
            return {"reads": dict(self.reads), "writes": dict(self.writes),
                    "total_reads": sum(self.reads.values()),
                    "total_writes": sum(self.writes.values())}

    def reset_calls(self):
        with self.lock:
            self.reads.clear()
            self.writes.clear()


class OriginServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the grader opens 200 connections at once


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms delayed ACK
    store = Store()
    latency_s = 0.15

    def log_message(self, format, *args):
        """Keep the log quiet: the grader sends thousands of requests."""

    def answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def answer_item(self, item):
        if item is None:
            self.answer(404, {"error": "not_found"})
        else:
            self.answer(200, item)

    def read_value(self):
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}") if length else {}
        except ValueError:
            body = None
        if not isinstance(body, dict) or "value" not in body:
            self.answer(400, {"error": "bad_request", "detail": 'send {"value": ...}'})
            return None, False
        return body["value"], True

    def key_after(self, prefix):
        path = urlsplit(self.path).path
        if not path.startswith(prefix):
            return None
        key = unquote(path[len(prefix):])
        return key if key and "/" not in key else None

    def do_GET(self):
        path = urlsplit(self.path).path
        if path == "/health":
            self.answer(200, {"status": "ok"})
        elif path == "/admin/calls":
            self.answer(200, self.store.calls())
        elif self.key_after(ITEMS) is not None:
            time.sleep(self.latency_s)
            self.answer_item(self.store.get(self.key_after(ITEMS), counted=True))
        elif self.key_after(ADMIN_ITEMS) is not None:
            self.answer_item(self.store.get(self.key_after(ADMIN_ITEMS), counted=False))
        else:
            self.answer(404, {"error": "not_found"})

    def do_PUT(self):
        for prefix, counted in ((ITEMS, True), (ADMIN_ITEMS, False)):
            key = self.key_after(prefix)
            if key is not None:
                value, ok = self.read_value()
                if ok:
                    if counted:
                        time.sleep(self.latency_s)
                    self.answer(200, self.store.put(key, value, counted))
                return
        self.answer(404, {"error": "not_found"})

    def do_DELETE(self):
        key = self.key_after(ADMIN_ITEMS)
        if key is None:
            self.answer(404, {"error": "not_found"})
        elif self.store.delete(key):
            self.answer(200, {"deleted": key})
        else:
            self.answer(404, {"error": "not_found"})

    def do_POST(self):
        if urlsplit(self.path).path == "/admin/calls/reset":
            self.store.reset_calls()
            self.answer(200, self.store.calls())
        else:
            self.answer(404, {"error": "not_found"})


def main():
    Handler.latency_s = int(os.environ.get("ORIGIN_LATENCY_MS", "150")) / 1000
    address = (os.environ.get("HOST", "0.0.0.0"), int(os.environ.get("PORT", "8000")))  # noqa: S104 - a container's port
    server = OriginServer(address, Handler)
    print(f"origin listening on port {server.server_address[1]}, "
          f"latency {Handler.latency_s * 1000:.0f} ms", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
