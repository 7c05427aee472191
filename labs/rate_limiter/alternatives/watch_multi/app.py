"""Alternative: a WSGI app (threaded wsgiref) whose buckets change in WATCH/MULTI/EXEC
transactions, retried when another request changed the bucket first; the machine's clock."""

import json
import math
import os
import time
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import redis

CAPACITY = int(os.environ["RATE_CAPACITY"])
RATE = float(os.environ["RATE_REFILL_PER_SECOND"])
store = redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=0.3,
                             socket_timeout=0.3)


def take(api_key):
    """(allowed, tokens left) for one request, in one optimistic transaction."""
    key = f"bucket:{api_key}"
    with store.pipeline() as pipe:
        while True:
            try:
                pipe.watch(key)
                bucket = pipe.hgetall(key)
                now = time.time()
                tokens = float(bucket.get(b"tokens", CAPACITY))
                tokens = min(CAPACITY, tokens + (now - float(bucket.get(b"at", now))) * RATE)
                allowed = tokens >= 1
                if allowed:
                    tokens -= 1
                pipe.multi()
                pipe.hset(key, mapping={"tokens": repr(tokens), "at": repr(now)})
                pipe.expire(key, math.ceil(CAPACITY / RATE) + 1)
                pipe.execute()
                return allowed, tokens
            except redis.WatchError:
                continue


def reply(start_response, status, document, headers=()):
    data = json.dumps(document).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(data))), *headers])
    return [data]


def app(environ, start_response):
    method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
    if method == "GET" and path == "/healthz":
        return reply(start_response, "200 OK", {"status": "ok"})
    if method != "POST" or path != "/api/echo":
        return reply(start_response, "404 Not Found", {"error": "not_found"})
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    api_key = environ.get("HTTP_X_API_KEY", "")
    if not api_key:
        return reply(start_response, "401 Unauthorized", {"error": "missing_api_key"})
    try:
        document = json.loads(body)
    except ValueError:
        return reply(start_response, "400 Bad Request", {"error": "bad_json"})
    try:
        allowed, tokens = take(api_key)
    except redis.RedisError:
        return reply(start_response, "200 OK", {"echo": document})
    headers = [("X-RateLimit-Limit", str(CAPACITY)),
               ("X-RateLimit-Remaining", str(math.floor(tokens)))]
    if allowed:
        return reply(start_response, "200 OK", {"echo": document}, headers)
    retry = math.ceil((1 - tokens) / RATE)
    return reply(start_response, "429 Too Many Requests", {"error": "rate_limited"},
                 [*headers, ("Retry-After", str(retry))])


class Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


if __name__ == "__main__":
    make_server(os.environ["HOST"], int(os.environ["PORT"]), app,
                server_class=Server, handler_class=QuietHandler).serve_forever()
