"""The links, kept in PostgreSQL: a code is unique because the table's primary key says so.

A new code is random (CODE_LENGTH characters of base 62, 62^7 = 3.5 x 10^12 codes); two
writers that draw the same code at the same moment cannot both insert it: the loser's
INSERT ... ON CONFLICT DO NOTHING returns no row and it draws again. A click is counted by
one UPDATE, so simultaneous clicks never overwrite each other.
"""

import queue
import secrets
import string
import time
from contextlib import contextmanager

import psycopg

ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 7
CODE_TRIES = 10      # a collision is rare at 7 characters; ten in a row means the space is full
POOL_SIZE = 8        # PostgreSQL allows 100 connections: never open one per request

SCHEMA = """
CREATE TABLE IF NOT EXISTS links (
    code        text PRIMARY KEY,
    url         text NOT NULL,
    clicks      bigint NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now()
)
"""
INSERT = ("INSERT INTO links (code, url) VALUES (%s, %s) "
          "ON CONFLICT (code) DO NOTHING RETURNING code")


class DatabaseDown(Exception):
    """PostgreSQL did not answer."""


class CodeSpaceFull(Exception):
    """CODE_TRIES random codes in a row were taken."""


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


class Links:
    """The links table behind a small pool of autocommit connections."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.idle: queue.LifoQueue = queue.LifoQueue()
        self.slots = queue.Queue()
        for _ in range(POOL_SIZE):
            self.slots.put(None)
        self._create_schema()

    def _create_schema(self, wait_s: float = 15.0) -> None:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                with self.connection() as conn:
                    conn.execute(SCHEMA)
                return
            except DatabaseDown:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    @contextmanager
    def connection(self):
        """A pooled connection; one that failed is closed instead of returned."""
        self.slots.get()
        try:
            try:
                conn = self.idle.get_nowait()
            except queue.Empty:
                conn = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
            try:
                yield conn
            except psycopg.OperationalError:
                conn.close()
                raise
            self.idle.put(conn)
        except psycopg.OperationalError as exc:
            raise DatabaseDown(str(exc)) from exc
        finally:
            self.slots.put(None)

    def create(self, url: str) -> str:
        with self.connection() as conn:
            for _ in range(CODE_TRIES):
                code = new_code()
                if conn.execute(INSERT, (code, url)).fetchone():
                    return code
        raise CodeSpaceFull()

    def follow(self, code: str) -> str | None:
        """The link's URL, its click counted; None for an unknown code."""
        with self.connection() as conn:
            row = conn.execute("UPDATE links SET clicks = clicks + 1 WHERE code = %s "
                               "RETURNING url", (code,)).fetchone()
        return row[0] if row else None

    def stats(self, code: str) -> dict | None:
        with self.connection() as conn:
            row = conn.execute("SELECT code, url, clicks, created_at FROM links "
                               "WHERE code = %s", (code,)).fetchone()
        if row is None:
            return None
        return {"code": row[0], "url": row[1], "clicks": row[2],
                "created_at": row[3].isoformat()}
