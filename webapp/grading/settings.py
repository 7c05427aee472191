"""The grading area's settings: app config first, then the environment, then defaults.

Read through functions (not copied into the app config at start) so one `create_app()` in an
`archlab worker` picks up the same environment as `archlab serve`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from sandboxes import get_backend
from webapp.config import env_number

DEFAULTS: dict[str, Any] = {
    "GRADING_LEASE_S": 30.0,  # a running attempt not renewed for this long is re-queued
    "GRADING_IN_FLIGHT_LIMIT": 2,  # queued + running submissions per learner
    "GRADING_INFRA_RETRIES": 2,  # re-runs of an attempt the sandbox failed
    "GRADING_MAX_ATTEMPTS": 5,  # after this many claims a submission is given up as an error
    "GRADING_WORKERS": 2,  # threads of the embedded pool
    "GRADING_REAP_S": 60.0,  # how often the janitor removes sandboxes past their deadline
}


def setting(app: Flask, name: str) -> Any:
    """`name` from the app config, else the environment (cast like its default), else default."""
    if name in app.config:
        return app.config[name]
    default = DEFAULTS[name]
    raw = os.environ.get(name)
    return default if raw is None else env_number(name, raw, type(default))


def check_grading_environment(overridden: dict[str, Any]) -> None:
    """ConfigError naming the first GRADING_* variable that is not a positive number."""
    for name, default in DEFAULTS.items():
        raw = os.environ.get(name)
        if raw is not None and name not in overridden:
            env_number(name, raw, type(default))


def redis_url(app: Flask) -> str | None:
    return app.config.get("REDIS_URL") or os.environ.get("REDIS_URL") or None


def labs_root(app: Flask) -> Path | None:
    """The app's LABS_ROOT folder, else None: labs.catalog's search roots (ARCHLAB_LABS_ROOT,
    which may put an author's draft labs before the course's, else labs/)."""
    configured = app.config.get("LABS_ROOT")
    return Path(configured) if configured else None


def sandbox_backend(app: Flask) -> Any:
    """The backend grades run on: GRADING_BACKEND (an object, for tests), else by name."""
    if app.config.get("GRADING_BACKEND") is not None:
        return app.config["GRADING_BACKEND"]
    name = app.config.get("ARCHLAB_SANDBOX") or os.environ.get("ARCHLAB_SANDBOX") or "auto"
    return get_backend(name, trusted=False)
