"""The site under load: chapter and lab pages at 50 concurrent clients, and 100 watchers of a
live result, against gunicorn on 127.0.0.1.

    .venv/bin/python -m bench.site_load [--clients 50] [--seconds 10]
        [--shape deployed [--threads 16] | --shape sync [--workers 2]]
        [--watchers 100] [--slug api-design] [--lab rest-api] [--backend docker|process]

Server: `--shape deployed` (the default) is the compose web service as deployed, gunicorn with
deploy/gunicorn.conf.py and `webapp.wsgi:app`: ONE gthread worker process with `--threads`
(WEB_THREADS, 16) threads, its access log written (to /dev/null here); `--shape sync` is
`--workers` sync worker processes (what this benchmark measured before the web service became
one process).

Pages: wrk (Debian package `wrk`) drives the chapter page (anonymous) and the lab page (a
logged-in learner) for `--seconds` each: requests/s, latency median, p95, p99 and non-2xx.
Watchers: the result page polls /submissions/<id>/live every 300 ms (htmx), each poll
asking for the rows after the last it got; `--watchers` asyncio clients do that, in a process
of their own, while the lab's reference is graded by an embedded worker in this process (as
an `archlab worker` would; the site's database is shared), and the same grade runs once
unwatched first, so the cost of the watching shows as the difference. Writes
bench/results/site_load_<shape>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from flask import Flask

from bench.figures import Summary, spread
from bench.queue_site import reference_files, wait_graded
from sandboxes.process.backend import OPT_IN
from sandboxes.selection import docker_engine
from webapp import create_app
from webapp.auth.accounts import create_user
from webapp.db import get_session
from webapp.grading.pool import EmbeddedPool
from webapp.grading.service import submit
from webapp.migrate import upgrade
from webapp.models import User

EMAIL, PASSWORD = "load@example.org", "bench-pw-123"
POLL_S = 0.3  # the result page's htmx poll
ROOT = Path(__file__).resolve().parents[1]
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
NEXT_POLL = re.compile(r'id="poller" hx-get="([^"]+)"')
# wrk reports percentiles to a Lua `done` hook; this prints them as one JSON line.
WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "non_2xx": %d, "socket_errors": %d, '
    .. '"p50_ms": %f, "p95_ms": %f, "p99_ms": %f, "max_ms": %f}\\n',
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3))
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_command(shape: str, port: int, workers: int, threads: int
                   ) -> tuple[list[str], dict[str, str]]:
    """The gunicorn command line (and its extra environment) of one server shape on
    127.0.0.1:`port`: "deployed" is the web container's (deploy/gunicorn.conf.py: one gthread
    worker, WEB_THREADS threads), "sync" is `workers` sync worker processes."""
    binary = str(Path(sys.executable).parent / "gunicorn")
    if shape == "deployed":
        return ([binary, "--config", str(ROOT / "deploy" / "gunicorn.conf.py"),
                 "webapp.wsgi:app"],
                {"ARCHLAB_BIND": f"127.0.0.1:{port}", "WEB_THREADS": str(threads)})
    return ([binary, "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level",
             "warning", "webapp:create_app()"], {})


@contextmanager
def gunicorn(env: dict[str, str], shape: str, workers: int, threads: int
             ) -> Iterator[tuple[str, int]]:
    """gunicorn serving the site on 127.0.0.1 in `shape` (see server_command): its base URL
    and the pid of its master process."""
    port = free_port()
    command, extra = server_command(shape, port, workers, threads)
    server = subprocess.Popen(command, env={**os.environ, **env, **extra}, cwd=ROOT,
                              stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer on {base}")
            time.sleep(0.2)
        yield base, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


def log_in(base: str) -> str:
    """The session cookie of the bench learner, logged in through the form."""
    with httpx.Client(base_url=base) as client:
        token = TOKEN.search(client.get("/login").text)
        if token is None:
            raise SystemExit("no csrf_token on /login")
        answer = client.post("/login", data={"csrf_token": token.group(1), "email": EMAIL,
                                              "password": PASSWORD})
        if answer.status_code != 302:
            raise SystemExit(f"logging in: expected 302, got {answer.status_code}")
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def wrk(url: str, clients: int, seconds: int, cookie: str | None) -> dict[str, float]:
    """wrk's figures for `url` at `clients` connections for `seconds`."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_REPORT)
        script.flush()
        command = ["wrk", "-t", "2", "-c", str(clients), "-d", f"{seconds}s", "--timeout", "10s",
                   "-s", script.name, url]
        if cookie:
            command[1:1] = ["-H", f"Cookie: {cookie}"]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["requests_per_s"] = round(figures["requests"] / figures["seconds"], 1)
    return {key: round(value, 2) for key, value in figures.items()}


async def watch(base: str, cookie: str, submission_id: int, watchers: int,
                graded: asyncio.Event) -> tuple[list[float], int]:
    """`watchers` clients polling the live result every POLL_S until `graded` is set:
    each poll's latency (seconds) and how many polls did not answer 200."""
    latencies: list[float] = []
    failures = 0

    async def one(client: httpx.AsyncClient) -> None:
        nonlocal failures
        url = f"/submissions/{submission_id}/live?attempt=1&after=-1"
        while not graded.is_set():
            began = time.monotonic()
            try:
                answer = await client.get(url, headers={"HX-Request": "true"})
                failures += answer.status_code != 200
                following = NEXT_POLL.search(answer.text)
                if following:  # as the page's poller: only what came after the last row
                    url = following.group(1).replace("&amp;", "&")
            except httpx.TransportError:
                failures += 1
            latencies.append(time.monotonic() - began)
            await asyncio.sleep(max(0.0, POLL_S - (time.monotonic() - began)))

    limits = httpx.Limits(max_connections=watchers)
    async with httpx.AsyncClient(base_url=base, headers={"Cookie": cookie}, limits=limits,
                                 timeout=30) as client:
        await asyncio.gather(*(one(client) for _ in range(watchers)))
    return latencies, failures


