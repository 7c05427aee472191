"""The messages, kept in PostgreSQL. A connection per request: after the database restarts
nothing stale is left to fail, and a short connect timeout keeps a request from hanging
while the database is down."""

from contextlib import contextmanager

import psycopg

CONNECT_TIMEOUT_S = 2
SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id         bigserial PRIMARY KEY,
    text       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
)
"""


class Unavailable(Exception):
    """The database cannot be reached right now."""


class Store:
    def __init__(self, url):
        self.url = url
        self.schema_ready = False

    @contextmanager
    def connect(self):
        """A connection for one request; Unavailable when the database cannot be reached
        (or goes away while it is used)."""
        try:
            with psycopg.connect(self.url, connect_timeout=CONNECT_TIMEOUT_S,
                                 autocommit=True) as conn:
                if not self.schema_ready:
                    conn.execute(SCHEMA)
                    self.schema_ready = True
                yield conn
        except psycopg.OperationalError as exc:
            raise Unavailable(str(exc).strip().splitlines()[0]) from exc

    def ping(self):
        with self.connect() as conn:
            conn.execute("SELECT 1")

    def add(self, text):
        with self.connect() as conn:
            row = conn.execute("INSERT INTO messages (text) VALUES (%s) RETURNING id",
                               (text,)).fetchone()
        return {"id": row[0], "text": text}

    def all(self):
        with self.connect() as conn:
            rows = conn.execute("SELECT id, text FROM messages ORDER BY id").fetchall()
        return [{"id": id_, "text": text} for id_, text in rows]

    def slow_count(self, seconds):
        """The message count, after a query that takes `seconds` (a stand-in for a report)."""
        with self.connect() as conn:
            conn.execute("SELECT pg_sleep(%s)", (seconds,))
            return conn.execute("SELECT count(*) FROM messages").fetchone()[0]
