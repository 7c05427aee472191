"""Toy lab, another correct solution: wsgiref's path shifting, ids from a counter."""

import itertools
import json
import os
from wsgiref.simple_server import make_server
from wsgiref.util import shift_path_info

STORE: dict[str, bytes] = {}
NEXT_ID = itertools.count(1)


def app(environ, start_response):
    def answer(status, document):
        body = document if isinstance(document, bytes) else json.dumps(document).encode()
        start_response(status, [("Content-Type", "application/json")])
        yield body

    top = shift_path_info(environ)
    method = environ["REQUEST_METHOD"]
    if (method, top) == ("GET", "healthz"):
        return answer("200 OK", {})
    if (method, top) == ("POST", "items"):
        size = int(environ.get("CONTENT_LENGTH") or 0)
        request = json.loads(environ["wsgi.input"].read(size) or b"{}")
        number = next(NEXT_ID)
        STORE[str(number)] = json.dumps({"id": number, "name": request.get("name")}).encode()
        return answer("201 Created", STORE[str(number)])
    if (method, top) == ("GET", "items"):
        key = shift_path_info(environ)
        if key in STORE:
            return answer("200 OK", STORE[key])
    return answer("404 Not Found", {"error": f"nothing at {environ['PATH_INFO']}"})


if __name__ == "__main__":
    make_server(os.environ.get("HOST", "127.0.0.1"), int(os.environ["PORT"]), app).serve_forever()
