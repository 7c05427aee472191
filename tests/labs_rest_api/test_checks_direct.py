"""The lab's checks run straight against the solution, the alternatives and the starter, no
sandbox involved.

This proves the checks and the references agree before any engine runs them: the solution
and every alternative pass every check (under several seeds), the starter fails most of them
and each of its missing pieces is reported once, with the checks that need it blocked.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rest_app import REST_API, rest_session

from labs.catalog import alternative_dirs
from labs.checks import blocked_message
from tests.support import direct_checks, lab_contract
from tests.support.lab_processes import LocalSession, opened

ALTERNATIVES = alternative_dirs(REST_API.spec)
NAMES = {check.id: check.name for check in REST_API.checks}


def test_checks_add_up_to_100_points_with_hints() -> None:
    lab_contract.expect_100_points_with_hints(REST_API, at_least=24)


@pytest.mark.parametrize("seed", [1, 2024])
def test_solution_passes_every_check(solution: LocalSession, seed: int) -> None:
    direct_checks.expect_every_check_passes(REST_API, solution, seed)


def test_solution_passes_again_on_a_database_with_earlier_data(solution: LocalSession) -> None:
    direct_checks.run_checks(REST_API, solution, seed=7)
    direct_checks.expect_every_check_passes(REST_API, solution, seed=8)


@pytest.mark.parametrize("folder", ALTERNATIVES, ids=[path.name for path in ALTERNATIVES])
def test_alternative_solution_passes_every_check(folder: Path, postgres_url: str,
                                                 tmp_path: Path) -> None:
    with opened(rest_session(folder, postgres_url, tmp_path)) as session:
        direct_checks.expect_every_check_passes(REST_API, session, seed=5)


def test_starter_runs_but_fails_most_checks(starter: LocalSession) -> None:
    direct_checks.expect_only_these_pass(
        REST_API, starter, seed=3,
        passing=["health_check_answers_200", "user_is_created_and_read_back"])


def test_starter_names_each_missing_piece_once_in_http_terms(starter: LocalSession) -> None:
    failures, _ = direct_checks.run_checks(REST_API, starter, seed=4)
    assert failures["create_user_answers_201_with_location"].startswith(
        "expected 201, got 200 from POST /api/v1/users: {")
    assert failures["errors_are_problem_details"].startswith(
        "expected Content-Type: application/problem+json from GET /api/v1/users/")
    assert failures["users_are_listed_newest_first_by_cursor"].startswith(
        "expected a JSON object from GET /api/v1/users, got an array: [")
    for dependent, root in (("malformed_json_is_400", "errors_are_problem_details"),
                            ("unknown_version_is_400", "errors_are_problem_details"),
                            ("paging_survives_inserts_and_deletes",
                             "users_are_listed_newest_first_by_cursor"),
                            ("orders_are_created_and_listed",
                             "users_are_listed_newest_first_by_cursor"),
                            ("stale_if_match_is_412", "etag_follows_the_user")):
        assert failures[dependent] == blocked_message(NAMES[root]), dependent
    shown = "\n".join(failures.values())
    assert "None" not in shown and "True" not in shown and "Traceback" not in shown


def test_a_first_answer_marked_idempotent_replayed_false_is_not_a_replay(
        postgres_url: str, tmp_path: Path) -> None:
    """README: only `Idempotent-Replayed: true` marks a replay; an app that says `false` on
    every first answer follows the contract and passes the idempotency checks."""
    source = tmp_path / "replayed-false"
    shutil.copytree(REST_API.path / "solution", source)
    module = source / "idempotency.py"
    code = module.read_text(encoding="utf-8")
    first = "            response = create()\n"
    assert code.count(first) == 1
    module.write_text(code.replace(
        first, first + '            response.headers["Idempotent-Replayed"] = "false"\n'),
        encoding="utf-8")
    checks = ("idempotent_retry_replays_the_create", "idempotency_keys_are_scoped_per_caller",
              "idempotency_key_fingerprint_is_checked", "concurrent_retries_create_one_order")
    with opened(rest_session(source, postgres_url, tmp_path)) as session:
        failures, _ = direct_checks.run_checks(
            REST_API, session, seed=6,
            only=set().union(*(direct_checks.with_needs(REST_API, c) for c in checks)))
    assert failures == {}
