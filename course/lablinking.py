"""Link a lab from a chapter's front matter, editing only the lines that must change.

A chapter's first lab is `lab:` (its "What you will build" box maps that one); any further
lab goes to `extra_labs: [a, b]`, which the chapter page lists after it. The rest of the
file keeps its bytes, comments and order, so an author's diff shows one line.

`add_lab_box` writes the linked lab's "What you will build" box (a ```lab block) before the
chapter's first `## ` section, so the chapter passes `archlab content check` as soon as
`archlab labs new` linked it; its author then maps the sections to the checks they write.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from course.fences import split_fences
from course.frontmatter import split_front_matter
from course.labbox import LAB_LANG, first_section_line
from course.problems import SourceError


class LabLinkError(ValueError):
    """The chapter's front matter cannot take the link (it does not parse)."""


def link_lab(path: Path, lab_id: str) -> str:
    """Add `lab_id` to the chapter at `path`; return the key it went to ("lab" or
    "extra_labs"), or "" when the chapter links it already."""
    text = path.read_text(encoding="utf-8")
    try:
        split = split_front_matter(text)
    except SourceError as exc:
        raise LabLinkError(f"{path}:{exc.line}: {exc.message}") from exc
    data, lines = split.meta.data, split.meta.key_lines()
    rows = text.split("\n")
    extra = data.get("extra_labs") or []
    if not isinstance(extra, list):
        raise LabLinkError(f"{path}:{lines['extra_labs']}: extra_labs must be a list of lab ids")
    if lab_id == data.get("lab") or lab_id in extra:
        return ""
    end = split.body_line - 2  # index of the closing '---'
    if "lab" not in data:
        key, new_rows, start, stop = "lab", [f"lab: {lab_id}"], end, end
    else:
        key, new_rows = "extra_labs", [f"extra_labs: [{', '.join([*extra, lab_id])}]"]
        if "extra_labs" in data:
            start = lines["extra_labs"] - 1
            following = [line - 1 for line in lines.values() if line - 1 > start]
            stop = min(following, default=end)
        else:
            start = stop = lines["lab"]  # right after `lab:`
    rows[start:stop] = new_rows
    path.write_text("\n".join(rows), encoding="utf-8")
    return key


def add_lab_box(path: Path, lab_id: str, section: str, checks: Sequence[str], build: str,
                main: bool) -> int | None:
    """Insert a box for `lab_id` with one row (`section`, `build`, every check) right before
    the chapter's first `## ` section: ```lab for its main lab, ```lab <id> for an extra one.
    Return the box's first line, or None when the chapter has no `## ` section to put it
    before (or to name in its row)."""
    text = path.read_text(encoding="utf-8")
    try:
        split = split_front_matter(text)
    except SourceError as exc:
        raise LabLinkError(f"{path}:{exc.line}: {exc.message}") from exc
    line = first_section_line(split_fences(split.body, first_line=split.body_line))
    if line is None:
        return None
    fence = f"```{LAB_LANG}" if main else f"```{LAB_LANG} {lab_id}"
    box = [fence, f"- section: {section}", f"  build: {json.dumps(build)}",
           f"  checks: [{', '.join(checks)}]", "```", ""]
    rows = text.split("\n")
    rows[line - 1:line - 1] = box
    path.write_text("\n".join(rows), encoding="utf-8")
    return line
