"""A lab's reference solution copied and changed to sit at an edge its README allows.

The reference and the alternatives sit comfortably inside each allowance of a README (a TTL
jitter of 10% where 20% is allowed, a listener that reconnects in half a second where 5 s
are allowed), so a grader that is stricter than its README can still pass all of them. A
contract-edge test copies the solution, moves one choice to the edge (the slowest allowed,
the other allowed option) and expects full marks on the checks that choice touches.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from labs.catalog import solution_dir
from tests.support.direct_checks import run_checks, with_needs
from tests.support.lab_folder import LabFolder
from tests.support.lab_processes import opened


def solution_at_the_edge(lab: LabFolder, into: Path,
                         changes: dict[str, list[tuple[str, str]]]) -> Path:
    """The lab's solution copied to `into`, each (old, new) of `changes[file]` replacing the
    one place `old` appears in that file. An `old` that is missing or not unique fails the
    test: the solution moved on, and the edge would silently go untested."""
    shutil.copytree(solution_dir(lab.spec), into)
    for name, replacements in changes.items():
        path = into / name
        code = path.read_text(encoding="utf-8")
        for old, new in replacements:
            assert code.count(old) == 1, f"{name}: expected {old!r} once, got {code.count(old)}"
            code = code.replace(old, new)
        path.write_text(code, encoding="utf-8")
    return into


def grade_at_the_edge(lab: LabFolder, session_class: Callable[[Path, Path], Any],
                      tmp_path: Path, changes: dict[str, list[tuple[str, str]]],
                      *check_ids: str, seed: int = 17) -> dict[str, str]:
    """The solution changed by `changes`, run as `session_class(folder, log dir)` and graded
    by the checks `check_ids` and what they need: failed check ids -> messages, each with the
    tail of every program's log (empty when all passed)."""
    source = solution_at_the_edge(lab, tmp_path / "edge", changes)
    only = set().union(*(with_needs(lab, check_id) for check_id in check_ids))
    with opened(session_class(source, tmp_path)) as session:
        failures, _ = run_checks(lab, session, seed=seed, only=only)
        names = getattr(session, "processes", ("app",))  # a LocalSession's, else the app's
        logs = "\n".join(f"--- {name} log:\n{session.logs(name, 25)}" for name in names)
    return {check: f"{message}\n{logs}" for check, message in failures.items()}
