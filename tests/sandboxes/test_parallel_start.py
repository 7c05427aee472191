"""Sandboxes start their stores side by side: the helper that runs them and the steps."""

from __future__ import annotations

import threading
import time

import pytest

from sandboxes import Readiness, ServiceSpec, Topology
from sandboxes.parallel import each_at_once


def test_each_at_once_runs_side_by_side_and_keeps_the_items_order() -> None:
    def slow_square(n: int) -> int:
        time.sleep(0.4)
        return n * n

    began = time.monotonic()
    assert each_at_once(slow_square, [3, 1, 2]) == [9, 1, 4]
    assert time.monotonic() - began < 1.0, "three 0.4 s waits must overlap"


def test_each_at_once_lets_every_action_end_then_raises_the_first_failure_in_order() -> None:
    finished: list[str] = []
    late_failure_raised = threading.Event()

    def action(name: str) -> None:
        if name == "second":
            late_failure_raised.wait(2)  # fails after "third" has failed
            finished.append(name)
            raise ValueError("second failed")
        if name == "third":
            finished.append(name)
            late_failure_raised.set()
            raise KeyError("third failed")
        time.sleep(0.2)
        finished.append(name)

    with pytest.raises(ValueError, match="second failed"):
        each_at_once(action, ["first", "second", "third"])
    assert sorted(finished) == ["first", "second", "third"]


def test_stores_start_together_first_then_each_other_service_alone_in_order() -> None:
    app = ServiceSpec(name="app", kind="app", command=["python3", "app.py"],
                      ready=Readiness(http="/healthz"))
    stub = ServiceSpec(name="origin", kind="process", command=["python3", "origin.py"])
    worker = ServiceSpec(name="worker", kind="app", command=["python3", "worker.py"],
                         ready=Readiness(tcp=False, timeout=1))
    topology = Topology([app, ServiceSpec(name="db", kind="postgres"), stub, worker,
                         ServiceSpec(name="cache", kind="redis")])
    steps = [[spec.name for spec in step] for step in topology.start_steps()]
    assert steps == [["db", "cache"], ["origin"], ["app"], ["worker"]]
    assert [name for step in steps for name in step] == [
        spec.name for spec in topology.start_order()]
    assert [[s.name for s in step] for step in Topology([app]).start_steps()] == [["app"]]
