"""A small pool of PostgreSQL connections shared by the server's threads.

PostgreSQL runs one process per connection and the sandbox caps the database's processes, so
a hundred simultaneous requests must share a few connections instead of opening one each.
"""

from __future__ import annotations

import os
import queue
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

POOL_SIZE = 8
WAIT_S = 10.0


class Pool:
    """POOL_SIZE connections, opened lazily; a request waits up to WAIT_S for one."""

    def __init__(self, url: str, size: int = POOL_SIZE) -> None:
        self.url = url
        self.idle: queue.LifoQueue[psycopg.Connection | None] = queue.LifoQueue()
        for _ in range(size):
            self.idle.put(None)  # a free slot with no connection opened yet

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection]:
        """A connection inside a transaction: committed when the block ends, rolled back when
        it raises. A broken connection is dropped and its slot reopened next time."""
        conn = self.idle.get(timeout=WAIT_S)
        try:
            if conn is None or conn.closed:
                conn = psycopg.connect(self.url, connect_timeout=5)
            with conn.transaction():
                yield conn
        except BaseException:
            if conn is not None and conn.broken:
                conn = None
            raise
        finally:
            self.idle.put(conn)


pool = Pool(os.environ.get("DATABASE_URL", "postgresql:///shop"))
