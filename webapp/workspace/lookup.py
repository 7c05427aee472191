"""Finding the lab a workspace URL names, and its instructions as HTML."""

from __future__ import annotations

import functools
from pathlib import Path

from flask import abort, current_app

from course.render import render_markdown
from labs.catalog import UnknownLab, get_lab
from labs.spec import Lab, LabSpecError
from webapp.grading.settings import labs_root

README = "README.md"


def lab_or_404(lab_id: str) -> Lab:
    try:
        return get_lab(lab_id, labs_root(current_app))
    except (UnknownLab, LabSpecError):
        abort(404, description=f"There is no lab {lab_id!r}.")


def instructions_html(lab: Lab) -> str:
    """The lab's README.md rendered like a chapter (cached until the file changes)."""
    path = lab.root / README
    if not path.is_file():
        return ""
    stat = path.stat()
    return _render(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=32)
def _render(path: Path, _mtime_ns: int, _size: int) -> str:
    return render_markdown(path.read_text(encoding="utf-8"), {}).html
