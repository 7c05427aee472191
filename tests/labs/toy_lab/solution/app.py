"""Toy lab solution: items kept in memory, served as JSON over WSGI."""

import json
import os
from wsgiref.simple_server import make_server

ITEMS: dict[int, dict] = {}


def reply(start_response, status: str, body: object) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(data)))])
    return [data]


def app(environ, start_response):
    method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
    if method == "GET" and path == "/healthz":
        return reply(start_response, "200 OK", {"ok": True})
    if method == "POST" and path == "/items":
        size = int(environ.get("CONTENT_LENGTH") or 0)
        item = json.loads(environ["wsgi.input"].read(size))
        item["id"] = len(ITEMS) + 1
        ITEMS[item["id"]] = item
        return reply(start_response, "201 Created", item)
    if method == "GET" and path.startswith("/items/"):
        item = ITEMS.get(int(path.rsplit("/", 1)[1]))
        if item:
            return reply(start_response, "200 OK", item)
    return reply(start_response, "404 Not Found", {"error": "not found"})


if __name__ == "__main__":
    make_server(os.environ.get("HOST", "127.0.0.1"), int(os.environ["PORT"]), app).serve_forever()
