"""The archlab web app as the grading and workspace suites build it.

Both want the same thing: a migrated app on a temporary SQLite database, showing the test
chapters, grading the labs of a given folder on the real process sandbox, with nothing sent
to Redis. Each suite adds only its own settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.support import backing
from webapp import create_app
from webapp.config import REPO_ROOT
from webapp.migrate import upgrade

TEST_CONTENT = REPO_ROOT / "tests" / "webapp" / "content"


def allow_process_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    """The web app refuses the process sandbox for learners unless the operator opts in;
    without REDIS_URL, grades and runs stay in this process."""
    monkeypatch.setenv("ARCHLAB_ALLOW_PROCESS_SANDBOX", "1")
    monkeypatch.delenv("REDIS_URL", raising=False)


def migrated_app(tmp_path: Path, labs_root: Path, **config: Any) -> Flask:
    """A TESTING app on `tmp_path`/archlab.sqlite3 (migrated), `config` on top; on a fresh
    PostgreSQL database with RQ on Redis when the suite runs in that mode (backing.py)."""
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": backing.database_url(tmp_path),
        **backing.queue_config(tmp_path),
        "CONTENT_DIR": TEST_CONTENT,
        "LABS_ROOT": labs_root,
        "ARCHLAB_SANDBOX": "process",
        **config,
    })
    upgrade(app.config["DATABASE_URL"])
    return app
