"""The WSGI entry point for a process manager such as gunicorn (`webapp.wsgi:app`).

Unlike `archlab serve` it migrates nothing and grades nothing: in the production shape a
one-shot `archlab db upgrade` migrates before the web starts, and `archlab worker` processes
grade from Redis (REDIS_URL must be set, or submissions wait forever)."""

import os

from webapp import create_app
from webapp.cli.logs import show_webapp_logs
from webapp.config import check_sources

show_webapp_logs(log_format=os.environ.get("ARCHLAB_LOG_FORMAT", "text"))
app = create_app()
check_sources(app)
