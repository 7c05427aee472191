"""The item service, before the cache: `python3 app.py`.

Every read and write goes straight to the slow origin (ORIGIN_URL), so every read pays the
origin's latency. Your job (README.md): put Redis (REDIS_URL) in front of it with
cache-aside - look up, populate with a TTL, evict after writes and on invalidation events,
remember 404s briefly, collapse concurrent misses, and survive Redis being down.
"""

import os
from urllib.parse import quote

import requests
from flask import Flask, jsonify, request

ORIGIN_URL = os.environ["ORIGIN_URL"].rstrip("/")

app = Flask(__name__)
origin = requests.Session()


def origin_url(key):
    return f"{ORIGIN_URL}/items/{quote(key, safe='')}"


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")


@app.get("/items/<key>")
def read_item(key):
    answer = origin.get(origin_url(key), timeout=5)
    response = app.make_response((jsonify(answer.json()), answer.status_code))
    response.headers["X-Cache"] = "MISS"
    return response


@app.put("/items/<key>")
def update_item(key):
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "value" not in body:
        return jsonify(error="bad_request", detail='send {"value": ...}'), 400
    answer = origin.put(origin_url(key), json={"value": body["value"]}, timeout=5)
    return jsonify(answer.json()), answer.status_code


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")),
            threaded=True)
