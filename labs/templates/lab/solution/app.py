"""Reference solution: a greeting service on the standard library's http.server."""

import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/greetings/"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/healthz":
            self.answer(200, {"status": "ok"})
        elif self.path.startswith(PREFIX) and self.path[len(PREFIX):].isalnum():
            name = self.path[len(PREFIX):]
            self.answer(200, {"greeting": f"Hello, {name}!"})
        else:
            self.answer(404, {"error": "not found"})

    def answer(self, status, document):
        data = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


if __name__ == "__main__":
    address = (os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "8000")))
    ThreadingHTTPServer(address, Handler).serve_forever()
