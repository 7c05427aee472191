"""/healthz and /readyz on PostgreSQL and Redis: ready while both answer, 503 naming the one
that does not."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask

from sandboxes.local_servers import scratch_dir, start_redis
from tests.support.site_app import migrated_app
from webapp.config import REPO_ROOT


def site(tmp_path: Path, database_url: str, redis_url: str) -> Flask:
    return migrated_app(tmp_path, REPO_ROOT / "labs", DATABASE_URL=database_url,
                        REDIS_URL=redis_url)


@pytest.mark.postgres
@pytest.mark.redis
def test_ready_while_postgresql_and_redis_answer(tmp_path: Path, postgres_url: str,
                                                 redis_url: str) -> None:
    client = site(tmp_path, postgres_url, redis_url).test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready",
                                   "checks": {"database": "ok", "queue": "ok"}}


@pytest.mark.postgres
@pytest.mark.redis
def test_not_ready_while_redis_is_down_but_still_alive(tmp_path: Path,
                                                       postgres_url: str) -> None:
    redis = start_redis(scratch_dir("test-readyz-redis-"))
    client = site(tmp_path, postgres_url, redis.url).test_client()
    assert client.get("/readyz").status_code == 200
    redis.stop()
    shutil.rmtree(redis.workdir, ignore_errors=True)
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["database"] == "ok" and checks["queue"].startswith("Redis does not answer")
    assert client.get("/healthz").status_code == 200


@pytest.mark.postgres
def test_not_ready_when_postgresql_refuses(tmp_path: Path, postgres_url: str,
                                           redis_url: str) -> None:
    app = site(tmp_path, postgres_url, redis_url)
    import psycopg

    admin = postgres_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{postgres_url.rsplit("/", 1)[1]}" WITH (FORCE)')
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["queue"] == "ok" and "does not exist" in checks["database"]
