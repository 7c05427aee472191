"""`archlab labs verify` explains a disagreement in authoring terms: an uncaught mutant and
the check closest to catching it, a check that caught another check's mutant, points the
reference lost, a flaky check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from click.testing import CliRunner
from fakes import FakeBackend, FakeSession, submission_apps

from labs.catalog import load_checks, mutants_dir, solution_dir
from labs.spec import Lab
from labs.verify import verify
from labs.verify_findings import findings
from sandboxes.errors import SandboxError
from tests.support.weak_check import RENAMES_ON_READ, UNCAUGHT, weaken
from webapp.cli import main


def test_a_weak_check_is_reported_as_letting_its_mutant_through(toy_lab_copy: Lab,
                                                                fake_backend) -> None:
    weaken(toy_lab_copy.root)
    report = verify(toy_lab_copy, fake_backend)
    assert not report.ok
    [said] = findings(report)
    assert said.startswith(f"{UNCAUGHT}: it got GET /items/{{}} 200 "
                           '{"id": number, "name": "renamed"} where the solution answered '
                           'GET /items/{} 200 {"id": number, "name": "item-'), said
    assert said.endswith("and still passed: make it assert on that")


def test_the_same_weak_check_with_its_assertion_back_catches_the_mutant(
        toy_lab_copy: Lab, fake_backend) -> None:
    (mutants_dir(toy_lab_copy) / "renames_on_read.toml").write_text(RENAMES_ON_READ)
    report = verify(toy_lab_copy, fake_backend)
    assert report.ok, findings(report)
    assert findings(report) == []


def test_a_change_no_check_reaches_names_the_mutants_own_check(toy_lab_copy: Lab,
                                                               fake_backend) -> None:
    (mutants_dir(toy_lab_copy) / "unreached.toml").write_text(
        'description = "an unknown path answers 500"\ncaught_by = "health_answers"\n'
        '[[replace]]\nfile = "app.py"\nold = \'"404 Not Found"\'\nnew = \'"500 Oops"\'\n')
    [said] = findings(verify(toy_lab_copy, fake_backend))
    assert said == ("mutant unreached was not caught — no check failed; the closest check was "
                    "health_answers (its caught_by): no check got a different answer from the "
                    "mutant than from the solution, so no check reaches the code it changes")


def test_a_mutant_caught_by_another_check_says_which(toy_lab_copy: Lab, fake_backend) -> None:
    path = mutants_dir(toy_lab_copy) / "created_answers_200.toml"
    path.write_text(path.read_text().replace('"create_item_returns_201"', '"health_answers"'))
    [said] = findings(verify(toy_lab_copy, fake_backend))
    assert said == ("mutant created_answers_200 was caught by create_item_returns_201, not by "
                    "health_answers as its caught_by says (health_answers passed): name the "
                    "check that catches it")


def test_points_the_reference_lost_name_the_check_and_its_message(toy_lab_copy: Lab,
                                                                  fake_backend) -> None:
    for mutant in mutants_dir(toy_lab_copy).glob("*.toml"):
        mutant.unlink()  # they no longer apply to the changed solution
    app = solution_dir(toy_lab_copy) / "app.py"
    app.write_text(app.read_text().replace('"201 Created", item', '"200 OK", item'))
    said = findings(verify(toy_lab_copy, fake_backend))
    assert said[0].startswith("reference lost points on check create_item_returns_201: "
                              "expected 201, got 200 from POST /items: "), said
    assert not any("item_can_be_read_back" in each for each in said), "blocked: said once"


def test_a_check_that_fails_by_luck_is_flaky_with_its_count(toy_lab_copy: Lab,
                                                            fake_backend) -> None:
    checks = load_checks(toy_lab_copy)
    calls: list[int] = []

    def unlucky_once(ctx) -> None:  # fails the first grade it runs in: solution, run 1
        calls.append(1)
        ctx.expect(len(calls) > 1, "expected a lucky draw, got an unlucky one")

    checks.check("Sometimes unlucky", points=1)(unlucky_once)
    said = findings(verify(toy_lab_copy, fake_backend, repeat=3, checks=checks))
    assert said == [
        "reference lost points on check unlucky_once: expected a lucky draw, got an unlucky "
        "one (run 1 of 3)",
        "check unlucky_once is flaky: 1 of 3 runs differ on the reference (passed 2, failed 1: "
        "expected a lucky draw, got an unlucky one)"]


def test_the_cli_prints_the_findings_under_the_table(toy_lab_copy: Lab, fake_backend,
                                                     monkeypatch) -> None:
    monkeypatch.setattr("webapp.cli.grade.get_backend", lambda name: fake_backend)
    weaken(toy_lab_copy.root)
    result = CliRunner().invoke(main, ["labs", "verify", str(toy_lab_copy.root)])
    assert result.exit_code == 1
    assert f"✗ {UNCAUGHT}" in result.output


def test_no_findings_for_a_green_lab(toy_lab: Lab, fake_backend) -> None:
    assert findings(verify(toy_lab, fake_backend, repeat=2)) == []


class FailingStarts(FakeBackend):
    """A fake engine whose sandbox fails to start for the sessions `fails(session_id)` says."""

    def __init__(self, fails: Callable[[str], bool]) -> None:
        super().__init__(submission_apps)
        self.fails = fails

    def start(self, topology: Any, session_id: str, labels: dict[str, str] | None = None,
              deadline_s: float | None = None) -> FakeSession:
        if self.fails(session_id):
            raise SandboxError(f"Docker failed to start session {session_id}: 409 Conflict")
        return super().start(topology, session_id, labels, deadline_s)


def test_a_grade_whose_sandbox_failed_is_graded_again_once(toy_lab: Lab) -> None:
    backend = FailingStarts(lambda session_id: session_id == "verify-toy-1-0")
    report = verify(toy_lab, backend, session_prefix="verify-toy")
    assert report.ok, findings(report)
    assert backend.started[0]["session_id"] == "verify-toy-1-0-t2"


def test_a_sandbox_that_fails_twice_is_reported_once_and_makes_no_check_flaky(
        toy_lab: Lab) -> None:
    backend = FailingStarts(lambda session_id: session_id.startswith("verify-toy-1-0"))
    said = findings(verify(toy_lab, backend, repeat=2, session_prefix="verify-toy"))
    assert said == ["reference was not graded to the end: the sandbox failed (Docker failed to "
                    "start session verify-toy-1-0-t2: 409 Conflict); this attempt does not count "
                    "(run 1 of 2)"], said
