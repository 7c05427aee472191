"""Every mutant of the sharding solution (a known mistake) fails the check it names, run directly.

Only the named check runs against each mutant, after the checks that make the records and
the rebalance it judges; the full grade of each mutant is `archlab labs verify`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sharding_lab import SHARDING, ShardingSession, ShardServers

from tests.support.direct_checks import expect_caught
from tests.support.lab_processes import opened

MUTANTS = SHARDING.mutants()
LOADED = {"each_record_on_exactly_one_shard"}
REBALANCED = LOADED | {"rebalance_under_load_keeps_serving"}
PREREQUISITES = {
    "no_acknowledged_write_lost": REBALANCED,
    "after_rebalance_each_record_once": REBALANCED,
    "adding_a_shard_moves_few_keys": REBALANCED | {"after_rebalance_each_record_once"},
}


def test_the_lab_has_at_least_six_mutants_on_distinct_checks() -> None:
    assert len(MUTANTS) >= 6
    assert len({mutant.caught_by for mutant in MUTANTS}) >= 6


@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_is_caught_by_its_check(mutant, shard_servers: ShardServers,
                                       tmp_path: Path) -> None:
    source = SHARDING.mutant_copy(mutant, tmp_path / "mutant")
    needed = PREREQUISITES.get(mutant.caught_by, LOADED)
    with opened(ShardingSession(source, shard_servers, tmp_path)) as session:
        expect_caught(SHARDING, mutant, session, only=needed | {mutant.caught_by})
