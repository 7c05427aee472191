"""The terminal in Chromium: Run the toy lab, open the terminal, type a command into xterm.js
and read its output on screen; Stop closes the terminal and says why. Production defaults
(CSRF, CSP), so a console error or CSP violation fails the test. Also on a site started
exactly as a learner starts it, `archlab serve`, whose server must hold the WebSocket."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandboxes.local_servers import free_port, wait_for_port
from tests.grading.grading_helpers import PASSWORD, add_user
from tests.support.chromium import browser, log_in, page  # noqa: F401 - fixtures used below
from tests.support.site_app import TEST_CONTENT
from webapp import create_app

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


@pytest.fixture
def archlab_serve(tmp_path: Path, labs_root: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """`archlab serve --port N` in its own process (its default server, embedded graders, the
    process sandbox, no Redis), with learner ada@example.org: (its URL, the process)."""
    database = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": database, "SECRET_KEY": "serve-secret",
           "CONTENT_DIR": str(TEST_CONTENT), "ARCHLAB_LABS_ROOT": str(labs_root),
           "ARCHLAB_SANDBOX": "process", "ARCHLAB_ALLOW_PROCESS_SANDBOX": "1",
           "SESSION_COOKIE_SECURE": "0"}
    env.pop("REDIS_URL", None)
    port = free_port()
    with (tmp_path / "serve.log").open("wb") as log:
        server = subprocess.Popen([str(Path(sys.executable).parent / "archlab"), "serve",
                                   "--port", str(port)], env=env, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port("127.0.0.1", port, timeout=60, process=server)
        add_user(create_app({"DATABASE_URL": database, "SECRET_KEY": "serve-secret",
                             "CONTENT_DIR": TEST_CONTENT, "LABS_ROOT": labs_root}),
                 "ada@example.org")
        yield f"http://127.0.0.1:{port}", server
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def test_the_terminal_works_on_archlab_serve_and_ends_when_it_stops(
        archlab_serve: tuple[str, subprocess.Popen], page, tmp_path: Path) -> None:  # noqa: F811
    site, server = archlab_serve
    log_in(page, site, "ada@example.org", PASSWORD)
    page.goto(f"{site}/labs/toy-items")
    page.get_by_role("button", name="Run", exact=True).click()
    page.locator("#run-state", has_text="Running on the").wait_for(timeout=60_000)
    page.get_by_role("button", name="Open terminal").click()
    page.wait_for_function("document.getElementById('terminal-state').textContent"
                           ".startsWith('Terminal')", timeout=30_000)
    state = page.locator("#terminal-state").inner_text()
    assert state == "Terminal open.", f"{state} ({(tmp_path / 'serve.log').read_text()})"
    screen = page.locator("#terminal .xterm-rows")
    screen.get_by_text("$").first.wait_for(timeout=15_000)
    page.keyboard.type("echo served-$((6*7))\n")
    screen.get_by_text("served-42").wait_for(timeout=15_000)
    assert page.problems == [], "\n".join(page.problems)

    server.terminate()  # SIGTERM, as a service manager stops the site: the Run ends first
    page.locator("#terminal-state", has_text="the server shut down").wait_for(timeout=15_000)
    assert server.wait(timeout=30) == 0, (tmp_path / "serve.log").read_text()
