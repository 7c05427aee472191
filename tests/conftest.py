"""Fixtures for real services shared by the whole suite.

Real Redis, PostgreSQL, Docker and Chromium, never mocks. On a developer's machine a missing
service skips the tests that need it; with CI=true a missing service is a failure, so CI can
never go green by skipping what it must run.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandboxes.local_servers import MissingServerBinary, scratch_dir, start_postgres, start_redis

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"


def require(condition: bool, why: str) -> None:
    """Skip locally, fail in CI, when a real service the test needs is missing."""
    if condition:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI must run this test but {why}", pytrace=False)
    pytest.skip(why)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    """URL of a real redis-server started for this test session."""
    try:
        server = start_redis(scratch_dir("test-redis-"))
    except MissingServerBinary as exc:
        require(False, str(exc))
    yield server.url
    server.stop()
    shutil.rmtree(server.workdir, ignore_errors=True)


@pytest.fixture
def redis_url(redis_server: str) -> Iterator[str]:
    """A Redis URL whose database is flushed before each test."""
    import redis

    client = redis.Redis.from_url(redis_server)
    client.flushall()
    yield redis_server
    client.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL (to the `postgres` database) of a real PostgreSQL started for this test session."""
    try:
        server = start_postgres(scratch_dir("test-postgres-"), database="archlab_test")
    except MissingServerBinary as exc:
        require(False, str(exc))
    yield server.url.rsplit("/", 1)[0] + "/postgres"
    server.stop()
    shutil.rmtree(server.workdir, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database for one test; dropped afterwards."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield postgres_server.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", autouse=True)
def integration_backing(request: pytest.FixtureRequest) -> None:
    """ARCHLAB_TEST_BACKING=postgres-redis: the sites tests build use the session's real
    PostgreSQL and Redis (tests/support/backing.py)."""
    from tests.support import backing

    if backing.on_postgres_and_redis():
        backing.use_servers(request.getfixturevalue("postgres_server"),
                            request.getfixturevalue("redis_server"))


@pytest.fixture(autouse=True)
def site_engines_disposed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every SQLAlchemy engine the site makes during a test (webapp.db.make_engine: one per
    app) is disposed when the test ends, after the test's own fixtures (graders, servers) have
    stopped: its pooled connections are closed then, not left to the garbage collector, whose
    psycopg "connection ... was deleted while still open" ResourceWarning fell on whichever
    test ran next. A test that never imported the site makes none."""
    db = sys.modules.get("webapp.db")
    if db is None:
        yield
        return
    made: list[Any] = []
    make_engine = db.make_engine

    def tracked(url: str) -> Any:
        engine = make_engine(url)
        made.append(engine)
        return engine

    monkeypatch.setattr(db, "make_engine", tracked)
    yield
    for engine in made:
        engine.dispose()


@pytest.fixture(scope="session")
def docker_client():
    """A client of a real, answering Docker engine."""
    import docker

    try:
        client = docker.from_env(timeout=30)
        client.ping()
    except Exception as exc:  # any failure to reach the engine means "no engine"
        require(False, f"no Docker engine answers ({exc.__class__.__name__}: {exc})")
    yield client
    client.close()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium, which Playwright drives (its own browser download cannot work)."""
    require(os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: apt-get install chromium")
    return CHROMIUM
