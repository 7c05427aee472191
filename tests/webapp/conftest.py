"""flaskr-style fixtures: an app on a tmp SQLite database and a tmp copy of real course content.

CSRF stays on: the `auth` helper and `csrf_token()` read the token from the pages, as a
browser would.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from werkzeug.test import TestResponse

from tests.support import backing
from tests.support.smtp import mailbox  # noqa: F401 - fixture of this suite
from webapp import create_app
from webapp.migrate import upgrade

CONTENT = Path(__file__).parent / "content"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "correct horse battery"


def csrf_token(client: FlaskClient, page: str = "/login") -> str:
    """The CSRF token a form on `page` carries for this client's session."""
    match = TOKEN.search(client.get(page).get_data(as_text=True))
    assert match, f"expected a csrf_token field on {page}, found none"
    return match.group(1)


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A writable copy of tests/webapp/content (two chapters, a quiz, an image)."""
    return Path(shutil.copytree(CONTENT, tmp_path / "content"))


@pytest.fixture
def make_app(tmp_path: Path, content_dir: Path):  # type: ignore[no-untyped-def]
    """make_app(**config) -> a migrated app on a tmp SQLite db (a fresh PostgreSQL one in the
    suite's postgres-redis mode); config overrides the defaults."""

    def make(**overrides: Any) -> Flask:
        config = {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": backing.database_url(tmp_path),
            "CONTENT_DIR": content_dir,
            "CONTENT_RELOAD": True,
            **overrides,
        }
        app = create_app(config)
        upgrade(app.config["DATABASE_URL"])
        return app

    return make


@pytest.fixture
def app(make_app) -> Flask:  # type: ignore[no-untyped-def]
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def register(
        self, email: str = "ada@example.org", password: str = PASSWORD, name: str = "Ada"
    ) -> TestResponse:
        return self.client.post(
            "/register",
            data={
                "csrf_token": csrf_token(self.client, "/register"),
                "email": email,
                "display_name": name,
                "password": password,
                "confirm": password,
            },
        )

    def login(self, email: str = "ada@example.org", password: str = PASSWORD) -> TestResponse:
        return self.client.post(
            "/login",
            data={"csrf_token": csrf_token(self.client), "email": email, "password": password},
        )

    def logout(self) -> TestResponse:
        return self.client.post("/logout", data={"csrf_token": csrf_token(self.client, "/")})


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


def log_in_instructor(app: Flask, client: FlaskClient) -> AuthActions:
    """Create an instructor (as `archlab users create --instructor` does) and log `client` in."""
    from webapp.auth.accounts import create_user
    from webapp.db import get_session
    from webapp.models import INSTRUCTOR

    with app.app_context():
        create_user(get_session(), "grace@example.org", "Grace", PASSWORD, INSTRUCTOR)
    auth = AuthActions(client)
    auth.login("grace@example.org")
    return auth


@pytest.fixture
def instructor(app: Flask, client: FlaskClient) -> AuthActions:
    return log_in_instructor(app, client)