def watch_apart(base: str, cookie: str, submission_id: int, watchers: int, graded: Any,
                answers: Any) -> None:
    """`watch` in a process of its own (the grade runs in the benchmark's process, as in an
    `archlab worker`; watchers are browsers): its latencies and failures go to `answers`
    once `graded` (a multiprocessing Event) is set."""

    async def run() -> tuple[list[float], int]:
        done = asyncio.Event()

        async def until_graded() -> None:
            while not graded.is_set():
                await asyncio.sleep(0.05)
            done.set()

        waiting = asyncio.ensure_future(until_graded())
        watched = await watch(base, cookie, submission_id, watchers, done)
        await waiting
        return watched

    answers.put(asyncio.run(run()))


def graded_while_watched(app: Flask, base: str, cookie: str, lab: str, watchers: int
                         ) -> dict[str, object]:
    """One grade of `lab`'s reference with `watchers` polling it (0: unwatched)."""
    with app.app_context():
        session = get_session()
        user = session.query(User).filter_by(email=EMAIL).one()
        submission_id = submit(session, user, lab, reference_files(lab)).id

    latencies: list[float] = []
    failures = 0
    if watchers:
        spawn = multiprocessing.get_context("spawn")
        graded, answers = spawn.Event(), spawn.Queue()
        watching = spawn.Process(target=watch_apart, args=(
            base, cookie, submission_id, watchers, graded, answers))
        watching.start()
        try:
            row = wait_graded(app, [submission_id])[0]
        finally:
            graded.set()
            latencies, failures = answers.get(timeout=120)
            watching.join(timeout=30)
    row = wait_graded(app, [submission_id])[0]
    result: dict[str, object] = {"watchers": watchers, "grade_s": round(row.submit_to_score_s, 2),
                                 "full_marks": row.full_marks}
    if latencies:
        result.update(polls=len(latencies), poll_s=spread(latencies), failed_polls=failures)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--shape", choices=["deployed", "sync"], default="deployed",
                        help="deployed: the web service's one gthread process (default); "
                        "sync: --workers sync processes")
    parser.add_argument("--threads", type=int, default=16,
                        help="threads of the deployed shape's one process (WEB_THREADS)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="sync shape: worker processes (default: one per core)")
    parser.add_argument("--watchers", type=int, default=100)
    parser.add_argument("--slug", default="api-design")
    parser.add_argument("--lab", default="rest-api")
    parser.add_argument("--backend", choices=["docker", "process"])
    args = parser.parse_args()
    backend = args.backend or ("docker" if docker_engine()[0] else "process")
    os.environ[OPT_IN] = "1"
    summary = Summary(f"site_load_{args.shape}", "python -m bench.site_load",
                      {**vars(args), "backend": backend})
    with tempfile.TemporaryDirectory(prefix="archlab-site-") as folder:
        env = {"DATABASE_URL": f"sqlite:///{Path(folder) / 'site.sqlite3'}",
               "SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": "0", "CONTENT_RELOAD": "0",
               "ARCHLAB_SANDBOX": backend}
        upgrade(env["DATABASE_URL"])
        app = create_app({key: value for key, value in env.items()
                          if key in ("DATABASE_URL", "SECRET_KEY", "ARCHLAB_SANDBOX")})
        with app.app_context():
            create_user(get_session(), EMAIL, "load", PASSWORD)
        with gunicorn(env, args.shape, args.workers, args.threads) as (base, _):
            cookie = log_in(base)
            pages = {"chapter": wrk(f"{base}/chapters/{args.slug}", args.clients, args.seconds,
                                    None),
                     "lab": wrk(f"{base}/labs/{args.lab}", args.clients, args.seconds, cookie)}
            for name, figures in pages.items():
                print(f"{name:8} page, {args.clients} clients, {args.seconds}s: "
                      f"{figures['requests_per_s']} req/s, median {figures['p50_ms']} ms, p95 "
                      f"{figures['p95_ms']} ms, p99 {figures['p99_ms']} ms, non-2xx "
                      f"{figures['non_2xx']}, socket errors {figures['socket_errors']}",
                      flush=True)
            pool = EmbeddedPool(app, workers=1).start()
            try:
                live = [graded_while_watched(app, base, cookie, args.lab, count)
                        for count in (0, args.watchers)]
            finally:
                pool.stop(timeout=300)
        for row in live:
            polls = (f"; {row['polls']} polls, median {row['poll_s']['median'] * 1000:.0f} ms, "
                     f"p95 {row['poll_s']['p95'] * 1000:.0f} ms, failed {row['failed_polls']}"
                     if "polls" in row else "")
            print(f"live result, {row['watchers']:3} watchers: grade {row['grade_s']} s "
                  f"(full marks: {row['full_marks']}){polls}")
    summary["server"] = ({"kind": "gunicorn", "shape": "deployed", "workers": 1,
                          "threads": args.threads, "worker_class": "gthread"}
                         if args.shape == "deployed" else
                         {"kind": "gunicorn", "shape": "sync", "workers": args.workers,
                          "worker_class": "sync"})
    summary["pages"] = pages
    summary["live"] = live
    summary.write()


if __name__ == "__main__":
    main()
