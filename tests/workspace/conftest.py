"""Fixtures of the workspace tests: a labs folder with the toy lab and copies of the real REST,
work-queue and ship-it labs, an app whose Run sessions use the real process sandbox, logged-in
learners, and the site served over HTTP for Chromium.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from labs.catalog import LABS_ROOT
from tests.grading.grading_helpers import TOY_LAB, add_user, logged_in
from tests.support.site_app import allow_process_sandbox, migrated_app
from tests.support.webapp_server import serving
from tests.workspace.workspace_helpers import Workspace
from webapp.grading.pool import EmbeddedPool
from webapp.models import ADMIN
from webapp.workspace.runs import EXTENSION as RUNS


@pytest.fixture
def labs_root(tmp_path: Path) -> Path:
    root = tmp_path / "labs"
    shutil.copytree(TOY_LAB, root / "toy_items")
    for folder in ("rest_api", "work_queue", "ship_it"):
        shutil.copytree(LABS_ROOT / folder, root / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.fixture
def make_app(tmp_path: Path, labs_root: Path, monkeypatch: pytest.MonkeyPatch
             ) -> Iterator[Callable[..., Flask]]:
    """make_app(**config): a migrated app; every Run session it started is closed afterwards."""
    allow_process_sandbox(monkeypatch)
    apps: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        app = migrated_app(tmp_path, labs_root, **{"WORKSPACE_REAP_S": 0.2, **overrides})
        apps.append(app)
        return app

    yield make
    for app in apps:
        if RUNS in app.extensions:
            app.extensions[RUNS].close_all()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def learner(app: Flask) -> FlaskClient:
    return logged_in(app, "ada@example.org")


@pytest.fixture
def toy(learner: FlaskClient) -> Workspace:
    return Workspace(learner, "toy-items")


@pytest.fixture
def rest(learner: FlaskClient) -> Workspace:
    return Workspace(learner, "rest-api")


@pytest.fixture
def queue(learner: FlaskClient) -> Workspace:
    """The work-queue lab: two programs of the learner's (an API and a worker)."""
    return Workspace(learner, "work-queue")


@pytest.fixture
def ship(learner: FlaskClient) -> Workspace:
    """The ship-it lab: its app is an image built from the learner's Dockerfile."""
    return Workspace(learner, "ship-it")


@pytest.fixture
def served(make_app: Callable[..., Flask]) -> Iterator[str]:
    """The site over HTTP with production defaults (CSRF, CSP): learner ada@example.org and
    admin ina@example.org (ada is in no class, so only an admin is her instructor); grades
    run in an embedded worker on the process sandbox."""
    app = make_app(TESTING=False, SESSION_COOKIE_SECURE=False)
    add_user(app, "ada@example.org")
    add_user(app, "ina@example.org", ADMIN)
    pool = EmbeddedPool(app, workers=1).start()
    with serving(app) as url:
        yield url
    pool.stop()
