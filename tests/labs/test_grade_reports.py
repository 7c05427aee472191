"""Reports: JUnit that XML parsers accept, Gradescope's results.json fields, text, JSON."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

from rich.console import Console
from test_grade_results import sample_result

from labs.reports import FORMATS
from labs.reports.text import LiveProgress
from labs.results import CheckResult, Event, GradeResult, Status, Verdict


def with_skipped_check() -> GradeResult:
    result = sample_result()
    result.checks.append(CheckResult("c", "C works", Status.SKIPPED, 0, 1, "not run: time"))
    result.max_score = 6
    result.log_tail = "bad byte \x00 here"
    return result


def with_blocked_check() -> GradeResult:
    result = sample_result()
    result.checks.append(CheckResult("c", "C works", Status.BLOCKED, 0, 4,
                                     'not run: needs "B works", which did not pass',
                                     blocked_by="b"))
    result.max_score = 9
    return result


def test_junit_counts_a_blocked_check_as_skipped_not_as_a_failure() -> None:
    suite = ET.fromstring(FORMATS["junit"](with_blocked_check())).find("testsuite")  # noqa: S314
    assert (suite.get("failures"), suite.get("skipped")) == ("1", "1")
    blocked = suite.findall("testcase")[2]
    assert blocked.find("failure") is None
    assert blocked.find("skipped").get("message") == ('not run: needs "B works", which did '
                                                      "not pass")


def test_text_lists_a_blocked_check_under_the_check_it_needs() -> None:
    text = FORMATS["text"](with_blocked_check())
    assert ("✗ B works  0/2\n    expected 201, got 200\n    hint: Return 201.\n"
            "    ○ not run because of this (4 points): C works\n") in text
    assert "C works  0/4" not in text, "the blocked check is no row of its own"
    tests = json.loads(FORMATS["gradescope"](with_blocked_check()))["tests"]
    assert tests[2]["output"] == 'not run: needs "B works", which did not pass'


def never_ready() -> GradeResult:
    """A grade of an app that did not start: one cause, every check blocked by it."""
    result = sample_result()
    result.verdict, result.score, result.max_score = Verdict.NOT_READY, 0, 9
    result.cause = 'the service "app" never became ready: exited with code 1'
    result.cause_line = "SyntaxError: invalid syntax at app.py:3"
    result.log_tail = '  File "/app/app.py", line 3\nSyntaxError: invalid syntax'
    result.checks = [CheckResult(c, f"{c.upper()} works", Status.BLOCKED, 0, 3,
                                 f"not run: {result.cause}") for c in "abc"]
    return result


def test_text_says_why_the_grade_stopped_once_at_the_top() -> None:
    lines = FORMATS["text"](never_ready()).splitlines()
    assert lines[:3] == [
        '✗ The grade stopped: the service "app" never became ready: exited with code 1',
        "    SyntaxError: invalid syntax at app.py:3",
        "○ not run because the grade stopped (9 points): A works, B works, C works"]
    assert sum("never became ready" in line for line in lines) == 1


def test_junit_reports_what_stopped_the_grade_as_one_error() -> None:
    suite = ET.fromstring(FORMATS["junit"](never_ready())).find("testsuite")  # noqa: S314
    assert [suite.get(k) for k in ("tests", "errors", "failures", "skipped")] == [
        "4", "1", "0", "3"]
    first = suite.find("testcase")
    assert first.get("name") == "grade: not_ready"
    error = first.find("error")
    assert error.get("message") == 'the service "app" never became ready: exited with code 1'
    assert "SyntaxError: invalid syntax at app.py:3" in error.text
    assert 'File "/app/app.py", line 3' in error.text


def test_gradescope_output_leads_with_the_cause() -> None:
    output = json.loads(FORMATS["gradescope"](never_ready()))["output"]
    assert output.splitlines()[1:] == [
        'The grade stopped: the service "app" never became ready: exited with code 1',
        "SyntaxError: invalid syntax at app.py:3"]


def test_live_progress_lists_the_checks_that_did_not_run_once_at_the_end() -> None:
    out = io.StringIO()
    progress = LiveProgress(Console(file=out, no_color=True, width=100))
    result = with_blocked_check()
    for check in result.checks:
        progress(Event("check_finished", {"check": check.to_dict()}))
    assert "C works" not in out.getvalue(), "a blocked check is not printed as it comes"
    progress(Event("grade_finished", {"result": result.to_dict()}))
    assert ('○ not run because "B works" did not pass (4 points): C works'
            in out.getvalue().splitlines())


def test_junit_has_one_testcase_per_check_with_failures_and_skips() -> None:
    root = ET.fromstring(FORMATS["junit"](with_skipped_check()))  # noqa: S314 - our own XML
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    assert suite.get("name") == "toy"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "1", "1")
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties["seed"] == "7" and properties["verdict"] == "graded"
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["a: A works", "b: B works", "c: C works"]
    assert cases[0].find("failure") is None and cases[0].find("skipped") is None
    failure = cases[1].find("failure")
    assert failure.get("message") == "expected 201, got 200"
    assert "hint: Return 201." in failure.text
    assert cases[2].find("skipped").get("message") == "not run: time"
    assert suite.find("system-out").text == "bad byte ? here"


def test_gradescope_results_carry_the_autograder_fields() -> None:
    document = json.loads(FORMATS["gradescope"](with_skipped_check()))
    assert document["score"] == 3
    assert {"execution_time", "output", "visibility", "stdout_visibility"} <= set(document)
    assert [(t["name"], t["score"], t["max_score"], t["status"]) for t in document["tests"]] == [
        ("A works", 3, 3, "passed"), ("B works", 0, 2, "failed"), ("C works", 0, 1, "failed")]
    assert "Hint: Return 201." in document["tests"][1]["output"]
    assert document["extra_data"]["seed"] == 7


def test_json_report_round_trips() -> None:
    result = sample_result()
    assert GradeResult.from_json(FORMATS["json"](result)) == result


def test_text_report_lists_checks_then_the_score() -> None:
    text = FORMATS["text"](sample_result())
    assert text.splitlines()[0] == "✓ A works  3/3"
    assert "✗ B works  0/2\n    expected 201, got 200\n    hint: Return 201." in text
    assert "Score: 3/5" in text


def test_live_progress_prints_each_check_as_it_finishes() -> None:
    out = io.StringIO()
    progress = LiveProgress(Console(file=out, no_color=True, width=100))
    result = sample_result()
    progress(Event("grade_started", {"lab_id": "toy", "seed": 7, "checks": [{}, {}]}))
    progress(Event("check_started", {"id": "a", "name": "A works", "index": 0}))
    progress(Event("check_finished", {"check": result.checks[0].to_dict()}))
    assert out.getvalue().splitlines()[-1] == "✓ A works  3/3"
    progress(Event("grade_finished", {"result": result.to_dict()}))
    assert "Score: 3/5" in out.getvalue()
