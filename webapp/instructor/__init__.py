"""Instructor pages: a dashboard, the content problems list, learners' accounts."""

from webapp.instructor import (  # noqa: F401 - register their views on bp
    accounts,
    classes,
    gradebook,
)
from webapp.instructor.views import bp

__all__ = ["bp"]
