"""Learners' code only runs where it is contained: the weaker process sandbox refuses a
learner's grade unless the operator opted in, and an untrusted Docker backend stays untrusted."""

from __future__ import annotations

import pytest

from labs.results import Status, Verdict
from labs.runner import grade
from labs.spec import load_lab
from sandboxes import get_backend
from sandboxes.process.backend import OPT_IN
from tests.hostile.conftest import HERE

LAB = HERE / "lab"


def test_a_learners_grade_on_the_process_sandbox_is_refused_without_opt_in(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(OPT_IN, raising=False)
    result = grade(load_lab(LAB), LAB / "solution", backend=get_backend("process",
                                                                        trusted=False))
    assert (result.verdict, result.gradable, result.score) == (
        Verdict.INFRASTRUCTURE_ERROR, False, 0)
    assert {check.status for check in result.checks} == {Status.SKIPPED}
    assert f"set {OPT_IN}=1 to accept the risk" in result.checks[0].message


@pytest.mark.parametrize("name", ["docker", "process"])
def test_get_backend_keeps_the_learners_untrusted(name: str) -> None:
    assert get_backend(name, trusted=False).trusted is False
    assert get_backend(name).trusted is True
