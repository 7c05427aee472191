"""The archlab web app: course pages, accounts, progress and instructor tools (Flask factory)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from htmx_flask import Htmx

from webapp import config, db, errors, security


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config from the environment (or `test_config`), extensions, blueprints."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config.settings(Path(app.instance_path), test_config or {}, app.debug))

    db.init_app(app)
    security.init_app(app)
    Htmx(app)
    errors.init_app(app)

    from webapp import (
        api_spec,
        auth,
        classes,
        course,
        grading,
        instructor,
        lti,
        ops,
        progress,
        workspace,
    )
    from webapp.course import store

    store.init_app(app)
    for area in (course, auth, progress, classes, instructor, grading, workspace, lti,
                 api_spec, ops):
        app.register_blueprint(area.bp)
    return app
