"""Endpoints for the people and machines that run the site: /healthz, /readyz, /metrics."""

from webapp.ops.views import bp

__all__ = ["bp"]
