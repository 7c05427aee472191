"""The client address the site keys its login throttles on: the socket's peer, unless the
operator declares TRUSTED_PROXIES reverse proxies in front (then X-Forwarded-For, read from
the right so a client cannot forge its way past the proxies)."""

from __future__ import annotations

import pytest
from flask import Flask, request

from tests.webapp.conftest import csrf_token
from webapp.config import ConfigError

FORGED_AND_REAL = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9"}


def seen_address(app: Flask, headers: dict[str, str]) -> str:
    app.add_url_rule("/whoami", "whoami", lambda: request.remote_addr or "")
    return app.test_client().get("/whoami", headers=headers).get_data(as_text=True)


def test_forwarded_for_is_ignored_without_trusted_proxies(make_app) -> None:
    assert seen_address(make_app(), FORGED_AND_REAL) == "127.0.0.1"


def test_one_trusted_proxy_gives_the_address_it_saw(make_app) -> None:
    assert seen_address(make_app(TRUSTED_PROXIES=1), FORGED_AND_REAL) == "203.0.113.9"


def test_the_setting_comes_from_the_environment(make_app, monkeypatch) -> None:
    monkeypatch.setenv("TRUSTED_PROXIES", "2")
    assert seen_address(make_app(), FORGED_AND_REAL) == "198.51.100.7"


@pytest.mark.parametrize("value", ["-1", "one", "1.5"])
def test_a_bad_count_names_the_variable(make_app, monkeypatch, value: str) -> None:
    monkeypatch.setenv("TRUSTED_PROXIES", value)
    with pytest.raises(ConfigError, match=f"TRUSTED_PROXIES='{value}'"):
        make_app()


def test_the_login_throttle_keys_on_the_forwarded_address(make_app) -> None:
    client = make_app(TRUSTED_PROXIES=1).test_client()

    def fail_from(address: str) -> int:
        return client.post("/login", headers={"X-Forwarded-For": address}, data={
            "csrf_token": csrf_token(client), "email": "ada@example.org",
            "password": "wrong"}).status_code

    assert [fail_from("203.0.113.9") for _ in range(5)] == [200] * 5
    assert fail_from("203.0.113.9") == 429, "expected the sixth try from one client refused"
    assert fail_from("198.51.100.7") == 200, "another client behind the proxy was blocked too"
