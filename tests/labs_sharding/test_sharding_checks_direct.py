"""The sharding lab's checks run straight against the solution and the starter, no sandbox.

The solution passes every check under several seeds; the starter fails most of them.
"""

from __future__ import annotations

import pytest
from sharding_lab import SHARDING, ShardingSession

from tests.support import direct_checks, lab_contract


def test_checks_add_up_to_100_points_with_hints() -> None:
    lab_contract.expect_100_points_with_hints(SHARDING, at_least=10)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2024])
def test_solution_passes_every_check(solution: ShardingSession, seed: int) -> None:
    grade = direct_checks.expect_every_check_passes(SHARDING, solution, seed)
    assert [chart["name"] for chart in grade.charts] == [
        "Records per shard before adding shard3",
        "Records per shard before and after adding shard3",
        "Keys moved by adding shard3"]
    assert all(chart["kind"] == "bar" for chart in grade.charts)
