"""The terminal under the servers the site runs on: gunicorn with the web container's
settings (deploy/gunicorn.conf.py) hands the socket over (a shell answers) and ends open
terminals when it is stopped; waitress cannot and says so instead of hanging."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import waitress
from flask import Flask
from waitress import wasyncore

from sandboxes.local_servers import free_port
from tests.grading.grading_helpers import add_user
from tests.workspace.terminal_client import Learner
from webapp.config import REPO_ROOT

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


def test_under_the_web_containers_gunicorn_the_terminal_answers_and_ends_on_sigterm(
        make_app: Callable[..., Flask], labs_root: Path, tmp_path: Path) -> None:
    app = make_app()
    add_user(app, "ada@example.org")
    port = free_port()
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "gunicorn",
           "SESSION_COOKIE_SECURE": "0", "ARCHLAB_SANDBOX": "process",
           "ARCHLAB_ALLOW_PROCESS_SANDBOX": "1", "ARCHLAB_LABS_ROOT": str(labs_root),
           "ARCHLAB_BIND": f"127.0.0.1:{port}", "WEB_THREADS": "4"}
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py",
             "webapp:create_app()"],
            cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
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

        ada.run()  # whichever request comes next, the one process has this Run
        terminal = ada.terminal()
        terminal.type("echo again-$((6*7))\n")
        terminal.until(b"again-42")
        server.send_signal(signal.SIGTERM)  # as `docker-compose stop web`: the Run ends first
        assert terminal.close_reason() == "the server shut down", log.read_text()
        terminal.close()  # as the browser answers the server's close
        ada.http.close()
        assert server.wait(15) == 0, log.read_text()  # within the graceful timeout (20 s)
        assert "Control socket" not in log.read_text(), "the web opens no control socket"
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            raise


@contextmanager
def waitress_serving(app: Flask) -> Iterator[str]:
    """Serve `app` with waitress on a thread for the block; yields its base URL. The server's
    sockets are closed in its own thread, between two polls, which ends its loop: closed from
    here they raced its select() on them, and the thread died of EBADF after the test."""
    sockets: dict = {}
    server = waitress.create_server(app, map=sockets, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.trigger.pull_trigger(lambda: wasyncore.close_all(sockets))
        thread.join(timeout=10)
        server.task_dispatcher.shutdown()
    assert not thread.is_alive(), "waitress's loop did not end once its sockets were closed"


def test_under_waitress_the_terminal_says_it_cannot(make_app: Callable[..., Flask]) -> None:
    app = make_app(TESTING=False, SESSION_COOKIE_SECURE=False)
    add_user(app, "ada@example.org")
    with waitress_serving(app) as url:
        ada = Learner(url, "ada@example.org")
        try:
            ada.run()
            refused = ada.handshake(url, ada.csrf)
            assert refused.status_code == 501
            assert "cannot hold a WebSocket" in refused.json()["error"]
            ada.post("/run/stop")
        finally:
            ada.http.close()
