"""The soak: 100 submissions from 20 learners through `archlab serve` and RQ workers on the
Docker backend, while workers are SIGKILLed, Redis restarts and the web process is killed.
Every submission ends graded exactly once, nothing is lost or charged to a learner, and no
sandbox is left behind. The scenario lives in tests/soak/scenario.py (bench/soak.py prints it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.soak.scenario import SoakPlan, run_soak


@pytest.mark.slow
@pytest.mark.docker
@pytest.mark.redis
@pytest.mark.postgres
def test_every_submission_is_graded_exactly_once_through_kills_and_restarts(
        postgres_url: str, docker_client, tmp_path: Path) -> None:
    report = run_soak(postgres_url, tmp_path, SoakPlan())
    print(report.figures())
    assert report.faults.kills >= 3, f"expected at least 3 worker kills, got {report.faults.kills}"
    assert (report.faults.redis_restarts, report.faults.web_restarts) == (1, 1), (
        f"expected one Redis and one web restart, got {report.faults.redis_restarts} and "
        f"{report.faults.web_restarts}")
    assert not report.violations, "\n".join([*report.violations[:20], report.figures()])
