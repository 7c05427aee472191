"""The LTI suite: archlab served on 127.0.0.1 (toy lab, tmp database) with a fake LMS
(tests/support/lti_platform.py) registered in it, each on its own port, talking real HTTP."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.support.lti_platform import FakePlatform, fake_platform
from tests.support.site_app import allow_process_sandbox, migrated_app
from tests.support.webapp_server import serving
from webapp.config import REPO_ROOT
from webapp.db import get_session
from webapp.grading.pool import EmbeddedPool
from webapp.lti.platforms import Registration, add_platform

TOY_LAB = REPO_ROOT / "tests" / "labs" / "toy_lab"


@pytest.fixture
def labs_root(tmp_path: Path) -> Path:
    root = tmp_path / "labs"
    shutil.copytree(TOY_LAB, root / "toy_items")
    return root


@pytest.fixture
def tool_app(tmp_path: Path, labs_root: Path, monkeypatch: pytest.MonkeyPatch) -> Flask:
    allow_process_sandbox(monkeypatch)
    return migrated_app(tmp_path, labs_root)


@pytest.fixture
def pool(tool_app: Flask) -> Iterator[EmbeddedPool]:
    """The embedded grading pool: grades run, then their passbacks, as in `archlab serve`."""
    pool = EmbeddedPool(tool_app, workers=1).start()
    yield pool
    pool.stop()


@pytest.fixture
def platform() -> Iterator[FakePlatform]:
    with fake_platform() as lms:
        yield lms


@pytest.fixture
def tool(tool_app: Flask, platform: FakePlatform) -> Iterator[str]:
    """archlab's URL, with the fake LMS registered in it and told archlab's URLs."""
    with tool_app.app_context():
        add_platform(get_session(), Registration(**platform.registration()))
    with serving(tool_app) as url:
        platform.connect_tool(url)
        yield url
