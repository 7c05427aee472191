"""Debian's Chromium through Playwright: the browser and page fixtures, and logging in.

Every browser test wants the same launch flags, a page that records console errors, CSP
violations and uncaught page errors in `page.problems`, and the login form filled in.
A suite gets the fixtures by importing `browser` and `page` from here into its conftest or
test module.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page that collects console errors, CSP violations and uncaught page errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.problems = []
    page.on(
        "console",
        lambda msg: page.problems.append(f"console {msg.type}: {msg.text}")
        if msg.type in ("error", "warning") or "Content Security Policy" in msg.text
        else None,
    )
    page.on("pageerror", lambda exc: page.problems.append(f"page error: {exc}"))
    yield page
    context.close()


def log_in(page: Any, site: str, email: str, password: str) -> None:
    """Fill in the login form at `site` and wait for the redirect to the home page."""
    page.goto(f"{site}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}/")
