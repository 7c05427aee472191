"""gunicorn settings of the web container, the way `archlab serve` runs
(webapp/cli/gunicorn_server.py): ONE worker process with threads. A learner's Run sandbox
and its terminal WebSocket live in the memory of the process that started them (and so do
the login rate limits), so every request must reach that one process; threads serve
concurrency (an open terminal holds one). A stop signal tears the Runs down first."""

import os
from typing import Any

from webapp.cli.gunicorn_server import GRACEFUL_S, close_runs_before_stopping

bind = os.environ.get("ARCHLAB_BIND", "0.0.0.0:5000")
workers = 1
threads = int(os.environ.get("WEB_THREADS", "16"))
worker_class = "gthread"
graceful_timeout = GRACEFUL_S
timeout = 60
accesslog = "-"
# gunicorn >= 25 opens a control socket at ~/.gunicorn/gunicorn.ctl; nothing here uses it,
# and the unprivileged web user's home is not the place for it (older versions ignore this)
control_socket_disable = True


def post_worker_init(worker: Any) -> None:
    close_runs_before_stopping(worker.wsgi)
