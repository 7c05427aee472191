"""The reference's shard pool after a shard restarts, on a real PostgreSQL: an idle
connection whose server end is gone is not handed to a request (sharding verifies saw the
reference answer 500 shard_unavailable for reads right after shard1 came back, 3 grades of
160: a connection returned to the pool just before the stop had escaped the sweep)."""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import psycopg
import pytest

SOLUTION = Path(__file__).resolve().parents[2] / "labs" / "sharding" / "solution"


@pytest.fixture
def shard_module() -> Iterator[ModuleType]:
    sys.path.insert(0, str(SOLUTION))
    try:
        yield importlib.import_module("shard")
    finally:
        sys.path.remove(str(SOLUTION))
        sys.modules.pop("shard", None)


def test_an_idle_connection_the_server_closed_is_not_used(shard_module: ModuleType,
                                                          postgres_url: str) -> None:
    shard = shard_module.Shard("shard1", postgres_url)
    shard.create_schema()
    shard.put({"key": "k1", "owner": "ann", "score": 3, "value": "v"})
    with shard.connection() as conn:  # the connection goes back to the idle pool
        pid = conn.info.backend_pid
    with psycopg.connect(postgres_url, autocommit=True) as admin:  # as a restart would
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        deadline = time.monotonic() + 5
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s",
                            (pid,)).fetchone() and time.monotonic() < deadline:
            time.sleep(0.05)
    assert shard.get("k1") == {"key": "k1", "owner": "ann", "score": 3, "value": "v"}
