"""`archlab grade` as a real process on a lab of its own, to stop or kill it mid-grade and
look for what its sandbox left: the proof that a grade ends without leftovers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from tests.grading.grading_helpers import SLOW_CHECK, TOY_LAB
from tests.support.leftovers import docker_leftovers, process_leftovers

ARCHLAB = str(Path(sys.executable).parent / "archlab")
SOLUTION = TOY_LAB / "solution"


def slow_toy_lab(folder: Path, sleep_s: float, time_limit: int = 60) -> str:
    """A copy of the toy lab at `folder`, under an id of its own (what its grades leave is
    found by that lab label), whose last check sleeps `sleep_s`; returns the lab's id."""
    lab_id = f"stopped-{uuid.uuid4().hex[:8]}"
    shutil.copytree(TOY_LAB, folder)
    toml = folder / "lab.toml"
    toml.write_text(toml.read_text().replace('id = "toy-items"', f'id = "{lab_id}"')
                    .replace("time_limit = 60", f"time_limit = {time_limit}")
                    .replace("check_timeout = 10", f"check_timeout = {max(10, time_limit)}"))
    checks = folder / "checks.py"
    checks.write_text(checks.read_text() + SLOW_CHECK.format(sleep=sleep_s))
    return lab_id


def grade_in_background(lab: Path, backend: str) -> subprocess.Popen[str]:
    """`archlab grade LAB solution --backend BACKEND`, its live lines readable as they come."""
    return subprocess.Popen([ARCHLAB, "grade", str(lab), str(SOLUTION), "--backend", backend],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def wait_for_the_slow_check(grader: subprocess.Popen[str]) -> None:
    """Read the live lines until the toy lab's three quick checks passed: the slow one runs."""
    passed = 0
    while passed < 3:
        line = grader.stdout.readline() if grader.stdout else ""
        assert line, f"archlab grade ended early: {grader.wait()} {grader.stderr.read()}"
        passed += line.startswith("✓")


def sandbox_leftovers(backend: str, lab_id: str, docker_client: Any = None) -> list[str]:
    """What the grades of lab `lab_id` left: Docker objects with its lab label, or process
    sandboxes (their session ids start with the lab id)."""
    if backend == "process":
        return process_leftovers(lab_id)
    return docker_leftovers(docker_client, lab_id, label_name="archlab.lab")
