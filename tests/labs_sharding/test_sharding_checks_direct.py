"""The sharding lab's checks run straight against the solution, the alternatives and the
starter, no sandbox.

The solution passes every check under several seeds, and so does each alternative correct
solution (written in another style); the starter fails most of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sharding_lab import SHARDING, ShardingSession, ShardServers

from tests.support import direct_checks, lab_contract
from tests.support.lab_processes import opened

ALTERNATIVES = SHARDING.alternatives()


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


@pytest.mark.slow
@pytest.mark.parametrize("alternative", ALTERNATIVES, ids=[a.name for a in ALTERNATIVES])
def test_alternative_passes_every_check(alternative: Path, shard_servers: ShardServers,
                                        tmp_path: Path) -> None:
    with opened(ShardingSession(alternative, shard_servers, tmp_path)) as session:
        direct_checks.expect_every_check_passes(SHARDING, session, seed=5)
