"""Where labs live: every folder under labs/ with a lab.toml, found by id or folder name.

A lab's folder name may differ from its id (labs/rest_api holds lab "rest-api"), so lookups
accept either; the other places inside a lab folder are named here once. ARCHLAB_LABS_ROOT
points every lookup (the site, `archlab labs`, `archlab grade`) at another folder of labs, or
at several joined by ':' (an author's drafts, then the course's labs: ~/drafts:labs), looked
up in order; `archlab labs new` writes to the first.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import traceback
from pathlib import Path

from labs.checks import Checks
from labs.spec import Lab, LabSpecError, display_path, load_lab

LABS_ROOT = Path(__file__).resolve().parent


class UnknownLab(LookupError):
    """No lab has this id or folder name."""


def search_roots() -> list[Path]:
    """The folders labs are looked up in, in order: ARCHLAB_LABS_ROOT's (several joined by
    os.pathsep: an author's folder of draft labs, then the course's), else the course's labs/."""
    configured = os.environ.get("ARCHLAB_LABS_ROOT", "").split(os.pathsep)
    return [Path(part).expanduser() for part in configured if part] or [LABS_ROOT]


def default_root() -> Path:
    """The first folder labs are looked up in: where `archlab labs new` writes."""
    return search_roots()[0]


def lab_dirs(root: Path | None = None) -> list[Path]:
    """Every lab folder of `root`, else of the search roots (a folder name found in an earlier
    root hides a later one's: a draft stands in for the course's lab of that folder)."""
    found: dict[str, Path] = {}
    for base in [root] if root else search_roots():
        for path in sorted(base.glob("*/lab.toml")):
            found.setdefault(path.parent.name, path.parent)
    return sorted(found.values(), key=lambda folder: folder.name)


def all_labs(root: Path | None = None) -> list[Lab]:
    return [load_lab(path) for path in lab_dirs(root)]


def lab_ids(root: Path | None = None) -> list[str]:
    return [lab.id for lab in all_labs(root)]


def check_titles(root: Path | None = None) -> dict[str, dict[str, str]]:
    """Each lab's check ids and titles in grading order: what a chapter's lab box names."""
    return {lab.id: {c.id: c.name for c in load_checks(lab)} for lab in all_labs(root)}


def get_lab(name: str, root: Path | None = None) -> Lab:
    """The lab whose id or folder name is `name`.

    The folders the name suggests (as given, and with dashes as underscores: "rest-api" lives
    in rest_api/) are tried first, so a page naming one lab reads one lab.toml, not all."""
    for base in [root] if root else search_roots():
        for folder in dict.fromkeys([name, name.replace("-", "_")]):
            candidate = base / folder
            if "/" not in folder and (candidate / "lab.toml").is_file():
                lab = load_lab(candidate)
                if folder == name or lab.id == name:
                    return lab
    for lab in all_labs(root):
        if lab.id == name:
            return lab
    known = ", ".join(lab_ids(root)) or "none"
    raise UnknownLab(f"no lab named {name!r} (labs: {known})")


def resolve_lab(name_or_path: str, root: Path | None = None) -> Lab:
    """A lab by id or folder name, or a lab folder given as a path (for authors and tests)."""
    path = Path(name_or_path)
    if (path / "lab.toml").is_file():
        return load_lab(path)
    return get_lab(name_or_path, root)


def solution_dir(lab: Lab) -> Path:
    return lab.root / "solution"


def starter_dir(lab: Lab) -> Path:
    return lab.root / "starter"


def mutants_dir(lab: Lab) -> Path:
    return lab.root / "mutants"


def alternative_dirs(lab: Lab) -> list[Path]:
    """labs/<lab>/alternatives/<name>/: other correct solutions, each in its own style."""
    folder = lab.root / "alternatives"
    return sorted(path for path in folder.iterdir() if path.is_dir()) if folder.is_dir() else []


def checks_path(lab: Lab) -> Path:
    return lab.root / "checks.py"


def load_checks(lab: Lab) -> Checks:
    """Import the lab's checks.py afresh and return its module-level `checks` registry (an
    author's edit counts at the next grade)."""
    path = checks_path(lab)
    digest = hashlib.sha1(str(path).encode(), usedforsecurity=False).hexdigest()[:10]
    spec = importlib.util.spec_from_file_location(f"archlab_checks_{digest}", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise LabSpecError(f"{display_path(path)}: missing: a lab needs a checks.py")
    module = importlib.util.module_from_spec(spec)
    try:
        # compiled from the source each time, never from __pycache__: bytecode is matched to
        # its source by whole-second mtime and size, so an edit within the same second that
        # keeps the size (a renamed title) would load the old checks
        exec(compile(path.read_bytes(), str(path), "exec"), module.__dict__)  # noqa: S102
    except Exception as exc:
        line = _line_in(exc, path)
        raise LabSpecError(f"{display_path(path)}:{line}: cannot import: "
                           f"{type(exc).__name__}: {exc}") from exc
    checks = getattr(module, "checks", None)
    if not isinstance(checks, Checks):
        raise LabSpecError(f"{display_path(path)}: defines no `checks = Checks()` registry")
    return checks


def _line_in(exc: Exception, path: Path) -> int:
    if isinstance(exc, SyntaxError) and exc.lineno:
        return exc.lineno
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == path]
    return frames[-1].lineno if frames and frames[-1].lineno else 1
