"""`archlab worker`: an RQ worker that grades submissions (needs REDIS_URL; run any number).

Jobs run in this process (rq's SimpleWorker), so killing the worker stops its grade too; the
janitor thread of any surviving worker then re-queues the submission once its lease expires.
"""

from __future__ import annotations

import threading

import click


@click.command()
@click.option("--burst", is_flag=True, help="Exit once the queue is empty.")
@click.option("--name", help="Worker name shown by `rq info` (default: rq's own).")
def worker(burst: bool, name: str | None) -> None:
    """Grade queued submissions from Redis (REDIS_URL) until stopped."""
    from redis import Redis
    from rq import Queue, SimpleWorker

    from webapp import create_app
    from webapp.cli.logs import show_webapp_logs
    from webapp.grading.janitor import run_janitor
    from webapp.grading.job import bind_app
    from webapp.grading.queues import QUEUE_NAME
    from webapp.grading.settings import redis_url
    from webapp.migrate import upgrade

    show_webapp_logs()
    app = create_app()
    url = redis_url(app)
    if not url:
        raise click.ClickException("archlab worker needs REDIS_URL; without it `archlab serve` "
                                   "grades in its own embedded worker pool")
    upgrade(app.config["DATABASE_URL"])
    bind_app(app)
    stopping = threading.Event()
    run_janitor(app, stopping)
    connection = Redis.from_url(url)
    click.echo(f"archlab worker: grading from {QUEUE_NAME!r} on {url}")
    try:
        SimpleWorker([Queue(QUEUE_NAME, connection=connection)], connection=connection,
                     name=name).work(burst=burst, with_scheduler=False)
    finally:
        stopping.set()
