"""gunicorn settings of the web container: threads for the htmx polling of live results,
graceful stops within compose's and Kubernetes' default grace period."""

import os

bind = os.environ.get("ARCHLAB_BIND", "0.0.0.0:5000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "8"))
worker_class = "gthread"
graceful_timeout = 20
timeout = 60
accesslog = "-"
