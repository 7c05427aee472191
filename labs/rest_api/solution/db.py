"""PostgreSQL access: one connection per request, reused by later requests, and the schema
the app owns.

Connections are in autocommit mode; a unit of work that must be atomic opens
`conn.transaction()` (nested blocks become savepoints). Opening a connection costs as much
as the rest of a request (PostgreSQL starts a server process for it and authenticates), so
a request that ends with its connection idle - no transaction open, nothing broken, no error
- leaves it for the next request instead of closing it. Requests at the same time still each
get a connection of their own.
"""

import os
import queue
import time

import psycopg
from flask import g
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row

IDLE_CONNECTIONS = 8  # kept open for later requests; more at once are opened and closed
_idle: queue.LifoQueue[psycopg.Connection] = queue.LifoQueue()

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id          bigserial PRIMARY KEY,
    first_name  text NOT NULL,
    last_name   text NOT NULL DEFAULT '',
    email       text NOT NULL UNIQUE,
    revision    integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS orders (
    id                bigserial PRIMARY KEY,
    user_id           bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item              text NOT NULL,
    quantity          integer NOT NULL CHECK (quantity > 0),
    unit_price_cents  bigint NOT NULL CHECK (unit_price_cents >= 0),
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS orders_user_id ON orders (user_id, id);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    caller       text NOT NULL,
    key          text NOT NULL,
    fingerprint  text NOT NULL,
    status       integer,
    body         text,
    location     text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, key)
);
"""


def connect() -> psycopg.Connection:
    """A new connection whose timestamps come back in UTC, whatever the server's zone."""
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, row_factory=dict_row,
                           options="-c timezone=UTC")


def get_db() -> psycopg.Connection:
    """The current request's connection: an idle one left by an earlier request, else a new
    one, on first use."""
    if "db" not in g:
        try:
            g.db = _idle.get_nowait()
        except queue.Empty:
            g.db = connect()
    return g.db


def close_db(error=None) -> None:
    """End the request's use of its connection: keep it for the next request when it is
    idle and healthy, else close it."""
    conn = g.pop("db", None)
    if conn is None:
        return
    reusable = (error is None and not conn.broken
                and conn.info.transaction_status == TransactionStatus.IDLE
                and _idle.qsize() < IDLE_CONNECTIONS)
    if reusable:
        _idle.put(conn)
    else:
        conn.close()


def create_schema(wait_s: float = 15.0) -> None:
    """Create the tables, waiting a little for a database that is still starting."""
    give_up = time.monotonic() + wait_s
    while True:
        try:
            with connect() as conn:
                conn.execute(SCHEMA)
            return
        except psycopg.OperationalError:
            if time.monotonic() > give_up:
                raise
            time.sleep(0.5)
