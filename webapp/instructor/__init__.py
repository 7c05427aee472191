"""Instructor pages: a dashboard and the content problems list."""

from webapp.instructor.views import bp

__all__ = ["bp"]
