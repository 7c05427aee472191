"""Run a url-shortener app folder (solution, alternative, starter, mutant) as `python3 app.py`
on a fresh PostgreSQL database, as lab.toml wires it, so checks.py runs with no sandbox.

The database outlives the app: the restart check kills and starts the app on the same port.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.lab_folder import LabFolder
from tests.support.lab_processes import LEARNER_PYTHON, LocalProcess, LocalSession

SHORTENER = LabFolder("url_shortener")


def shortener_session(app_dir: Path, database_url: str, log_dir: Path) -> LocalSession:
    """The app on a free loopback port against `database_url`, as the checks see it."""
    app = LocalProcess("app", [LEARNER_PYTHON, *SHORTENER.spec.app.command[1:]], app_dir,
                       {"DATABASE_URL": database_url}, log_dir, "/healthz")
    return LocalSession({"app": app}, {"db": database_url})
