"""Alternative: HTTP by hand on asyncio streams, redis.asyncio, and the token bucket kept
as GCRA: one number per key, the time at which its bucket is full again (Lua, atomic)."""

import asyncio
import json
import math
import os
import time

import redis
import redis.asyncio

CAPACITY = int(os.environ["RATE_CAPACITY"])
INTERVAL = 1 / float(os.environ["RATE_REFILL_PER_SECOND"])  # seconds per token
REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
           429: "Too Many Requests"}

# KEYS[1]: the key's "full again at" time; ARGV: now, interval, capacity.
# Returns {allowed, seconds of debt after this request}.
GCRA = """
local now, interval, capacity = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local full_at = math.max(tonumber(redis.call('GET', KEYS[1]) or now), now)
if full_at - now > (capacity - 1) * interval then
  return {0, tostring(full_at - now)}
end
full_at = full_at + interval
redis.call('SET', KEYS[1], tostring(full_at), 'PX', math.ceil((full_at - now) * 1000) + 1000)
return {1, tostring(full_at - now)}
"""

store = redis.asyncio.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=0.3,
                                     socket_timeout=0.3)
gcra = store.register_script(GCRA)


async def limited(api_key, document):
    try:
        allowed, debt = await gcra(keys=[f"gcra:{api_key}"],
                                   args=[repr(time.time()), repr(INTERVAL), CAPACITY])
    except (redis.RedisError, OSError):
        return 200, {"echo": document}, {}
    debt = float(debt)
    headers = {"X-RateLimit-Limit": str(CAPACITY),
               "X-RateLimit-Remaining": str(max(0, math.floor(CAPACITY - debt / INTERVAL)))}
    if allowed:
        return 200, {"echo": document}, headers
    wait = debt - (CAPACITY - 1) * INTERVAL
    return 429, {"error": "rate_limited"}, {**headers, "Retry-After": str(math.ceil(wait))}


async def route(method, path, headers, body):
    if method == "GET" and path == "/healthz":
        return 200, {"status": "ok"}, {}
    if method != "POST" or path != "/api/echo":
        return 404, {"error": "not_found"}, {}
    if not headers.get("x-api-key"):
        return 401, {"error": "missing_api_key"}, {}
    try:
        document = json.loads(body)
    except ValueError:
        return 400, {"error": "bad_json"}, {}
    return await limited(headers["x-api-key"], document)


async def serve(reader, writer):
    try:
        while True:
            request_line = (await reader.readline()).decode("latin-1").split()
            if len(request_line) != 3:
                break
            headers = {}
            while (line := (await reader.readline()).decode("latin-1").strip()):
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            status, document, extra = await route(*request_line[:2], headers, body)
            data = json.dumps(document).encode()
            head = [f"HTTP/1.1 {status} {REASONS[status]}", "Content-Type: application/json",
                    f"Content-Length: {len(data)}", *(f"{k}: {v}" for k, v in extra.items())]
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(serve, os.environ["HOST"],
                                        int(os.environ["PORT"]))
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
