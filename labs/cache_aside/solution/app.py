"""A cache-aside item service: `python3 app.py`.

Reads go through Redis (REDIS_URL) to the slow origin (ORIGIN_URL); entries live
CACHE_TTL_SECONDS, remembered 404s NEGATIVE_TTL_SECONDS. Listens on $HOST (default every
interface, as in a container):$PORT.
"""

import logging
import os
import threading

import redis
from cache import TIMEOUT_S, ItemCache
from flask import Flask, jsonify, request
from invalidation import listen
from items import Items
from origin import Origin, OriginUnavailable
from singleflight import SingleFlight

THREAD_STACK_BYTES = 512 * 1024  # a thread per connection: 200 stacks of 8 MB overflow 256 MB


def create_app(items):
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.get("/items/<key>")
    def read_item(key):
        item, source = items.read(key)
        response = jsonify(item) if item is not None else (jsonify(error="not_found"), 404)
        response = app.make_response(response)
        response.headers["X-Cache"] = source
        return response

    @app.put("/items/<key>")
    def update_item(key):
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or "value" not in body:
            return jsonify(error="bad_request", detail='send {"value": ...}'), 400
        return jsonify(items.update(key, body["value"]))

    @app.errorhandler(OriginUnavailable)
    def origin_unavailable(error):
        return jsonify(error="origin_unavailable", detail=str(error)), 502

    return app


def main():
    threading.stack_size(THREAD_STACK_BYTES)
    logging.basicConfig(level=logging.INFO, format="%(name)s %(levelname)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    redis_url = os.environ["REDIS_URL"]
    client = redis.Redis.from_url(redis_url, socket_connect_timeout=TIMEOUT_S,
                                  socket_timeout=TIMEOUT_S)
    cache = ItemCache(client,
                      int(os.environ.get("CACHE_TTL_SECONDS", "60")),
                      int(os.environ.get("NEGATIVE_TTL_SECONDS", "3")))
    listen(redis_url, cache)
    items = Items(cache, Origin(os.environ["ORIGIN_URL"]), SingleFlight())
    create_app(items).run(host=os.environ.get("HOST", "0.0.0.0"),
                          port=int(os.environ.get("PORT", "8000")), threaded=True)


if __name__ == "__main__":
    main()
