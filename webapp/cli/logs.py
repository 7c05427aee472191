"""Where the long-running commands (`serve`, `worker`) send the web app's own log records.

Python drops records below WARNING and has no handler until one is set up; the graders'
janitor and workers log what they recover from (a lost worker, a lost queue), and an
operator needs to see that. Only the `webapp` logger gets a handler, so libraries that set
up their own (rq, waitress) are not printed twice.
"""

from __future__ import annotations

import logging
import sys

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def show_webapp_logs(level: int = logging.INFO) -> None:
    """Print `webapp.*` records at `level` and above on stderr (once per process)."""
    logger = logging.getLogger("webapp")
    if any(getattr(h, "archlab", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.archlab = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)
