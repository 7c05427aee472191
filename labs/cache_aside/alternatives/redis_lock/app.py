"""Cache-aside item service in one Flask module, with the single-flight lock kept in Redis.

An independent answer to the lab: a miss takes `lock:<key>` with SET NX EX; the winner
loads the origin (httpx) and fills the entry, the others poll the entry until it appears.
404s are remembered for NEGATIVE_TTL_SECONDS. When Redis is down nothing is locked or
cached: every read goes to the origin.
"""

import contextlib
import json
import logging
import os
import threading
import time
import uuid

import httpx
import redis
from flask import Flask, Response, request

REDIS_URL = os.environ["REDIS_URL"]
TTL = int(os.environ["CACHE_TTL_SECONDS"])
NEGATIVE_TTL = int(os.environ["NEGATIVE_TTL_SECONDS"])
NOT_FOUND = b"__not_found__"
LOCK_TTL_S = 5
WAIT_FOR_LOADER_S = 8.0

app = Flask(__name__)
store = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.3, socket_timeout=0.3)
origin = httpx.Client(base_url=os.environ["ORIGIN_URL"], timeout=5.0,
                      limits=httpx.Limits(max_connections=50))
log = logging.getLogger("cache")


def json_response(body, status=200, cache=None):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"X-Cache": cache} if cache else {}
    return Response(data, status=status, mimetype="application/json", headers=headers)


def redis_get(name):
    try:
        return store.get(name)
    except redis.RedisError as error:
        log.warning("redis read failed: %s", error)
        return None


def entry_answer(entry, cache):
    if entry == NOT_FOUND:
        return json_response({"error": "not_found"}, 404, cache)
    return json_response(entry, 200, cache)


def from_origin(key):
    """Read the origin and remember the answer (404s briefly); the entry bytes."""
    answer = origin.get(f"/items/{key}")
    if answer.status_code == 404:
        entry, ttl = NOT_FOUND, NEGATIVE_TTL
    else:
        answer.raise_for_status()
        entry, ttl = answer.content, TTL
    try:
        store.set(f"item:{key}", entry, ex=ttl)
    except redis.RedisError as error:
        log.warning("redis write failed: %s", error)
    return entry


def load_once(key):
    """The entry for `key`: loaded by whoever holds lock:<key>, awaited by the others.

    A waiter tries for the lock on every poll, so a loader that died or could not write the
    entry hands over to one waiter (the lock is gone), never to all of them at once. A Redis
    call that times out means Redis is busy, not gone: the request asks again, and only a
    refused connection (an outage) sends it to the origin without the lock.
    """
    give_up = time.monotonic() + WAIT_FOR_LOADER_S
    while time.monotonic() < give_up:
        token = uuid.uuid4().hex
        try:
            entry = store.get(f"item:{key}")
            if entry is None and store.set(f"lock:{key}", token, nx=True, ex=LOCK_TTL_S):
                try:
                    # the lock is ours, but its last holder may have filled the entry just now
                    return store.get(f"item:{key}") or from_origin(key)
                finally:
                    release(key, token)
        except redis.TimeoutError:
            entry = None
        except redis.RedisError:
            return from_origin(key)
        if entry is not None:
            return entry
        time.sleep(0.05)
    return from_origin(key)


def release(key, token):
    """Delete lock:<key> if it is still ours (it may have expired and gone to another)."""
    with contextlib.suppress(redis.RedisError):
        if store.get(f"lock:{key}") == token.encode():
            store.delete(f"lock:{key}")


@app.get("/healthz")
def healthz():
    return {"ok": True}


@app.get("/items/<key>")
def get_item(key):
    entry = redis_get(f"item:{key}")
    if entry is not None:
        return entry_answer(entry, "HIT")
    try:
        return entry_answer(load_once(key), "MISS")
    except httpx.HTTPError as error:
        return json_response({"error": f"origin: {error}"}, 502)


@app.put("/items/<key>")
def put_item(key):
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "value" not in body:
        return json_response({"error": "value is required"}, 400)
    try:
        answer = origin.put(f"/items/{key}", json={"value": body["value"]})
    except httpx.HTTPError as error:
        return json_response({"error": f"origin: {error}"}, 502)
    try:
        store.delete(f"item:{key}")
    except redis.RedisError as error:
        log.warning("could not evict %s: %s", key, error)
    return json_response(answer.content, answer.status_code)


def invalidations():
    """Follow the channel forever; after any Redis error, connect and subscribe again."""
    while True:
        try:
            pubsub = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).pubsub()
            pubsub.subscribe("cache-invalidate")
            for message in pubsub.listen():
                if message["type"] == "message":
                    store.delete("item:" + message["data"].decode())
        except redis.RedisError as error:
            log.warning("invalidation listener: %s; subscribing again", error)
            time.sleep(0.5)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    threading.stack_size(512 * 1024)
    threading.Thread(target=invalidations, name="invalidations", daemon=True).start()
    app.run(host="0.0.0.0", port=int(os.environ["PORT"]), threaded=True)  # noqa: S104 - inside the sandbox
