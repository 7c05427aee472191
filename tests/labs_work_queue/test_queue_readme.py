"""The README is the learner's contract: its grading table, variables and numbers match the
lab, and the checks grade against the numbers lab.toml gives both programs."""

from __future__ import annotations

import re

from queue_lab import QUEUE, service

from tests.support import lab_contract

NUMBERS = ("CLAIM_IDLE_MS", "MAX_TRIES", "BACKLOG_LIMIT")


def test_readme_grading_table_matches_the_checks() -> None:
    lab_contract.expect_readme_grades_the_checks(QUEUE)


def test_readme_documents_every_variable_and_the_numbers_values() -> None:
    lab_contract.expect_readme_documents_the_app_env(QUEUE)
    documented = dict(re.findall(r"^  \| `([A-Z_]+)` \| `([^`]*)` \|", QUEUE.readme,
                                 flags=re.MULTILINE))
    assert {name: documented.get(name) for name in NUMBERS} == {
        name: QUEUE.spec.app.env[name] for name in NUMBERS}


def test_both_programs_get_the_same_variables() -> None:
    assert service("worker").env == QUEUE.spec.app.env
    assert [s.name for s in QUEUE.spec.learner_services] == ["app", "worker"]


def test_checks_grade_against_the_numbers_lab_toml_gives() -> None:
    from labs.work_queue import checks

    assert {name: str(getattr(checks, name)) for name in NUMBERS} == {
        name: QUEUE.spec.app.env[name] for name in NUMBERS}
    assert str(checks.MAILER_LATENCY_MS) == service("mailer").env["MAILER_LATENCY_MS"]
