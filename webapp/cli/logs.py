"""Where the long-running commands (`serve`, `worker`) send the web app's own log records.

Python drops records below WARNING and has no handler until one is set up; the graders'
janitor and workers log what they recover from (a lost worker, a lost queue), and an
operator needs to see that. Only the `webapp` logger gets a handler, so libraries that set
up their own (rq, gunicorn) are not printed twice.

`--log-format json` (or ARCHLAB_LOG_FORMAT=json) prints one JSON object a line, for a log
collector: time, level, logger, message, the fields a record carries (a finished grade's
submission_id, lab_id, verdict, score, duration_s) and the traceback of an exception.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime

import click

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FORMATS = ("text", "json")
# what every LogRecord has; anything else on a record came from `extra=`
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

log_format_option = click.option(
    "--log-format", type=click.Choice(LOG_FORMATS),
    default=lambda: os.environ.get("ARCHLAB_LOG_FORMAT", "text"),
    show_default="ARCHLAB_LOG_FORMAT or text", help="How log records are printed on stderr.")


class JsonFormatter(logging.Formatter):
    """One JSON object per record."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(),
                 "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def show_webapp_logs(level: int = logging.INFO, log_format: str = "text") -> None:
    """Print `webapp.*` records at `level` and above on stderr (once per process)."""
    logger = logging.getLogger("webapp")
    if any(getattr(h, "archlab", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(FORMAT))
    handler.archlab = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)
