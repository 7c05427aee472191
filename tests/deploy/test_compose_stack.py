"""docker-compose.yml on the real engine: build the images offline, bring the stack up, register
a learner in Chromium, grade the rest-api reference end to end (an `archlab worker` container
starts the Docker sandbox), Run it through the web container (its console gets an answer from
the learner's app, its terminal a shell, and the host stays shielded from the Run's network),
restart web and workers, and find the learner and the grade intact and the Run torn down.

It prints the seconds from `docker-compose up` to a graded submission. About 3 minutes with
the image build cached, 4.5 from scratch: it runs in CI (CI=true) or with
ARCHLAB_COMPOSE_TEST=1, and is skipped otherwise.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docker.errors
import pytest

from sandboxes.local_servers import free_port
from tests.support.chromium import browser, log_in, page  # noqa: F401 - fixtures used below
from webapp.config import REPO_ROOT

pytestmark = [pytest.mark.docker, pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(os.environ.get("ARCHLAB_COMPOSE_TEST") != "1"
                                 and os.environ.get("CI", "").lower() not in ("1", "true", "yes"),
                                 reason="set ARCHLAB_COMPOSE_TEST=1: builds images, minutes")]
COMPOSE = shutil.which("docker-compose") or "docker-compose"
PASSWORD = "correct horse battery"


class Stack:
    def __init__(self) -> None:
        self.project = f"archlabtest{uuid.uuid4().hex[:8]}"
        self.port = free_port()
        self.env = {**os.environ, "SECRET_KEY": uuid.uuid4().hex, "POSTGRES_PASSWORD": "pw",
                    "SESSION_COOKIE_SECURE": "0", "ARCHLAB_PORT": str(self.port),
                    "ARCHLAB_DB_PORT": str(free_port()), "ARCHLAB_REDIS_PORT": str(free_port())}
        self.url = f"http://127.0.0.1:{self.port}"

    def compose(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run([COMPOSE, "-p", self.project, "-f", str(REPO_ROOT /
                               "docker-compose.yml"), *args], env=self.env, cwd=REPO_ROOT,
                              capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, f"docker-compose {' '.join(args)}:\n{done.stderr[-3000:]}"
        return done.stdout

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/readyz", timeout=3) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        pytest.fail(f"/readyz did not answer 200 within {timeout:g}s:\n"
                    + self.compose("logs", "--tail", "30"))


@pytest.fixture(scope="module")
def stack(docker_client) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    done = subprocess.run([REPO_ROOT / "scripts/build-server-image"], capture_output=True,
                          text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    stack = Stack()
    try:
        yield stack
    finally:
        stack.compose("down", "-v", "--remove-orphans")


def reference_zip(tmp_path: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted((REPO_ROOT / "labs/rest_api/solution").glob("*.py")):
            archive.write(path, path.name)
    target = tmp_path / "rest-api.zip"
    target.write_bytes(buffer.getvalue())
    return target


def test_compose_up_grades_runs_and_keeps_the_data_across_restarts(
        stack: Stack, page, docker_client, tmp_path: Path) -> None:  # noqa: F811
    started = time.monotonic()
    stack.compose("up", "-d", "--scale", "worker=2")
    stack.wait_ready()
    ready_s = time.monotonic() - started

    page.goto(f"{stack.url}/register")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Display name").fill("Ada")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(f"{stack.url}/")
    page.goto(f"{stack.url}/labs/rest-api")
    page.locator("#file-list button.current").wait_for()
    page.get_by_label("Upload a .zip or .tar.gz").set_input_files(str(reference_zip(tmp_path)))
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Upload and replace").click()
    page.locator("#save-status", has_text="Uploaded").wait_for()
    page.get_by_role("button", name="Grade", exact=True).click()
    page.wait_for_url(re.compile(r".*\?graded=\d+#last-grade$"))
    page.locator("#last-grade #score").wait_for(timeout=180_000)
    graded_s = time.monotonic() - started
    assert page.locator("#last-grade #score").inner_text() == "100 / 100"
    print(f"\ncompose: /readyz after {ready_s:.1f}s, graded submission after {graded_s:.1f}s "
          "from docker-compose up")

    gateway = run_in_the_web_container(page)
    network = run_network(docker_client, gateway)
    stack.compose("restart", "web", "worker")
    stack.wait_ready()
    ended = stack.compose("exec", "-T", "db", "psql", "-h", "/tmp", "-U", "archlab", "-d",
                          "archlab", "-tAc", "SELECT end_reason FROM run_sessions")
    assert ended.strip() == "the server shut down", ended  # not orphaned, not left running
    with pytest.raises(docker.errors.NotFound):
        docker_client.networks.get(network)  # the Run's sandbox went with it
    log_in(page, stack.url, "ada@example.org", PASSWORD)
    page.goto(f"{stack.url}/labs/rest-api/submissions")
    assert re.search(r"100\s*/\s*100", page.locator("main").inner_text()), "the grade is gone"
    deadline = time.monotonic() + 90  # health checks run again after the restart
    while (status := stack.compose("ps")).count("Up (healthy)") < 4 \
            and time.monotonic() < deadline:
        time.sleep(2)
    assert status.count("Up (healthy)") >= 4, status


def run_in_the_web_container(tab) -> str:  # type: ignore[no-untyped-def]
    """Run the draft from the lab page (web starts the Docker sandbox), send a request from
    the console, then, in the terminal, try the host on the Run network's gateway address:
    nothing may arrive. Returns that gateway."""
    started = time.monotonic()
    tab.get_by_role("button", name="Run", exact=True).click()
    tab.locator("#run-state", has_text="Running on the docker sandbox").wait_for(
        timeout=120_000)
    print(f"compose: Run ready {time.monotonic() - started:.1f}s after pressing it")
    tab.get_by_label("Method").select_option("POST")
    tab.get_by_label("Request path").fill("/api/v1/users")
    tab.get_by_label("Body (JSON)").fill('{"name": "Ada", "email": "ada@example.org"}')
    tab.get_by_role("button", name="Send").click()
    tab.locator("#response-status", has_text="201 CREATED").wait_for(timeout=30_000)

    tab.get_by_role("button", name="Open terminal").click()
    tab.locator("#terminal-state", has_text="Terminal open.").wait_for(timeout=30_000)
    screen = tab.locator("#terminal .xterm-rows")
    screen.get_by_text("$").first.wait_for(timeout=15_000)
    tab.keyboard.type("python3 -c \"import socket; print('gw=' + socket.gethostbyname("
                       "socket.gethostname()).rsplit('.', 1)[0] + '.1=')\"\n")
    printed = re.compile(r"gw=(\d+\.\d+\.\d+\.\d+)=")
    screen.get_by_text(printed).wait_for(timeout=15_000)
    found = printed.search(screen.inner_text())
    assert found, screen.inner_text()
    gateway = found.group(1)
    # the host side of the Run's network: a service bound there is what the iptables rule
    # that web installed (as a worker does) must keep learner code from reaching
    with socket.create_server((gateway, 0)) as host_service:
        host_service.setblocking(False)
        port = host_service.getsockname()[1]
        tab.keyboard.type(f"curl -s -m 3 http://{gateway}:{port}/; echo tried-$((6*7))\n")
        screen.get_by_text("tried-42").wait_for(timeout=15_000)
        with pytest.raises(BlockingIOError):
            host_service.accept()  # nothing from the Run reached the host
    return gateway


def run_network(docker_client, gateway: str) -> str:  # type: ignore[no-untyped-def]
    """The id of the live Run network whose gateway is `gateway` (one at a time has it)."""
    found = [network.id for network in
             docker_client.networks.list(filters={"label": "archlab.run"})
             if any(config.get("Gateway") == gateway
                    for config in network.attrs["IPAM"]["Config"] or [])]
    assert len(found) == 1, f"expected one Run network on {gateway}, found {found}"
    return found[0]
