"""The URL shortener: `python3 app.py` (README.md is the contract).

Flask answers the HTTP side; links.py keeps the links in PostgreSQL, where they outlive the
process; urls.py says which URLs can be shortened.
"""

import os
import threading

from flask import Flask, jsonify, request
from links import CodeSpaceFull, DatabaseDown, Links
from urls import invalid_reason

THREAD_STACK_BYTES = 512 * 1024  # a thread per connection: 200 stacks of 8 MB overflow 256 MB

app = Flask(__name__)
links = Links(os.environ["DATABASE_URL"])


def error(status: int, message: str):
    return jsonify(error=message), status


@app.errorhandler(DatabaseDown)
def database_down(_exc):
    return error(503, "the database is not answering; try again")


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")


@app.post("/links")
def shorten():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error(400, 'send a JSON object {"url": "https://..."}')
    reason = invalid_reason(body.get("url"))
    if reason:
        return error(422, reason)
    try:
        code = links.create(body["url"])
    except CodeSpaceFull:
        return error(503, "no free short code found; try again")
    response = jsonify(code=code, url=body["url"], short_url=f"/{code}")
    response.status_code = 201
    response.headers["Location"] = f"/{code}"
    return response


@app.get("/<code>")
def follow(code):
    url = links.follow(code)
    if url is None:
        return error(404, f"no short link {code}")
    # 302, not 301: a browser caches a 301 and never asks again, so later clicks would
    # neither be counted nor follow a changed or removed link.
    return "", 302, {"Location": url, "Cache-Control": "no-store"}


@app.get("/links/<code>/stats")
def stats(code):
    link = links.stats(code)
    if link is None:
        return error(404, f"no short link {code}")
    return jsonify(link)


if __name__ == "__main__":
    threading.stack_size(THREAD_STACK_BYTES)
    app.run(host=os.environ["HOST"], port=int(os.environ["PORT"]), threaded=True)
