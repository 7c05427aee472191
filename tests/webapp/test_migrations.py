"""The Alembic migrations build exactly the models' schema, on SQLite and on real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

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


def previews_before_and_after_0015(url: str) -> tuple[list[tuple], list[tuple]]:  # type: ignore[type-arg]
    """Upgrade to 0014, store a finished preview whose second attempt graded it again from
    the first row and a running one, upgrade to head: (previews, rows) as they are then."""
    upgrade(url, "0014")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO lab_previews (id, lab_id, status, attempt, planned, created_at) "
                "VALUES (1, 'toy-items', 'done', 2, '[]', CURRENT_TIMESTAMP), "
                "(2, 'rest-api', 'running', 1, '[]', CURRENT_TIMESTAMP)"))
            for preview, attempt, position in ((1, 1, 0), (1, 1, 1), (1, 2, 0), (1, 2, 1),
                                               (2, 1, 0)):
                connection.execute(text(
                    "INSERT INTO lab_preview_rows (preview_id, attempt, position, subject, "
                    "expected, outcome, ok, failed_checks, graded, duration_s) VALUES (:p, :a, "
                    ":n, 's', 'e', 'o', true, '[]', true, 1.0)"),
                    {"p": preview, "a": attempt, "n": position})
        upgrade(url)
        with engine.connect() as connection:
            previews = [tuple(row) for row in connection.execute(text(
                "SELECT id, status, error, finished_at IS NOT NULL, tries FROM lab_previews "
                "ORDER BY id"))]
            rows = [tuple(row) for row in connection.execute(text(
                "SELECT preview_id, attempt, position FROM lab_preview_rows "
                "ORDER BY preview_id, attempt, position"))]
        return previews, rows
    finally:
        engine.dispose()


UPGRADED_PREVIEWS = [
    (1, "done", None, False, 0),
    (2, "error", "the site was upgraded while it ran: run the preview again", True, 0)]
UPGRADED_ROWS = [(1, 2, 0), (1, 2, 1), (2, 1, 0)]  # the superseded attempt's rows are gone


def test_0015_keeps_each_previews_current_rows_and_ends_one_in_flight_sqlite(tmp_path: Path):
    previews, rows = previews_before_and_after_0015(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    assert (previews, rows) == (UPGRADED_PREVIEWS, UPGRADED_ROWS)


@pytest.mark.postgres
def test_0015_keeps_each_previews_current_rows_and_ends_one_in_flight_postgres(
        postgres_url: str):
    previews, rows = previews_before_and_after_0015(postgres_url)
    assert (previews, rows) == (UPGRADED_PREVIEWS, UPGRADED_ROWS)
