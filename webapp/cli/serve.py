"""`archlab serve`: migrate the database, start the embedded graders (no REDIS_URL), serve
with gunicorn's threaded worker (webapp/cli/gunicorn_server.py), which holds the workspace
terminal's WebSocket as waitress could not."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import click
from flask import Flask

from webapp.cli.logs import log_format_option

DEV_CONFIG = {"DEBUG": True, "CONTENT_RELOAD": True, "SESSION_COOKIE_SECURE": False}
# A lab's files that the site reads afresh (checks.py, at each page and grade) or never
# imports (the programs a sandbox runs): werkzeug's reloader watches every .py file under
# sys.path, the checkout included, and restarted the whole dev server at each edit of them.
LAB_FILES_READ_AFRESH = ("checks.py", "solution/*", "starter/*", "alternatives/*", "services/*",
                         "mutants/*")


def dev_reload_excludes(*roots: Path) -> list[str]:
    """Patterns (fnmatch, on absolute paths) of lab files under `roots` that `serve --dev`
    must not restart for: an edit of them shows on the next page load or grade anyway, and a
    restart would end every live Run and cut the grades and previews in flight."""
    return [f"{root.resolve()}/*/{name}" for root in dict.fromkeys(roots)
            for name in LAB_FILES_READ_AFRESH]


def start_embedded_graders(app: Flask, reloading: bool) -> None:
    """Without REDIS_URL this process grades submissions itself (in werkzeug's reloader only
    the child serving requests does, so the pool runs once)."""
    from webapp.grading.pool import EmbeddedPool
    from webapp.grading.settings import redis_url

    if redis_url(app) or (reloading and os.environ.get("WERKZEUG_RUN_MAIN") != "true"):
        return
    pool = EmbeddedPool(app).start()
    click.echo(f"grading in this process with {pool.workers} worker threads")


def exit_cleanly_on_sigterm() -> None:
    """A service manager stops the site with SIGTERM; turning it into a normal exit runs the
    atexit hooks, which tear down learners' live Run sandboxes instead of orphaning them."""

    def stop(signum: int, frame: object) -> None:
        click.echo("archlab serve: SIGTERM received, stopping")
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--dev", is_flag=True, help="Werkzeug's reloading debug server; content reloads.")
@click.option("--threads", default=16, show_default=True,
              help="Request threads (an open terminal holds one).")
@log_format_option
def serve(host: str, port: int, dev: bool, threads: int, log_format: str) -> None:
    """Serve the course site (gunicorn's threaded worker in one process; the werkzeug dev
    server with --dev)."""
    from labs.catalog import LABS_ROOT, search_roots
    from webapp import create_app
    from webapp.cli.logs import show_webapp_logs
    from webapp.config import check_sources
    from webapp.grading.settings import labs_root
    from webapp.migrate import upgrade

    show_webapp_logs(log_format=log_format)
    app = create_app(DEV_CONFIG if dev else None)
    check_sources(app)
    upgrade(app.config["DATABASE_URL"])
    click.echo(f"archlab is serving on http://{host}:{port}/  (Ctrl-C stops it)")
    if dev:
        configured = labs_root(app)
        lab_roots = [configured] if configured else search_roots()
        start_embedded_graders(app, reloading=True)
        exit_cleanly_on_sigterm()
        app.run(host=host, port=port, debug=True, use_reloader=True,
                exclude_patterns=dev_reload_excludes(LABS_ROOT, *lab_roots))
        return
    serve_threaded(app, host, port, threads)


def serve_threaded(app: Flask, host: str, port: int, threads: int) -> None:
    """gunicorn's gthread worker (one process; it grades too): it holds WebSockets."""
    from webapp.cli.gunicorn_server import ThreadedServer

    ThreadedServer(app, host, port, threads,
                   on_worker_start=lambda: start_embedded_graders(app, reloading=False)).run()
