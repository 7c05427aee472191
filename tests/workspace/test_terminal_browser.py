"""The terminal in Chromium: Run the toy lab, open the terminal, type a command into xterm.js
and read its output on screen; Stop closes the terminal and says why. Production defaults
(CSRF, CSP), so a console error or CSP violation fails the test."""

from __future__ import annotations

import pytest

from tests.grading.grading_helpers import PASSWORD
from tests.support.chromium import browser, log_in, page  # noqa: F401 - fixtures used below

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_type_into_the_terminal_and_read_the_answer(served: str, page) -> None:  # noqa: F811
    log_in(page, served, "ada@example.org", PASSWORD)
    page.goto(f"{served}/labs/toy-items")
    opener = page.get_by_role("button", name="Open terminal")
    assert opener.is_disabled(), "expected no terminal before Run"
    page.get_by_role("button", name="Run", exact=True).click()
    page.locator("#run-state", has_text="Running").wait_for(timeout=30_000)

    opener.click()
    page.locator("#terminal-state", has_text="Terminal open.").wait_for(timeout=15_000)
    screen = page.locator("#terminal .xterm-rows")
    screen.get_by_text("$").first.wait_for(timeout=15_000)  # the prompt
    page.keyboard.type("ls && echo browser-$((6*7))\n")
    screen.get_by_text("browser-42").wait_for(timeout=15_000)
    assert "app.py" in screen.inner_text(), "expected the shell in the app's folder"
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("!document.getElementById('terminal').contains(document.activeElement)"), \
        "expected Esc then Tab to leave the terminal"

    page.get_by_role("button", name="Stop").click()
    page.locator("#terminal-state", has_text="Terminal closed: you stopped it.").wait_for(
        timeout=15_000)
    page.wait_for_function("document.getElementById('terminal-open').disabled", timeout=10_000)
    assert page.problems == [], "\n".join(page.problems)
