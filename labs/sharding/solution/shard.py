"""One PostgreSQL shard: its connections, its `records` table and the queries on it."""

import queue
import select
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg.rows import dict_row

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    key    text PRIMARY KEY,
    owner  text NOT NULL,
    score  integer NOT NULL,
    value  text NOT NULL
);
CREATE INDEX IF NOT EXISTS records_by_owner ON records (owner, score DESC, key);
"""
CONNECT_TIMEOUT_S = 2   # a shard that is down must cost a quick 503, not a hung request
IDLE_CONNECTIONS = 8


class ShardUnavailable(Exception):
    """The shard could not be reached or lost the connection."""

    def __init__(self, name: str) -> None:
        super().__init__(f"shard {name} is unavailable")
        self.name = name


class Shard:
    def __init__(self, name: str, url: str) -> None:
        self.name = name
        self.url = url
        self._idle = queue.LifoQueue(maxsize=IDLE_CONNECTIONS)

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        """An idle connection (or a new one), kept for reuse unless the shard failed.

        After a connection error every idle connection is suspect (the shard may have
        restarted), so they are all dropped and the next request connects afresh. A
        connection handed back by a request that finished just before a restart escapes
        that sweep, so an idle one is also dropped when the server has closed its end.
        """
        conn = self._live_idle() or self._connect()
        try:
            yield conn
        except psycopg.OperationalError as error:
            conn.close()
            self._drop_idle()
            raise ShardUnavailable(self.name) from error
        except BaseException:
            conn.close()
            raise
        try:
            self._idle.put_nowait(conn)
        except queue.Full:
            conn.close()

    def _live_idle(self) -> psycopg.Connection | None:
        """An idle connection the server has not closed: an idle connection has nothing to
        read, so a readable one holds only the server's goodbye (EOF or a FATAL)."""
        while True:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                return None
            if not select.select([conn.fileno()], [], [], 0)[0]:
                return conn
            conn.close()

    def _connect(self) -> psycopg.Connection:
        """A new connection, or ShardUnavailable (a stopped shard refuses at once)."""
        try:
            return psycopg.connect(self.url, autocommit=True, row_factory=dict_row,
                                   connect_timeout=CONNECT_TIMEOUT_S)
        except psycopg.OperationalError as error:
            raise ShardUnavailable(self.name) from error

    def _drop_idle(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return

    def create_schema(self) -> None:
        with self.connection() as conn:
            conn.execute(SCHEMA)

    def get(self, key: str) -> dict | None:
        with self.connection() as conn:
            return conn.execute("SELECT key, owner, score, value FROM records WHERE key = %s",
                                (key,)).fetchone()

    def put(self, record: dict) -> None:
        with self.connection() as conn:
            conn.execute("INSERT INTO records (key, owner, score, value)"
                         " VALUES (%(key)s, %(owner)s, %(score)s, %(value)s)"
                         " ON CONFLICT (key) DO UPDATE SET owner = EXCLUDED.owner,"
                         " score = EXCLUDED.score, value = EXCLUDED.value", record)

    def delete(self, key: str) -> None:
        with self.connection() as conn:
            conn.execute("DELETE FROM records WHERE key = %s", (key,))

    def stored_keys(self) -> list[str]:
        with self.connection() as conn:
            return [row["key"] for row in conn.execute("SELECT key FROM records")]

    def top_by_owner(self, owner: str, limit: int, offset: int) -> tuple[list[dict], int]:
        """This shard's first offset+limit records of `owner`, best score first, and its count.

        Every shard must return its whole prefix up to offset+limit: the merged page can
        take any number of its records from any one shard.
        """
        with self.connection() as conn:
            rows = conn.execute("SELECT key, owner, score, value FROM records WHERE owner = %s"
                                " ORDER BY score DESC, key LIMIT %s",
                                (owner, offset + limit)).fetchall()
            total = conn.execute("SELECT count(*) AS n FROM records WHERE owner = %s",
                                 (owner,)).fetchone()["n"]
        return rows, total
