"""Fixtures that run the sharding lab's solution or starter on four real PostgreSQL shards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sharding_lab import SHARDING, ShardingSession, ShardServers

from sandboxes.local_servers import MissingServerBinary
from tests.support.lab_processes import opened
from tests.support.runtime_image import runtime_image  # noqa: F401 - a fixture of this suite


@pytest.fixture(scope="session")
def shard_servers() -> Iterator[ShardServers]:
    servers = ShardServers()
    try:
        yield servers.start_all()
    except MissingServerBinary as missing:
        pytest.fail(f"the sharding lab's tests need PostgreSQL: {missing}")
    finally:
        servers.close()


@pytest.fixture
def solution(shard_servers: ShardServers, tmp_path: Path) -> Iterator[ShardingSession]:
    with opened(ShardingSession(SHARDING.path / "solution", shard_servers, tmp_path)) as session:
        yield session


@pytest.fixture
def starter(shard_servers: ShardServers, tmp_path: Path) -> Iterator[ShardingSession]:
    with opened(ShardingSession(SHARDING.path / "starter", shard_servers, tmp_path)) as session:
        yield session
