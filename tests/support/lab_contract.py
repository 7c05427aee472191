"""What every lab promises its learners, as named checks the lab suites call.

The checks add up to 100 points and each has a hint; the README's "What is graded" table
lists exactly the graded checks; its variables table names every variable the app gets.
"""

from __future__ import annotations

import re

from tests.support.lab_folder import LabFolder


def expect_100_points_with_hints(lab: LabFolder, at_least: int) -> None:
    checks = lab.checks
    assert checks.max_score == 100, f"expected 100 points, got {checks.max_score}"
    assert len(checks) >= at_least, f"expected at least {at_least} checks, got {len(checks)}"
    assert all(check.hint for check in checks), "expected a hint on every check"


def grading_rows(lab: LabFolder, row: str) -> list[tuple[str, str]]:
    """The (check, points) pairs that the `row` pattern finds below "## What is graded"."""
    section = lab.readme.split("## What is graded", 1)[1]
    return re.findall(row, section, flags=re.MULTILINE)


def expect_readme_grades_the_checks(lab: LabFolder) -> None:
    """The README's grading table rows are the checks' names and points, in order."""
    rows = grading_rows(lab, r"^\| (.+?) \| (\d+) \|$")
    assert rows == [(check.name, str(check.points)) for check in lab.checks]


def expect_readme_grades_the_check_ids(lab: LabFolder) -> None:
    """The README's grading table starts each row with a check's `id` and its points, in
    order (for a table with more columns, say what each check does)."""
    rows = grading_rows(lab, r"^\| `([a-z0-9_]+)` \| (\d+) \|")
    assert rows == [(check.id, str(check.points)) for check in lab.checks]


def expect_readme_documents_the_app_env(lab: LabFolder) -> None:
    """The README's variables table names PORT and every variable lab.toml gives the app."""
    documented = set(re.findall(r"^  \| `([A-Z_]+)` \|", lab.readme, flags=re.MULTILINE))
    assert documented == {"PORT", *lab.spec.app.env}
