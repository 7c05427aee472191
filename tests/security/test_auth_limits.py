"""Login and registration limits through the real views: per email and address, per email from
any address, per address for any email, registrations per address; and an unknown email costs
a password hash like a known one, so timing does not reveal who has an account."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.security.conftest import security_app
from tests.webapp.conftest import PASSWORD, csrf_token
from webapp.auth.accounts import create_user
from webapp.auth.limits import DEFAULTS
from webapp.db import get_session

ADA = "ada@example.org"


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    app = security_app(tmp_path, LOGIN_FAILURES_PER_EMAIL=3, LOGIN_FAILURES_PER_ADDRESS=4,
                       REGISTRATIONS_PER_ADDRESS=2)
    with app.app_context():
        create_user(get_session(), ADA, "Ada", PASSWORD)
    return app


def from_address(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def log_in(client: FlaskClient, email: str = ADA, password: str = PASSWORD) -> TestResponse:
    return client.post("/login", data={"csrf_token": csrf_token(client), "email": email,
                                       "password": password})


def register(client: FlaskClient, email: str) -> TestResponse:
    return client.post("/register", data={
        "csrf_token": csrf_token(client, "/register"), "email": email, "display_name": "X",
        "password": PASSWORD, "confirm": PASSWORD})


def test_production_limits_are_the_documented_ones() -> None:
    counts = {name: count for name, (count, _) in DEFAULTS.items()}
    assert counts == {"LOGIN_FAILURES_PER_EMAIL_AND_ADDRESS": 5, "LOGIN_FAILURES_PER_EMAIL": 20,
                      "LOGIN_FAILURES_PER_ADDRESS": 50, "REGISTRATIONS_PER_ADDRESS": 10,
                      "RESET_MAILS_PER_EMAIL": 3, "RESET_MAILS_PER_ADDRESS": 10}


def test_guessing_one_password_from_many_addresses_is_stopped(app: Flask) -> None:
    for n in range(3):
        assert log_in(from_address(app, f"10.0.0.{n}"), password="guess").status_code == 200
    blocked = log_in(from_address(app, "10.0.0.99"))
    assert blocked.status_code == 429, f"expected 429 for the 4th address, got {blocked.status}"
    assert "Too many failed logins" in blocked.get_data(as_text=True)


def test_trying_many_emails_from_one_address_is_stopped(app: Flask) -> None:
    stuffer = from_address(app, "10.0.1.1")
    for n in range(4):
        assert log_in(stuffer, f"user{n}@example.org", "guess").status_code == 200
    blocked = log_in(stuffer)
    assert blocked.status_code == 429, f"expected 429 for a 5th email, got {blocked.status}"
    assert log_in(from_address(app, "10.0.1.2")).status_code == 302, (
        "expected Ada to log in from her own address")


def test_registrations_are_limited_per_address(app: Flask) -> None:
    minter = from_address(app, "10.0.2.1")
    for n in range(2):
        assert register(minter, f"new{n}@example.org").status_code == 302
        minter.post("/logout", data={"csrf_token": csrf_token(minter, "/")})
    refused = register(minter, "new2@example.org")
    assert refused.status_code == 429, f"expected 429 for a 3rd account, got {refused.status}"
    assert "Too many new accounts" in refused.get_data(as_text=True)
    assert register(from_address(app, "10.0.2.2"), "new3@example.org").status_code == 302


def login_seconds(client: FlaskClient, email: str) -> float:
    token = csrf_token(client)
    started = time.perf_counter()
    client.post("/login", data={"csrf_token": token, "email": email, "password": "guess"})
    return time.perf_counter() - started


def test_an_unknown_email_takes_as_long_as_a_wrong_password(app: Flask) -> None:
    """Without the decoy hash an unknown email answers in ~1% of the time: compare medians."""
    client = from_address(app, "10.0.3.1")
    login_seconds(client, "warm@example.org")
    known = statistics.median(login_seconds(from_address(app, f"10.0.3.{n}"), ADA)
                              for n in range(2, 5))
    unknown = statistics.median(login_seconds(from_address(app, f"10.0.4.{n}"),
                                              f"nobody{n}@example.org") for n in range(3))
    assert unknown > 0.3 * known, (
        f"expected an unknown email to cost a hash like a known one: {unknown:.3f}s "
        f"vs {known:.3f}s")
