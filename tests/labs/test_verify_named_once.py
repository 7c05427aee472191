"""A mistake is named once: verify holds a mutant to failing its caught_by check and no other
(checks kept from running by it aside), unless the mutant's also_fails lists the other check
as a contract the same mistake breaks on its own."""

from __future__ import annotations

import pytest

from labs.catalog import load_checks, mutants_dir
from labs.checks import blocked_message, not_run
from labs.spec import Lab
from labs.verify import (
    CheckOutcome,
    MutantError,
    VerifyReport,
    VerifyRow,
    also_failed,
    load_mutants,
    verify,
)
from labs.verify_findings import findings

CREATED_200 = "mutant created_answers_200"


def without_needs(lab: Lab) -> None:
    """The read-back check no longer needs the create: a create answering 200 (no id) then
    fails both, the second time as a 404 for /items/0."""
    checks = lab.root / "checks.py"
    text = checks.read_text()
    needs = ',\n              needs=("create_item_returns_201",))'
    assert needs in text
    checks.write_text(text.replace(needs, ")"))


def also_fails(lab: Lab, line: str) -> None:
    path = mutants_dir(lab) / "created_answers_200.toml"
    path.write_text(path.read_text().replace('caught_by = "create_item_returns_201"\n',
                                             f'caught_by = "create_item_returns_201"\n{line}\n'))


def test_a_mutant_that_fails_a_second_check_is_named_twice(toy_lab_copy: Lab,
                                                          fake_backend) -> None:
    without_needs(toy_lab_copy)
    report = verify(toy_lab_copy, fake_backend)
    assert not report.ok
    [bad] = [row for row in report.rows if not row.ok]
    assert (bad.subject, bad.expected) == (CREATED_200, "create_item_returns_201 fails, no other")
    assert bad.outcome.startswith('create_item_returns_201 failed ("expected 201, got 200 from '
                                  "POST /items: "), bad.outcome
    assert '"), but item_can_be_read_back ("expected 200, got 404 from GET /items/0: ' in \
        bad.outcome
    assert bad.outcome.endswith('") also failed; 1/6'), bad.outcome
    [said] = findings(report)
    assert said.startswith(
        "mutant created_answers_200: caught by create_item_returns_201, but "
        'item_can_be_read_back ("expected 200, got 404 from GET /items/0: '), said
    assert said.endswith('") also failed — one mistake named twice: make item_can_be_read_back '
                         "need create_item_returns_201 (needs=) or, if item_can_be_read_back "
                         "is a separate contract this mistake also breaks, list "
                         "item_can_be_read_back in the mutant's also_fails"), said


def test_a_check_the_mutant_lists_in_also_fails_may_fail_too(toy_lab_copy: Lab,
                                                             fake_backend) -> None:
    without_needs(toy_lab_copy)
    also_fails(toy_lab_copy, 'also_fails = ["item_can_be_read_back"]')
    report = verify(toy_lab_copy, fake_backend)
    assert report.ok, findings(report)
    [row] = [row for row in report.rows if row.subject == CREATED_200]
    assert row.expected == "create_item_returns_201 fails, no other but item_can_be_read_back"
    assert [c.id for c in row.checks if c.status == "failed"] == [
        "create_item_returns_201", "item_can_be_read_back"]


def test_a_check_blocked_by_the_caught_one_is_not_a_second_failure(toy_lab: Lab,
                                                                   fake_backend) -> None:
    report = verify(toy_lab, fake_backend)
    [row] = [row for row in report.rows if row.subject == CREATED_200]
    assert row.ok and row.outcome == "create_item_returns_201 failed; 1/6", row
    assert [c.status for c in row.checks if c.id == "item_can_be_read_back"] == ["blocked"]


@pytest.mark.parametrize(("line", "words"), [
    ('also_fails = ["no_such_check"]', "also_fails names no check: 'no_such_check'"),
    ('also_fails = "item_can_be_read_back"', "also_fails must be a list of check ids"),
    ('also_fails = [""]', "also_fails must be a list of check ids"),
    ('also_fails = ["create_item_returns_201"]', "its caught_by ('create_item_returns_201')"),
    ('also_fails = ["health_answers", "health_answers"]', "lists a check twice"),
])
def test_malformed_also_fails_is_rejected_naming_the_file(toy_lab_copy: Lab, line: str,
                                                          words: str) -> None:
    also_fails(toy_lab_copy, line)
    with pytest.raises(MutantError, match=r"created_answers_200\.toml") as caught:
        load_mutants(toy_lab_copy, load_checks(toy_lab_copy))
    assert words in str(caught.value)


def outcome(check_id: str, status: str, message: str = "") -> CheckOutcome:
    return CheckOutcome(check_id, status, message, 0.1)


def mutant_row(run: int, ok: bool, *checks: CheckOutcome) -> VerifyRow:
    return VerifyRow("mutant m", run, "a fails, no other", "", ok, checks)


def report_of(*rows: VerifyRow, allowed: tuple[str, ...] = ()) -> VerifyReport:
    solution = [VerifyRow("solution", row.run, "full marks", "6/6", True,
                          (outcome("a", "passed"), outcome("b", "passed"),
                           outcome("c", "passed"))) for row in rows]
    return VerifyReport("toy", [*solution, *rows], None, {"m": "a"},
                        {"a": "A", "b": "B", "c": "C"}, {"m": allowed} if allowed else {})


def test_named_twice_in_some_runs_says_which_runs_once_and_the_check_is_flaky() -> None:
    """Run 1 and 3 name the mistake twice, with messages differing by an id: one finding with
    the first message and its runs; b passing in run 2 is flaky."""
    said = findings(report_of(
        mutant_row(1, False, outcome("a", "failed", "expected 201, got 200"),
                   outcome("b", "failed", "expected 200, got 404 from GET /items/7")),
        mutant_row(2, True, outcome("a", "failed", "expected 201, got 200"),
                   outcome("b", "passed")),
        mutant_row(3, False, outcome("a", "failed", "expected 201, got 200"),
                   outcome("b", "failed", "expected 200, got 404 from GET /items/9"))))
    assert said == [
        'mutant m: caught by a, but b ("expected 200, got 404 from GET /items/7") also failed '
        "— one mistake named twice: make b need a (needs=) or, if b is a separate contract "
        "this mistake also breaks, list b in the mutant's also_fails (runs 1, 3 of 3)",
        "check b is flaky: 1 of 3 runs differ on the mutant m (failed 2, passed 1: expected "
        "200, got 404 from GET /items/7)"]


def test_three_failures_for_one_mistake_name_both_others() -> None:
    [said] = findings(report_of(mutant_row(1, False, outcome("a", "failed", "no id"),
                                           outcome("b", "failed", "404"),
                                           outcome("c", "failed", "500"))))
    assert said == ('mutant m: caught by a, but b ("404") and c ("500") also failed — one '
                    "mistake named 3 times: make b and c need a (needs=) or, if one of them is "
                    "a separate contract this mistake also breaks, list it in the mutant's "
                    "also_fails")


def test_checks_not_run_and_allowed_ones_are_not_named_again() -> None:
    checks = (outcome("a", "failed", "no id"), outcome("b", "failed", "404"),
              outcome("c", "skipped", not_run("the app crashed")),
              outcome("d", "blocked", blocked_message("A")),
              outcome("e", "failed", not_run("the fault could not be made")),
              outcome("f", "failed", "500"))
    assert also_failed("a", ("b",), checks) == [("f", "500")]
    assert also_failed("a", ("b", "f"), checks) == []
    assert also_failed("a", (), checks) == [("b", "404"), ("f", "500")]
