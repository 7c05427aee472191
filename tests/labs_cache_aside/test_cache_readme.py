"""The README is the learner's contract: its grading table and variables match the lab."""

from __future__ import annotations

import re

from cache_lab import LAB, SPEC

from labs.catalog import load_checks

README = (LAB / "README.md").read_text()


def test_readme_grading_table_lists_every_check_with_its_points_in_order() -> None:
    section = README.split("## What is graded", 1)[1]
    rows = re.findall(r"^\| `([a-z0-9_]+)` \| (\d+) \|", section, flags=re.MULTILINE)
    assert rows == [(check.id, str(check.points)) for check in load_checks(SPEC)]


def test_readme_documents_every_variable_and_its_value() -> None:
    documented = {name: value.strip(" `") for name, value in
                  re.findall(r"^  \| `([A-Z_]+)` \|([^|]*)\|", README, flags=re.MULTILINE)}
    assert set(documented) == {"PORT", *SPEC.app.env}
    for name in ("CACHE_TTL_SECONDS", "NEGATIVE_TTL_SECONDS"):
        assert documented[name] == SPEC.app.env[name]


def test_checks_grade_against_the_ttls_lab_toml_gives_the_app() -> None:
    from labs.cache_aside import checks

    assert str(checks.CACHE_TTL_S) == SPEC.app.env["CACHE_TTL_SECONDS"]
    assert str(checks.NEGATIVE_TTL_S) == SPEC.app.env["NEGATIVE_TTL_SECONDS"]
