"""Run a rest-api app folder (solution, starter, mutant) as `python app.py` on real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from tests.support.lab_folder import LabFolder
from tests.support.lab_processes import LEARNER_PYTHON, LocalProcess, LocalSession

REST_API = LabFolder("rest_api")


def rest_session(app_dir: Path, database_url: str, log_dir: Path) -> LocalSession:
    """The app on a free loopback port against `database_url`, as the checks see it."""
    app = LocalProcess("app", [LEARNER_PYTHON, "app.py"], app_dir,
                       {"DATABASE_URL": database_url}, log_dir, "/healthz")
    return LocalSession({"app": app}, {"db": database_url})
