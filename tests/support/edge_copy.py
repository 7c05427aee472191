"""A lab's reference solution copied and changed to sit at an edge its README allows.

The reference and the alternatives sit comfortably inside each allowance of a README (a TTL
jitter of 10% where 20% is allowed, a listener that reconnects in half a second where 5 s
are allowed), so a grader that is stricter than its README can still pass all of them. A
contract-edge test copies the solution, moves one choice to the edge (the slowest allowed,
the other allowed option) and expects full marks on the checks that choice touches.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from labs.catalog import solution_dir
from tests.support.lab_folder import LabFolder


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
