"""Run a chapter's marked snippets on real services, and judge each outcome against its marker.

SQL blocks run with psql (as a reader would paste them) one after another on one database;
Python blocks run in one module, by snippet_driver.py, on the Python the labs' sandboxes run
(where a reader tries them, with its library versions). Both name the chapter file and line
in what they print: psql because each block is written to a file named after the chapter,
padded so its lines are the chapter's lines; Python because the driver compiles each block
under the chapter's name at its own lines. Bash blocks run one after another, each through
`bash -e -o pipefail` from a file named and padded like psql's, with `redis-cli` reaching a
Redis of their own. Dockerfiles are built on the real engine, offline, with the chapter's
`file=` blocks as their build context.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker.errors
import httpx
import requests

from course.snippets import Snippet
from sandboxes.local_servers import postgres_bindir
from tests.support.lab_processes import LEARNER_PYTHON

REPO = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("snippet_driver.py")
SQL_TIMEOUT_S = 120
PYTHON_TIMEOUT_S = 180
BASH_TIMEOUT_S = 60
SERVE_TIMEOUT_S = 20  # for the built image to answer its `serves` path
STOP_TIMEOUT_S = 30  # for it to exit after SIGTERM


@dataclass(frozen=True)
class Outcome:
    ok: bool
    output: str


def run_sql(snippets: list[Snippet], database_url: str, workdir: Path) -> list[Outcome]:
    """Each block through `psql -f`, stopping at its first error, in chapter order."""
    outcomes = []
    for snippet in snippets:
        script = workdir / snippet.path  # psql names it in errors: content/NN-slug.md:LINE
        script.parent.mkdir(parents=True, exist_ok=True)
        script.write_text("\n" * snippet.line + snippet.code + "\n", encoding="utf-8")
        done = subprocess.run(
            [str(postgres_bindir() / "psql"), "-X", "-v", "ON_ERROR_STOP=1", "-d", database_url,
             "-f", snippet.path],
            capture_output=True, text=True, cwd=workdir, timeout=SQL_TIMEOUT_S, check=False)
        outcomes.append(Outcome(done.returncode == 0, done.stdout + done.stderr))
    return outcomes


def run_bash(snippets: list[Snippet], redis_url: str, workdir: Path) -> list[Outcome]:
    """Each block through `bash -e -o pipefail`, in chapter order, with the real `redis-cli`
    pointed at `redis_url` (a reader's redis-cli finds their Redis on its default address;
    the one the tests start listens elsewhere, so a `redis-cli` first on PATH adds `-u`, and
    `-e` so that an error reply fails the block, as psql's ON_ERROR_STOP does)."""
    redis_cli = shutil.which("redis-cli")  # Debian's redis-server depends on redis-tools
    if redis_cli is None:
        return [Outcome(False, "redis-cli is not installed (Debian package redis-tools)")] * len(
            snippets)
    shims = workdir / "bin"
    shims.mkdir(parents=True, exist_ok=True)
    shim = shims / "redis-cli"
    shim.write_text(f'#!/bin/sh\nexec {redis_cli} -e -u "$REDIS_URL" "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    env = {**os.environ, "REDIS_URL": redis_url, "PATH": f"{shims}:{os.environ['PATH']}"}
    outcomes = []
    for snippet in snippets:
        script = workdir / snippet.path  # bash names it in errors: content/NN-slug.md: line N
        script.parent.mkdir(parents=True, exist_ok=True)
        script.write_text("\n" * snippet.line + snippet.code + "\n", encoding="utf-8")
        done = subprocess.run(["bash", "-e", "-o", "pipefail", snippet.path],
                              capture_output=True, text=True, cwd=workdir, env=env,
                              timeout=BASH_TIMEOUT_S, check=False)
        outcomes.append(Outcome(done.returncode == 0, done.stdout + done.stderr))
    return outcomes


def run_python(snippets: list[Snippet], env: dict[str, str]) -> list[Outcome]:
    """All blocks in one process, in chapter order; a block the process never finished fails."""
    blocks = [{"path": s.path, "line": s.line, "code": s.code} for s in snippets]
    try:
        done = subprocess.run(
            [LEARNER_PYTHON, str(DRIVER)], input=json.dumps(blocks), capture_output=True,
            text=True, cwd=REPO, env={**os.environ, **env}, timeout=PYTHON_TIMEOUT_S,
            check=False)
        stdout, why = done.stdout, f"the Python process exited with {done.returncode}"
        stderr = done.stderr
    except subprocess.TimeoutExpired as exc:
        stdout = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        stderr = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or ""
        why = f"the Python process did not finish within {PYTHON_TIMEOUT_S} s"
    outcomes = [Outcome(**json.loads(line)) for line in stdout.splitlines() if line]
    missing = Outcome(False, f"never finished: {why}\n{stderr[-2000:]}")
    return outcomes + [missing] * (len(snippets) - len(outcomes))


def run_dockerfile(snippet: Snippet, context_files: dict[str, str], client: Any,
                   workdir: Path, label: dict[str, str]) -> Outcome:
    """Build the block offline with `context_files` (path -> text) as its context; with
    `serves`, also run the image: 200 on that path, then SIGTERM and exit code 0."""
    context = workdir / f"docker-{snippet.line}"
    for path, text in context_files.items():
        (context / path).parent.mkdir(parents=True, exist_ok=True)
        (context / path).write_text(text + "\n", encoding="utf-8")
    context.mkdir(parents=True, exist_ok=True)
    (context / "Dockerfile").write_text(snippet.code + "\n", encoding="utf-8")
    try:
        image, _ = client.images.build(
            path=str(context), tag=f"archlab-chapter-snippet:{uuid.uuid4().hex[:12]}",
            rm=True, forcerm=True, pull=False, network_mode="none", labels=label)
    except docker.errors.BuildError as exc:
        log = "".join(str(line.get("stream", line.get("error", ""))) for line in exc.build_log)
        return Outcome(False, f"docker build failed: {exc}\n{log}")
    try:
        if snippet.serves is None:
            return Outcome(True, "docker build succeeded")
        return _serve_and_stop(client, image, snippet.serves, label)
    finally:
        client.images.remove(image.id, force=True)


def _serve_and_stop(client: Any, image: Any, path: str, label: dict[str, str]) -> Outcome:
    exposed = list(image.attrs["Config"].get("ExposedPorts") or {})
    if not exposed:
        return Outcome(False, f"the image EXPOSEs no port, so nothing answers GET {path}")
    network = client.networks.create(f"archlab-snippet-{uuid.uuid4().hex[:12]}", labels=label)
    container = client.containers.run(image.id, detach=True, network=network.name,
                                      ports={exposed[0]: ("127.0.0.1", None)}, labels=label)
    try:
        container.reload()
        url = f"http://127.0.0.1:{container.ports[exposed[0]][0]['HostPort']}{path}"
        answered = _wait_for_200(container, url)
        if answered is not None:
            return Outcome(False, f"{answered}\n{container.logs().decode(errors='replace')}")
        container.kill(signal="SIGTERM")
        try:
            code = container.wait(timeout=STOP_TIMEOUT_S)["StatusCode"]
        except requests.exceptions.RequestException:  # the wait timed out: still running
            return Outcome(False, f"GET {path} answered 200, but the container was still "
                                  f"running {STOP_TIMEOUT_S} s after SIGTERM\n"
                                  f"{container.logs().decode(errors='replace')}")
        logs = container.logs().decode(errors="replace")
        if code != 0:
            return Outcome(False, f"GET {path} answered 200, but after SIGTERM the container "
                                  f"exited with {code}, not 0\n{logs}")
        return Outcome(True, f"GET {path} answered 200; after SIGTERM it exited with 0\n{logs}")
    finally:
        container.remove(force=True)
        network.remove()


def _wait_for_200(container: Any, url: str) -> str | None:
    """None once `url` answers 200, else why it did not within SERVE_TIMEOUT_S."""
    deadline = time.monotonic() + SERVE_TIMEOUT_S
    last = "no answer"
    while time.monotonic() < deadline:
        container.reload()
        if container.status == "exited":
            return f"the container exited before GET {url} answered"
        try:
            status = httpx.get(url, timeout=1).status_code
            if status == 200:
                return None
            last = f"status {status}"
        except httpx.TransportError as exc:
            last = type(exc).__name__
        time.sleep(0.2)
    return f"GET {url} did not answer 200 within {SERVE_TIMEOUT_S} s (last: {last})"


def judge(snippet: Snippet, outcome: Outcome) -> list[str]:
    """What is wrong with `outcome` given `snippet`'s marker; empty when it ran as shown."""
    where = snippet.where
    if snippet.error is not None:
        if outcome.ok:
            return [f"{where}: expected the {snippet.lang} block to fail with "
                    f"{snippet.error!r}, it succeeded:\n{outcome.output}"]
        if snippet.error not in outcome.output:
            return [f"{where}: expected the {snippet.lang} block to fail with "
                    f"{snippet.error!r}, it failed otherwise:\n{outcome.output}"]
    elif not outcome.ok:
        return [f"{where}: the {snippet.lang} block failed:\n{outcome.output}"]
    problems = [f"{where}: expected {text!r} in what the {snippet.lang} block printed:\n"
                f"{outcome.output}" for text in snippet.expect if text not in outcome.output]
    if snippet.output is not None and snippet.output not in outcome.output:
        problems.append(f"{where}: the output block after it shows\n{snippet.output}\n"
                        f"but the {snippet.lang} block printed:\n{outcome.output}")
    return problems
