"""Fixtures that run the sharding lab's solution or starter on four real PostgreSQL shards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sharding_lab import LAB, ShardingSession, ShardServers

from sandboxes.local_servers import MissingServerBinary


@pytest.fixture(scope="session")
def shard_servers() -> Iterator[ShardServers]:
    servers = ShardServers()
    try:
        yield servers.start_all()
    except MissingServerBinary as missing:
        pytest.fail(f"the sharding lab's tests need PostgreSQL: {missing}")
    finally:
        servers.close()


def open_session(app_dir: Path, servers: ShardServers, tmp_path: Path,
                 ) -> Iterator[ShardingSession]:
    session = ShardingSession(app_dir, servers, tmp_path)
    try:
        yield session.open()
    finally:
        session.close()


@pytest.fixture
def solution(shard_servers: ShardServers, tmp_path: Path) -> Iterator[ShardingSession]:
    yield from open_session(LAB / "solution", shard_servers, tmp_path)


@pytest.fixture
def starter(shard_servers: ShardServers, tmp_path: Path) -> Iterator[ShardingSession]:
    yield from open_session(LAB / "starter", shard_servers, tmp_path)


@pytest.fixture(scope="session")
def runtime_image(docker_client) -> str:
    """The lab runtime image (Debian bookworm's Python libraries), built offline if missing."""
    from sandboxes.images.builder import build_runtime_image

    return build_runtime_image(docker_client, say=lambda _message: None)
