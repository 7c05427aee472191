"""The URL shortener on one asyncio event loop: a small HTTP/1.1 server of its own and a
handful of psycopg async connections, no threads.

A code is 6 random base-62 characters inserted inside a transaction; when the primary key
says it is taken (UniqueViolation) the transaction is rolled back and another code drawn.
"""

import asyncio
import json
import os
import secrets
import string
from urllib.parse import urlsplit

import psycopg
from psycopg import errors

ALPHABET = string.ascii_letters + string.digits
CONNECTIONS = 5
REASONS = {200: "OK", 201: "Created", 302: "Found", 400: "Bad Request", 404: "Not Found",
           422: "Unprocessable Entity", 503: "Service Unavailable"}


class Database:
    """CONNECTIONS async connections handed out through a queue."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.free: asyncio.Queue = asyncio.Queue()

    async def open(self) -> None:
        for _ in range(CONNECTIONS):
            self.free.put_nowait(await psycopg.AsyncConnection.connect(self.url,
                                                                       autocommit=True))
        conn = await self.free.get()
        await conn.execute("CREATE TABLE IF NOT EXISTS shortcuts (id text PRIMARY KEY, "
                           "long_url text NOT NULL, hits bigint NOT NULL DEFAULT 0)")
        self.free.put_nowait(conn)

    async def run(self, work):
        conn = await self.free.get()
        try:
            return await work(conn)
        except psycopg.OperationalError:
            await conn.close()
            conn = await psycopg.AsyncConnection.connect(self.url, autocommit=True)
            raise
        finally:
            self.free.put_nowait(conn)


async def create(conn, url: str) -> str:
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(6))
        try:
            async with conn.transaction():
                await conn.execute("INSERT INTO shortcuts (id, long_url) VALUES (%s, %s)",
                                   (code, url))
            return code
        except errors.UniqueViolation:
            continue


async def hit(conn, code: str):
    cursor = await conn.execute("UPDATE shortcuts SET hits = hits + 1 WHERE id = %s "
                                "RETURNING long_url", (code,))
    return await cursor.fetchone()


async def stats(conn, code: str):
    cursor = await conn.execute("SELECT long_url, hits FROM shortcuts WHERE id = %s", (code,))
    return await cursor.fetchone()


def valid(url) -> bool:
    if not isinstance(url, str) or not 0 < len(url) <= 2048 or " " in url:
        return False
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


async def route(db: Database, method: str, path: str, body: bytes):
    """(status, JSON body or None, extra headers) for one request."""
    segments = path.split("?")[0].strip("/").split("/")
    if method == "GET" and segments == ["healthz"]:
        return 200, {"status": "ok"}, {}
    if method == "POST" and segments == ["links"]:
        try:
            document = json.loads(body)
        except ValueError:
            return 400, {"error": "body is not JSON"}, {}
        if not isinstance(document, dict) or not valid(document.get("url")):
            return 422, {"error": "url must be an absolute http(s) URL"}, {}
        code = await db.run(lambda conn: create(conn, document["url"]))
        return 201, {"code": code, "url": document["url"]}, {"Location": f"/{code}"}
    if method == "GET" and len(segments) == 3 and segments[0] == "links" \
            and segments[2] == "stats":
        row = await db.run(lambda conn: stats(conn, segments[1]))
        if row is None:
            return 404, {"error": "unknown code"}, {}
        return 200, {"code": segments[1], "url": row[0], "clicks": row[1]}, {}
    if method == "GET" and len(segments) == 1 and segments[0]:
        row = await db.run(lambda conn: hit(conn, segments[0]))
        if row is None:
            return 404, {"error": "unknown code"}, {}
        return 302, None, {"Location": row[0]}
    return 404, {"error": "no such route"}, {}


async def serve(db: Database, reader: asyncio.StreamReader,
                writer: asyncio.StreamWriter) -> None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {k.strip().lower(): v.strip() for k, _, v in
                   (line.partition(":") for line in lines[1:] if line)}
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        try:
            status, document, extra = await route(db, method, path, body)
        except psycopg.Error:
            status, document, extra = 503, {"error": "database unavailable"}, {}
        payload = b"" if document is None else json.dumps(document).encode()
        extra = {**extra, "Content-Length": str(len(payload)), "Connection": "close"}
        if document is not None:
            extra["Content-Type"] = "application/json"
        writer.write(f"HTTP/1.1 {status} {REASONS[status]}\r\n".encode() + "".join(
            f"{k}: {v}\r\n" for k, v in extra.items()).encode() + b"\r\n" + payload)
        await writer.drain()
    except (asyncio.IncompleteReadError, ValueError, ConnectionError):
        pass
    finally:
        writer.close()


async def main() -> None:
    db = Database(os.environ["DATABASE_URL"])
    await db.open()
    server = await asyncio.start_server(lambda r, w: serve(db, r, w), os.environ["HOST"],
                                        int(os.environ["PORT"]), backlog=512)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
