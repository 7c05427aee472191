"""`archlab grade` ends in time and leaves nothing behind, whatever the submission does and
however it is stopped: a REST service whose every answer never ends (or whose status line
dribbles) is graded within the lab's limit with a clear verdict, and SIGTERM or SIGINT
mid-grade tears the sandbox down on both backends."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from labs.catalog import get_lab
from tests.support.stopped_grades import (
    ARCHLAB,
    grade_in_background,
    sandbox_leftovers,
    slow_toy_lab,
    wait_for_the_slow_check,
)

HERE = Path(__file__).resolve().parent
REST_LIMIT_S = get_lab("rest-api").grading.time_limit


def rest_submission(case: str, folder: Path) -> Path:
    """A hostile case of tests/hostile/submissions as a submission for the REST lab."""
    shutil.copytree(HERE / "submissions" / case, folder)
    shutil.copy(HERE / "lab" / "solution" / "app.py", folder / "honest.py")
    return folder


@pytest.mark.docker
@pytest.mark.slow
@pytest.mark.parametrize(("case", "verdict", "message"), [
    ("endless_body", "graded",
     r"the service answered with a response to (GET|POST) /\S+ larger than 1024 KiB"),
    ("byte_dribbling", "not_ready",
     r'not run: the service "app" never became ready: no answer to GET /healthz on port \d+ '
     r"within 20s"),
])
def test_a_rest_service_that_never_finishes_answering_is_graded_in_time(
        runtime_image, tmp_path: Path, case: str, verdict: str, message: str) -> None:
    report = tmp_path / "report.json"
    started = time.monotonic()
    submission = rest_submission(case, tmp_path / case)
    done = subprocess.run([ARCHLAB, "grade", "rest-api", str(submission), "--backend", "docker",
                           "--format", "json", "-o", str(report)],
                          capture_output=True, text=True, timeout=REST_LIMIT_S + 60, check=False)
    took = time.monotonic() - started
    assert done.returncode == 1, done.stderr
    assert took < REST_LIMIT_S, f"the grade took {took:.0f}s of the lab's {REST_LIMIT_S}s"
    result = json.loads(report.read_text())
    assert (result["verdict"], result["score"]) == (verdict, 0), result
    by_id = {check["id"]: check for check in result["checks"]}
    for check in result["checks"]:  # each fails for that cause, or is blocked by one that did
        root = by_id[check["blocked_by"]] if check.get("blocked_by") else check
        assert re.fullmatch(message, root["message"]), check


@pytest.mark.slow
@pytest.mark.parametrize(("backend", "signum"), [
    ("process", signal.SIGTERM), ("process", signal.SIGINT),
    pytest.param("docker", signal.SIGTERM, marks=pytest.mark.docker),
    pytest.param("docker", signal.SIGINT, marks=pytest.mark.docker),
])
def test_a_grade_stopped_by_a_signal_tears_its_sandbox_down(
        request: pytest.FixtureRequest, tmp_path: Path, backend: str,
        signum: signal.Signals) -> None:
    docker_client = None
    if backend == "docker":
        request.getfixturevalue("runtime_image")
        docker_client = request.getfixturevalue("docker_client")
    lab_id = slow_toy_lab(tmp_path / "lab", sleep_s=120)
    grader = grade_in_background(tmp_path / "lab", backend)
    try:
        wait_for_the_slow_check(grader)
        assert sandbox_leftovers(backend, lab_id, docker_client), "expected a running sandbox"
        grader.send_signal(signum)
        _, errors = grader.communicate(timeout=60)
    finally:
        if grader.poll() is None:
            grader.kill()
    assert grader.returncode == 128 + signum, errors
    assert f"archlab grade: stopped by {signum.name}; its sandbox was torn down" in errors
    assert "Traceback" not in errors
    assert sandbox_leftovers(backend, lab_id, docker_client) == []
