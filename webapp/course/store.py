"""The app's CourseStore: loaded once, reloaded when CONTENT_RELOAD is on and a chapter or a
lab's lab.toml or checks.py changed (a renamed check shows in its chapter's lab box)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from course import Course, CourseStore
from webapp.course.lablinks import known_labs, lab_sources

EXTENSION = "archlab_course"


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = CourseStore(
        Path(app.config["CONTENT_DIR"]), known_labs, reload=app.config["CONTENT_RELOAD"],
        watch_labs=lab_sources,
    )


def reload_store() -> CourseStore:
    """Reload everything now (labs included), even when CONTENT_RELOAD is off."""
    init_app(current_app)
    return get_store()


def get_store() -> CourseStore:
    return current_app.extensions[EXTENSION]


def get_course() -> Course:
    return get_store().course
