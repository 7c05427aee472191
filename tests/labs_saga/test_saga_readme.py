"""The README is the learner's contract: its grading table and variables match the lab."""

from __future__ import annotations

from saga_lab import SAGA

from tests.support import lab_contract


def test_readme_grading_table_matches_the_checks() -> None:
    lab_contract.expect_readme_grades_the_checks(SAGA)


def test_readme_documents_every_variable_the_app_gets() -> None:
    lab_contract.expect_readme_documents_the_app_env(SAGA)
