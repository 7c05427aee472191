"""Alternative solution: HTTP/1.1 by hand on asyncio streams, one request per connection."""

import asyncio
import json
import os
import re
from urllib.parse import urlsplit

GREETING = re.compile(r"^/greetings/([A-Za-z0-9]+)$")
SALUTATIONS = urlsplit(os.environ["SALUTATIONS_URL"])


async def fetch_salutation():
    reader, writer = await asyncio.open_connection(SALUTATIONS.hostname, SALUTATIONS.port)
    try:
        writer.write(f"GET /salutation HTTP/1.1\r\nHost: {SALUTATIONS.netloc}\r\n"
                     "Connection: close\r\n\r\n".encode())
        await writer.drain()
        head, _, body = (await reader.read()).partition(b"\r\n\r\n")
        if head.split()[1] != b"200":
            raise ValueError(head.split(b"\r\n")[0])
        return json.loads(body)["salutation"]
    finally:
        writer.close()


async def salutation():
    """The salutations service's word, or "Hello" when it fails or takes over a second."""
    try:
        return await asyncio.wait_for(fetch_salutation(), timeout=1)
    except (TimeoutError, OSError, ValueError, KeyError, IndexError):
        return "Hello"


async def route(method, path):
    if method == "GET" and path == "/healthz":
        return 200, {"status": "ok"}
    match = GREETING.match(path) if method == "GET" else None
    if match:
        return 200, {"greeting": f"{await salutation()}, {match.group(1)}!"}
    return 404, {"error": "not found"}


async def serve(reader, writer):
    request_line = (await reader.readline()).decode("latin-1").split()
    while (await reader.readline()).strip():
        pass  # headers: this API reads none
    status, document = await route(*request_line[:2]) if len(request_line) == 3 else (400, {})
    data = json.dumps(document).encode()
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}[status]
    writer.write(f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode() + data)
    await writer.drain()
    writer.close()


async def main():
    server = await asyncio.start_server(serve, os.environ.get("HOST", "127.0.0.1"),
                                        int(os.environ.get("PORT", "8000")))
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
