"""The saga checks against the solution moved to the edges its README allows.

The reference already calls with the README's longest timeout (1 s). It runs sagas on 8
threads and serves within a second of starting; the README asks for "a small pool of
worker threads", gives the 50 concurrent orders 30 s, and allows 20 s to be ready after
every restart. Each test moves one of those to its edge (a pool of 2 threads, 14 s to
start) and runs only the check it touches (with what it needs): it must pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from saga_lab import SAGA, saga_session

from tests.support import edge_copy


@pytest.mark.slow
def test_a_bulkhead_of_two_threads_passes(postgres_url: str, tmp_path: Path) -> None:
    """README: run sagas on a small pool of worker threads. Two threads carry the 50
    concurrent orders, faults and all, to their final status within the 30 s."""
    failures = edge_copy.grade_at_the_edge(
        SAGA, lambda folder, logs: saga_session(folder, postgres_url, logs), tmp_path,
        {"saga.py": [("workers: int = 8", "workers: int = 2")]},
        "concurrent_orders_keep_the_invariants")
    assert failures == {}


@pytest.mark.slow
def test_an_app_taking_fourteen_seconds_to_start_passes(postgres_url: str,
                                                        tmp_path: Path) -> None:
    """README: ready within 20 seconds of starting (and of every restart); the killed saga's
    order final within 15 s after that. An app that takes 14 s before it resumes its
    unfinished orders and listens still finishes the order in time."""
    failures = edge_copy.grade_at_the_edge(
        SAGA, lambda folder, logs: saga_session(folder, postgres_url, logs), tmp_path,
        {"app.py": [("    saga_runner.resume_unfinished()\n",
                     "    __import__(\"time\").sleep(14)\n    saga_runner.resume_unfinished()\n")]},
        "orchestrator_killed_mid_saga_recovers")
    assert failures == {}
