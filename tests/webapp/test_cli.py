"""`archlab users` and `archlab db` against the database the site would use (DATABASE_URL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from webapp.cli import main
from webapp.migrate import current_revision, head_revision


@pytest.fixture
def site_env(tmp_path: Path, content_dir: Path, monkeypatch) -> str:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SECRET_KEY", "cli-test")
    monkeypatch.setenv("CONTENT_DIR", str(content_dir))
    return url


def test_db_upgrade_migrates_the_configured_database(site_env: str):
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"database at revision {head_revision()}" in result.output
    assert current_revision(site_env) == head_revision()


def test_users_create_an_instructor_who_can_open_instructor_pages(site_env: str, make_app):
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["users", "create", "grace@example.org", "--name", "Grace", "--instructor"],
        input="long enough pw\nlong enough pw\n",
    )
    assert result.exit_code == 0, result.output
    assert "created instructor grace@example.org" in result.output
    listing = runner.invoke(main, ["users", "list"]).output
    assert "instructor" in listing and "grace@example.org" in listing

    from tests.webapp.conftest import AuthActions

    client = make_app(DATABASE_URL=site_env).test_client()
    AuthActions(client).login("grace@example.org", "long enough pw")
    assert client.get("/instructor/").status_code == 200


def test_users_create_refuses_a_duplicate_and_a_short_password(site_env: str):
    runner = CliRunner()
    args = ["users", "create", "ada@example.org", "--password", "long enough pw"]
    assert runner.invoke(main, args).exit_code == 0
    duplicate = runner.invoke(main, args)
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output
    short = runner.invoke(main, ["users", "create", "bob@example.org", "--password", "short"])
    assert short.exit_code == 2 and "at least 8 characters" in short.output
