"""The one place the course pages touch labs/: which labs and checks exist, where a lab's page is.

labs/ is optional for the course pages: when it cannot be imported or a lab spec is broken,
chapters simply show no lab link (and the lab-reference and lab box checks are skipped).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for

from course.store import files_fingerprint

LAB_ENDPOINT = "labs.lab"


@dataclass(frozen=True)
class LabLink:
    title: str
    url: str | None  # None until the labs area serves a page for it


def known_labs() -> dict[str, dict[str, str]] | None:
    """Lab id -> {check id: check title}, as course.load_course takes it."""
    try:
        from labs.catalog import check_titles
        from labs.spec import LabSpecError
    except ImportError:
        return None
    try:
        return check_titles()
    except LabSpecError:
        return None


def lab_sources() -> tuple[tuple[str, int, int], ...]:
    """(path, mtime, size) of every lab's lab.toml and checks.py: what known_labs() reads."""
    try:
        from labs.catalog import search_roots
    except ImportError:
        return ()
    return files_fingerprint(sorted(path for root in search_roots()
                                    for name in ("*/lab.toml", "*/checks.py")
                                    for path in root.glob(name)))


def lab_link(lab_id: str | None) -> LabLink | None:
    if lab_id is None:
        return None
    try:
        from labs.catalog import UnknownLab, get_lab
        from labs.spec import LabSpecError
    except ImportError:
        return None
    try:
        lab = get_lab(lab_id)
    except (UnknownLab, LabSpecError):
        return None
    has_page = LAB_ENDPOINT in current_app.view_functions
    return LabLink(lab.title, url_for(LAB_ENDPOINT, lab_id=lab.id) if has_page else None)
