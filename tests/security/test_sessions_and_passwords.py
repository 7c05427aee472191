"""The session cookie's flags, a fresh session at login, nothing left at logout (not even in a
copy of the cookie), logins that lapse when idle or old and can all be ended at once, and
passwords kept only as salted scrypt hashes."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask

from tests.security.conftest import security_app
from tests.webapp.conftest import PASSWORD, AuthActions, csrf_token
from webapp.auth import logins
from webapp.config import ConfigError
from webapp.db import get_session

SESSION_COOKIE = "session"


def session_cookie(response) -> str:  # type: ignore[no-untyped-def]
    cookies = [c for c in response.headers.getlist("Set-Cookie")
               if c.startswith(f"{SESSION_COOKIE}=")]
    assert cookies, f"expected a session cookie, got {response.headers.getlist('Set-Cookie')}"
    return cookies[-1]


@pytest.mark.parametrize(("setting", "secure"), [("1", True), ("0", False)])
def test_session_cookie_secure_flag_follows_the_setting(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        setting: str, secure: bool) -> None:
    monkeypatch.setenv("SESSION_COOKIE_SECURE", setting)
    app = security_app(tmp_path, TESTING=False)
    cookie = session_cookie(AuthActions(app.test_client()).register())
    assert ("; Secure" in cookie) is secure, f"SESSION_COOKIE_SECURE={setting}: got {cookie}"
    assert "; HttpOnly" in cookie and "; SameSite=Lax" in cookie, cookie


@pytest.fixture
def logged_out(tmp_path: Path) -> AuthActions:
    """A browser that registered Ada and logged out again."""
    auth = AuthActions(security_app(tmp_path).test_client())
    auth.register()
    auth.logout()
    return auth


def test_login_starts_a_fresh_session(logged_out: AuthActions) -> None:
    client = logged_out.client
    with client.session_transaction() as planted:
        planted["planted_by_attacker"] = "x"
        planted["csrf_token"] = "token-the-attacker-knows"
    cookie_before = client.get_cookie(SESSION_COOKIE)
    response = logged_out.login()
    assert response.status_code == 302, f"expected login to work, got {response.status}"
    with client.session_transaction() as fresh:
        assert set(fresh) == {"user_id", "login"}, f"expected only the login, got {set(fresh)}"
    assert client.get_cookie(SESSION_COOKIE) != cookie_before


def test_logout_clears_the_session(logged_out: AuthActions) -> None:
    with logged_out.client.session_transaction() as session:
        assert set(session) <= {"_flashes"}, f"expected an empty session, got {set(session)}"
    assert logged_out.client.get("/progress").status_code == 302, "expected a login redirect"


def test_a_cookie_copied_before_logout_is_dead_after_it(tmp_path: Path) -> None:
    app = security_app(tmp_path)
    ada = AuthActions(app.test_client())
    ada.register()
    thief = app.test_client()
    thief.set_cookie(SESSION_COOKIE, ada.client.get_cookie(SESSION_COOKIE).value)
    assert thief.get("/progress").status_code == 200, "expected the copy to work before logout"
    ada.logout()
    assert thief.get("/progress").status_code == 302, "a copied cookie outlived the logout"


def test_logging_out_one_browser_keeps_the_others_logged_in(tmp_path: Path) -> None:
    app = security_app(tmp_path)
    laptop, phone = AuthActions(app.test_client()), AuthActions(app.test_client())
    laptop.register()
    phone.login()
    laptop.logout()
    assert phone.client.get("/progress").status_code == 200
    assert laptop.client.get("/progress").status_code == 302


def database_of(app: Flask) -> Path:
    return Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))


def age_logins(app: Flask, column: str, by: timedelta) -> None:
    """Move every login's `column` (created_at or last_seen_at) `by` into the past."""
    with sqlite3.connect(database_of(app)) as db:
        for token_hash, value in db.execute(f"SELECT token_hash, {column} FROM logins").fetchall():
            earlier = datetime.fromisoformat(value) - by
            db.execute(f"UPDATE logins SET {column} = ? WHERE token_hash = ?",
                       (earlier.strftime("%Y-%m-%d %H:%M:%S.%f"), token_hash))


def test_logging_out_everywhere_ends_every_browsers_login(tmp_path: Path) -> None:
    app = security_app(tmp_path)
    laptop, phone = AuthActions(app.test_client()), AuthActions(app.test_client())
    laptop.register()
    phone.login()
    thief = app.test_client()
    thief.set_cookie(SESSION_COOKIE, laptop.client.get_cookie(SESSION_COOKIE).value)
    page = phone.client.get("/progress").get_data(as_text=True)
    assert "logged in on 2 browsers" in page, "expected the progress page to count two logins"
    answer = phone.client.post("/logout/everywhere",
                               data={"csrf_token": csrf_token(phone.client, "/progress")})
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    for name, client in [("laptop", laptop.client), ("phone", phone.client), ("thief", thief)]:
        assert client.get("/progress").status_code == 302, f"the {name} is still logged in"
    other = AuthActions(app.test_client())
    other.register(email="bob@example.org")
    assert other.client.get("/progress").status_code == 200, "another user was logged out too"


def test_logging_out_everywhere_needs_the_csrf_token(tmp_path: Path) -> None:
    app = security_app(tmp_path)
    ada = AuthActions(app.test_client())
    ada.register()
    assert ada.client.post("/logout/everywhere").status_code == 400
    assert ada.client.get("/progress").status_code == 200, "a forged request logged ada out"


