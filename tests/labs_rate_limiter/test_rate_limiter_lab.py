"""The rate-limiter lab, the worked example of docs/authoring.md: its README is the contract
(grading table, variables, the rates the checks assume), it meets the lab standard, and it is
graded here end to end: `labs verify` on the process sandbox (reference and alternatives full
marks, starter less, every mutant caught by its named check) with nothing to explain."""

from __future__ import annotations

from pathlib import Path

import pytest

from labs.runner import grade
from labs.verify import verify
from labs.verify_findings import findings
from sandboxes import get_backend
from tests.support import lab_contract
from tests.support.lab_folder import LabFolder

LIMITER = LabFolder("rate_limiter")


def test_100_points_each_check_with_a_hint() -> None:
    lab_contract.expect_100_points_with_hints(LIMITER, at_least=8)


def test_readme_grades_every_check_and_documents_every_variable() -> None:
    lab_contract.expect_readme_grades_the_check_ids(LIMITER)
    lab_contract.expect_readme_documents_the_app_env(LIMITER)


def test_both_instances_get_the_rates_the_checks_grade_against() -> None:
    from labs.rate_limiter import checks

    [replica] = [s for s in LIMITER.spec.services if s.name == "replica"]
    assert (replica.kind, replica.command, replica.env) == (
        "learner", LIMITER.spec.app.command, LIMITER.spec.app.env)
    assert str(checks.CAPACITY) == LIMITER.spec.app.env["RATE_CAPACITY"]
    assert str(checks.RATE) == LIMITER.spec.app.env["RATE_REFILL_PER_SECOND"]


def test_readme_and_chapter_box_state_the_numbers_the_checks_use() -> None:
    from labs.rate_limiter import checks

    lab_contract.expect_readme_states_how_the_app_runs(LIMITER)
    lab_contract.expect_readme_says(
        LIMITER, f"burst of {checks.CAPACITY} requests and then one request every "
        f"{1 / checks.RATE:g} seconds", f"sends {checks.SIMULTANEOUS} requests at the same instant",
        f"`Retry-After` 1-{checks.LONGEST_RETRY}", f"{checks.OVER} quick requests",
        f"{checks.SIMULTANEOUS} requests of a new key at the same instant: exactly "
        f"{checks.CAPACITY} pass; {checks.SIMULTANEOUS_ROUNDS} times, each with a new key",
        f"the grader does this {checks.SIMULTANEOUS_ROUNDS} times, each with a new key",
        "200 within a second",
        f"within {checks.REDIS_BACK_S:g} s of Redis starting again",
        f"(`RATE_CAPACITY / RATE_REFILL_PER_SECOND` seconds, {checks.CAPACITY / checks.RATE:g} s)",
        "no key in Redis lacks an expiry", "200 within a second, without `X-RateLimit-Remaining`")
    assert checks.REDIS_DOWN_ANSWER_S >= 1  # the README's "within a second", with a margin
    lab_contract.expect_lab_box_says(
        LIMITER, f"{checks.CAPACITY} tokens, {checks.RATE:g} back a second",
        f"{checks.SIMULTANEOUS} simultaneous requests")


def test_the_chapters_runnable_bucket_is_the_labs() -> None:
    """Chapter 7's Lua token bucket runs (test_runnable_snippets) with the lab's capacity,
    rate and over-the-limit count, and prints the Retry-After the lab grades."""
    from labs.rate_limiter import checks

    lab_contract.expect_chapter_says(
        LIMITER, f"args=[{checks.CAPACITY}, {checks.RATE:g}]) for _ in range({checks.OVER})",
        f"passed {checks.CAPACITY} of {checks.OVER}, then 429 with Retry-After "
        f"{checks.LONGEST_RETRY}")


def test_at_least_six_mutants_and_two_alternatives() -> None:
    mutants = LIMITER.mutants()
    assert len(mutants) >= 6
    assert {m.caught_by for m in mutants} >= {
        "keys_are_limited_separately", "tokens_come_back_over_time",
        "limit_holds_across_instances", "simultaneous_requests_cannot_overdraw",
        "redis_down_fails_open"}
    authoring = (LIMITER.path.parents[1] / "docs" / "authoring.md").read_text(encoding="utf-8")
    assert f"the lab has {len(mutants)}, among them" in authoring
    assert [path.name for path in LIMITER.alternatives()] == ["asyncio_gcra", "watch_multi"]


@pytest.mark.slow
@pytest.mark.redis
def test_the_worked_example_verifies_on_the_process_backend() -> None:
    report = verify(LIMITER.spec, get_backend("process"))
    assert findings(report) == []
    assert report.ok, report.rows
    by_subject = {row.subject: row for row in report.rows}
    assert by_subject["solution"].outcome == "100/100"
    assert by_subject["starter"].outcome == "5/100"
    assert len(report.rows) == 1 + 3 + 1 + len(LIMITER.mutants())


@pytest.mark.slow
@pytest.mark.parametrize(("name", "cause"), [
    ("retry_after_rounded_down", "the Retry-After was too short"),
    ("tokens_never_come_back", "no token came back"),
])
def test_a_refill_failure_names_which_of_its_two_causes(name: str, cause: str,
                                                        tmp_path: Path) -> None:
    """A Retry-After rounded down and a bucket that never refills both fail the refill check;
    its message says which one it was (one more token's wait tells them apart)."""
    mutant = next(m for m in LIMITER.mutants() if m.name == name)
    source = LIMITER.mutant_copy(mutant, tmp_path / "mutant")
    result = grade(LIMITER.spec, source, seed=3, backend=get_backend("process"))
    failed = next(c for c in result.checks if c.id == "tokens_come_back_over_time")
    assert cause in failed.message


@pytest.mark.slow
def test_a_missing_rate_limit_header_is_named_as_a_header(tmp_path: Path) -> None:
    mutant = next(m for m in LIMITER.mutants() if m.name == "no_remaining_header")
    source = LIMITER.mutant_copy(mutant, tmp_path / "mutant")
    result = grade(LIMITER.spec, source, seed=3, backend=get_backend("process"))
    failed = next(c for c in result.checks if c.id == "full_bucket_lets_a_burst_through")
    assert failed.message == ("expected the header X-RateLimit-Remaining on the 200 from "
                              "POST /api/echo, got none")
