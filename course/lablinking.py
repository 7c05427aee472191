"""Link a lab from a chapter's front matter, editing only the lines that must change.

A chapter's first lab is `lab:` (its "What you will build" box maps that one); any further
lab goes to `extra_labs: [a, b]`, which the chapter page lists after it. The rest of the
file keeps its bytes, comments and order, so an author's diff shows one line.
"""

from __future__ import annotations

from pathlib import Path

from course.frontmatter import split_front_matter
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
