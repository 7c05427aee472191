"""Instructor pages: a dashboard and the content problems list."""

from webapp.instructor import classes, gradebook  # noqa: F401 - register their views on bp
from webapp.instructor.views import bp

__all__ = ["bp"]
