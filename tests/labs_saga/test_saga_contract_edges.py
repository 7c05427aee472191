"""The saga checks against the solution moved to the edges its README allows.

The reference already calls with the README's longest timeout (1 s). It runs sagas on 8
threads; the README asks for "a small pool of worker threads" and gives the 50 concurrent
orders 30 s. A pool of 2 threads is small: the test moves the pool there and runs only the
check it touches (with what it needs): it must pass.
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
