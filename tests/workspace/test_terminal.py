"""The workspace terminal over a real WebSocket, on both sandbox backends: a shell in the
learner's running app that answers what is typed, refused to anyone else and to other sites'
pages, closed (its shell killed) when the Run stops, when idle and when it prints too much."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from flask import Flask

from tests.grading.grading_helpers import add_user
from tests.support.webapp_server import serving
from tests.workspace.terminal_client import Learner

# a program started from the terminal, found by its command line among every process of the
# host: its number is this pytest process's own, so another test run on the machine has another
SLEEPER = f"sleep {1_000_000 + os.getpid()}"


def sleepers() -> int:
    """Host processes running SLEEPER (a container's processes are the host's too)."""
    found = subprocess.run(["pgrep", "-c", "-f", SLEEPER], capture_output=True, text=True)
    return int(found.stdout.strip() or 0)


@pytest.fixture(params=["process", pytest.param("docker", marks=[pytest.mark.docker,
                                                                 pytest.mark.slow])])
def site(request: pytest.FixtureRequest, make_app: Callable[..., Flask]
         ) -> Iterator[Callable[..., str]]:
    """site(**config) -> the URL of the site served over HTTP on that backend, with learners
    ada@ and bob@example.org."""

    def serve(**config: object) -> str:
        if request.param == "docker":
            request.getfixturevalue("docker_client")
        app = make_app(TESTING=False, SESSION_COOKIE_SECURE=False,
                       ARCHLAB_SANDBOX=request.param, **config)
        add_user(app, "ada@example.org")
        add_user(app, "bob@example.org")
        server = serving(app)
        url = server.__enter__()
        request.addfinalizer(lambda: server.__exit__(None, None, None))
        return url

    yield serve


@pytest.fixture
def learner(request: pytest.FixtureRequest) -> Callable[[str, str], Learner]:
    """learner(url, email) -> that learner logged in; its connections close after the test."""

    def log_in(url: str, email: str) -> Learner:
        one = Learner(url, email)
        request.addfinalizer(one.close)
        return one

    return log_in


def test_the_terminal_runs_commands_in_the_app(site, learner) -> None:
    ada = learner(site(), "ada@example.org")
    ada.run()
    terminal = ada.terminal()
    terminal.resize(30, 111)
    terminal.type("ls; echo cols=$(tput cols) answer=$((6*7))\n")
    out = terminal.until(b"answer=42")
    assert "app.py" in out, f"expected the shell in the app's folder: {out}"
    assert "cols=111" in out, out
    terminal.type("exit\n")
    assert terminal.close_reason() == "the shell exited"


def test_nobody_else_gets_a_terminal(site, learner) -> None:
    url = site()
    ada = learner(url, "ada@example.org")
    ada.run()
    bob = learner(url, "bob@example.org")
    assert "Nothing is running here" in bob.terminal().close_reason()
    other_site = ada.handshake("http://evil.example", ada.csrf)
    assert other_site.status_code == 403 and "this site's own pages" in other_site.text
    no_token = ada.handshake(url, "forged")
    assert no_token.status_code == 403 and "security token" in no_token.text
    plain = ada.http.get("/labs/toy-items/run/terminal")
    assert plain.status_code == 400 and "speaks WebSocket" in plain.json()["error"]
    anonymous = httpx.get(f"{url}/labs/toy-items/run/terminal",
                          headers={"Accept": "application/json"})
    assert anonymous.status_code == 401


def test_stopping_the_run_closes_the_terminal_and_kills_the_shell(site, learner) -> None:
    ada = learner(site(), "ada@example.org")
    ada.run()
    terminal = ada.terminal()
    terminal.type(f"{SLEEPER} & echo started-$((1+1))\n")
    terminal.until(b"started-2")
    assert sleepers() == 1
    assert ada.post("/run/stop").status_code == 200
    assert terminal.close_reason() == "you stopped it"
    deadline = time.monotonic() + 10
    while sleepers() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sleepers() == 0, "expected the shell's programs killed with the Run"


def test_an_idle_terminal_closes_and_its_shell_dies(site, learner) -> None:
    ada = learner(site(TERMINAL_IDLE_S=1.5), "ada@example.org")
    ada.run()
    terminal = ada.terminal()
    terminal.type(f"{SLEEPER} &\n")
    assert "without typing" in terminal.close_reason()
    deadline = time.monotonic() + 10
    while sleepers() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sleepers() == 0
    assert ada.post("/run/stop").json()["state"] == "stopped"


def test_a_flood_of_output_closes_the_terminal(site, learner) -> None:
    ada = learner(site(TERMINAL_OUTPUT_KB=64), "ada@example.org")
    ada.run()
    terminal = ada.terminal()
    terminal.type("yes archlab\n")
    assert "more than 64 KiB" in terminal.close_reason()
    assert 48 * 1024 <= len(terminal.seen) <= 64 * 1024, "expected output up to the cap only"
