"""A real archlab server on a free 127.0.0.1 port (tmp database, the REAL content/) and Chromium.

The app runs with its production defaults (not TESTING, no debug), so CSRF, the CSP and the
Secure session cookie are exactly what learners get from `archlab serve`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.chromium import browser, page  # noqa: F401 - fixtures of this suite
from tests.support.smtp import mailbox  # noqa: F401 - fixture of this suite
from tests.support.webapp_server import serving
from webapp import create_app
from webapp.config import REPO_ROOT
from webapp.migrate import upgrade


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp: Path = tmp_path_factory.mktemp("live")
    app = create_app(
        {
            "SECRET_KEY": "browser-tests",
            "DATABASE_URL": f"sqlite:///{tmp / 'archlab.sqlite3'}",
            "CONTENT_DIR": REPO_ROOT / "content",
        }
    )
    upgrade(app.config["DATABASE_URL"])
    with serving(app) as url:
        yield url
