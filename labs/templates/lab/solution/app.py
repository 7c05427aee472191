"""Reference solution: a greeting service on the standard library's http.server."""

import json
import os
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/greetings/"
SALUTATIONS_URL = os.environ["SALUTATIONS_URL"]


def salutation():
    """The salutations service's word, or "Hello" when it fails or takes over a second."""
    try:
        with urllib.request.urlopen(f"{SALUTATIONS_URL}/salutation", timeout=1) as response:
            return json.load(response)["salutation"]
    except (OSError, ValueError, KeyError):
        return "Hello"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/healthz":
            self.answer(200, {"status": "ok"})
        elif self.path.startswith(PREFIX) and self.path[len(PREFIX):].isalnum():
            name = self.path[len(PREFIX):]
            self.answer(200, {"greeting": f"{salutation()}, {name}!"})
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
