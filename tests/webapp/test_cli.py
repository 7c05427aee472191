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


def test_users_reset_password_sets_it_and_logs_every_browser_out(site_env: str, make_app):
    runner = CliRunner()
    runner.invoke(main, ["users", "create", "ada@example.org", "--password", "long enough pw"])
    from tests.webapp.conftest import AuthActions

    client = make_app(DATABASE_URL=site_env).test_client()
    AuthActions(client).login("ada@example.org", "long enough pw")
    assert client.get("/progress").status_code == 200

    reset = runner.invoke(main, ["users", "reset-password", "ADA@example.org"],
                          input="a new passphrase\na new passphrase\n")
    assert reset.exit_code == 0, reset.output
    assert "password of ada@example.org set; 1 login(s) ended" in reset.output
    assert client.get("/progress").status_code == 302
    assert AuthActions(client).login("ada@example.org", "long enough pw").status_code == 200
    assert AuthActions(client).login("ada@example.org", "a new passphrase").status_code == 302

    short = runner.invoke(main, ["users", "reset-password", "ada@example.org", "--password", "x"])
    assert short.exit_code == 2 and "at least 8 characters" in short.output
    unknown = runner.invoke(main, ["users", "reset-password", "eve@example.org",
                                   "--password", "long enough pw"])
    assert unknown.exit_code == 1 and "no account with the email eve@example.org" in unknown.output


def test_users_promote_makes_an_instructor(site_env: str, make_app):
    runner = CliRunner()
    runner.invoke(main, ["users", "create", "ada@example.org", "--password", "long enough pw"])
    from tests.webapp.conftest import AuthActions

    client = make_app(DATABASE_URL=site_env).test_client()
    AuthActions(client).login("ada@example.org", "long enough pw")
    assert client.get("/instructor/").status_code == 403

    promoted = runner.invoke(main, ["users", "promote", "ada@example.org"])
    assert promoted.exit_code == 0 and "ada@example.org is now an instructor" in promoted.output
    assert client.get("/instructor/").status_code == 200
    again = runner.invoke(main, ["users", "promote", "ada@example.org"])
    assert again.exit_code == 0 and "already an instructor" in again.output
    unknown = runner.invoke(main, ["users", "promote", "eve@example.org"])
    assert unknown.exit_code == 1 and "no account" in unknown.output


def test_users_promote_admin_makes_an_instructor_of_every_class(site_env: str, make_app):
    runner = CliRunner()
    runner.invoke(main, ["users", "create", "root@example.org", "--password", "long enough pw",
                         "--instructor"])
    promoted = runner.invoke(main, ["users", "promote", "root@example.org", "--admin"])
    assert promoted.exit_code == 0 and "root@example.org is now an admin" in promoted.output
    listing = runner.invoke(main, ["users", "list"]).output
    assert "admin" in listing and "root@example.org" in listing
    from tests.webapp.conftest import AuthActions

    client = make_app(DATABASE_URL=site_env).test_client()
    AuthActions(client).login("root@example.org", "long enough pw")
    assert client.get("/instructor/classes").status_code == 200
    created = runner.invoke(main, ["users", "create", "boss@example.org", "--password",
                                   "long enough pw", "--admin"])
    assert created.exit_code == 0 and "created admin boss@example.org" in created.output
