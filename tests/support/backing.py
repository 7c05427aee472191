"""Which database and queue the integration tests run on.

By default: a SQLite file per test and the embedded grading pool. With
ARCHLAB_TEST_BACKING=postgres-redis: a fresh PostgreSQL database per test, on the session's
real server, and RQ on the session's real Redis with real `archlab worker` processes doing
the grading, the production shape (scripts/test runs an integration subset a second time
this way). tests/conftest.py hands the servers over when that mode is on.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

MODE_VARIABLE = "ARCHLAB_TEST_BACKING"
POSTGRES_REDIS = "postgres-redis"

_servers: dict[str, str] = {}
_databases: dict[Path, str] = {}
_flushed: set[Path] = set()


def on_postgres_and_redis() -> bool:
    return os.environ.get(MODE_VARIABLE) == POSTGRES_REDIS


def use_servers(postgres_admin_url: str, redis_url: str) -> None:
    _servers.update(postgres=postgres_admin_url, redis=redis_url)


def database_url(folder: Path) -> str:
    """The test's database: the same one for every app a test makes in `folder`."""
    if not on_postgres_and_redis():
        return f"sqlite:///{folder / 'archlab.sqlite3'}"
    if folder not in _databases:
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(_servers["postgres"], autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        _databases[folder] = _servers["postgres"].rsplit("/", 1)[0] + f"/{name}"
    return _databases[folder]


def queue_config(folder: Path) -> dict[str, str]:
    """App config for the queue: REDIS_URL in that mode (emptied of the jobs of earlier
    tests when a test makes its first app), else nothing: the embedded pool."""
    if not on_postgres_and_redis():
        return {}
    if folder not in _flushed:
        import redis

        client = redis.Redis.from_url(_servers["redis"])
        client.flushdb()
        client.close()
        _flushed.add(folder)
    return {"REDIS_URL": _servers["redis"]}
