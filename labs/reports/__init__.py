"""Renderers of a GradeResult: one small module per output format."""

from __future__ import annotations

from collections.abc import Callable

from labs.reports.gradescope import render_gradescope
from labs.reports.json_report import render_json
from labs.reports.junit import render_junit
from labs.reports.markdown import render_markdown
from labs.reports.text import render_text
from labs.results import GradeResult

FORMATS: dict[str, Callable[[GradeResult], str]] = {
    "text": render_text,
    "json": render_json,
    "junit": render_junit,
    "gradescope": render_gradescope,
    "markdown": render_markdown,
}
