"""The honest answer of the hostile-target lab (stdlib only). Hostile submissions import it as
`honest` to stay gradable while they attack something else."""

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class Handler(BaseHTTPRequestHandler):
    count = 0
    lock = threading.Lock()

    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/healthz":
            self.reply(200, {"ok": True})
        elif url.path == "/sum":
            query = {k: int(v[0]) for k, v in parse_qs(url.query).items()}
            self.reply(200, {"sum": query["a"] + query["b"]})
        else:
            self.reply(404, {"error": "not found"})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/count":
            with Handler.lock:
                Handler.count += 1
                self.reply(200, {"count": Handler.count})
        elif self.path == "/echo":
            self.send(200, body, "text/plain")
        else:
            self.reply(404, {"error": "not found"})

    def reply(self, status, body):
        self.send(status, json.dumps(body).encode(), "application/json")

    def send(self, status, data, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        pass


def serve(handler=Handler):
    ThreadingHTTPServer((os.environ["HOST"], int(os.environ["PORT"])), handler).serve_forever()


if __name__ == "__main__":
    serve()
