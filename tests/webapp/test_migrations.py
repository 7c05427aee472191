"""The Alembic migrations build exactly the models' schema, on SQLite and on real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tests.webapp.conftest import AuthActions
from webapp.db import make_engine
from webapp.migrate import current_revision, head_revision, upgrade
from webapp.models import Base

HEAD = head_revision()  # the newest revision in webapp/migrations/versions/


def schema_diff(url: str) -> list:  # type: ignore[type-arg]
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()


def test_sqlite_migrations_match_the_models(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    assert current_revision(url) is None
    upgrade(url)
    assert current_revision(url) == HEAD
    assert schema_diff(url) == [], "migrations and models disagree; write a new revision"


def test_upgrade_twice_is_harmless(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    upgrade(url)
    upgrade(url)
    assert current_revision(url) == HEAD


@pytest.mark.postgres
def test_postgres_migrations_match_the_models(postgres_url: str):
    upgrade(postgres_url)
    assert schema_diff(postgres_url) == [], "migrations and models disagree on PostgreSQL"


@pytest.mark.postgres
def test_the_app_on_postgres_migrates_and_registers_a_user(postgres_url: str, make_app):
    client = make_app(DATABASE_URL=postgres_url).test_client()
    auth = AuthActions(client)
    assert auth.register().status_code == 302
    auth.logout()
    assert auth.register().status_code == 200  # duplicate email: the unique index on PostgreSQL
    assert auth.login().status_code == 302
    assert "Ada" in client.get("/progress").get_data(as_text=True)
