"""Learner progress: chapters visited, quiz scores, completion."""

from webapp.progress.views import bp

__all__ = ["bp"]
