"""Every mutant of the sharding solution (a known mistake) fails the check it names, run directly.

Only the named check runs against each mutant, after the checks that make the records and
the rebalance it judges; the full grade of each mutant is `archlab labs verify`.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from sharding_lab import SHARDING, ShardingSession, ShardServers

from labs.checks import blocked_message
from tests.support.direct_checks import expect_caught, run_checks
from tests.support.lab_processes import opened

MUTANTS = SHARDING.mutants()
LOADED = {"each_record_on_exactly_one_shard"}
REBALANCED = LOADED | {"rebalance_under_load_keeps_serving"}
PREREQUISITES = {
    "no_acknowledged_write_lost": REBALANCED,
    "after_rebalance_each_record_once": REBALANCED | {"no_acknowledged_write_lost"},
    "adding_a_shard_moves_few_keys": REBALANCED | {"no_acknowledged_write_lost",
                                                   "after_rebalance_each_record_once"},
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



class SlowToRestart:
    """The session, except that a shard started again takes `delay_s` to come back, as one
    does on a loaded Docker engine (its container runs before PostgreSQL accepts)."""

    def __init__(self, session: ShardingSession, delay_s: float) -> None:
        self._session, self._delay_s = session, delay_s
        self.restarts: list[threading.Timer] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)

    def start(self, name: str) -> None:
        timer = threading.Timer(self._delay_s, self._session.start, args=(name,))
        timer.start()
        self.restarts.append(timer)


@pytest.mark.slow
def test_a_failed_stopped_shard_check_leaves_the_shard_serving_for_the_next_check(
        shard_servers: ShardServers, tmp_path: Path) -> None:
    """The stopped-shard check fails on a slow 503 and still waits for shard1 to serve again,
    so the rebalance under load that runs next does not fail on its account (a root cause is
    named once)."""
    mutant = next(m for m in MUTANTS if m.name == "write_to_a_down_shard_hangs")
    source = SHARDING.mutant_copy(mutant, tmp_path / "mutant")
    only = LOADED | {"stopped_shard_costs_only_its_keys", "rebalance_under_load_keeps_serving"}
    with opened(ShardingSession(source, shard_servers, tmp_path)) as session:
        slow = SlowToRestart(session, delay_s=3)
        try:
            failures, _ = run_checks(SHARDING, slow, seed=7, only=only)
        finally:
            for timer in slow.restarts:
                timer.join()
    assert list(failures) == ["stopped_shard_costs_only_its_keys"], failures


@pytest.mark.slow
def test_writes_sent_to_the_old_shard_are_named_once_as_lost_writes(
        shard_servers: ShardServers, tmp_path: Path) -> None:
    """Writes that follow the old ring during the move are lost (reads find the moved copy)
    and leave a second copy on the old shard: the lost-write check names the mistake, and
    the placement checks after it say they did not run because of it."""
    mutant = next(m for m in MUTANTS if m.name == "writes_follow_old_ring")
    source = SHARDING.mutant_copy(mutant, tmp_path / "mutant")
    after_the_move = {"no_acknowledged_write_lost", "after_rebalance_each_record_once",
                      "adding_a_shard_moves_few_keys"}
    with opened(ShardingSession(source, shard_servers, tmp_path)) as session:
        failures, _ = run_checks(SHARDING, session, seed=11, only=REBALANCED | after_the_move)
    lost = next(c.name for c in SHARDING.checks if c.id == "no_acknowledged_write_lost")
    assert failures["no_acknowledged_write_lost"].startswith(
        "expected the last acknowledged value of all"), failures
    assert {check_id: failures.get(check_id) for check_id in after_the_move - {
        "no_acknowledged_write_lost"}} == {
        "after_rebalance_each_record_once": blocked_message(lost),
        "adding_a_shard_moves_few_keys": blocked_message(lost)}, failures
