"""Instructor pages: a dashboard, the content problems list, learners' accounts, lab previews."""

from webapp.instructor import (  # noqa: F401 - register their views on bp
    accounts,
    classes,
    gradebook,
    preview_views,
)
from webapp.instructor.views import bp

__all__ = ["bp"]
