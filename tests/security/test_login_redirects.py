"""After login the `next` target stays on this site, however it is spelled: browsers drop tabs
and newlines from URLs and read backslashes as slashes, so each of these means another site."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask import Flask

from tests.security.conftest import security_app
from tests.webapp.conftest import PASSWORD, AuthActions, csrf_token

ELSEWHERE = ["//evil.example", "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example",
             "/\\evil.example", "/\\/evil.example", "/ /evil.example", "https://evil.example",
             "/\x00/evil.example", "///evil.example"]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    app = security_app(tmp_path_factory.mktemp("redirects"))
    AuthActions(app.test_client()).register()
    return app


@pytest.mark.parametrize("target", ELSEWHERE)
def test_next_never_leaves_the_site(app: Flask, target: str) -> None:
    client = app.test_client()
    response = client.post("/login", query_string={"next": target}, data={
        "csrf_token": csrf_token(client), "email": "ada@example.org", "password": PASSWORD})
    assert response.status_code == 302, f"expected login to work, got {response.status}"
    location = response.headers["Location"]
    assert location == "/", f"next={target!r}: expected the home page, got {location!r}"


def test_a_path_on_this_site_is_followed(app: Flask) -> None:
    client = app.test_client()
    response = client.post("/login?next=/progress%3Fa%3Db", data={
        "csrf_token": csrf_token(client), "email": "ada@example.org", "password": PASSWORD})
    assert urlsplit(response.headers["Location"]).path == "/progress"
