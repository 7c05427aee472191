"""Instructor pages: a dashboard and the content problems list."""

from webapp.instructor import gradebook  # noqa: F401 - registers its views on bp
from webapp.instructor.views import bp

__all__ = ["bp"]
