"""Toy lab, another correct solution: a WSGI object with a routing table, items in a list."""

import json
import os
from wsgiref.simple_server import make_server


class ItemStore:
    """Routes (method, first path segment) to handler methods; ids are list positions + 1."""

    def __init__(self) -> None:
        self.items: list[dict] = []
        self.routes = {("GET", "healthz"): self.health, ("POST", "items"): self.create,
                       ("GET", "items"): self.read}

    def __call__(self, environ, start_response):
        parts = environ["PATH_INFO"].strip("/").split("/")
        handler = self.routes.get((environ["REQUEST_METHOD"], parts[0]), self.missing)
        status, body = handler(environ, parts[1:])
        payload = json.dumps(body, separators=(",", ":")).encode()
        start_response(status, [("Content-Type", "application/json; charset=utf-8"),
                                ("Content-Length", str(len(payload)))])
        return [payload]

    def health(self, environ, rest):
        return "200 OK", {"status": "up"}

    def create(self, environ, rest):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        fields = json.loads(environ["wsgi.input"].read(length) or b"{}")
        self.items.append({"name": fields.get("name"), "id": len(self.items) + 1})
        return "201 Created", self.items[-1]

    def read(self, environ, rest):
        if len(rest) == 1 and rest[0].isdigit() and 0 < int(rest[0]) <= len(self.items):
            return "200 OK", self.items[int(rest[0]) - 1]
        return self.missing(environ, rest)

    def missing(self, environ, rest):
        return "404 Not Found", {"error": "no such item"}


app = ItemStore()

if __name__ == "__main__":
    make_server(os.environ.get("HOST", "127.0.0.1"), int(os.environ["PORT"]), app).serve_forever()
