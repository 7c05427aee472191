"""The server behind `archlab serve`: gunicorn's threaded worker, run from this process.

Why gunicorn and not waitress: the workspace terminal is a WebSocket, which needs a server
that hands the request's socket over to the app; waitress never does. Why ONE worker
process: learners' Run sandboxes, their terminals and the embedded graders live in that
process's memory, so every request must reach the same one; threads serve concurrency.

The app is made (and the database migrated) in this process, so a bad configuration stops
`archlab serve` with its one-line error before anything is forked. Threads do not survive
a fork, so the embedded graders start in the worker (`post_worker_init`). When the worker
is told to stop (SIGTERM from the master, Ctrl-C), it first tears down the live Runs: an
open terminal ends with its Run, where it would otherwise hold the worker's exit until
gunicorn's graceful timeout passed and the sandboxes were orphaned by a SIGKILL.
"""

from __future__ import annotations

import gc
import signal
from collections.abc import Callable
from typing import Any

import click
from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from webapp.db import engine_of
from webapp.workspace.runs import EXTENSION as RUNS

GRACEFUL_S = 20  # in-flight requests finish within this after SIGTERM, then are cut


class _Arbiter(Arbiter):
    def handle_term(self) -> None:
        click.echo("archlab serve: SIGTERM received, stopping")
        super().handle_term()


class ThreadedServer(BaseApplication):
    """`app` served on host:port by one gthread worker with `threads` threads;
    `on_worker_start` runs in that worker before it takes requests."""

    def __init__(self, app: Flask, host: str, port: int, threads: int,
                 on_worker_start: Callable[[], None]) -> None:
        self.app, self.on_worker_start = app, on_worker_start
        self.options = {"bind": f"{host}:{port}", "workers": 1, "threads": threads,
                        "worker_class": "gthread", "graceful_timeout": GRACEFUL_S,
                        "loglevel": "warning", "post_worker_init": self._post_worker_init}
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:  # gunicorn >= 25: no shared
            self.cfg.set("control_socket_disable", True)  # ~/.gunicorn/gunicorn.ctl per site

    def load(self) -> Flask:
        return self.app

    def run(self) -> None:
        # The app's objects (chapters, labs) live as long as the process: frozen, the final
        # collection of both processes skips them (seconds on a busy machine) and the worker's
        # pages stay shared with the master's.
        gc.freeze()
        _Arbiter(self).run()

    def _post_worker_init(self, worker: Any) -> None:
        engine_of(self.app).dispose(close=False)  # pooled before the fork: the master's
        self.on_worker_start()
        close_runs_before_stopping(self.app)


def close_runs_before_stopping(app: Flask) -> None:
    """In a gunicorn worker that serves `app` (this server's, or the web container's through
    deploy/gunicorn.conf.py): a stop signal tears the live Runs down before gunicorn's own
    handler runs, so open terminals end and the worker exits within the graceful timeout."""
    stopping: list[int] = []
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
        signal.signal(signum, _closing_runs_first(app, signal.getsignal(signum), stopping))
    signal.siginterrupt(signal.SIGTERM, False)  # as gunicorn had it: requests go on


def _closing_runs_first(app: Flask, handler: Any, stopping: list[int]
                        ) -> Callable[[int, Any], None]:
    """`handler` (gunicorn's own), after the live Runs are torn down. The worker's main
    thread only waits for connections, so it holds none of the registry's locks here; a
    second stop signal (Ctrl-C reaches the worker, then the master's SIGQUIT) arriving
    during the teardown is dropped, so it cannot cut the teardown short."""

    def on_signal(signum: int, frame: Any) -> None:
        if stopping:
            return
        stopping.append(signum)
        runs = app.extensions.get(RUNS)
        if runs is not None:
            runs.close_all()
        if callable(handler):
            handler(signum, frame)

    return on_signal
