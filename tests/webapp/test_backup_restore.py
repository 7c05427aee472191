"""`archlab backup` / `archlab restore`: a site's data (accounts, progress, submissions with
their files, check results) moves from SQLite to a real PostgreSQL and back, row for row, and
the restored site keeps working (new rows get fresh ids)."""

from __future__ import annotations

import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import MetaData, select

from tests.grading.grading_helpers import add_user, solution_files, submit_as
from tests.support.site_app import migrated_app
from webapp.cli import main
from webapp.config import REPO_ROOT
from webapp.db import make_engine
from webapp.grading.archive import unpack
from webapp.migrate import head_revision
from webapp.models import Submission

pytestmark = pytest.mark.postgres


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def normal(value: object) -> object:
    """SQLite hands back naive UTC datetimes, PostgreSQL aware ones."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def everything(url: str) -> dict[str, list[tuple]]:
    engine = make_engine(url)
    metadata = MetaData()
    metadata.reflect(engine, only=lambda name, _: name != "alembic_version")
    try:
        with engine.connect() as connection:
            return {table.name: [tuple(normal(v) for v in row) for row in connection.execute(
                select(table).order_by(*table.primary_key.columns))]
                for table in metadata.sorted_tables}
    finally:
        engine.dispose()


@pytest.fixture
def sqlite_site(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A SQLite site with two learners, three submissions (files in the rows)."""
    app = migrated_app(tmp_path, REPO_ROOT / "labs")
    for email in ("ada@example.org", "bob@example.org"):
        add_user(app, email)
    for email in ("ada@example.org", "bob@example.org", "bob@example.org"):
        submit_as(app, email, "rest-api", {**solution_files(), "notes.bin": b"\x00\xff" * 50})
    return app


def test_sqlite_to_postgresql_and_back_row_for_row(sqlite_site, postgres_url: str,
                                                   tmp_path: Path) -> None:
    sqlite_url = sqlite_site.config["DATABASE_URL"]
    first = tmp_path / "site.tar.gz"
    output = cli("backup", str(first), "--database-url", sqlite_url)
    assert "3 submissions" in output and f"revision {head_revision()}" in output
    assert "restored" in cli("restore", str(first), "--database-url", postgres_url)
    original = everything(sqlite_url)
    assert everything(postgres_url) == original
    assert len(original["submissions"]) == 3 and len(original["users"]) == 2

    site = migrated_app(tmp_path / "pg", REPO_ROOT / "labs", DATABASE_URL=postgres_url)
    add_user(site, "cy@example.org")
    new_id = submit_as(site, "cy@example.org", "rest-api", solution_files())
    assert new_id == 4, "the id sequences continue after the restored rows"
    with site.app_context():
        from webapp.db import get_session

        files = unpack(get_session().get(Submission, 1).files)
    assert files["notes.bin"] == b"\x00\xff" * 50

    second = tmp_path / "pg.tar.gz"
    cli("backup", str(second), "--database-url", postgres_url)
    back = f"sqlite:///{tmp_path / 'back.sqlite3'}"
    cli("restore", str(second), "--database-url", back)
    assert everything(back) == everything(postgres_url)


def test_restore_refuses_a_database_with_data_and_a_file_that_is_no_backup(
        sqlite_site, postgres_url: str, tmp_path: Path) -> None:
    backup = tmp_path / "site.tar.gz"
    cli("backup", str(backup), "--database-url", sqlite_site.config["DATABASE_URL"])
    cli("restore", str(backup), "--database-url", postgres_url)
    result = CliRunner().invoke(main, ["restore", str(backup), "--database-url", postgres_url])
    assert result.exit_code == 1 and "already has rows" in result.output
    assert len(everything(postgres_url)["users"]) == 2, "nothing was added"
    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz"):
        pass
    result = CliRunner().invoke(main, ["restore", str(bogus), "--database-url", postgres_url])
    assert result.exit_code == 1 and "not an archlab backup" in result.output
