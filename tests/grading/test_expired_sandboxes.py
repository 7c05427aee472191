"""The janitor removes a sandbox nobody remembers once no one can tear it down: here the one
an `archlab grade` killed with SIGKILL left (its own teardown never ran), on both backends -
a process sandbox at once (its grader is dead), a Docker one once its deadline label passed."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from labs.runner import SESSION_GRACE_S
from tests.support.leftovers import left_after_teardown
from tests.support.runtime_image import runtime_image  # noqa: F401 - a fixture used below
from tests.support.stopped_grades import (
    grade_in_background,
    sandbox_leftovers,
    slow_toy_lab,
    wait_for_the_slow_check,
)
from webapp.grading.janitor import run_janitor

TIME_LIMIT_S = 8  # room for a slow Docker start before the quick checks pass


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["process", pytest.param("docker", marks=pytest.mark.docker)])
def test_the_janitor_reaps_what_a_killed_grade_left_once_nobody_can_tear_it_down(
        request: pytest.FixtureRequest, make_app, tmp_path: Path, backend: str) -> None:
    docker_client = None
    if backend == "docker":
        request.getfixturevalue("runtime_image")
        docker_client = request.getfixturevalue("docker_client")
    lab_id = slow_toy_lab(tmp_path / "lab", sleep_s=120, time_limit=TIME_LIMIT_S)
    with grade_in_background(tmp_path / "lab", backend) as grader:  # closes its pipes, waits
        try:
            wait_for_the_slow_check(grader)
        finally:
            grader.kill()
    killed = time.monotonic()
    assert sandbox_leftovers(backend, lab_id, docker_client), \
        "expected the killed grade's sandbox to outlive it"
    app = make_app(ARCHLAB_SANDBOX=backend, GRADING_REAP_S=0.5)
    stopping = threading.Event()
    run_janitor(app, stopping)
    try:
        left = left_after_teardown(lambda lab: sandbox_leftovers(backend, lab, docker_client),
                                   lab_id, within=killed + TIME_LIMIT_S + SESSION_GRACE_S + 20
                                   - time.monotonic())
    finally:
        stopping.set()
    assert left == []
