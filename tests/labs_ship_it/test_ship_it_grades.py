"""Whole grades of the ship-it lab: the solution gets full marks on the real Docker engine,
the starter builds and runs but fails most checks, a broken Dockerfile is a build failure
with Docker's words, and the process sandbox reports the lab as not gradable there."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from ship_it_lab import SHIP_IT

from labs.catalog import solution_dir, starter_dir
from labs.results import Status, Verdict
from labs.runner import grade
from sandboxes.docker.backend import DockerBackend
from sandboxes.process.backend import ProcessBackend

STARTER_PASSES = ["messages_are_stored_in_the_database", "manifests_describe_one_deployment",
                  "selector_matches_the_pod_labels"]


@pytest.mark.docker
@pytest.mark.slow
def test_the_solution_gets_full_marks_with_its_timelines(runtime_image: str) -> None:
    result = grade(SHIP_IT.spec, solution_dir(SHIP_IT.spec), seed=7,
                   backend=DockerBackend(image=runtime_image))
    assert result.full_marks, [(c.id, c.message) for c in result.checks if not c.passed]
    assert [chart["name"] for chart in result.charts] == [
        "Readiness while the database is down", "SIGTERM with a request in flight"]
    exit_row = result.charts[1]["data"]["rows"][1]
    assert exit_row["status"] == "exit code 0"
    assert {m["name"] for m in result.metrics} >= {"SIGTERM to exit"}


@pytest.mark.docker
@pytest.mark.slow
def test_the_starter_builds_and_runs_but_fails_most_checks(runtime_image: str) -> None:
    result = grade(SHIP_IT.spec, starter_dir(SHIP_IT.spec), seed=7,
                   backend=DockerBackend(image=runtime_image))
    assert result.verdict is Verdict.GRADED
    assert [c.id for c in result.checks if c.passed] == STARTER_PASSES
    by_id = {c.id: c for c in result.checks}
    assert by_id["runs_as_a_non_root_user"].message.startswith(
        "expected the image to run as a non-root user, got USER root (uid 0)")
    assert by_id["liveness_ignores_the_database"].status is Status.BLOCKED
    assert by_id["sigterm_exit_is_clean_and_in_time"].status is Status.BLOCKED


@pytest.mark.docker
def test_a_dockerfile_that_does_not_build_is_a_build_failure_with_dockers_output(
        runtime_image: str, tmp_path: Path) -> None:
    broken = Path(shutil.copytree(solution_dir(SHIP_IT.spec), tmp_path / "broken"))
    dockerfile = broken / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("store.py ./", "storage.py ./"))
    result = grade(SHIP_IT.spec, broken, backend=DockerBackend(image=runtime_image))
    assert (result.verdict, result.gradable, result.score) == (Verdict.BUILD_FAILED, True, 0)
    assert "COPY app.py routes.py settings.py storage.py ./" in result.log_tail
    assert "stat storage.py: file does not exist" in result.log_tail
    assert result.cause.startswith('the image of "app" did not build: COPY failed: file not '
                                   "found in build context")


def test_the_process_sandbox_reports_the_lab_as_not_gradable_there() -> None:
    result = grade(SHIP_IT.spec, solution_dir(SHIP_IT.spec), backend=ProcessBackend())
    assert (result.verdict, result.gradable, result.score) == (
        Verdict.NOT_GRADABLE_HERE, False, 0)
    assert {c.status for c in result.checks} == {Status.SKIPPED}
    assert result.checks[0].message == (
        "not run: this lab can only be graded on the Docker sandbox, which builds the "
        "submission's Dockerfile; the process sandbox cannot grade it, so this attempt does "
        "not count")
