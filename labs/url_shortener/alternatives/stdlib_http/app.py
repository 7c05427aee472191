"""The URL shortener on the standard library's http.server, one PostgreSQL connection.

Codes come from a PostgreSQL sequence: the n-th link's code is n written in base 62, after
a fixed offset so codes start at four characters. A sequence never hands out a number twice,
so codes are unique without retries; the price is that codes are guessable.
"""

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import psycopg

DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
OFFSET = 62**3  # the first code has 4 characters


def to_code(number: int) -> str:
    digits = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(DIGITS[rest])
    return "".join(reversed(digits)) or "0"


class Store:
    """One connection shared under a lock: simple, and plenty for one small process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.lock = threading.Lock()
        self.conn = None
        self.run("CREATE SEQUENCE IF NOT EXISTS link_numbers")
        self.run("CREATE TABLE IF NOT EXISTS short_links (code varchar(32) PRIMARY KEY, "
                 "target text NOT NULL, visits integer NOT NULL DEFAULT 0)")

    def run(self, sql: str, params: tuple = ()) -> tuple | None:
        with self.lock:
            for attempt in (1, 2):  # once more on a fresh connection if the old one broke
                try:
                    if self.conn is None or self.conn.closed:
                        self.conn = psycopg.connect(self.url, autocommit=True,
                                                    connect_timeout=5)
                    cursor = self.conn.execute(sql, params)
                    return cursor.fetchone() if cursor.description else None
                except psycopg.OperationalError:
                    self.conn = None
                    if attempt == 2:
                        raise
        return None

    def add(self, target: str) -> str:
        number = self.run("SELECT nextval('link_numbers')")[0]
        code = to_code(OFFSET + number)
        self.run("INSERT INTO short_links (code, target) VALUES (%s, %s)", (code, target))
        return code

    def visit(self, code: str) -> str | None:
        row = self.run("UPDATE short_links SET visits = visits + 1 WHERE code = %s "
                       "RETURNING target", (code,))
        return row[0] if row else None

    def stats(self, code: str) -> dict | None:
        row = self.run("SELECT target, visits FROM short_links WHERE code = %s", (code,))
        return {"code": code, "url": row[0], "clicks": row[1]} if row else None


def acceptable(url) -> bool:
    if not isinstance(url, str) or len(url) > 2048 or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    store: Store

    def answer(self, status: int, body: dict | None = None, headers: dict | None = None):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        parts = self.path.split("?")[0].strip("/").split("/")
        try:
            if parts == ["healthz"]:
                return self.answer(200, {"status": "ok"})
            if len(parts) == 3 and parts[0] == "links" and parts[2] == "stats":
                stats = self.store.stats(parts[1])
                return self.answer(200, stats) if stats else self.answer(
                    404, {"error": "unknown code"})
            if len(parts) == 1 and parts[0]:
                target = self.store.visit(parts[0])
                if target is None:
                    return self.answer(404, {"error": "unknown code"})
                return self.answer(307, None, {"Location": target})
            return self.answer(404, {"error": "no such route"})
        except psycopg.Error:
            return self.answer(503, {"error": "database unavailable"})

    def do_POST(self):
        if self.path != "/links":
            return self.answer(404, {"error": "no such route"})
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length))
        except (json.JSONDecodeError, UnicodeDecodeError):
            return self.answer(400, {"error": "the body is not JSON"})
        if not isinstance(body, dict) or not acceptable(body.get("url")):
            return self.answer(400, {"error": "url must be an http(s) URL with a host"})
        try:
            code = self.store.add(body["url"])
        except psycopg.Error:
            return self.answer(503, {"error": "database unavailable"})
        return self.answer(201, {"code": code}, {"Location": f"/{code}"})

    def log_message(self, format, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # 200 writers may knock at once


if __name__ == "__main__":
    threading.stack_size(512 * 1024)  # 200 connection threads must fit in 256 MB
    Handler.store = Store(os.environ["DATABASE_URL"])
    Server((os.environ["HOST"], int(os.environ["PORT"])), Handler).serve_forever()