@pytest.mark.parametrize(("column", "age", "lives"), [
    ("last_seen_at", timedelta(days=13), True),
    ("last_seen_at", timedelta(days=15), False),
    ("created_at", timedelta(days=29), True),
    ("created_at", timedelta(days=31), False),
])
def test_a_login_lapses_when_idle_too_long_or_too_old(
        tmp_path: Path, column: str, age: timedelta, lives: bool) -> None:
    app = security_app(tmp_path)  # defaults: 14 idle days, 30 days in all
    ada = AuthActions(app.test_client())
    ada.register()
    age_logins(app, column, age)
    expected = 200 if lives else 302
    assert ada.client.get("/progress").status_code == expected, \
        f"a login with {column} {age.days} days ago should {'live' if lives else 'have lapsed'}"


def test_a_visit_moves_last_seen_forward_at_most_every_five_minutes(tmp_path: Path) -> None:
    app = security_app(tmp_path)
    ada = AuthActions(app.test_client())
    ada.register()

    def last_seen() -> datetime:
        with sqlite3.connect(database_of(app)) as db:
            (value,) = db.execute("SELECT last_seen_at FROM logins").fetchone()
        return datetime.fromisoformat(value).replace(tzinfo=UTC)

    age_logins(app, "last_seen_at", timedelta(minutes=1))
    before = last_seen()
    ada.client.get("/progress")
    assert last_seen() == before, "a visit one minute after the last one rewrote last_seen_at"
    age_logins(app, "last_seen_at", timedelta(minutes=10))
    ada.client.get("/progress")
    assert datetime.now(UTC) - last_seen() < timedelta(minutes=1), "last_seen_at did not move"


@pytest.mark.parametrize("last_seen", [timedelta(0), timedelta(minutes=10)])
def test_checking_a_login_leaves_the_database_unlocked(tmp_path: Path, last_seen: timedelta):
    """With SQLite, a request that held the write lock would stall every other writer (a Run
    ending, a grade being stored) until the request ends."""
    app = security_app(tmp_path)
    ada = AuthActions(app.test_client())
    ada.register()
    age_logins(app, "last_seen_at", last_seen)
    with ada.client.session_transaction() as cookie:
        user_id, token = cookie["user_id"], cookie["login"]
    with app.test_request_context():
        lifetimes = logins.Lifetimes.of(app.config)
        assert logins.user_of(get_session(), user_id, token, lifetimes) is not None
        with sqlite3.connect(database_of(app), timeout=0) as other:
            other.execute("UPDATE users SET display_name = display_name")  # no "locked" error


def test_logging_in_deletes_the_users_ended_and_lapsed_logins(tmp_path: Path) -> None:
    app = security_app(tmp_path)
    ada, bob = AuthActions(app.test_client()), AuthActions(app.test_client())
    ada.register()
    ada.logout()  # ended
    bob.register(email="bob@example.org")
    bob.logout()  # ended, but bob does not come back
    lapsed = AuthActions(app.test_client())
    lapsed.login()
    age_logins(app, "created_at", timedelta(days=31))  # every row so far is now too old too
    ada.login()
    with sqlite3.connect(database_of(app)) as db:
        rows = db.execute("SELECT email, ended_at IS NULL FROM logins "
                          "JOIN users ON users.id = logins.user_id ORDER BY email").fetchall()
    assert rows == [("ada@example.org", 1), ("bob@example.org", 0)], rows


def test_login_lifetimes_come_from_the_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LOGIN_IDLE_DAYS", "0.5")
    app = security_app(tmp_path)
    ada = AuthActions(app.test_client())
    ada.register()
    age_logins(app, "last_seen_at", timedelta(hours=13))
    assert ada.client.get("/progress").status_code == 302, "LOGIN_IDLE_DAYS=0.5 was not applied"


@pytest.mark.parametrize("name", ["LOGIN_IDLE_DAYS", "LOGIN_MAX_DAYS"])
def test_a_bad_login_lifetime_names_the_variable(tmp_path: Path, monkeypatch, name: str) -> None:
    monkeypatch.setenv(name, "forever")
    with pytest.raises(ConfigError, match=f"{name}='forever'"):
        security_app(tmp_path)


def test_the_database_keeps_login_tokens_only_hashed(tmp_path: Path) -> None:
    app = security_app(tmp_path)
    ada = AuthActions(app.test_client())
    ada.register()
    with ada.client.session_transaction() as session:
        token = session["login"]
    with sqlite3.connect(database_of(app)) as db:
        dump = "\n".join(db.iterdump())
        assert db.execute("SELECT count(*) FROM logins WHERE ended_at IS NULL").fetchone() == (1,)
    assert token not in dump, "the login token itself is in the database"


def test_passwords_are_stored_only_as_salted_scrypt_hashes(tmp_path: Path) -> None:
    app: Flask = security_app(tmp_path)
    for email in ("ada@example.org", "bob@example.org"):
        AuthActions(app.test_client()).register(email)
    database = database_of(app)
    with sqlite3.connect(database) as db:
        hashes = [row[0] for row in db.execute("SELECT password_hash FROM users")]
        dump = "\n".join(db.iterdump())
    assert len(hashes) == 2 and all(h.startswith("scrypt:") for h in hashes), hashes
    assert hashes[0] != hashes[1], "expected a salt: the same password gave the same hash"
    assert PASSWORD not in dump, "the plain password is in the database"
    raw = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    assert PASSWORD.encode() not in raw, "the plain password is in the database files"
