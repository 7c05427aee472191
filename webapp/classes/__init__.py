"""Classes (cohorts): learners taught together, their due dates, late rules and extensions."""

from webapp.classes.views import bp

__all__ = ["bp"]
