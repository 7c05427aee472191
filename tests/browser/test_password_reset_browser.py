"""The password rule and the reset flow in Chromium: the rule is on screen before anything is
submitted, and "Forgot your password?" ends in a mail (a real SMTP server on 127.0.0.1) whose
link sets the password the learner then logs in with."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.chromium import log_in
from tests.support.smtp import Mailbox, reset_link
from tests.support.webapp_server import serving
from webapp import create_app
from webapp.auth.accounts import create_user
from webapp.auth.forms import PASSWORD_RULE
from webapp.config import REPO_ROOT
from webapp.db import get_session
from webapp.migrate import upgrade

pytestmark = [pytest.mark.browser, pytest.mark.slow]
OLD, NEW = "correct horse battery", "staple violet engine"


@pytest.fixture
def mailing_site(tmp_path: Path, mailbox: Mailbox) -> Iterator[str]:
    """The site with production defaults, mailing through `mailbox`; learner ada@example.org."""
    app = create_app({"SECRET_KEY": "browser-tests", "SESSION_COOKIE_SECURE": False,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'archlab.sqlite3'}",
                      "CONTENT_DIR": REPO_ROOT / "content",
                      **mailbox.config("http://placeholder.invalid")})
    upgrade(app.config["DATABASE_URL"])
    with app.app_context():
        create_user(get_session(), "ada@example.org", "Ada", OLD)
    with serving(app) as url:
        app.config["SITE_URL"] = url  # mailed links point at this very server
        yield url


def test_the_rule_is_visible_before_the_first_submit(mailing_site: str, page) -> None:
    page.goto(f"{mailing_site}/register")
    password = page.get_by_label("Password", exact=True)
    hint = page.get_by_text(PASSWORD_RULE)
    assert hint.is_visible(), "expected the password rule on screen before any submit"
    assert password.get_attribute("aria-describedby") == hint.get_attribute("id")
    assert page.locator(".field-errors").count() == 0
    assert page.problems == [], "\n".join(page.problems)


def test_forgot_password_mails_a_link_that_sets_a_new_one(mailing_site: str, page,
                                                           mailbox: Mailbox) -> None:
    page.goto(f"{mailing_site}/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_role("button", name="Mail me a link").click()
    page.get_by_role("status").filter(has_text="If an account exists").wait_for()

    link = reset_link(mailbox.wait("ada@example.org"))
    assert link.startswith(f"{mailing_site}/password/reset/")
    page.goto(link)
    assert page.get_by_text(PASSWORD_RULE).is_visible()
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat password").fill("short")
    page.get_by_role("button", name="Set the new password").click()
    assert page.get_by_text("Use at least 8 characters.").is_visible()
    page.get_by_label("Password", exact=True).fill(NEW)
    page.get_by_label("Repeat password").fill(NEW)
    page.get_by_role("button", name="Set the new password").click()
    page.wait_for_url(f"{mailing_site}/login")
    assert page.get_by_text("Your password is changed").is_visible()

    log_in(page, mailing_site, "ada@example.org", NEW)
    assert page.problems == [], "\n".join(page.problems)
    page.goto(link)  # used: 404, which Chromium logs as a failed load
    assert page.get_by_role("alert").filter(has_text="does not work any more").is_visible()
