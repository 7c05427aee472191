"""verify: solution and alternatives full marks, starter less, every mutant caught; mutant
file errors."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
from fakes import FakeBackend, FakeSession, submission_apps

from labs.catalog import load_checks, mutants_dir, solution_dir
from labs.spec import Lab
from labs.verify import MutantError, apply_mutant, load_mutant, load_mutants, verify
from labs.verify_findings import findings
from sandboxes import ServiceNotReady


def test_the_toy_lab_verifies_and_repeats(toy_lab: Lab, fake_backend) -> None:
    rows = []
    report = verify(toy_lab, fake_backend, repeat=2, on_row=rows.append)
    assert report.ok, report.rows
    assert [(r.subject, r.run) for r in report.rows] == [("alternatives", 1)] + [
        (s, run) for run in (1, 2)
        for s in ("solution", "alternative class_router", "alternative path_segments",
                  "starter", "mutant created_answers_200", "mutant forgets_items")]
    assert rows == report.rows
    assert report.rows[0].outcome == "2: class_router, path_segments"
    assert report.rows[5].outcome.startswith("create_item_returns_201 failed")


def test_jobs_grade_subjects_side_by_side_with_the_same_rows_in_order(toy_lab: Lab) -> None:
    running, most = [], []
    lock = threading.Lock()

    def slow_start(session: FakeSession) -> None:
        with lock:
            running.append(session)
            most.append(len(running))
        close = session.close

        def close_and_count() -> None:
            with lock:
                running.remove(session)
            close()

        session.close = close_and_count
        time.sleep(0.3)  # every grade lasts long enough to meet the others

    one_by_one = verify(toy_lab, FakeBackend(submission_apps), repeat=2)
    backend = FakeBackend(submission_apps, on_start=slow_start)
    side_by_side = verify(toy_lab, backend, repeat=2, jobs=3)
    assert side_by_side.ok, side_by_side.rows
    assert max(most) == 3, "three grades at once, never more"
    assert [(r.subject, r.run, r.outcome) for r in side_by_side.rows] == [
        (r.subject, r.run, r.outcome) for r in one_by_one.rows]
    session_ids = [started["session_id"] for started in backend.started]
    assert len(set(session_ids)) == len(session_ids) == 12, "each grade its own sandbox"


def test_an_alternative_that_misses_full_marks_names_the_check_and_its_message(
        toy_lab_copy: Lab, fake_backend) -> None:
    wrong = toy_lab_copy.root / "alternatives" / "answers_200"
    shutil.copytree(solution_dir(toy_lab_copy), wrong)
    app = wrong / "app.py"
    app.write_text(app.read_text().replace('"201 Created"', '"200 OK"'))
    report = verify(toy_lab_copy, fake_backend)
    assert not report.ok
    [bad] = [r for r in report.rows if not r.ok]
    assert (bad.subject, bad.expected) == ("alternative answers_200", "full marks")
    assert bad.outcome.startswith("1/6: create_item_returns_201 failed: expected 201, got 200 "
                                  "from POST /items: ")
    assert "item_can_be_read_back" not in bad.outcome, "a blocked check is not listed again"


def test_a_lab_needs_at_least_two_alternatives(toy_lab_copy: Lab, fake_backend) -> None:
    shutil.rmtree(toy_lab_copy.root / "alternatives" / "path_segments")
    report = verify(toy_lab_copy, fake_backend)
    assert not report.ok
    [bad] = [r for r in report.rows if not r.ok]
    assert (bad.subject, bad.expected, bad.outcome) == ("alternatives", "at least 2",
                                                        "1: class_router")


def test_a_mutant_that_no_check_catches_fails_verification(toy_lab_copy: Lab,
                                                           fake_backend) -> None:
    (mutants_dir(toy_lab_copy) / "harmless.toml").write_text(
        'description = "renames a variable"\ncaught_by = "health_answers"\n'
        '[[replace]]\nfile = "app.py"\nold = "data = json.dumps(body)"\n'
        'new = "payload = data = json.dumps(body)"\n')
    report = verify(toy_lab_copy, fake_backend)
    assert not report.ok
    [bad] = [r for r in report.rows if not r.ok]
    assert bad.subject == "mutant harmless" and bad.outcome.startswith("health_answers passed")


def write_mutant(lab: Lab, text: str) -> Path:
    path = mutants_dir(lab) / "broken.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(("text", "words"), [
    ('description = "x"\ncaught_by = "health_answers"\n[[replace]]\nfile = "app.py"\n'
     'old = "import"\nnew = "x"\n', "must occur exactly once, found 3 times"),
    ('description = "x"\ncaught_by = "health_answers"\n[[replace]]\nfile = "app.py"\n'
     'old = "no such text"\nnew = "x"\n', "found 0 times"),
    ('description = "x"\ncaught_by = "health_answers"\n[[replace]]\nfile = "nope.py"\n'
     'old = "a"\nnew = "b"\n', "nope.py: no such file in the solution"),
])
def test_a_mutant_that_does_not_apply_names_its_file(toy_lab_copy: Lab, tmp_path: Path,
                                                      text: str, words: str) -> None:
    mutant = load_mutant(write_mutant(toy_lab_copy, text))
    with pytest.raises(MutantError, match=r"broken\.toml") as caught:
        apply_mutant(mutant, solution_dir(toy_lab_copy), tmp_path / "out")
    assert words in str(caught.value)


@pytest.mark.parametrize(("text", "words"), [
    ('description = "x"\ncaught_by = "no_such_check"\n[[replace]]\nfile = "a"\nold = "b"\n'
     'new = "c"\n', "caught_by names no check: 'no_such_check'"),
    ('description = "x"\ncaught_by = "health_answers"\n', "needs at least one [[replace]]"),
    ('description = "x"\ncaught_by = "health_answers"\nextra = 1\n[[replace]]\nfile = "a"\n'
     'old = "b"\nnew = "c"\n', "unknown keys ['extra']"),
    ('description = "x\n', "invalid TOML"),
])
def test_malformed_mutants_are_rejected(toy_lab_copy: Lab, text: str, words: str) -> None:
    write_mutant(toy_lab_copy, text)
    with pytest.raises(MutantError, match=r"broken\.toml") as caught:
        load_mutants(toy_lab_copy, load_checks(toy_lab_copy))
    assert words in str(caught.value)


def test_a_grade_that_stopped_early_says_the_decisive_line_of_the_log(toy_lab: Lab) -> None:
    """A sharding verify once said only 'the service "shard1" never became ready: exited
    with code 1': why it exited was in the log's last line, which the row must keep."""
    def refuse(session: FakeSession) -> None:
        def wait_ready(timeout: float | None = None) -> None:
            raise ServiceNotReady("app", "starting\nFATAL:  could not create any TCP/IP "
                                  "sockets\n", 1, False)
        session.wait_ready = wait_ready

    report = verify(toy_lab, FakeBackend(submission_apps, on_start=refuse))
    mutant = next(row for row in report.rows if row.subject.startswith("mutant"))
    assert mutant.cause == ('the service "app" never became ready: exited with code 1: '
                            "FATAL:  could not create any TCP/IP sockets")
    assert (f"mutant {mutant.subject.removeprefix('mutant ')} was not graded: {mutant.cause}"
            in findings(report)), findings(report)
