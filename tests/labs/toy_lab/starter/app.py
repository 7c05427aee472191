"""Toy lab starter: only the health check works."""

import json
import os
from wsgiref.simple_server import make_server


def app(environ, start_response):
    ok = environ["PATH_INFO"] == "/healthz"
    data = json.dumps({"ok": True} if ok else {"error": "not implemented"}).encode()
    start_response("200 OK" if ok else "501 Not Implemented",
                   [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


if __name__ == "__main__":
    make_server(os.environ.get("HOST", "127.0.0.1"), int(os.environ["PORT"]), app).serve_forever()
