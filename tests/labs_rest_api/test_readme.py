"""The README is the learner's contract: it lists exactly the checks that are graded and names
every problem type, variable and race parameter the checks depend on."""

from __future__ import annotations

import re

from rest_app import REST_API

from tests.support import lab_contract

CHECKS_SOURCE = (REST_API.path / "checks.py").read_text(encoding="utf-8")


def check_constant(name: str) -> str:
    match = re.search(rf"^{name} = (.+?)(?:  #.*)?$", CHECKS_SOURCE, flags=re.MULTILINE)
    assert match, f"checks.py defines no {name}"
    return match.group(1)


def test_readme_grading_table_matches_the_checks() -> None:
    lab_contract.expect_readme_grades_the_checks(REST_API)


def test_readme_documents_the_apps_environment() -> None:
    lab_contract.expect_readme_documents_the_app_env(REST_API)
    lab_contract.expect_readme_states_how_the_app_runs(REST_API)


def test_readme_names_every_problem_type_the_checks_expect() -> None:
    base = check_constant("PROBLEMS").strip('"')
    kinds = set(re.findall(r'\d{3}, "([a-z-]+)"\)', CHECKS_SOURCE))
    assert {"not-found", "validation-failed", "request-in-progress"} <= kinds
    assert {kind for kind in kinds if f"`{base}{kind}`" not in REST_API.readme} == set()


def test_readme_states_the_race_the_grader_runs() -> None:
    copies, rounds = check_constant("RACE_COPIES"), check_constant("RACE_ROUNDS")
    hold = float(check_constant("RACE_HOLD_S"))
    assert f"in {rounds} rounds: it sends {copies} copies" in REST_API.readme
    assert f"after {hold:g} seconds at" in REST_API.readme


def test_readme_states_how_many_requests_arrive_at_once_and_the_paging_numbers() -> None:
    copies, fill = int(check_constant("RACE_COPIES")), int(check_constant("FILL_CLIENTS"))
    assert fill <= copies
    lab_contract.expect_readme_says(
        REST_API, f"send up to {copies} requests at the same instant",
        f"default {check_constant('DEFAULT_LIMIT')}; anything above "
        f"{check_constant('MAX_LIMIT')} is treated as {check_constant('MAX_LIMIT')}")


def test_chapter_box_states_the_paging_numbers_the_checks_use() -> None:
    lab_contract.expect_lab_box_says(
        REST_API, f"`limit` capped at {check_constant('MAX_LIMIT')}",
        "400 for a bad `limit` or `cursor`")
