"""The GradeResult as JSON, exactly the schema of labs/results.py."""

from __future__ import annotations

from labs.results import GradeResult


def render_json(result: GradeResult) -> str:
    return result.to_json(indent=2) + "\n"
