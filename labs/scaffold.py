"""`archlab labs new`: a lab folder that verifies as generated, for an author to edit.

The files come from labs/templates/lab/ (a greeting service with three checks, two mutants
and two alternative solutions, beside a stub service of the lab, services/salutations.py,
written with labs/stubkit.py, whose fault knob one check turns); lab.toml and README.md get
the lab's id, title and chapter. The template is kept green by tests/labs/test_lab_scaffold.py,
which scaffolds and verifies it on the process backend and on Docker.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from string import Template

from labs.catalog import lab_ids, search_roots

TEMPLATE = Path(__file__).resolve().parent / "templates" / "lab"
FILLED = ("lab.toml", "README.md")  # the template files with $lab_id, $lab_title, $chapter
LAB_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


class LabScaffoldError(ValueError):
    """The lab cannot be created as asked (bad id, id or folder taken)."""


def folder_name(lab_id: str) -> str:
    """labs/<folder> for a lab id: rate-limiter lives in labs/rate_limiter."""
    return lab_id.replace("-", "_")


def default_title(lab_id: str) -> str:
    return lab_id.replace("-", " ").capitalize()


def new_lab(lab_id: str, chapter: str, root: Path, title: str | None = None) -> Path:
    """Write root/<folder>/ from the template for `lab_id`, linked to chapter `chapter`;
    never overwrites anything."""
    if not LAB_ID.match(lab_id):
        raise LabScaffoldError(f"lab id {lab_id!r} must be lowercase letters and digits in "
                               "words joined by hyphens, e.g. rate-limiter")
    for where in dict.fromkeys([root, *search_roots()]):
        if lab_id in lab_ids(where):
            raise LabScaffoldError(f"a lab with id {lab_id!r} exists already in {where}")
    folder = root / folder_name(lab_id)
    if folder.exists():
        raise LabScaffoldError(f"{folder} exists already")
    values = {"lab_id": lab_id, "lab_title": title or default_title(lab_id), "chapter": chapter}
    for name, value in values.items():
        if '"' in value or "\\" in value or "\n" in value:
            raise LabScaffoldError(f"{name.replace('_', ' ')} must not contain quotes, "
                                   f"backslashes or line breaks: {value!r}")
    shutil.copytree(TEMPLATE, folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name in FILLED:
        path = folder / name
        path.write_text(Template(path.read_text(encoding="utf-8")).safe_substitute(values),
                        encoding="utf-8")
    return folder
