"""The saga lab's three participant stubs and an app folder as local processes.

`saga_session` wires them as lab.toml does (the app gets the database and each stub's URL),
so checks.py runs directly against the solution, the starter or a mutant, with no sandbox.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.lab_folder import LabFolder
from tests.support.lab_processes import LEARNER_PYTHON, LocalProcess, LocalSession, stub_env

SAGA = LabFolder("saga")
STUBS = ("inventory", "payment", "shipping")


def stub(role: str, log_dir: Path, *python_flags: str) -> LocalProcess:
    return LocalProcess(role, [LEARNER_PYTHON, *python_flags, "services/participant.py", role],
                        SAGA.path, stub_env(log_dir), log_dir, "/health")


def saga_session(app_dir: Path, database_url: str, log_dir: Path) -> LocalSession:
    """The three stubs and the app (solution, starter or mutant) against one database."""
    stubs = {role: stub(role, log_dir) for role in STUBS}
    app_env = {"DATABASE_URL": database_url,
               **{f"{role.upper()}_URL": stubs[role].url for role in STUBS}}
    app = LocalProcess("app", [LEARNER_PYTHON, "app.py"], app_dir, app_env, log_dir, "/healthz")
    return LocalSession({**stubs, "app": app}, {"db": database_url})
