"""The README is the learner's contract: it must list exactly the checks that are graded."""

from __future__ import annotations

import re

from rest_app import REST_API

from tests.support.lab_contract import expect_readme_grades_the_checks


def test_readme_grading_table_matches_the_checks() -> None:
    expect_readme_grades_the_checks(REST_API)


def test_readme_names_every_error_code_the_checks_expect() -> None:
    source = (REST_API.path / "checks.py").read_text(encoding="utf-8")
    codes = set(re.findall(r'\d{3}, "([a-z_]+)"\)', source))
    assert codes
    assert {code for code in codes if f"`{code}`" not in REST_API.readme} == set()
