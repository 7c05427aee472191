"""Starter: the echo API without any limit. README.md says what the limiter must do."""

import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# TODO: a token bucket per X-Api-Key in Redis (REDIS_URL), shared by both instances:
# RATE_CAPACITY tokens, RATE_REFILL_PER_SECOND back per second, one atomic step per request.


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path == "/healthz":
            self.answer(200, {"status": "ok"})
        else:
            self.answer(404, {"error": "not_found"})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path != "/api/echo":
            self.answer(404, {"error": "not_found"})
            return
        try:
            document = json.loads(body)
        except ValueError:
            self.answer(400, {"error": "bad_json"})
            return
        self.answer(200, {"echo": document})

    def answer(self, status, document):
        data = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


if __name__ == "__main__":
    ThreadingHTTPServer.daemon_threads = True
    address = (os.environ.get("HOST", "0.0.0.0"), int(os.environ.get("PORT", "8000")))
    ThreadingHTTPServer(address, Handler).serve_forever()
