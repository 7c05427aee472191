"""Alternative solution: the same contract as a WSGI application on wsgiref."""

import http.client
import json
import os
from urllib.parse import urlsplit
from wsgiref.simple_server import make_server

SALUTATIONS = urlsplit(os.environ["SALUTATIONS_URL"])


def salutation():
    connection = http.client.HTTPConnection(SALUTATIONS.hostname, SALUTATIONS.port, timeout=1)
    try:
        connection.request("GET", "/salutation")
        response = connection.getresponse()
        if response.status == 200:
            return json.loads(response.read())["salutation"]
    except (OSError, ValueError, KeyError):
        pass
    finally:
        connection.close()
    return "Hello"


def app(environ, start_response):
    segments = environ["PATH_INFO"].strip("/").split("/")
    if environ["REQUEST_METHOD"] != "GET":
        status, document = "404 Not Found", {"error": "not found"}
    elif segments == ["healthz"]:
        status, document = "200 OK", {"status": "ok"}
    elif len(segments) == 2 and segments[0] == "greetings" and segments[1].isalnum():
        status, document = "200 OK", {"greeting": salutation() + ", " + segments[1] + "!"}
    else:
        status, document = "404 Not Found", {"error": "not found"}
    data = json.dumps(document).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(data)))])
    return [data]


if __name__ == "__main__":
    make_server(os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "8000")),
                app).serve_forever()
