"""The terminal under the servers the site runs on: gunicorn's threaded worker hands the
socket over (a shell answers), waitress cannot and says so instead of hanging."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import waitress
from flask import Flask

from tests.grading.grading_helpers import add_user
from tests.support.smtp import free_port
from tests.workspace.terminal_client import Learner

pytestmark = pytest.mark.slow


def wait_for(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited at start"
        try:
            httpx.get(url + "/login", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer on {url} within {timeout} s")


def test_under_gunicorn_the_terminal_answers(make_app: Callable[..., Flask], labs_root: Path,
                                             tmp_path: Path) -> None:
    app = make_app()
    add_user(app, "ada@example.org")
    port = free_port()
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "gunicorn",
           "SESSION_COOKIE_SECURE": "0", "ARCHLAB_SANDBOX": "process",
           "ARCHLAB_ALLOW_PROCESS_SANDBOX": "1", "ARCHLAB_LABS_ROOT": str(labs_root)}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-k", "gthread", "--threads", "4", "-w", "1",
         "-b", f"127.0.0.1:{port}", "--graceful-timeout", "5",
         "--control-socket", str(tmp_path / "gunicorn.ctl"), "webapp:create_app()"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(url, server)
        ada = Learner(url, "ada@example.org")
        ada.run()
        terminal = ada.terminal()
        terminal.type("echo gunicorn-$((6*7))\n")
        terminal.until(b"gunicorn-42")
        assert ada.post("/run/stop").status_code == 200
        assert terminal.close_reason() == "you stopped it"
        terminal.close()
        ada.http.close()
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            raise


def test_under_waitress_the_terminal_says_it_cannot(make_app: Callable[..., Flask]) -> None:
    app = make_app(TESTING=False, SESSION_COOKIE_SECURE=False)
    add_user(app, "ada@example.org")
    server = waitress.create_server(app, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.effective_port}"
        ada = Learner(url, "ada@example.org")
        ada.run()
        refused = ada.handshake(url, ada.csrf)
        assert refused.status_code == 501
        assert "cannot hold a WebSocket" in refused.json()["error"]
        ada.post("/run/stop")
    finally:
        server.close()
