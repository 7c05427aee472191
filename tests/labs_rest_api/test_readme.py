"""The README is the learner's contract: it must list exactly the checks that are graded."""

from __future__ import annotations

import re

from rest_app import LAB

from labs.rest_api.checks import checks

README = (LAB / "README.md").read_text(encoding="utf-8")


def test_readme_grading_table_matches_the_checks() -> None:
    section = README.split("## What is graded", 1)[1]
    rows = re.findall(r"^\| (.+?) \| (\d+) \|$", section, flags=re.MULTILINE)
    assert rows == [(check.name, str(check.points)) for check in checks]


def test_readme_names_every_error_code_the_checks_expect() -> None:
    source = (LAB / "checks.py").read_text(encoding="utf-8")
    codes = set(re.findall(r'\d{3}, "([a-z_]+)"\)', source))
    assert codes
    assert {code for code in codes if f"`{code}`" not in README} == set()
