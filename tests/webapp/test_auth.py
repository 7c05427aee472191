"""Register, log in, log out; wrong passwords, taken emails, throttling, safe redirects."""

from __future__ import annotations

from flask import Flask, session
from sqlalchemy import select

from tests.webapp.conftest import PASSWORD, csrf_token
from webapp.db import get_session
from webapp.models import User


def test_register_creates_a_learner_with_a_hashed_password_and_logs_in(app: Flask, auth, client):
    response = auth.register("Ada@Example.org ", name="Ada L")
    assert response.status_code == 302, f"expected a redirect after register, got {response.status}"
    with app.app_context():
        user = get_session().scalars(select(User)).one()
    assert user.email == "ada@example.org"
    assert user.role == "learner"
    assert PASSWORD not in user.password_hash and user.password_hash.startswith("scrypt:")
    assert "Ada L" in client.get("/").get_data(as_text=True)


def test_duplicate_email_is_refused_with_a_message(auth):
    auth.register()
    auth.logout()
    response = auth.register("ADA@example.org")
    assert response.status_code == 200
    assert "already exists" in response.get_data(as_text=True)


def test_register_checks_password_length_and_confirmation(client):
    response = client.post(
        "/register",
        data={
            "csrf_token": csrf_token(client, "/register"),
            "email": "bob@example.org",
            "display_name": "Bob",
            "password": "short",
            "confirm": "other",
        },
    )
    page = response.get_data(as_text=True)
    assert "at least 8 characters" in page
    assert "The passwords differ." in page


def test_login_and_logout(auth, client):
    auth.register()
    auth.logout()
    with client:
        response = auth.login()
        assert response.status_code == 302
        assert response.headers["Location"] == "/"
        assert session["user_id"] == 1
        auth.logout()
        client.get("/")
        assert "user_id" not in session


def test_wrong_password_is_refused(auth, client):
    auth.register()
    auth.logout()
    response = auth.login(password="not the password")
    assert response.status_code == 200
    assert "Wrong email or password." in response.get_data(as_text=True)
    assert "Log out" not in client.get("/").get_data(as_text=True)


def test_unknown_email_reads_like_a_wrong_password(auth):
    response = auth.login("nobody@example.org")
    assert "Wrong email or password." in response.get_data(as_text=True)


def test_five_failures_in_five_minutes_answer_429_even_with_the_right_password(auth):
    auth.register()
    auth.logout()
    for _ in range(5):
        assert auth.login(password="wrong password").status_code == 200
    response = auth.login()
    assert response.status_code == 429, f"expected 429 after 5 failures, got {response.status}"
    assert "Too many failed logins" in response.get_data(as_text=True)


def test_login_redirects_to_next_only_within_the_site(auth, client):
    auth.register()
    auth.logout()
    token = csrf_token(client)
    data = {"csrf_token": token, "email": "ada@example.org", "password": PASSWORD}
    response = client.post("/login?next=/progress", data=data)
    assert response.headers["Location"] == "/progress"
    auth.logout()
    data["csrf_token"] = csrf_token(client)
    response = client.post("/login?next=//evil.example/", data=data)
    assert response.headers["Location"] == "/"


def test_logout_is_post_only(client):
    assert client.get("/logout").status_code == 405
