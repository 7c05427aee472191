"""PostgreSQL access: the saga log (orders and their steps) is the orchestrator's memory.

Everything the saga knows is written here before and after each step, so a restarted
process can read where every order stood and carry on.
"""

import os
import queue
from contextlib import contextmanager

import psycopg
from psycopg.rows import dict_row

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    id           text PRIMARY KEY,
    customer_id  text NOT NULL,
    items        jsonb NOT NULL,
    total_cents  bigint NOT NULL,
    status       text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS orders_status ON orders (status);
CREATE TABLE IF NOT EXISTS saga_steps (
    order_id     text NOT NULL REFERENCES orders (id),
    name         text NOT NULL,
    position     integer NOT NULL,
    status       text NOT NULL,
    attempts     integer NOT NULL DEFAULT 1,
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    PRIMARY KEY (order_id, name)
);
"""


def connect() -> psycopg.Connection:
    """A new autocommit connection whose timestamps come back in UTC."""
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, row_factory=dict_row,
                           options="-c timezone=UTC")


IDLE = queue.LifoQueue(maxsize=16)   # connections kept open between uses


@contextmanager
def connection():
    """A connection from the small pool of idle ones (or a new one), returned after use.

    Opening a connection costs more than most of the queries a saga step runs; a connection
    that failed is closed rather than handed to the next user.
    """
    try:
        conn = IDLE.get_nowait()
    except queue.Empty:
        conn = connect()
    try:
        yield conn
    except BaseException:
        conn.close()
        raise
    if conn.closed or conn.broken:
        return
    try:
        IDLE.put_nowait(conn)
    except queue.Full:
        conn.close()


def create_schema() -> None:
    """Create the tables if they are missing (the sandbox starts the database first)."""
    with connect() as conn:
        conn.execute(SCHEMA)
