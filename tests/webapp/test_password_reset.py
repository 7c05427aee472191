"""Password reset: the rule is shown before any failure, a mailed link (a real SMTP server on
127.0.0.1) sets a new password once and not after it expires, the forgot page answers alike
for every email, and without SMTP instructors hand out the link instead."""

from __future__ import annotations

import hashlib
import time
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.support.smtp import Mailbox, reset_link
from tests.webapp.conftest import PASSWORD, AuthActions, csrf_token, log_in_instructor
from webapp.auth.accounts import find_by_email
from webapp.auth.forms import PASSWORD_RULE
from webapp.classes.cohorts import create_cohort, enrol
from webapp.config import ConfigError
from webapp.db import get_session
from webapp.models import COUNTS_BEST, PasswordReset

SITE = "http://localhost"
NEW_PASSWORD = "a brand new passphrase"


def ask_for_link(client: FlaskClient, email: str):  # type: ignore[no-untyped-def]
    return client.post("/password/forgot", data={
        "csrf_token": csrf_token(client, "/password/forgot"), "email": email})


def set_password(client: FlaskClient, link: str, password: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    path = urlsplit(link).path
    return client.post(path, data={"csrf_token": csrf_token(client, "/login"),
                                   "password": password, "confirm": password})


@pytest.fixture
def mailing_app(make_app, mailbox: Mailbox) -> Flask:  # type: ignore[no-untyped-def]
    return make_app(**mailbox.config(SITE))


@pytest.fixture
def ada(mailing_app: Flask) -> FlaskClient:
    """A client whose learner Ada registered and logged out again."""
    client = mailing_app.test_client()
    AuthActions(client).register()
    AuthActions(client).logout()
    return client


def test_the_password_rule_is_shown_before_any_attempt(client: FlaskClient) -> None:
    page = client.get("/register").get_data(as_text=True)
    assert PASSWORD_RULE in page
    assert 'aria-describedby="password-hint"' in page and 'minlength="8"' in page


def test_a_mailed_link_sets_a_new_password_once(ada: FlaskClient, mailbox: Mailbox,
                                                mailing_app: Flask) -> None:
    asked = ask_for_link(ada, "Ada@Example.org ")
    assert asked.status_code == 200
    assert "If an account exists for ada@example.org" in asked.get_data(as_text=True)
    mail = mailbox.wait("ada@example.org")
    assert mail["From"] == "archlab@example.org" and "Reset" in mail["Subject"]
    link = reset_link(mail)
    assert link.startswith(f"{SITE}/password/reset/")
    form = ada.get(urlsplit(link).path).get_data(as_text=True)
    assert PASSWORD_RULE in form

    done = set_password(ada, link)
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    auth = AuthActions(ada)
    assert auth.login(password=PASSWORD).status_code == 200  # the old one is refused
    assert auth.login(password=NEW_PASSWORD).status_code == 302
    auth.logout()

    reused = set_password(ada, link, "yet another passphrase")
    assert reused.status_code == 404 and "does not work any more" in reused.get_data(as_text=True)
    assert auth.login(password=NEW_PASSWORD).status_code == 302

    token = urlsplit(link).path.rsplit("/", 1)[1]
    with mailing_app.app_context():
        stored = get_session().scalars(select(PasswordReset.token_hash)).all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()], "expected only the hash kept"


def test_a_link_stops_working_when_it_expires(make_app, mailbox: Mailbox) -> None:  # type: ignore[no-untyped-def]
    # 6 s: mailing the link and opening it must fit in its life on a busy machine (1.2 s did not)
    app = make_app(**mailbox.config(SITE), PASSWORD_RESET_MINUTES=0.1)
    client = app.test_client()
    AuthActions(client).register()
    AuthActions(client).logout()
    ask_for_link(client, "ada@example.org")
    expired_by = time.monotonic() + 6 + 0.2  # the link was made before the page answered
    link = reset_link(mailbox.wait("ada@example.org"))
    assert client.get(urlsplit(link).path).status_code == 200
    time.sleep(max(0.0, expired_by - time.monotonic()))
    assert client.get(urlsplit(link).path).status_code == 404
    assert set_password(client, link).status_code == 404
    assert AuthActions(client).login(password=NEW_PASSWORD).status_code == 200


