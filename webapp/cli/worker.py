"""`archlab worker`: an RQ worker that grades submissions and runs instructors' lab previews
(needs REDIS_URL; run any number).

Jobs run in this process (rq's SimpleWorker), so killing the worker stops its grade too; the
janitor thread of any surviving worker then re-queues the job once its lease expires.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import click

from webapp.cli.logs import log_format_option


@contextmanager
def signal_handlers_kept() -> Iterator[None]:
    """rq's work() installs its own SIGINT/SIGTERM handlers and leaves them installed when it
    returns; put back the ones before it, so a worker run inside another program (a test's
    CliRunner) does not turn that program's later Ctrl-C into rq's StopRequested."""
    previous = {each: signal.getsignal(each) for each in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for each, handler in previous.items():
            if handler is not None:  # None: installed outside Python, cannot be put back
                signal.signal(each, handler)


@click.command()
@click.option("--burst", is_flag=True, help="Exit once the queue is empty.")
@click.option("--name", help="Worker name shown by `rq info` (default: rq's own).")
@click.option("--metrics-port", type=int, default=lambda: os.environ.get("ARCHLAB_METRICS_PORT"),
              show_default="ARCHLAB_METRICS_PORT or none",
              help="Serve this worker's Prometheus metrics (grades, durations, sandbox "
                   "failures) on this port.")
@click.option("--metrics-host", default="127.0.0.1", show_default=True)
@log_format_option
def worker(burst: bool, name: str | None, metrics_port: int | None, metrics_host: str,
           log_format: str) -> None:
    """Grade queued submissions and run lab previews from Redis (REDIS_URL) until stopped."""
    from redis import Redis
    from rq import Queue, SimpleWorker

    from webapp import create_app
    from webapp.cli.logs import show_webapp_logs
    from webapp.grading.janitor import run_janitor
    from webapp.grading.job import bind_app
    from webapp.grading.queues import QUEUE_NAME
    from webapp.grading.settings import redis_url
    from webapp.migrate import upgrade

    show_webapp_logs(log_format=log_format)
    app = create_app()
    url = redis_url(app)
    if not url:
        raise click.ClickException("archlab worker needs REDIS_URL; without it `archlab serve` "
                                   "grades in its own embedded worker pool")
    upgrade(app.config["DATABASE_URL"])
    bind_app(app)
    stopping = threading.Event()
    run_janitor(app, stopping)
    if metrics_port:
        from prometheus_client import start_http_server

        start_http_server(metrics_port, addr=metrics_host)
    connection = Redis.from_url(url)
    click.echo(f"archlab worker: grading from {QUEUE_NAME!r} on {url}")
    try:
        with signal_handlers_kept():
            SimpleWorker([Queue(QUEUE_NAME, connection=connection)], connection=connection,
                         name=name).work(burst=burst, with_scheduler=False)
    finally:
        stopping.set()
