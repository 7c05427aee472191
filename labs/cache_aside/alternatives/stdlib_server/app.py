"""Cache-aside item service on the standard library's threading HTTP server.

An independent answer to the lab: no Flask, the origin reached with http.client, one module.
Redis errors are misses; concurrent misses of a key wait on one Future; a listener thread
re-subscribes to the invalidation channel whenever its connection drops.
"""

import contextlib
import http.client
import json
import os
import random
import threading
import time
from concurrent.futures import Future
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, unquote, urlsplit

import redis

ORIGIN = urlsplit(os.environ["ORIGIN_URL"])
TTL = int(os.environ.get("CACHE_TTL_SECONDS", "60"))
CHANNEL = "cache-invalidate"
REDIS_WAIT_S = 0.25

cache = redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=REDIS_WAIT_S,
                             socket_timeout=REDIS_WAIT_S)
loads_lock = threading.Lock()
loads = {}


class OriginDown(Exception):
    pass


def origin_call(method, key, body=None):
    """(status, raw body) of the origin's /items/<key>."""
    conn = http.client.HTTPConnection(ORIGIN.hostname, ORIGIN.port or 80, timeout=5)
    try:
        payload = None if body is None else json.dumps(body).encode()
        headers = {} if body is None else {"Content-Type": "application/json"}
        conn.request(method, "/items/" + quote(key, safe=""), body=payload, headers=headers)
        answer = conn.getresponse()
        return answer.status, answer.read()
    except OSError as error:
        raise OriginDown(str(error)) from error
    finally:
        conn.close()


def cached(key):
    try:
        return cache.get("item:" + key)
    except redis.RedisError:
        return None


def forget(key):
    with contextlib.suppress(redis.RedisError):
        cache.delete("item:" + key)


def load(key):
    """(status, body) from the origin, filling the cache; one load per key at a time."""
    with loads_lock:
        running = loads.get(key)
        if running is None:
            running = loads[key] = Future()
            leader = True
        else:
            leader = False
    if not leader:
        return running.result(timeout=10)
    try:
        body = cached(key)
        answer = (200, body) if body is not None else origin_call("GET", key)
        if body is None and answer[0] == 200:
            with contextlib.suppress(redis.RedisError):
                cache.set("item:" + key, answer[1], ex=TTL - random.randint(0, TTL // 10))
        running.set_result(answer)
        return answer
    except BaseException as error:
        running.set_exception(error)
        raise
    finally:
        with loads_lock:
            del loads[key]


def listen_for_invalidations():
    while True:
        try:
            subscriber = redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=1)
            channel = subscriber.pubsub(ignore_subscribe_messages=True)
            channel.subscribe(CHANNEL)
            while True:
                message = channel.get_message(timeout=1.0)
                if message is not None:
                    forget(message["data"].decode())
        except redis.RedisError:
            time.sleep(0.3)


class Handler(BaseHTTPRequestHandler):
    def send(self, status, body, cache_state=None):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if cache_state:
            self.send_header("X-Cache", cache_state)
        self.end_headers()
        self.wfile.write(body)

    def item_key(self):
        path = urlsplit(self.path).path
        return unquote(path[len("/items/"):]) if path.startswith("/items/") else None

    def do_GET(self):
        if self.path == "/healthz":
            self.send(200, {"status": "ok"})
            return
        key = self.item_key()
        if not key:
            self.send(404, {"error": "no such route"})
            return
        body = cached(key)
        if body is not None:
            self.send(200, body, "HIT")
            return
        try:
            status, body = load(key)
        except (OriginDown, TimeoutError):
            self.send(502, {"error": "origin unavailable"})
            return
        self.send(status, body, "MISS")

    def do_PUT(self):
        key = self.item_key()
        if not key:
            self.send(404, {"error": "no such route"})
            return
        try:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        except ValueError:
            body = None
        if not isinstance(body, dict) or "value" not in body:
            self.send(400, {"error": 'send {"value": ...}'})
            return
        try:
            status, answer = origin_call("PUT", key, {"value": body["value"]})
        except OriginDown:
            self.send(502, {"error": "origin unavailable"})
            return
        forget(key)
        self.send(status, answer)

    def log_message(self, format, *args):
        pass


if __name__ == "__main__":
    threading.stack_size(512 * 1024)
    threading.Thread(target=listen_for_invalidations, daemon=True).start()
    ThreadingHTTPServer.request_queue_size = 256  # 200 readers arrive at once (default 5)
    server = ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler)  # noqa: S104 - inside the sandbox
    server.daemon_threads = True
    server.serve_forever()
