"""Fixtures of the grading tests: a labs folder with the toy lab (and a slow twin), an app whose
graders use the real process sandbox, logged-in clients and the embedded pool.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.grading.archlab_processes import WorkerProcesses
from tests.grading.grading_helpers import LEASE_S, SLOW_CHECK, SLOW_SLEEP_S, TOY_LAB, logged_in
from tests.support import backing
from tests.support.site_app import allow_process_sandbox, migrated_app
from webapp.grading.pool import EmbeddedPool
from webapp.models import INSTRUCTOR


@pytest.fixture
def labs_root(tmp_path: Path) -> Path:
    """labs/toy_items (the toy lab) and labs/slow_items (id slow-items: one more, slow check)."""
    root = tmp_path / "labs"
    shutil.copytree(TOY_LAB, root / "toy_items")
    slow = Path(shutil.copytree(TOY_LAB, root / "slow_items"))
    toml = slow / "lab.toml"
    toml.write_text(toml.read_text().replace('id = "toy-items"', 'id = "slow-items"'))
    checks = slow / "checks.py"
    checks.write_text(checks.read_text() + SLOW_CHECK.format(sleep=SLOW_SLEEP_S))
    return root


@pytest.fixture
def grading_env(monkeypatch: pytest.MonkeyPatch) -> None:
    allow_process_sandbox(monkeypatch)


@pytest.fixture
def make_app(tmp_path: Path, labs_root: Path, grading_env: None
             ) -> Callable[..., Flask]:
    def make(**overrides: Any) -> Flask:
        return migrated_app(tmp_path, labs_root, **{"GRADING_LEASE_S": LEASE_S, **overrides})

    return make


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def pool(app: Flask, tmp_path: Path) -> Iterator[EmbeddedPool | WorkerProcesses]:
    """Two graders: the embedded pool's threads, or two `archlab worker` processes on Redis
    when the suite runs on PostgreSQL and Redis."""
    graders = (WorkerProcesses(app, 2, tmp_path) if backing.on_postgres_and_redis()
               else EmbeddedPool(app, workers=2))
    graders.start()
    yield graders
    graders.stop()


@pytest.fixture
def learner(app: Flask) -> FlaskClient:
    return logged_in(app, "ada@example.org")


@pytest.fixture
def instructor(app: Flask) -> FlaskClient:
    return logged_in(app, "grace@example.org", INSTRUCTOR)