def test_a_newer_link_replaces_the_older_one(ada: FlaskClient, mailbox: Mailbox) -> None:
    ask_for_link(ada, "ada@example.org")
    first = reset_link(mailbox.wait("ada@example.org"))
    ask_for_link(ada, "ada@example.org")
    deadline = time.monotonic() + 10
    while len(mailbox.to("ada@example.org")) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    second = reset_link(mailbox.to("ada@example.org")[-1])
    assert first != second
    assert set_password(ada, first).status_code == 404
    assert set_password(ada, second).status_code == 302


def test_unknown_emails_get_the_same_answer_and_no_mail(ada: FlaskClient,
                                                        mailbox: Mailbox) -> None:
    known = ask_for_link(ada, "ada@example.org").get_data(as_text=True)
    unknown = ask_for_link(ada, "nobody@example.org").get_data(as_text=True)
    mailbox.wait("ada@example.org")
    assert unknown == known.replace("ada@example.org", "nobody@example.org")
    time.sleep(0.5)
    assert mailbox.to("nobody@example.org") == []


def test_reset_mails_are_limited_per_email_whoever_has_an_account(ada: FlaskClient) -> None:
    for email in ("ada@example.org", "nobody@example.org"):
        answers = [ask_for_link(ada, email).status_code for _ in range(4)]
        assert answers == [200, 200, 200, 429], f"{email}: expected the 4th refused: {answers}"


def test_a_reset_logs_out_every_browser(mailing_app: Flask, mailbox: Mailbox) -> None:
    elsewhere = mailing_app.test_client()
    AuthActions(elsewhere).register()
    assert elsewhere.get("/progress").status_code == 200
    here = mailing_app.test_client()
    ask_for_link(here, "ada@example.org")
    set_password(here, reset_link(mailbox.wait("ada@example.org")))
    assert elsewhere.get("/progress").status_code == 302


def test_without_smtp_the_page_says_to_ask_an_instructor(client: FlaskClient) -> None:
    page = client.get("/password/forgot").get_data(as_text=True)
    assert "does not send email" in page and "Ask your instructor" in page
    assert 'name="email"' not in page
    assert "Forgot your password?" in client.get("/login").get_data(as_text=True)


def teach_ada(app: Flask) -> None:
    """Grace creates a class and Ada joins it: Grace's account pages cover Ada now."""
    with app.app_context():
        session = get_session()
        grace, ada = (find_by_email(session, e) for e in ("grace@example.org", "ada@example.org"))
        enrol(session, create_cohort(session, "Grace's class", "UTC", COUNTS_BEST, grace), ada)
        session.commit()


def test_an_instructor_hands_a_learner_a_link(app: Flask, client: FlaskClient) -> None:
    learner = app.test_client()
    AuthActions(learner).register()
    AuthActions(learner).logout()
    log_in_instructor(app, client)
    assert "ada@example.org" not in client.get("/instructor/accounts?q=ADA").get_data(
        as_text=True), "Ada is in no class of Grace's yet"
    teach_ada(app)
    listing = client.get("/instructor/accounts?q=ADA").get_data(as_text=True)
    assert "ada@example.org" in listing and "grace@example.org" not in listing
    ada_id = int(listing.split("/instructor/accounts/")[1].split("/")[0])
    made = client.post(f"/instructor/accounts/{ada_id}/password-reset",
                       data={"csrf_token": csrf_token(client, "/instructor/accounts")})
    assert made.status_code == 200
    link = made.get_data(as_text=True).split('value="http://localhost/password/reset/')[1]
    link = "http://localhost/password/reset/" + link.split('"')[0]
    assert set_password(learner, link).status_code == 302
    assert AuthActions(learner).login(password=NEW_PASSWORD).status_code == 302


def test_instructor_accounts_are_not_reset_from_the_site(app: Flask, client: FlaskClient) -> None:
    log_in_instructor(app, client)
    with client.session_transaction() as session:
        own_id = session["user_id"]
    refused = client.post(f"/instructor/accounts/{own_id}/password-reset",
                          data={"csrf_token": csrf_token(client, "/instructor/accounts")})
    assert refused.status_code == 403


def test_smtp_without_a_site_url_stops_the_site_at_start(make_app) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="SITE_URL"):
        make_app(SMTP_HOST="127.0.0.1")
    with pytest.raises(ConfigError, match="SMTP_SECURITY"):
        make_app(SMTP_HOST="127.0.0.1", SITE_URL=SITE, SMTP_SECURITY="ssl3")
